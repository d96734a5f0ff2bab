"""The administrator's "Borgerens log"."""

from django.test import Client
from django.urls import reverse

from tests.web.conftest import World
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent
from vum.audit.services import audit_record


def _admin(world: World) -> tuple[User, Client]:
    admin = world.users["administrator"]
    client = Client(REMOTE_ADDR="10.9.8.7")
    client.force_login(admin)
    return admin, client


def test_lookup_is_audited_and_shows_the_citizens_events(world: World) -> None:
    caseworker = Client(REMOTE_ADDR="192.0.2.44")
    caseworker.force_login(world.users["sagsbehandler_ind"])
    caseworker.post(
        reverse("sagsaabning", args=[world.sag.pk]),
        {"version": "1", "oensker_for_fremtiden": "Bo selv"},
    )
    caseworker.get(reverse("borger_detail", args=[world.borger.pk]))
    admin, client = _admin(world)
    response = client.post(reverse("borger_log"), {"cpr": world.borger.cpr_formatted})
    assert response["Location"] == reverse("borger_log_detail", args=[world.borger.pk])
    lookup = AuditEvent.objects.filter(actor=admin, action=AuditAction.SEARCH).get()
    assert lookup.borger_id == world.borger.pk
    assert lookup.ip_address == "10.9.8.7"
    html = client.get(response["Location"]).content.decode()
    assert "Sagsåbning opdateret" in html
    assert "Borger vist" in html
    assert "192.0.2.44" in html
    # The change is named, its content only pointed to: the administrator has no case data.
    assert "oensker_for_fremtiden" in html
    assert "Bo selv" not in html
    assert "tekst, 7 tegn" in html
    assert world.users["sagsbehandler_ind"].username in html
    # Newest first: the admin's own lookup comes before the caseworker's read.
    assert html.index("Opslag i borgerens log") < html.index("Borger vist")


def test_bad_or_unknown_cpr(world: World) -> None:
    _, client = _admin(world)
    response = client.post(reverse("borger_log"), {"cpr": "12"})
    assert "Et CPR-nummer består af 10 cifre" in response.content.decode()
    response = client.post(reverse("borger_log"), {"cpr": "0101011111"})
    assert "Der findes ingen borger med dette CPR-nummer." in response.content.decode()


def test_log_is_paginated(world: World) -> None:
    for i in range(60):
        audit_record(
            actor=None, action=AuditAction.VIEW, borger_id=world.borger.pk, summary=f"hændelse {i}"
        )
    _, client = _admin(world)
    url = reverse("borger_log_detail", args=[world.borger.pk])
    first = client.get(url).content.decode()
    assert "Side 1 af 2" in first
    assert "hændelse 59" in first
    second = client.get(url + "?side=2").content.decode()
    assert "hændelse 0<" in second
