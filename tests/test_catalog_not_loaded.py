"""Without the municipality's catalog, pages and API that need it explain it (503), never 500.

The answer deadline posted is 20 days on from the suite's instant (tests/clock.py): the page
must explain the missing catalog before it reads any date.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from assessment.models import Sagsvurdering
from cases.lifecycle import Fase
from tests.factories import sag_in_phase

pytestmark = pytest.mark.django_db


def test_pages_and_api_say_the_catalog_is_missing(caseworker, settings) -> None:
    settings.VUM_MUNICIPALITY = "viborg"  # nothing loaded
    sag = sag_in_phase(Fase.SAGSVURDERING, team=caseworker.teams.get(), sagsbehandler=caseworker)
    Sagsvurdering.objects.create(sag=sag, oprettet_af=caseworker)
    client = Client()
    client.force_login(caseworker)
    page = client.get(f"/sager/{sag.pk}/sagsvurdering/")
    assert page.status_code == 503
    assert "Kommunens katalog er ikke indlæst" in page.content.decode()

    api = APIClient()
    api.force_authenticate(caseworker)
    response = api.post(
        f"/api/v1/sager/{sag.pk}/partshoeringer/",
        {
            "hvad_hoeres": "Lægens udtalelse",
            "modtager": "borger",
            "svarfrist": (timezone.localdate() + timedelta(days=20)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 503
    assert "load_catalog" in response.data["detail"]
