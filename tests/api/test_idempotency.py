"""Idempotent writes over the API (issue 18): a POST with an Idempotency-Key is done once; a
retry with the key gets the first response back, also when the two arrive at once (two real
connections); the key on another request is refused; an error leaves the key free."""

import json
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from assessment.models import Brev, Klage
from cases.models import Journalnotat, Sag
from orders.models import Bestilling, Leveringsnotat, Magtanvendelse
from orders.services.bestilling import bestilling_accept
from tests import test_afgoerelse as base
from tests.api.test_afgoerelse_api import url
from tests.factories import UserFactory
from tests.mads import MADS_NOW, mads_decided
from tests.test_afgoerelse import jorn_decision, sent_decision
from vum.accounts.models import User
from vum.idempotency.models import IdempotentRequest
from vum.idempotency.services import KEEP, idempotent_requests_purge

pytestmark = [pytest.mark.django_db, pytest.mark.now("2026-06-03 10:00")]
catalog = base.catalog
jorn_case = base.jorn_case


def signed_in(user: User, token: str | None = None) -> APIClient:
    """A client with a real API token, as an integration sends it: a new one unless given."""
    client = APIClient()
    if token is None:
        _, token = AuthToken.objects.create(user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def post(client: APIClient, path: str, body: dict[str, Any], key: str | None) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def test_a_letter_sent_twice_with_one_key_is_one_letter_and_one_answer(
    caseworker: User, jorn_case: Sag
) -> None:
    client = signed_in(caseworker)
    decided = jorn_decision(caseworker, jorn_case)
    path = url(jorn_case, f"afgoerelser/{decided.pk}/send/")
    key = str(uuid.uuid4())

    first = post(client, path, {}, key)
    again = post(client, path, {}, key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Brev.objects.filter(afgoerelse=decided).count() == 1

    other_body = post(client, path, {"overskrift": "Ny overskrift"}, key)
    assert other_body.status_code == 422
    assert "Idempotency-Key" in other_body.json()["detail"]


def test_a_retry_after_logging_in_again_is_still_the_same_request(
    caseworker: User, jorn_case: Sag
) -> None:
    """Tokens change at every login; the key belongs to the user, not to one token."""
    decided = jorn_decision(caseworker, jorn_case)
    path = url(jorn_case, f"afgoerelser/{decided.pk}/send/")
    first = post(signed_in(caseworker), path, {}, "efter-nyt-login")
    again = post(signed_in(caseworker), path, {}, "efter-nyt-login")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Brev.objects.filter(afgoerelse=decided).count() == 1


def test_a_key_is_the_senders_own(caseworker: User, jorn_case: Sag) -> None:
    colleague = UserFactory(teams=[jorn_case.team])
    decided = jorn_decision(caseworker, jorn_case)
    path = url(jorn_case, f"afgoerelser/{decided.pk}/send/")
    assert post(signed_in(caseworker), path, {}, "faelles-noegle").status_code == 201
    # The colleague's request with the same key is the colleague's own: done, and refused,
    # since the letter has gone.
    theirs = post(signed_in(colleague), path, {}, "faelles-noegle")
    assert theirs.status_code == 400
    assert "Idempotent-Replayed" not in theirs


def test_an_error_leaves_the_key_free_for_the_corrected_request(
    caseworker: User, jorn_case: Sag
) -> None:
    client = signed_in(caseworker)
    key = str(uuid.uuid4())
    note = url(jorn_case, "journalnotater/")
    refused = post(client, note, {"emne": "Telefon", "tekst": ""}, key)
    assert refused.status_code == 400
    assert not IdempotentRequest.objects.exists()
    written = {"emne": "Telefon", "tekst": "Telefonsamtale med Jørn."}
    done = post(client, note, written, key)
    assert done.status_code == 201, done.json()
    assert post(client, note, written, key).json() == done.json()
    assert Journalnotat.objects.filter(sag=jorn_case).count() == 1


@pytest.mark.parametrize("key", ["", " ", "x" * 256])
def test_a_key_must_be_1_to_255_characters(caseworker: User, jorn_case: Sag, key: str) -> None:
    response = post(signed_in(caseworker), url(jorn_case, "journalnotater/"), {"tekst": "x"}, key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert not Journalnotat.objects.exists()


def test_a_complaint_registered_twice_with_one_key_is_one_complaint(
    caseworker: User, jorn_case: Sag
) -> None:
    client = signed_in(caseworker)
    afgoerelse = sent_decision(caseworker, jorn_case)
    body = {"afgoerelse": afgoerelse.pk, "kanal": "skriftlig", "tekst": "Jeg er uenig."}
    first = post(client, url(jorn_case, "klager/"), body, "klage-1")
    again = post(client, url(jorn_case, "klager/"), body, "klage-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Klage.objects.filter(afgoerelse=afgoerelse).count() == 1
    without_key = post(client, url(jorn_case, "klager/"), body, None)
    assert without_key.status_code == 201  # without a key, every request is its own
    assert Klage.objects.filter(afgoerelse=afgoerelse).count() == 2


@pytest.mark.now(MADS_NOW)
def test_orders_a_use_of_force_and_a_note_each_once(caseworker: User) -> None:
    mads = mads_decided(caseworker)
    caseworker_client = signed_in(caseworker)
    send = url(mads.sag, "bestillinger/send/")
    body = {"afgoerelse": mads.afgoerelse.pk}
    first = post(caseworker_client, send, body, "send-1")
    assert first.status_code == 201, first.json()
    assert post(caseworker_client, send, body, "send-1").json() == first.json()
    (order,) = Bestilling.objects.filter(sag=mads.sag)

    staff = UserFactory(udfoerer=True, organisation=mads.x_hus)
    bestilling_accept(actor=staff, bestilling=order)
    provider = signed_in(staff)
    force = {
        "tidspunkt": (timezone.now() - timedelta(hours=1)).isoformat(),
        "type": Magtanvendelse.Type.FASTHOLDELSE,
        "beskrivelse": "Mads blev holdt fast, da han ville løbe ud på vejen.",
    }
    note = {"tekst": "Mads gjorde rent i dag."}
    for path, body, model in [
        (f"/api/v1/bestillinger/{order.pk}/magtanvendelser/", force, Magtanvendelse),
        (f"/api/v1/bestillinger/{order.pk}/notater/", note, Leveringsnotat),
    ]:
        key = str(uuid.uuid4())
        once = post(provider, path, body, key)
        assert once.status_code == 201, once.json()
        assert post(provider, path, body, key).json() == once.json()
        assert model.objects.filter(sag=mads.sag).count() == 1, model


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_key_at_once_do_it_once_and_answer_alike(
    caseworker: User, jorn_case: Sag
) -> None:
    """Two real connections: the second waits for the first and gets its answer."""
    decided = jorn_decision(caseworker, jorn_case)
    path = url(jorn_case, f"afgoerelser/{decided.pk}/send/")
    start = threading.Barrier(2)
    answers: list[tuple[int, Any]] = []
    # One integration, one token: a key belongs to the credentials it is sent with.
    _, token = AuthToken.objects.create(caseworker)
    clients = [signed_in(caseworker, token) for _ in range(2)]

    def send(client: APIClient) -> None:
        try:
            start.wait()
            response = post(client, path, {}, "samtidig")
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=[c]) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [status for status, _ in answers] == [201, 201]
    assert answers[0][1] == answers[1][1]
    assert Brev.objects.filter(afgoerelse=decided).count() == 1


def test_keys_are_forgotten_after_a_day(caseworker: User, jorn_case: Sag) -> None:
    client = signed_in(caseworker)
    note = {"emne": "Telefon", "tekst": "Notat."}
    assert post(client, url(jorn_case, "journalnotater/"), note, "gammel").status_code == 201
    assert idempotent_requests_purge(now=timezone.now() + KEEP - timedelta(minutes=1)) == 0
    assert idempotent_requests_purge(now=timezone.now() + KEEP + timedelta(minutes=1)) == 1


def test_the_schema_documents_the_key_on_every_post_but_the_login(
    api: Callable[..., APIClient],
) -> None:
    schema = api(None).get("/api/schema/", {"format": "json"}).json()
    posts = {path: ops["post"] for path, ops in schema["paths"].items() if "post" in ops}
    assert posts
    for path, operation in posts.items():
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        # A login's answer is a fresh token: never stored, never given twice.
        expected = path != "/api/v1/auth/token/"
        assert ("Idempotency-Key" in names) == expected, operation["operationId"]
