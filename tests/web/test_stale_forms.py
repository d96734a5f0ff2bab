"""No lost updates on the pages (issue 18): two tabs (or two caseworkers) with the sagsåbning
open save different fields; the second is refused with the other's change shown beside the
field and its own input kept, and saves deliberately after a look. Also with two real
connections saving at the same instant."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from cases.models import Sagsaabning
from tests.forms import form_fields
from tests.web.conftest import World
from vum.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.now("2026-11-18 10:00")


def signed_in(world: World, role: str = "sagsbehandler_ind") -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def opened(client: Client, world: World) -> dict[str, str]:
    """The sagsåbning form as a tab shows it."""
    url = reverse("sagsaabning", args=[world.sag.pk])
    return form_fields(client.get(url).content.decode(), url)


def test_a_second_tab_saving_is_refused_with_the_first_tabs_change_shown(world: World) -> None:
    url = reverse("sagsaabning", args=[world.sag.pk])
    first_tab, second_tab = signed_in(world), signed_in(world)
    first, second = opened(first_tab, world), opened(second_tab, world)
    assert first["version"] == second["version"] == "1"

    saved = first_tab.post(url, {**first, "handlekommune": "Viborg Kommune"})
    assert saved.status_code == 302
    refused = second_tab.post(url, {**second, "oensker_for_fremtiden": "At bo i egen lejlighed"})
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "er gemt af" in html
    assert "Dine ændringer er ikke gemt endnu" in html
    assert "Gemt af" in html
    assert "Viborg Kommune" in html  # the other's change, by its field
    shown = form_fields(html, url)
    assert shown["oensker_for_fremtiden"] == "At bo i egen lejlighed"  # the typing is kept
    assert shown["version"] == "2"

    aabning = Sagsaabning.objects.get(sag=world.sag)
    assert aabning.handlekommune == "Viborg Kommune"  # not reverted
    assert aabning.oensker_for_fremtiden == ""
    assert aabning.version == 2

    # After a look, the second tab keeps the first's change and saves its own.
    again = second_tab.post(url, {**shown, "handlekommune": "Viborg Kommune"})
    assert again.status_code == 302
    aabning.refresh_from_db()
    assert (aabning.handlekommune, aabning.oensker_for_fremtiden) == (
        "Viborg Kommune",
        "At bo i egen lejlighed",
    )
    updates = AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_type="cases.Sagsaabning", object_id=str(aabning.pk)
    )
    assert [sorted(e.changes) for e in updates.order_by("occurred_at", "id")] == [
        ["handlekommune"],
        ["oensker_for_fremtiden"],
    ]  # no change "back" in the trail


def test_a_form_without_its_version_is_not_saved(world: World) -> None:
    url = reverse("sagsaabning", args=[world.sag.pk])
    client = signed_in(world)
    form = opened(client, world)
    del form["version"]
    response = client.post(url, {**form, "handlekommune": "Viborg Kommune"})
    assert response.status_code == 200
    assert "genindlæs" in response.content.decode()
    assert Sagsaabning.objects.get(sag=world.sag).handlekommune == ""


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_instant_one_is_saved_and_one_is_shown_the_conflict(
    world: World,
) -> None:
    url = reverse("sagsaabning", args=[world.sag.pk])
    form = opened(signed_in(world), world)
    start = threading.Barrier(2)
    statuses: list[int] = []

    def save(field: str, value: str) -> None:
        try:
            client = signed_in(world)
            start.wait()
            statuses.append(client.post(url, {**form, field: value}).status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=["handlekommune", "Viborg Kommune"]),
        threading.Thread(target=save, args=["oensker_for_fremtiden", "At bo selv"]),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [302, 409]
    aabning = Sagsaabning.objects.get(sag=world.sag)
    assert aabning.version == 2
    saved = [
        aabning.handlekommune == "Viborg Kommune",
        aabning.oensker_for_fremtiden == "At bo selv",
    ]
    assert saved.count(True) == 1  # one save, and the other not half-applied
