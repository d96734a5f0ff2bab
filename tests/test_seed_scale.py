"""`manage.py seed_scale`: synthetic data at scale, written with COPY, consistent enough that
the pages work on it.

The synthetic data are laid out back from the suite's instant (tests/clock.py); the checks are
of proportions and consistency, which hold on any day (citizens born from 2000 on keep a
synthetic CPR number until 2067).
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessment.models import (
    Afgoerelse,
    AfgoerelsesResultat,
    Funktionsevnevurdering,
    Indsatsmaal,
    Prislinje,
)
from cases import cpr as cpr_rules
from cases.lifecycle import Fase
from cases.models import Borger, Journalnotat, Overgang, Sag
from followup.models import Opfoelgning, Opfoelgningsskema, SkemaMaal
from orders.models import Bestilling, Delmaal, Delmaalsnotat
from tooling import scale
from vum.accounts.models import Role, User
from vum.audit.models import AuditEvent
from vum.catalog.loading import load_all
from vum.deadlines.models import Frist

pytestmark = pytest.mark.django_db

CITIZENS = 50


@pytest.fixture
def seeded() -> str:
    out = StringIO()
    call_command("seed_scale", borgere=CITIZENS, seed=7, stdout=out)
    return out.getvalue()


def test_creates_citizens_and_cases_in_the_proportions(seeded: str) -> None:
    borgere = list(scale.synthetic_citizens())
    assert len(borgere) == CITIZENS
    for borger in borgere:
        cpr_rules.validate_cpr(borger.cpr)
        assert scale.is_synthetic_cpr(borger.cpr)
    sager = Sag.objects.filter(borger__in=borgere)
    assert 1.8 * CITIZENS <= sager.count() <= 3.2 * CITIZENS
    phases = set(sager.values_list("fase", flat=True))
    assert phases == set(Fase.values)
    open_share = sager.exclude(fase=Fase.AFSLUTTET).count() / sager.count()
    assert 0.1 <= open_share <= 0.35
    # Every model the phases write has rows.
    for model in (
        Overgang,
        Journalnotat,
        Funktionsevnevurdering,
        Indsatsmaal,
        Prislinje,
        Afgoerelse,
        AfgoerelsesResultat,
        Bestilling,
        Delmaal,
        Delmaalsnotat,
        Opfoelgning,
        Opfoelgningsskema,
        SkemaMaal,
        Frist,
        AuditEvent,
    ):
        assert model.objects.exists(), model
    assert Delmaalsnotat.objects.count() > Delmaal.objects.count()
    assert AuditEvent.objects.count() > 10 * CITIZENS
    # Mostly granted, some refused (not counting the decisions that end a service).
    results = list(
        AfgoerelsesResultat.objects.filter(nedsaettelse=False).values_list("resultat", flat=True)
    )
    assert results.count("bevilget") > 2 * results.count("afslag") > 0
    assert "Færdig på" in seeded
    assert "cases.Sag" in seeded


def test_the_rows_hang_together() -> None:
    call_command("seed_scale", borgere=CITIZENS, seed=7, stdout=StringIO())
    open_cases = Sag.objects.exclude(fase=Fase.AFSLUTTET)
    # Open cases have a caseworker in the case's team.
    assert not open_cases.filter(sagsbehandler__isnull=True).exists()
    assert not open_cases.exclude(sagsbehandler__teams=F("team")).exists()
    # Orders go to providers with staff; every case in delivery has an accepted, active order
    # and one follow-up planned or under way.
    assert not Bestilling.objects.annotate(n=Count("udfoerer__staff")).filter(n=0).exists()
    for sag in open_cases.filter(fase__in=[Fase.LEVERING, Fase.OPFOELGNING]):
        assert Bestilling.objects.filter(sag=sag, status="accepteret").active().exists()
        (planned,) = sag.opfoelgninger.filter(status__in=["planlagt", "indkaldt"])
        # Its meeting deadline is its date, however far ahead, with its timeline around it.
        meeting = planned.frister.get(art="opfoelgning")
        assert timezone.localtime(meeting.frist).date() == planned.dato
        assert planned.frister.count() == 4
        note = planned.frister.get(art="statusnotat")
        meeting_day = (
            timezone.localtime(planned.moede_tidspunkt).date()
            if planned.moede_tidspunkt
            else planned.dato
        )
        assert timezone.localtime(note.frist).date() == meeting_day - timedelta(days=14)
    # Goals start from a score of their own case's udredning, on their primary sub-theme.
    for goal in Indsatsmaal.objects.select_related("aktuel_vurdering__udredning", "vurdering"):
        assert goal.aktuel_vurdering is not None
        assert goal.aktuel_vurdering.udredning.sag_id == goal.vurdering.sag_id
        assert goal.aktuel_vurdering.undertema_id == goal.primaert_undertema_id
    # Follow-ups give later scores, so progression can be read.
    rescored = (
        Funktionsevnevurdering.objects.values("udredning", "undertema")
        .annotate(n=Count("id"), days=Count("vurderingsdato", distinct=True))
        .filter(n__gt=1, days__gt=1)
    )
    assert rescored.exists()
    assert SkemaMaal.objects.filter(nyt_niveau__isnull=False, vurderet__isnull=False).exists()
    # Closed cases keep no open deadline; every case with a deadline rule has its deadline.
    assert not Frist.objects.filter(sag__fase=Fase.AFSLUTTET, status="aaben").exists()
    assert Frist.objects.filter(art="sagsbehandlingsfrist").count() > Sag.objects.count() / 2
    # Nothing happened in the future.
    now = timezone.now()
    assert not Overgang.objects.filter(tidspunkt__gt=now).exists()
    assert not AuditEvent.objects.filter(occurred_at__gt=now).exists()
    assert not Delmaalsnotat.objects.filter(Q(oprettet__gt=now) | Q(dato__gt=now.date())).exists()
    # The case's phase is where its history of phase changes ends.
    for sag in Sag.objects.all()[:40]:
        last = sag.overgange.order_by("tidspunkt", "id").last()
        assert (last.til_fase if last else Fase.SAGSAABNING) == sag.fase


def test_refuses_a_second_run() -> None:
    call_command("seed_scale", borgere=5, seed=1, stdout=StringIO())
    with pytest.raises(CommandError, match="allerede 5"):
        call_command("seed_scale", borgere=5, seed=1, stdout=StringIO())


def test_is_reproducible_and_checks_row_by_row_for_other_users() -> None:
    load_all()

    def run(check_at_end: bool) -> list[tuple[str, str, str]]:
        scale.seed(borgere=8, seed=3, log=lambda line: None, check_at_end=check_at_end)
        rows = list(
            Sag.objects.filter(borger__in=scale.synthetic_citizens())
            .order_by("borger__cpr", "oprettet")
            .values_list("borger__cpr", "fase", "aarsag")
        )
        transaction.set_rollback(True)
        return rows

    with transaction.atomic():
        first = run(check_at_end=True)
    with transaction.atomic():
        second = run(check_at_end=False)  # the database checks each foreign key as it is written
    assert first == second
    assert len(first) >= 8


def test_the_main_pages_work_on_the_data(seeded: str, client: Client) -> None:
    sag = (
        Sag.objects.filter(fase=Fase.LEVERING, borger__in=scale.synthetic_citizens())
        .select_related("borger", "sagsbehandler")
        .first()
    )
    assert sag is not None
    assert sag.sagsbehandler is not None
    client.force_login(sag.sagsbehandler)
    inbox = client.get(reverse("inbox"))
    assert inbox.status_code == 200
    assert sag.borger.efternavn in inbox.content.decode()
    page = client.get(reverse("sag_detail", args=[sag.pk]))
    assert page.status_code == 200
    assert sag.borger.fornavn in page.content.decode()

    order = Bestilling.objects.filter(sag=sag, status="accepteret").active().first()
    assert order is not None
    staff = User.objects.filter(organisation=order.udfoerer, role=Role.UDFOERER).first()
    assert staff is not None
    client.force_login(staff)
    borgere = client.get(reverse("orders:udfoerer-borgere"))
    assert borgere.status_code == 200
    assert sag.borger.efternavn in borgere.content.decode()
    assert client.get(reverse("orders:udfoerer-bestilling", args=[order.pk])).status_code == 200
    assert client.get(reverse("orders:udfoerer-borger", args=[sag.borger_id])).status_code == 200


def test_synthetic_range_leaves_other_citizens_alone() -> None:
    from tests.factories import BorgerFactory

    BorgerFactory.create_batch(3)
    Borger.objects.create(cpr="1403064117", fornavn="Mads", efternavn="Holm")
    assert not scale.synthetic_citizens().exists()
