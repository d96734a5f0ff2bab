"""The live dashboard (followup/dashboard/refresh.py): every write to a case table leaves the
case in the change log, in the writer's transaction; an update brings the figures to what a full
rebuild makes of the same data, group for group; deadlines falling due and a new month count
without any write; the nightly rebuild finds nothing to correct unless something went wrong."""

import subprocess
import threading
import time
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connections, transaction
from django.utils import timezone

from assessment.models import (
    Afgoerelse,
    AfgoerelsesResultat,
    Dagsordenspunkt,
    Indsats,
    Klage,
    Prislinje,
    Sagsvurdering,
    VurderingMaalgruppe,
)
from cases.lifecycle import Fase
from cases.models import Henvendelse, Sag
from followup.dashboard.figures import OVERDUE_ARTS
from followup.dashboard.refresh import (
    KEY_FIELDS,
    VALUE_FIELDS,
    noegletal_pending,
    noegletal_refresh,
    noegletal_update,
)
from followup.models import (
    Noegletal,
    NoegletalAendring,
    NoegletalBidrag,
    NoegletalOpgoerelse,
    Opfoelgningsskema,
    SkemaMaal,
)
from followup.tasks import update_dashboard
from tests.timed import environment, worker_command
from vum.accounts.models import Team, User
from vum.catalog.models import KommunalYdelse, Stoettebehov
from vum.celery import app
from vum.deadlines.models import Frist

ROOT = Path(__file__).resolve().parent.parent


def _figures() -> dict[tuple[Any, ...], tuple[Any, ...]]:
    rows = Noegletal.objects.values_list(*KEY_FIELDS, *VALUE_FIELDS)
    keys = len(KEY_FIELDS)
    return {row[:keys]: (*row[keys:-1], {k: v for k, v in row[-1].items() if v}) for row in rows}


def _logged() -> set[int]:
    return set(NoegletalAendring.objects.values_list("sag_id", flat=True))


def _brought_up_to_date() -> None:
    while noegletal_pending():
        assert noegletal_update(limit=7) is not None


def _as_a_rebuild_makes_them() -> None:
    """The figures kept current are those a rebuild makes: group for group, and the rebuild
    counts no difference."""
    kept = _figures()
    status = noegletal_refresh()
    assert status.afvigelser == 0
    assert _figures() == kept


@pytest.fixture
def seeded(db: None) -> None:
    call_command("seed_scale", borgere=60, seed=5, stdout=StringIO())
    assert NoegletalOpgoerelse.objects.get().ajour is not None
    assert not noegletal_pending()


# The change log


@pytest.mark.django_db
def test_every_case_table_the_figures_read_logs_its_case_on_insert_update_and_delete(
    seeded: None,
) -> None:
    """Bulk statements too: a queryset update or a bulk create goes round the models' save()."""
    frist = Frist.objects.order_by("pk").first()
    assert frist is not None
    Frist.objects.filter(pk=frist.pk).update(beskrivelse="Flyttet")
    assert _logged() == {frist.sag_id}

    NoegletalAendring.objects.all().delete()
    linje = Prislinje.objects.select_related("indsats__vurdering").order_by("pk").first()
    assert linje is not None
    linje.delete()
    assert _logged() == {linje.indsats.vurdering.sag_id}

    NoegletalAendring.objects.all().delete()
    resultat = AfgoerelsesResultat.objects.select_related("afgoerelse").order_by("pk").first()
    assert resultat is not None
    copies = [
        AfgoerelsesResultat(
            afgoerelse=resultat.afgoerelse,
            resultat=resultat.resultat,
            virkningsdato=resultat.virkningsdato,
        )
        for _ in range(3)
    ]
    AfgoerelsesResultat.objects.bulk_create(copies)
    assert list(NoegletalAendring.objects.values_list("sag_id", flat=True)) == [
        resultat.afgoerelse.sag_id
    ]

    NoegletalAendring.objects.all().delete()
    maal = SkemaMaal.objects.select_related("skema__opfoelgning").order_by("pk").first()
    assert maal is not None
    SkemaMaal.objects.filter(pk=maal.pk).update(nyt_niveau=0)
    assert _logged() == {maal.skema.opfoelgning.sag_id}


@pytest.mark.django_db
def test_a_write_that_is_rolled_back_leaves_no_change(seeded: None) -> None:
    sag = Sag.objects.order_by("pk").first()
    assert sag is not None

    def close_then_fail() -> None:
        with transaction.atomic():
            Sag.objects.filter(pk=sag.pk).update(fase=Fase.AFSLUTTET)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        close_then_fail()
    assert not noegletal_pending()


# The update


def _change_everything() -> None:
    """One write to each table the figures read, of the kinds a caseworker's day makes."""
    teams = list(Team.objects.order_by("pk"))
    open_case = Sag.objects.exclude(fase=Fase.AFSLUTTET).order_by("pk").first()
    assert open_case is not None
    open_case.team = next(t for t in teams if t.pk != open_case.team_id)
    open_case.sagsbehandler = User.objects.filter(teams=open_case.team).first()
    open_case.save()
    Sag.objects.filter(
        pk__in=Sag.objects.filter(fase=Fase.LEVERING).order_by("pk").values("pk")[:3]
    ).update(fase=Fase.AFSLUTTET)
    other = KommunalYdelse.objects.exclude(pk=open_case.kommunal_ydelse_id).first()
    Sag.objects.filter(
        pk__in=Sag.objects.filter(fase=Fase.BESTILLING).order_by("pk").values("pk")[:1]
    ).update(kommunal_ydelse=other)

    open_deadline = Frist.objects.open().order_by("pk").first()
    assert open_deadline is not None
    Frist.objects.filter(pk=open_deadline.pk).update(
        status=Frist.Status.OVERHOLDT, afsluttet=timezone.now()
    )
    Frist.objects.filter(pk=Frist.objects.open().order_by("-pk").values("pk")[:1]).update(
        frist=timezone.now() - timedelta(days=3)
    )

    decided = Afgoerelse.objects.order_by("pk").first()
    assert decided is not None
    Afgoerelse.objects.filter(pk=decided.pk).update(truffet=decided.truffet - timedelta(days=40))
    AfgoerelsesResultat.objects.filter(
        pk=AfgoerelsesResultat.objects.order_by("-pk").values("pk")[:1]
    ).update(resultat="afslag")
    Klage.objects.filter(pk=Klage.objects.order_by("pk").values("pk")[:1]).update(
        genvurdering=Klage.Genvurdering.MEDHOLD
    )
    Dagsordenspunkt.objects.filter(
        pk=Dagsordenspunkt.objects.filter(udfald__isnull=False).order_by("pk").values("pk")[:1]
    ).update(udfald=None)
    Henvendelse.objects.filter(
        pk=Henvendelse.objects.filter(sag__isnull=False).order_by("pk").values("pk")[:1]
    ).update(modtaget=date(2020, 1, 2))

    lowest = Stoettebehov.objects.order_by("pk").first()
    Sagsvurdering.objects.filter(
        pk__in=Sagsvurdering.objects.order_by("-pk").values("pk")[:2]
    ).update(stoettebehov=lowest)
    Indsats.objects.filter(pk__in=Indsats.objects.order_by("pk").values("pk")[:2]).update(
        alternativ=True
    )
    Prislinje.objects.filter(pk__in=Prislinje.objects.order_by("-pk").values("pk")[:3]).update(
        enhedspris=Decimal("999.50")
    )
    primary = VurderingMaalgruppe.objects.filter(primaer=True).order_by("pk").first()
    assert primary is not None
    primary.delete()
    Opfoelgningsskema.objects.filter(
        pk=Opfoelgningsskema.objects.filter(afsluttet__isnull=False).order_by("pk").values("pk")[:1]
    ).update(stoettebehov_efter=lowest)
    SkemaMaal.objects.filter(pk__in=SkemaMaal.objects.order_by("-pk").values("pk")[:4]).update(
        nyt_niveau=4
    )


@pytest.mark.django_db
def test_an_update_makes_the_figures_a_rebuild_would(seeded: None) -> None:
    before = _figures()
    _change_everything()
    assert len(_logged()) > 10
    _brought_up_to_date()
    assert _figures() != before
    _as_a_rebuild_makes_them()


@pytest.mark.django_db
def test_a_case_that_changes_back_leaves_the_figures_as_they_were(seeded: None) -> None:
    before = _figures()
    sag = Sag.objects.filter(fase=Fase.LEVERING).order_by("pk").first()
    assert sag is not None
    Sag.objects.filter(pk=sag.pk).update(fase=Fase.AFSLUTTET)
    _brought_up_to_date()
    assert _figures() != before
    Sag.objects.filter(pk=sag.pk).update(fase=Fase.LEVERING)
    _brought_up_to_date()
    assert _figures() == before
    # A write that changes nothing the figures read replaces the facts with the same ones.
    Sag.objects.filter(pk=sag.pk).update(fase=Fase.LEVERING)
    assert noegletal_update() == 1
    assert _figures() == before


@pytest.mark.django_db
def test_a_deadline_falling_due_counts_without_any_write(seeded: None) -> None:
    frist = Frist.objects.open().filter(frist__gt=timezone.now()).order_by("frist").first()
    assert frist is not None
    overdue = Noegletal.objects.filter(emne="overskredet", team__isnull=True)
    before = sum(overdue.values_list("antal", flat=True))
    with time_machine.travel(frist.frist + timedelta(minutes=1), tick=False):
        assert not noegletal_pending()
        assert noegletal_update() >= 1
        if frist.art in OVERDUE_ARTS:
            assert sum(overdue.values_list("antal", flat=True)) > before
        _as_a_rebuild_makes_them()


@pytest.mark.django_db
def test_in_a_new_month_the_oldest_month_is_no_longer_kept(seeded: None) -> None:
    now = timezone.localtime()
    next_month = (now.replace(day=1) + timedelta(days=32)).replace(day=1, hour=8)
    with time_machine.travel(next_month, tick=False):
        noegletal_update()
        _as_a_rebuild_makes_them()


@pytest.mark.django_db
def test_the_rebuild_counts_groups_the_updates_got_wrong(seeded: None) -> None:
    wrong = Noegletal.objects.filter(emne="fase").order_by("pk").first()
    assert wrong is not None
    Noegletal.objects.filter(pk=wrong.pk).update(antal=wrong.antal + 1)
    Noegletal.objects.filter(pk=Noegletal.objects.order_by("-pk").values("pk")[:1]).delete()
    assert noegletal_refresh().afvigelser == 2
    assert noegletal_refresh().afvigelser == 0


@pytest.mark.django_db
def test_nothing_is_updated_before_the_first_rebuild(db: None) -> None:
    call_command("seed_scale", borgere=5, seed=1, stdout=StringIO())
    NoegletalOpgoerelse.objects.all().delete()
    Noegletal.objects.all().delete()
    Sag.objects.filter(pk=Sag.objects.values("pk")[:1]).update(fase=Fase.AFSLUTTET)
    assert noegletal_update() is None
    assert noegletal_pending()
    assert not Noegletal.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_update_while_the_figures_are_held_leaves_its_changes_for_the_next() -> None:
    call_command("seed_scale", borgere=20, seed=3, stdout=StringIO())
    sag = Sag.objects.filter(fase=Fase.LEVERING).order_by("pk").first()
    assert sag is not None
    Sag.objects.filter(pk=sag.pk).update(fase=Fase.AFSLUTTET)
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                NoegletalOpgoerelse.objects.select_for_update().get(pk=1)
                held.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(timeout=30)
        assert noegletal_update() is None
        assert update_dashboard() == 0
    finally:
        release.set()
        holder.join(timeout=30)
    assert noegletal_pending()
    assert update_dashboard() == 1
    assert not noegletal_pending()
    _as_a_rebuild_makes_them()


@pytest.mark.django_db(transaction=True)
def test_the_schedule_brings_a_change_into_the_figures_within_a_minute(tmp_path: Path) -> None:
    """A real worker with its beat, as deployed (the schedule's interval shortened to make the
    test quick): nobody calls the update, yet the change shows."""
    call_command("seed_scale", borgere=20, seed=3, stdout=StringIO())
    sag = Sag.objects.exclude(fase=Fase.AFSLUTTET).order_by("pk").first()
    assert sag is not None
    phase = Noegletal.objects.filter(emne="fase", team=sag.team, noegle=sag.fase)
    before = sum(phase.values_list("antal", flat=True))
    Sag.objects.filter(pk=sag.pk).update(fase=Fase.AFSLUTTET)
    app.control.purge()
    worker = subprocess.Popen(  # noqa: S603 (our own interpreter and fixed arguments)
        [*worker_command(settings.CELERY_TASK_DEFAULT_QUEUE), "-B", "-s", str(tmp_path / "beat")],
        cwd=ROOT,
        env=environment(CELERY_BROKER_URL=settings.CELERY_BROKER_URL, VUM_NOEGLETAL_SECONDS="2"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while sum(phase.values_list("antal", flat=True)) == before:
            assert time.monotonic() < deadline, "the change was not in the figures within 60 s"
            assert worker.poll() is None, "the worker stopped"
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert sum(phase.values_list("antal", flat=True)) == before - 1
    assert not noegletal_pending()
    assert NoegletalBidrag.objects.filter(sag_id=sag.pk, emne="fase").count() == 0
