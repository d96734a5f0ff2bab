"""The accessibility statement (issue 21): public, in Digitaliseringsstyrelsen's sections, with
the municipality's contact for feedback, and linked from every page's footer."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.catalogs import load_catalog

SECTIONS = [
    "Overholdelsesstatus",
    "Ikke-tilgængeligt indhold",
    "Udarbejdelse af denne tilgængelighedserklæring",
    "Feedback og kontaktoplysninger",
    "Håndhævelsesprocedure",
]


@pytest.mark.django_db
def test_the_statement_is_public_with_every_section(settings) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "randers"
    settings.VUM_ACCESSIBILITY_CONTACT = "tilgaengelighed@randers.dk"
    settings.VUM_ACCESSIBILITY_REVIEWED = "2026-12-07"
    load_catalog()
    response = Client().get(reverse("tilgaengelighed"))
    assert response.status_code == 200
    html = response.content.decode()
    positions = [html.index(f">{section}</h2>") for section in SECTIONS]
    assert positions == sorted(positions)
    assert "Randers Kommune er forpligtet" in html
    assert "delvist i overensstemmelse med standarden WCAG 2.1 på niveau AA" in html
    assert '<a href="mailto:tilgaengelighed@randers.dk">' in html
    assert "udarbejdet den 7. december 2026" in html


@pytest.mark.django_db
def test_without_a_catalog_or_a_contact_it_still_answers(settings) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_ACCESSIBILITY_CONTACT = ""
    html = Client().get(reverse("tilgaengelighed")).content.decode()
    assert "Kommunen er forpligtet" in html
    assert "kommunens it-support" in html


@pytest.mark.django_db
def test_the_login_page_links_to_it() -> None:
    html = Client().get(reverse("login")).content.decode()
    assert f'<a href="{reverse("tilgaengelighed")}">Tilgængelighedserklæring</a>' in html
