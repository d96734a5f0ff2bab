"""The API side of what is applied for: the processing deadline follows from the catalog."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from cases.models import Henvendelse
from tests.catalogs import load_catalog
from tests.factories import BorgerFactory, SagFactory, UserFactory
from vum.catalog.models import KommunalYdelse

# The enquiries arrive on 30 October and 2 November 2026; the caseworker registers them two days
# later, and their deadlines (up to 25 January 2027) all lie ahead.
pytestmark = [pytest.mark.django_db, pytest.mark.now("2026-11-04 10:00")]


@pytest.fixture(autouse=True)
def catalog(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "viborg"
    load_catalog()


def _v85() -> KommunalYdelse:
    return KommunalYdelse.objects.current().get(kommune__slug="viborg", kode="V-85")


def test_an_enquiry_naming_the_service_starts_the_deadline(caseworker) -> None:
    client = APIClient()
    client.force_authenticate(caseworker)
    borger = BorgerFactory(oprettet_af=caseworker)  # registered by the caseworker just before
    response = client.post(
        "/api/v1/henvendelser/",
        {
            "borger": borger.pk,
            "modtaget": "2026-11-02",
            "kilde": "borger",
            "aarsag": "Ansøger om bostøtte",
            "team": caseworker.teams.get().pk,
            "triage": "sag",
            "kommunal_ydelse": _v85().pk,
            "ansoegningstype": "ny",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    sag = client.get(f"/api/v1/sager/{response.data['sag']}/").data
    assert sag["kommunal_ydelse"] == _v85().pk
    assert sag["sagsbehandlingsfrist"]["frist"].startswith("2026-12-14T23:59:59")
    assert "V-85" in sag["sagsbehandlingsfrist"]["regel"]


def test_setting_the_service_on_a_case(caseworker) -> None:
    sag = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)
    Henvendelse.objects.create(
        borger=sag.borger,
        kilde="borger",
        aarsag="Ansøgning",
        team=sag.team,
        triage="sag",
        sag=sag,
        modtaget=date(2026, 11, 2),
        registreret_af=caseworker,
    )
    client = APIClient()
    client.force_authenticate(caseworker)
    url = f"/api/v1/sager/{sag.pk}/ansoegning/"
    bad = client.put(url, {"kommunal_ydelse": _v85().pk}, format="json")
    assert bad.status_code == 400
    assert "ansoegningstype" in bad.data
    ok = client.put(
        url, {"kommunal_ydelse": _v85().pk, "ansoegningstype": "aendring"}, format="json"
    )
    assert ok.status_code == 200
    assert ok.data["sagsbehandlingsfrist"]["frist"].startswith("2026-11-30")

    outsider = APIClient()
    outsider.force_authenticate(UserFactory())
    denied = outsider.put(url, {"kommunal_ydelse": None}, format="json")
    assert denied.status_code == 404
