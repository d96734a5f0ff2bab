"""The client's address behind reverse proxies (vum.client_ip): taken from X-Forwarded-For only as
far as `TRUSTED_PROXY_COUNT` proxies vouch for it, never from what the client wrote there; and the
audit trail and the login lock-out (django-axes) both use it."""

from typing import Any, cast

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.urls import reverse

from cases.models import Sag
from tests.factories import PASSWORD, SagFactory
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent
from vum.client_ip import client_ip

PROXY = "10.0.0.2"  # the nearest proxy: REMOTE_ADDR behind it
CLIENT = "198.51.100.7"
SPOOFED = "203.0.113.66"  # what a client writes into the header itself


def address(settings: Any, proxies: int, forwarded: str | None) -> str:
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(request)


@pytest.mark.parametrize("forwarded", [None, CLIENT, f"{SPOOFED}, {CLIENT}"])
def test_without_a_trusted_proxy_the_header_is_ignored(settings: Any, forwarded: str) -> None:
    assert address(settings, 0, forwarded) == PROXY


@pytest.mark.parametrize(
    ("proxies", "forwarded"),
    [
        (1, CLIENT),
        (1, f" {CLIENT} "),
        # The client sent its own X-Forwarded-For; our proxy appended the real address.
        (1, f"{SPOOFED}, {CLIENT}"),
        (1, f"{SPOOFED},{SPOOFED}, {CLIENT}"),
        # Two proxies: the outer one's entry is the client, the inner one's the outer proxy.
        (2, f"{CLIENT}, 10.0.0.1"),
        (2, f"{SPOOFED}, {CLIENT}, 10.0.0.1"),
    ],
)
def test_the_address_is_counted_from_the_right(settings: Any, proxies: int, forwarded: str) -> None:
    assert address(settings, proxies, forwarded) == CLIENT


@pytest.mark.parametrize(
    ("proxies", "forwarded"),
    [
        (1, None),
        (1, ""),
        # Shorter than the proxies: the request did not come through them all, and the one
        # entry there may be the client's own.
        (2, CLIENT),
        (3, f"{SPOOFED}, {CLIENT}"),
        # Not an address where the proxy's entry should be.
        (1, f"{CLIENT}, nonsense"),
        (1, f"{CLIENT}, "),
        (1, f"{CLIENT}:443"),
        (1, "unknown"),
        (2, f"{CLIENT}, 10.0.0.1; drop table"),
    ],
)
def test_a_short_or_malformed_header_gives_the_connections_address(
    settings: Any, proxies: int, forwarded: str | None
) -> None:
    assert address(settings, proxies, forwarded) == PROXY


def test_an_ipv6_address_is_given_in_its_canonical_form(settings: Any) -> None:
    assert address(settings, 1, "2001:DB8:0:0::0001") == "2001:db8::1"


def test_no_address_at_all_is_empty(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert client_ip(request) == ""


# Through the whole stack


@pytest.mark.django_db
def test_an_audited_request_records_the_forwarded_address(settings: Any, caseworker: User) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    sag = cast(Sag, SagFactory(team=caseworker.teams.get()))
    borger = sag.borger  # a citizen of the user's team
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{SPOOFED}, {CLIENT}")
    client.force_login(caseworker)

    response = client.get(reverse("borger_detail", args=[borger.pk]))

    assert response.status_code == 200
    viewed = AuditEvent.objects.filter(action=AuditAction.VIEW, borger_id=borger.pk)
    assert viewed.exists()
    assert {event.ip_address for event in viewed} == {CLIENT}


@pytest.mark.django_db
def test_axes_locks_out_by_the_same_address(settings: Any, caseworker: User) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    url = reverse("login")
    wrong = {"username": caseworker.username, "password": "forkert"}
    # Every attempt comes through the same proxy, and the attacker writes a new address of their
    # own into the header each time: that does not make each attempt look like a new client.
    for n in range(5):
        attempt = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, {CLIENT}")
        response = attempt.post(url, wrong)
    assert response.status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT]

    # The lock-out holds for that address, even with the right password...
    locked = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT)
    response = locked.post(url, {"username": caseworker.username, "password": PASSWORD})
    assert response.status_code == 429
    # ...and not for another client behind the same proxy (username and address together).
    other = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.8")
    response = other.post(url, {"username": caseworker.username, "password": PASSWORD})
    assert response.status_code == 302
