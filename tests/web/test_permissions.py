"""The page permission matrix: every role against every kind of page, inside and outside scope.

Outside the user's scope (and for actions the role may not take) the answer is 404, never 403.

The one date posted is today's (the suite's instant, tests/clock.py): who may post it does not
depend on the day.
"""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Journalnotat, Sag
from tests.web.conftest import World

ROLES = [
    "sagsbehandler_ind",
    "sagsbehandler_ude",
    "leder_ind",
    "leder_ude",
    "udvalg_ind",
    "udvalg_ude",
    "udfoerer_ind",
    "udfoerer_ude",
    "administrator",
]

# A caseworker reads the citizens of the team's cases and enquiries; others are found by a search
# that shows identification only.
BORGER_PAGE = {
    "sagsbehandler_ind": 200,
    "sagsbehandler_ude": 404,
    "leder_ind": 200,
    "leder_ude": 404,
    "udvalg_ind": 200,
    "udvalg_ude": 404,
    # A provider's way in is its workspace: the register page redirects there.
    "udfoerer_ind": 302,
    "udfoerer_ude": 404,
    "administrator": 404,
}
SAG_PAGE = {
    "sagsbehandler_ind": 200,
    "sagsbehandler_ude": 404,
    "leder_ind": 200,
    "leder_ude": 404,
    "udvalg_ind": 200,
    "udvalg_ude": 404,
    "udfoerer_ind": 404,
    "udfoerer_ude": 404,
    "administrator": 404,
}
# Writes on a case: only a caseworker of the case's team.
WRITE = {role: (302 if role == "sagsbehandler_ind" else 404) for role in ROLES}
AUDIT_LOG = {role: (200 if role == "administrator" else 404) for role in ROLES}


def _client(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_borger_page(world: World, role: str) -> None:
    response = _client(world, role).get(reverse("borger_detail", args=[world.borger.pk]))
    assert response.status_code == BORGER_PAGE[role]


@pytest.mark.parametrize("role", ROLES)
def test_sag_page(world: World, role: str) -> None:
    response = _client(world, role).get(reverse("sag_detail", args=[world.sag.pk]))
    assert response.status_code == SAG_PAGE[role]


@pytest.mark.parametrize("role", ROLES)
def test_sagsaabning_post(world: World, role: str) -> None:
    response = _client(world, role).post(
        reverse("sagsaabning", args=[world.sag.pk]),
        {
            "version": "1",
            "informeret_om_elektronisk_registrering": "True",
            "oensker_for_fremtiden": "Bo selv",
        },
    )
    assert response.status_code == WRITE[role]
    aabning = Sag.objects.get(pk=world.sag.pk).sagsaabning
    saved = aabning.informeret_om_elektronisk_registrering is True
    assert saved == (role == "sagsbehandler_ind")


@pytest.mark.parametrize("role", ROLES)
def test_transition_post(world: World, role: str) -> None:
    response = _client(world, role).post(
        reverse("sag_transition", args=[world.sag.pk]),
        {"name": "afslut", "expected_fase": "sagsaabning", "begrundelse": "Borgeren flyttet."},
    )
    assert response.status_code == WRITE[role]
    fase = Sag.objects.get(pk=world.sag.pk).fase
    assert fase == ("afsluttet" if role == "sagsbehandler_ind" else "sagsaabning")


@pytest.mark.parametrize("role", ROLES)
def test_journal_post(world: World, role: str) -> None:
    response = _client(world, role).post(
        reverse("journal_add", args=[world.sag.pk]),
        {"dato": timezone.localdate().isoformat(), "emne": "Samtale", "tekst": "Borgeren ringede."},
    )
    assert response.status_code == WRITE[role]
    count = Journalnotat.objects.filter(sag=world.sag).count()
    assert count == (1 if role == "sagsbehandler_ind" else 0)


@pytest.mark.parametrize("role", ROLES)
def test_audit_log_page(world: World, role: str) -> None:
    client = _client(world, role)
    assert client.get(reverse("borger_log")).status_code == AUDIT_LOG[role]
    detail = client.get(reverse("borger_log_detail", args=[world.borger.pk]))
    assert detail.status_code == AUDIT_LOG[role]


def test_unknown_objects_are_404(world: World) -> None:
    client = _client(world, "sagsbehandler_ind")
    assert client.get(reverse("sag_detail", args=[999999])).status_code == 404
    assert client.get(reverse("borger_detail", args=[999999])).status_code == 404


def test_anonymous_is_sent_to_login(world: World) -> None:
    response = Client().get(reverse("sag_detail", args=[world.sag.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "start"),
    [
        ("sagsbehandler_ind", "inbox"),
        ("leder_ind", "followup:dashboard"),
        ("udvalg_ind", "udvalg_moeder"),
        ("udfoerer_ind", "orders:udfoerer-borgere"),
        ("administrator", "borger_log"),
    ],
)
def test_home_sends_each_role_to_its_start_page(world: World, role: str, start: str) -> None:
    client = _client(world, role)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(start)
    assert client.get(response["Location"]).status_code == 200


def test_start_pages_list_the_case_or_citizen_in_scope(world: World) -> None:
    name = world.borger.navn
    assert name in _client(world, "sagsbehandler_ind").get(reverse("inbox")).content.decode()
    assert name in _client(world, "leder_ind").get(reverse("sager")).content.decode()
    assert name in _client(world, "udvalg_ind").get(reverse("sager")).content.decode()
    assert name in _client(world, "udfoerer_ind").get(reverse("borgere")).content.decode()
    assert name not in _client(world, "leder_ude").get(reverse("sager")).content.decode()
    assert name not in _client(world, "udfoerer_ude").get(reverse("borgere")).content.decode()
