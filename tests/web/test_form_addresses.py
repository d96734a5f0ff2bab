"""A form's own address opened as a page (a reload after a failed save, a bookmark) leads to the
page the form is on, not to an empty 405; a failed save names that page for the address bar."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.web.conftest import World


def _client(world: World) -> Client:
    client = Client()
    client.force_login(world.users["sagsbehandler_ind"])
    return client


def test_a_form_address_opened_as_a_page_goes_to_its_page(world: World) -> None:
    client = _client(world)
    address = reverse("ansoegning_set", args=[world.sag.pk])
    response = client.get(address)
    assert response.status_code == 302
    assert response["Location"] == reverse("sagsaabning", args=[world.sag.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Adressen bruges kun til at gemme en formular" in page


def test_a_chain_of_form_addresses_ends_at_a_page(world: World) -> None:
    client = _client(world)
    response = client.get(reverse("row_delete", args=[world.sag.pk, "diagnose", 1]), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("sagsaabning", args=[world.sag.pk])


def test_the_api_keeps_its_json_405(world: World) -> None:
    client = _client(world)
    response = client.get(f"/api/v1/sager/{world.sag.pk}/ansoegning/")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")


def test_a_failed_save_names_the_page_it_came_from(world: World) -> None:
    client = _client(world)
    page = reverse("sagsaabning", args=[world.sag.pk])
    response = client.post(
        reverse("samtykke_add", args=[world.sag.pk]),
        {"retning": ""},
        headers={"Referer": f"http://testserver{page}"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-form-page="{page}"' in html
    # The error summary leads to the field.
    assert "data-error-summary" in html
    assert 'href="#id_samtykke_retning"' in html


@pytest.mark.parametrize("referer", ["https://evil.example/sager/1/", ""])
def test_a_foreign_or_missing_referer_names_the_posted_address(world: World, referer: str) -> None:
    address = reverse("samtykke_add", args=[world.sag.pk])
    response = _client(world).post(
        address, {"retning": ""}, headers={"Referer": referer} if referer else {}
    )
    assert f'data-form-page="{address}"' in response.content.decode()
