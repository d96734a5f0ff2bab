"""The ledsageordning (serviceloven § 97) on the caseworker's orders page: the months with
their balance, and the form for the hours used, whose refusal keeps the input."""

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Sag
from tests import test_afgoerelse as jorn
from tests.test_legal_rules import granted_ledsagelse
from vum.accounts.models import User

# Jørn's case, with a § 97 grant from January 2026, read in June.
pytestmark = [pytest.mark.django_db, pytest.mark.now("2026-06-03 10:00")]
catalog = jorn.catalog
jorn_case = jorn.jorn_case


def test_the_months_are_shown_and_hours_beyond_the_savings_refused(
    caseworker: User, jorn_case: Sag
) -> None:
    granted_ledsagelse(caseworker, jorn_case)
    client = Client()
    client.force_login(caseworker)
    page_url = reverse("orders:sag-bestillinger", args=[jorn_case.pk])
    page = client.get(page_url).content.decode()
    assert 'id="ledsagelse"' in page
    # June's 15 and the 75 saved in January to May, none used yet.
    assert "Tilbage i denne måned: <strong>90 timer</strong>" in page

    refused = client.post(
        reverse("orders:ledsagetimer", args=[jorn_case.pk]), {"maaned": "2026-06", "timer": "91"}
    )
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "06.2026 ville bruge 91" in html
    assert 'value="91"' in html  # the input is kept

    done = client.post(
        reverse("orders:ledsagetimer", args=[jorn_case.pk]),
        {"maaned": "2026-06", "timer": "90"},
        follow=True,
    )
    assert done.redirect_chain[-1][0].endswith("#ledsagelse")
    assert "90 timer til ledsagelse er registreret for 06.2026." in done.content.decode()
