"""No lost updates over the API (issue 18): a versioned record answers with its ETag, and a
change must send it back as If-Match: 428 without it, 412 (with the current ETag) when someone
saved in between, also when two clients send at the same instant over real connections."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from cases.models import Sag, Sagsaabning
from tests.factories import SagFactory
from vum.accounts.models import User

Api = Callable[[User | None], APIClient]

pytestmark = pytest.mark.django_db


@pytest.fixture
def sag(caseworker: User) -> Sag:
    return SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)


def path(sag: Sag) -> str:
    return f"/api/v1/sager/{sag.pk}/sagsaabning/"


def patch(client: APIClient, sag: Sag, body: dict[str, Any], if_match: str | None) -> Any:
    headers = {"If-Match": if_match} if if_match is not None else {}
    return client.patch(path(sag), body, format="json", headers=headers)


def test_the_etag_comes_with_the_record_and_each_change(
    api: Api, caseworker: User, sag: Sag
) -> None:
    client = api(caseworker)
    read = client.get(path(sag))
    assert read["ETag"] == '"1"'
    assert read.json()["version"] == 1
    changed = patch(client, sag, {"handlekommune": "Viborg Kommune"}, read["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] == '"2"'
    unchanged = patch(client, sag, {"handlekommune": "Viborg Kommune"}, changed["ETag"])
    assert unchanged["ETag"] == '"2"'  # nothing changed, no new version


def test_a_change_without_if_match_is_428(api: Api, caseworker: User, sag: Sag) -> None:
    response = patch(api(caseworker), sag, {"handlekommune": "Viborg Kommune"}, None)
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    assert Sagsaabning.objects.get(sag=sag).handlekommune == ""


@pytest.mark.parametrize("header", ["1", 'W/"1"', '"1", "2"', '"en"'])
def test_an_if_match_that_is_not_one_etag_is_412(
    api: Api, caseworker: User, sag: Sag, header: str
) -> None:
    response = patch(api(caseworker), sag, {"handlekommune": "Viborg Kommune"}, header)
    assert response.status_code == 412
    assert Sagsaabning.objects.get(sag=sag).handlekommune == ""


def test_a_change_on_an_old_etag_is_412_with_the_current_one(
    api: Api, caseworker: User, sag: Sag
) -> None:
    first, second = api(caseworker), api(caseworker)
    etag = first.get(path(sag))["ETag"]
    assert patch(first, sag, {"handlekommune": "Viborg Kommune"}, etag).status_code == 200
    stale = patch(second, sag, {"handlekommune": "Randers Kommune"}, etag)
    assert stale.status_code == 412
    assert stale["ETag"] == '"2"'
    assert stale.json()["version"] == 2
    assert "ændret af en anden" in stale.json()["detail"]
    assert Sagsaabning.objects.get(sag=sag).handlekommune == "Viborg Kommune"
    # `*`: the client knowingly overwrites whatever is there.
    assert patch(second, sag, {"handlekommune": "Randers Kommune"}, "*").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_changes_on_one_etag_at_the_same_instant_one_wins_one_is_412(
    api: Api, caseworker: User, sag: Sag
) -> None:
    etag = api(caseworker).get(path(sag))["ETag"]
    start = threading.Barrier(2)
    statuses: list[int] = []

    def change(value: str) -> None:
        try:
            client = api(caseworker)
            start.wait()
            statuses.append(patch(client, sag, {"handlekommune": value}, etag).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=change, args=[v]) for v in ("Viborg", "Randers")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200, 412]
    assert Sagsaabning.objects.get(sag=sag).version == 2
