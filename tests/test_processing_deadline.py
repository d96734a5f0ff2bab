"""The processing deadline (sagsbehandlingsfrist) follows the case's service and application type
from the municipality's catalog, counted from the first enquiry on the Danish calendar."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import Henvendelse, Sag
from cases.services.henvendelse import henvendelse_register
from cases.services.sagsaabning import sag_ansoegning_set
from tests.catalogs import load_catalog
from tests.factories import BorgerFactory
from vum.catalog.models import Ansoegningstype, KommunalYdelse
from vum.deadlines.models import Frist, FristFlytning

# The enquiries arrive on 30 October and 2 November 2026; the caseworker registers them two days
# later, and their deadlines (up to 25 January 2027) all lie ahead.
pytestmark = [pytest.mark.django_db, pytest.mark.now("2026-11-04 10:00")]


@pytest.fixture(autouse=True)
def catalog(db: None) -> None:
    load_catalog()


def ydelse(kommune: str, kode: str) -> KommunalYdelse:
    return KommunalYdelse.objects.current().get(kommune__slug=kommune, kode=kode)


def open_case(caseworker, received: date, **kwargs) -> Sag:
    henvendelse = henvendelse_register(
        actor=caseworker,
        borger=BorgerFactory(oprettet_af=caseworker),
        kilde=Henvendelse.Kilde.BORGER,
        aarsag="Ansøgning om bostøtte",
        team=caseworker.teams.get(),
        triage=Henvendelse.Triage.SAG,
        modtaget=received,
        **kwargs,
    )
    assert henvendelse.sag is not None
    return henvendelse.sag


def processing_deadline(sag: Sag) -> Frist:
    return Frist.objects.get(sag=sag, art=Frist.Art.SAGSBEHANDLINGSFRIST, status="aaben")


def local_date(frist: Frist) -> date:
    return timezone.localtime(frist.frist).date()


def test_viborg_85_new_and_changed_applications(caseworker, settings) -> None:
    settings.VUM_MUNICIPALITY = "viborg"
    sag = open_case(
        caseworker,
        date(2026, 11, 2),
        kommunal_ydelse=ydelse("viborg", "V-85"),
        ansoegningstype=Ansoegningstype.NY,
    )
    frist = processing_deadline(sag)
    assert local_date(frist) == date(2026, 12, 14)  # 6 weeks
    assert timezone.localtime(frist.frist).hour == 23
    assert "V-85" in frist.regel
    assert frist.ansvarlig == caseworker

    sag_ansoegning_set(
        actor=caseworker,
        sag=sag,
        kommunal_ydelse=ydelse("viborg", "V-85"),
        ansoegningstype=Ansoegningstype.AENDRING,
    )
    assert local_date(processing_deadline(sag)) == date(2026, 11, 30)  # 4 weeks
    assert FristFlytning.objects.filter(frist=frist).count() == 1


def test_viborg_bpa_deadline_per_application_type(caseworker, settings) -> None:
    settings.VUM_MUNICIPALITY = "viborg"
    expected = {
        Ansoegningstype.NY: date(2027, 1, 25),  # 12 weeks from 2 November 2026
        Ansoegningstype.AENDRING: date(2026, 11, 30),  # 4 weeks
        Ansoegningstype.AENDRING_NYE_OPLYSNINGER: date(2026, 12, 28),  # 8 weeks
    }
    for kind, due in expected.items():
        sag = open_case(
            caseworker,
            date(2026, 11, 2),
            kommunal_ydelse=ydelse("viborg", "V-96"),
            ansoegningstype=kind,
        )
        assert local_date(processing_deadline(sag)) == due, kind


def test_randers_85_deadline_ending_on_christmas_moves_to_the_next_working_day(
    caseworker, settings
) -> None:
    settings.VUM_MUNICIPALITY = "randers"
    sag = open_case(
        caseworker,
        date(2026, 10, 30),
        kommunal_ydelse=ydelse("randers", "R-85"),
        ansoegningstype=Ansoegningstype.NY,
    )
    assert local_date(processing_deadline(sag)) == date(2026, 12, 28)  # 8 weeks: 25 December


def test_a_service_without_a_deadline_cancels_the_one_there_was(caseworker, settings) -> None:
    settings.VUM_MUNICIPALITY = "viborg"
    sag = open_case(
        caseworker,
        date(2026, 11, 2),
        kommunal_ydelse=ydelse("viborg", "V-85"),
        ansoegningstype=Ansoegningstype.NY,
    )
    sag_ansoegning_set(
        actor=caseworker,
        sag=sag,
        kommunal_ydelse=ydelse("viborg", "V-82"),
        ansoegningstype=Ansoegningstype.NY,
    )
    assert not Frist.objects.open().filter(sag=sag).exists()
    assert Frist.objects.get(sag=sag).status == Frist.Status.ANNULLERET


def test_only_the_deployments_own_catalog_and_a_type_are_accepted(caseworker, settings) -> None:
    settings.VUM_MUNICIPALITY = "viborg"
    sag = open_case(caseworker, date(2026, 11, 2))
    with pytest.raises(ValidationError) as excinfo:
        sag_ansoegning_set(
            actor=caseworker,
            sag=sag,
            kommunal_ydelse=ydelse("randers", "R-85"),
            ansoegningstype="",
        )
    assert set(excinfo.value.message_dict) == {"kommunal_ydelse", "ansoegningstype"}
    assert not Frist.objects.filter(sag=sag).exists()
