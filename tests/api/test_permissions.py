"""The access matrix over the API: each role against list, retrieve, create and transition.

Out of scope always answers 404 (never 403), and read-only roles get 404 for writes.
"""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from cases.lifecycle import Fase
from cases.models import Borger, Samtykke
from tests.api.conftest import World
from vum.accounts.models import User

Api = Callable[[User | None], APIClient]

ROLES = [
    "sagsbehandler_i_team",
    "sagsbehandler_andet_team",
    "leder",
    "udvalg_paa_dagsorden",
    "udvalg_uden_dagsorden",
    "udfoerer_med_bestilling",
    "udfoerer_uden_bestilling",
    "administrator",
]

# Roles that may read the case (and hence its consents, notes and transitions).
READS_SAG = {"sagsbehandler_i_team", "leder", "udvalg_paa_dagsorden"}
# Roles that may read the citizen: those of the citizen's case, and providers their own citizens.
# Another team's caseworker finds the citizen by a search, with identification only.
READS_BORGER = {
    "sagsbehandler_i_team",
    "leder",
    "udvalg_paa_dagsorden",
    "udfoerer_med_bestilling",
}
# Only the case's own caseworkers write to it.
WRITES_SAG = {"sagsbehandler_i_team"}
CREATES_BORGER = {"sagsbehandler_i_team", "sagsbehandler_andet_team"}


def ids(response_data: dict[str, list[dict[str, object]]]) -> set[object]:
    return {row["id"] for row in response_data["results"]}


@pytest.mark.parametrize("role", ROLES)
def test_sag_list_shows_only_cases_in_scope(api: Api, world: World, role: str) -> None:
    response = api(world.users[role]).get("/api/v1/sager/")
    assert response.status_code == 200
    assert (world.sag.pk in ids(response.data)) == (role in READS_SAG)


@pytest.mark.parametrize("role", ROLES)
def test_sag_retrieve_is_404_outside_scope(api: Api, world: World, role: str) -> None:
    response = api(world.users[role]).get(f"/api/v1/sager/{world.sag.pk}/")
    assert response.status_code == (200 if role in READS_SAG else 404)


@pytest.mark.parametrize("role", ROLES)
def test_sag_children_are_404_outside_scope(api: Api, world: World, role: str) -> None:
    client = api(world.users[role])
    expected = 200 if role in READS_SAG else 404
    for url in (
        f"/api/v1/sager/{world.sag.pk}/samtykker/",
        f"/api/v1/sager/{world.sag.pk}/journalnotater/",
        f"/api/v1/sager/{world.sag.pk}/transitions/",
        f"/api/v1/sager/{world.sag.pk}/formaal/",
        f"/api/v1/sager/{world.sag.pk}/sagsaabning/",
    ):
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("role", ROLES)
def test_borger_list_and_retrieve_follow_scope(api: Api, world: World, role: str) -> None:
    client = api(world.users[role])
    borger = world.sag.borger
    listed = client.get("/api/v1/borgere/")
    assert listed.status_code == 200
    # A plain list shows the citizens of one's own cases; the register is reached by search.
    assert (borger.pk in ids(listed.data)) == (role in READS_BORGER)
    detail = client.get(f"/api/v1/borgere/{borger.pk}/")
    # The register's live record is not the provider's: it reads what its bestilling carries.
    reads_register = READS_BORGER - {"udfoerer_med_bestilling"}
    assert detail.status_code == (200 if role in reads_register else 404)


@pytest.mark.parametrize("role", ROLES)
def test_borger_create_only_for_caseworkers(api: Api, world: World, role: str) -> None:
    response = api(world.users[role]).post(
        "/api/v1/borgere/",
        {"cpr": "010190-1234", "fornavn": "Mads", "efternavn": "Jensen"},
        format="json",
    )
    assert response.status_code == (201 if role in CREATES_BORGER else 404)
    assert Borger.objects.filter(cpr="0101901234").exists() == (role in CREATES_BORGER)


@pytest.mark.now("2024-06-03 10:00")  # a consent given on 1 March 2024
@pytest.mark.parametrize("role", ROLES)
def test_samtykke_create_only_for_the_cases_caseworkers(api: Api, world: World, role: str) -> None:
    response = api(world.users[role]).post(
        f"/api/v1/sager/{world.sag.pk}/samtykker/",
        {
            "retning": "indhentelse",
            "part": "egen_laege",
            "form": "skriftligt",
            "givet": "2024-03-01",
        },
        format="json",
    )
    assert response.status_code == (201 if role in WRITES_SAG else 404)
    assert Samtykke.objects.filter(sag=world.sag).exists() == (role in WRITES_SAG)


@pytest.mark.parametrize("role", ROLES)
def test_transition_only_for_the_cases_caseworkers(api: Api, world: World, role: str) -> None:
    response = api(world.users[role]).post(
        f"/api/v1/sager/{world.sag.pk}/transitions/start_sagsoplysning/",
        {"expected_fase": "sagsaabning"},
        format="json",
    )
    assert response.status_code == (200 if role in WRITES_SAG else 404)
    world.sag.refresh_from_db()
    expected_fase = Fase.SAGSOPLYSNING if role in WRITES_SAG else Fase.SAGSAABNING
    assert world.sag.fase == expected_fase


@pytest.mark.parametrize("role", sorted(READS_SAG))
def test_transition_options_are_empty_for_read_only_roles(
    api: Api, world: World, role: str
) -> None:
    response = api(world.users[role]).get(f"/api/v1/sager/{world.sag.pk}/")
    names = [t["name"] for t in response.data["transitions"]]
    if role in WRITES_SAG:
        assert "start_sagsoplysning" in names
    else:
        assert names == []


@pytest.mark.parametrize("role", ROLES)
def test_henvendelse_create_only_for_caseworkers_in_their_team(
    api: Api, world: World, role: str
) -> None:
    response = api(world.users[role]).post(
        "/api/v1/henvendelser/",
        {
            "borger": world.sag.borger_id,
            "kilde": "borger",
            "aarsag": "Ønsker hjælp til indkøb.",
            "team": world.team.pk,
            "triage": "sag",
        },
        format="json",
    )
    if role == "sagsbehandler_i_team":
        assert response.status_code == 201
    elif role == "sagsbehandler_andet_team":
        # Another team's citizen is reached by a search first, and the enquiry is registered
        # in one's own team.
        assert response.status_code == 400
        assert "borger" in response.data
    else:
        assert response.status_code == 404


def test_anonymous_is_refused(api: Api, world: World) -> None:
    for url in ("/api/v1/sager/", "/api/v1/borgere/", "/api/v1/henvendelser/"):
        # Token authentication comes first: a missing login is 401 with a challenge.
        response = api(None).get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"


def test_caseworker_in_other_team_cannot_edit_the_sagsaabning(api: Api, world: World) -> None:
    response = api(world.users["sagsbehandler_andet_team"]).patch(
        f"/api/v1/sager/{world.sag.pk}/sagsaabning/", {"klar_sag": True}, format="json"
    )
    assert response.status_code == 404


def test_leder_cannot_edit_a_visible_case(api: Api, world: World) -> None:
    client = api(world.users["leder"])
    assert (
        client.patch(
            f"/api/v1/sager/{world.sag.pk}/sagsaabning/", {"klar_sag": True}, format="json"
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/sager/{world.sag.pk}/formaal/", {"formaal": "Nyt formål"}, format="json"
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/sager/{world.sag.pk}/journalnotater/",
            {"emne": "Møde", "tekst": "Referat."},
            format="json",
        ).status_code
        == 404
    )


def test_udfoerer_cannot_edit_their_citizen(api: Api, world: World) -> None:
    response = api(world.users["udfoerer_med_bestilling"]).patch(
        f"/api/v1/borgere/{world.sag.borger_id}/", {"telefon": "12345678"}, format="json"
    )
    assert response.status_code == 404
