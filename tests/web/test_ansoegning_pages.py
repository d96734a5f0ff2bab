"""Naming what the citizen applies for, on the sagsåbning page and when registering an enquiry:
the processing deadline follows from the municipality's catalog."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.lifecycle import Fase
from cases.models import Henvendelse, Sag
from cases.services.sagsaabning import sag_ansoegning_set
from tests.catalogs import load_catalog
from tests.web.conftest import World
from vum.audit.models import AuditEvent
from vum.catalog.models import KommunalYdelse
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_meet

# The enquiries arrive on 30 October and 2 November 2026; the caseworker registers them two days
# later, and their deadlines (up to 25 January 2027) all lie ahead.
pytestmark = pytest.mark.now("2026-11-04 10:00")


@pytest.fixture
def catalog(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()


def _client(world: World) -> Client:
    client = Client()
    client.force_login(world.users["sagsbehandler_ind"])
    return client


def _r85() -> KommunalYdelse:
    return KommunalYdelse.objects.current().get(kommune__slug="randers", kode="R-85")


def test_setting_the_service_starts_the_processing_deadline(world: World, catalog: None) -> None:
    Henvendelse.objects.create(
        borger=world.borger,
        kilde=Henvendelse.Kilde.BORGER,
        aarsag="Ansøgning",
        team=world.sag.team,
        triage=Henvendelse.Triage.SAG,
        sag=world.sag,
        modtaget=date(2026, 10, 30),
        registreret_af=world.users["sagsbehandler_ind"],
    )
    client = _client(world)
    page = client.get(reverse("sagsaabning", args=[world.sag.pk])).content.decode()
    assert "R-85" in page  # the catalog's services are offered

    response = client.post(
        reverse("ansoegning_set", args=[world.sag.pk]),
        {"kommunal_ydelse": _r85().pk, "ansoegningstype": "ny"},
    )
    assert response.status_code == 302
    frist = Frist.objects.get(sag=world.sag, art=Frist.Art.SAGSBEHANDLINGSFRIST)
    assert timezone.localtime(frist.frist).date() == date(2026, 12, 28)
    page = client.get(reverse("sagsaabning", args=[world.sag.pk])).content.decode()
    assert "28. december 2026" in page


def test_a_service_without_a_type_is_refused_in_danish(world: World, catalog: None) -> None:
    response = _client(world).post(
        reverse("ansoegning_set", args=[world.sag.pk]), {"kommunal_ydelse": _r85().pk}
    )
    assert response.status_code == 200
    assert "Angiv ansøgningstypen." in response.content.decode()
    assert Sag.objects.get(pk=world.sag.pk).kommunal_ydelse is None


def test_an_enquiry_can_name_the_service(world: World, catalog: None) -> None:
    response = _client(world).post(
        reverse("henvendelse_create", args=[world.borger.pk]),
        {
            "modtaget": "2026-11-02",
            "kilde": "borger",
            "aarsag": "Ansøger om mestringsvejledning",
            "team": world.sag.team.pk,
            "triage": "sag",
            "kommunal_ydelse": _r85().pk,
            "ansoegningstype": "ny",
        },
    )
    assert response.status_code == 302
    sag = Sag.objects.exclude(pk=world.sag.pk).get(borger=world.borger)
    frist = Frist.objects.get(sag=sag, art=Frist.Art.SAGSBEHANDLINGSFRIST)
    assert timezone.localtime(frist.frist).date() == date(2026, 12, 28)  # 8 weeks, 28.12


def test_without_a_loaded_catalog_the_page_still_works(world: World) -> None:
    page = _client(world).get(reverse("sagsaabning", args=[world.sag.pk]))
    assert page.status_code == 200
    assert "ydelseskatalog er ikke indlæst" in page.content.decode()


def _decided_with_its_deadline_met(world: World) -> Frist:
    """Liam's situation: the service applied for was decided, its processing deadline met on
    time, and the case is in levering."""
    Henvendelse.objects.create(
        borger=world.borger,
        kilde=Henvendelse.Kilde.BORGER,
        aarsag="Ansøgning",
        team=world.sag.team,
        triage=Henvendelse.Triage.SAG,
        sag=world.sag,
        modtaget=date(2026, 10, 30),
        registreret_af=world.users["sagsbehandler_ind"],
    )
    actor = world.users["sagsbehandler_ind"]
    sag_ansoegning_set(actor=actor, sag=world.sag, kommunal_ydelse=_r85(), ansoegningstype="ny")
    frist = Frist.objects.get(sag=world.sag, art=Frist.Art.SAGSBEHANDLINGSFRIST)
    frist_meet(frist=frist, actor=actor)
    Sag.objects.filter(pk=world.sag.pk).update(fase=Fase.LEVERING)
    return frist


def _ansoegning_audits(world: World) -> int:
    return AuditEvent.objects.filter(
        object_id=str(world.sag.pk), summary="Ansøgt ydelse registreret"
    ).count()


def test_saving_the_decided_application_unchanged_changes_nothing(
    world: World, catalog: None
) -> None:
    frist = _decided_with_its_deadline_met(world)
    recorded = _ansoegning_audits(world)
    client = _client(world)

    page = client.get(reverse("sagsaabning", args=[world.sag.pk])).content.decode()
    assert "Gem ansøgning" not in page  # read-only once decided
    assert "kan ikke længere ændres" in page

    # A stale page (or a replayed form) sends the same values: nothing changes.
    response = client.post(
        reverse("ansoegning_set", args=[world.sag.pk]),
        {"kommunal_ydelse": _r85().pk, "ansoegningstype": "ny"},
    )
    assert response.status_code == 302
    processing = Frist.objects.filter(sag=world.sag, art=Frist.Art.SAGSBEHANDLINGSFRIST)
    assert list(processing.values_list("pk", "status")) == [(frist.pk, Frist.Status.OVERHOLDT)]
    assert not Frist.objects.overdue(timezone.now()).filter(sag=world.sag).exists()
    assert _ansoegning_audits(world) == recorded


def test_the_decided_application_cannot_be_changed(world: World, catalog: None) -> None:
    _decided_with_its_deadline_met(world)
    other = KommunalYdelse.objects.current().filter(kommune__slug="randers").exclude(kode="R-85")
    response = _client(world).post(
        reverse("ansoegning_set", args=[world.sag.pk]),
        {"kommunal_ydelse": other.first().pk, "ansoegningstype": "aendring"},  # type: ignore[union-attr]
    )
    assert response.status_code == 200
    assert "kan ikke længere ændres" in response.content.decode()
    sag = Sag.objects.get(pk=world.sag.pk)
    assert (sag.kommunal_ydelse, sag.ansoegningstype) == (_r85(), "ny")


def test_a_met_processing_deadline_is_never_reopened(world: World, catalog: None) -> None:
    """Before the decision too: a case sent back after its deadline was met gets no new one when
    the application is corrected."""
    frist = _decided_with_its_deadline_met(world)
    Sag.objects.filter(pk=world.sag.pk).update(fase=Fase.SAGSVURDERING)
    sag_ansoegning_set(
        actor=world.users["sagsbehandler_ind"],
        sag=Sag.objects.get(pk=world.sag.pk),
        kommunal_ydelse=_r85(),
        ansoegningstype="aendring",
    )
    processing = Frist.objects.filter(sag=world.sag, art=Frist.Art.SAGSBEHANDLINGSFRIST)
    assert list(processing.values_list("pk", "status")) == [(frist.pk, Frist.Status.OVERHOLDT)]


def test_a_service_without_a_deadline_says_so_instead_of_nothing(
    world: World, catalog: None
) -> None:
    """Issue 17, rule 5: an application is never left without a deadline unnoticed."""
    ydelse = (
        KommunalYdelse.objects.current()
        .filter(kommune__slug="randers", sagsbehandlingsfrister__isnull=True)
        .exclude(kraever_visitation=False)
        .first()
    )
    assert ydelse is not None, "the Randers catalog states services without a deadline"
    client = _client(world)
    response = client.post(
        reverse("ansoegning_set", args=[world.sag.pk]),
        {"kommunal_ydelse": ydelse.pk, "ansoegningstype": "ny"},
        follow=True,
    )
    page = response.content.decode()
    assert "har ingen sagsbehandlingsfrist i kommunens katalog" in page
    assert "retssikkerhedslovens § 3, stk. 2" in page
    assert not Frist.objects.filter(sag=world.sag, art=Frist.Art.SAGSBEHANDLINGSFRIST).exists()
