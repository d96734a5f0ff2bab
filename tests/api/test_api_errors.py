"""Every answer under /api/ is JSON a client can act on: unknown paths, wrong ids, bad filter and
paging values, and a crash. The schema promises what the list endpoints really return."""

import json
from collections.abc import Callable

import pytest
from django.test import Client, RequestFactory
from drf_spectacular.generators import SchemaGenerator

from cases.models import Relation
from tests.api.conftest import World
from vum.accounts.models import User
from vum.errors import server_error

pytestmark = pytest.mark.django_db


def test_an_id_that_is_not_a_number_is_a_json_404(world: World, api) -> None:  # type: ignore[no-untyped-def]
    client = api(world.users["sagsbehandler_i_team"])
    for path in ["/api/v1/sager/abc/", "/api/v1/katalog/temaer/x/", "/api/v1/ingen-steder/"]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"].startswith("application/json"), path
        assert json.loads(response.content) == {"detail": "Ikke fundet."}


def test_pages_keep_their_html_404(caseworker: User) -> None:
    client = Client()
    client.force_login(caseworker)
    response = client.get("/sager/abc/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_id_past_the_database_integer_is_a_404(world: World, api) -> None:  # type: ignore[no-untyped-def]
    response = api(world.users["sagsbehandler_i_team"]).get("/api/v1/sager/99999999999999999999/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_a_crash_under_api_is_answered_in_json_and_a_page_crash_in_html() -> None:
    factory = RequestFactory()
    api_crash = server_error(factory.get("/api/v1/sager/"))
    page_crash = server_error(factory.get("/sager/"))
    assert api_crash.status_code == page_crash.status_code == 500
    assert json.loads(api_crash.content)["detail"].startswith("Der opstod en fejl")
    assert page_crash["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5"])
def test_a_page_that_is_not_a_whole_number_from_1_is_a_400(world: World, api, page: str) -> None:  # type: ignore[no-untyped-def]
    response = api(world.users["sagsbehandler_i_team"]).get("/api/v1/sager/", {"page": page})
    assert response.status_code == 400
    assert response.json() == {"page": ["Angiv sidetallet som et heltal fra 1."]}


def test_a_page_past_the_last_is_still_a_404(world: World, api) -> None:  # type: ignore[no-untyped-def]
    client = api(world.users["sagsbehandler_i_team"])
    assert client.get("/api/v1/sager/", {"page": "1"}).status_code == 200
    assert client.get("/api/v1/sager/", {"page": "last"}).status_code == 200
    assert client.get("/api/v1/sager/", {"page": "9"}).status_code == 404


def test_a_filter_value_of_the_wrong_kind_is_a_400(world: World, api) -> None:  # type: ignore[no-untyped-def]
    client = api(world.users["sagsbehandler_i_team"])
    response = client.get("/api/v1/katalog/temaer/", {"gyldig_paa": "junk"})
    assert response.status_code == 400
    assert "gyldig_paa" in response.json()
    response = client.get("/api/v1/katalog/undertemaer/", {"tema": "x"})
    assert response.status_code == 400
    assert "tema" in response.json()


def _response_schema(path: str) -> dict[str, object]:
    document = SchemaGenerator().get_schema(request=None, public=True)
    content = document["paths"][path]["get"]["responses"]["200"]["content"]
    return dict(content["application/json"]["schema"])


def test_relations_and_purposes_are_whole_lists_as_the_schema_says(world: World, api) -> None:  # type: ignore[no-untyped-def]
    client: Callable[..., object] = api(world.users["sagsbehandler_i_team"])
    borger = world.sag.borger
    Relation.objects.create(borger=borger, navn="Karen", type=Relation.Type.PAAROERENDE)

    relations = client.get(f"/api/v1/borgere/{borger.pk}/relationer/")  # type: ignore[operator]
    purposes = client.get(f"/api/v1/sager/{world.sag.pk}/formaal/")  # type: ignore[operator]

    assert [row["navn"] for row in relations.json()] == ["Karen"]
    assert isinstance(purposes.json(), list)
    for path in ["/api/v1/borgere/{id}/relationer/", "/api/v1/sager/{id}/formaal/"]:
        assert _response_schema(path)["type"] == "array"


def test_a_missing_e_mail_is_null_not_an_empty_string(world: World, api) -> None:  # type: ignore[no-untyped-def]
    borger = world.sag.borger
    borger.email = ""
    borger.save(update_fields=["email"])
    response = api(world.users["sagsbehandler_i_team"]).get(f"/api/v1/borgere/{borger.pk}/")
    assert response.json()["email"] is None
