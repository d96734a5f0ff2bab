"""One-time form tokens (issue 18): every form that writes carries one, so a double-click or a
resubmission after a timeout does the write once and shows its result; the token of a form
shown again with errors is free for the corrected submission; the same token with other content
is refused in Danish."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from cases.models import Journalnotat, Sag
from tests.factories import SagFactory
from vum.accounts.models import User
from vum.idempotency.middleware import FORM_FIELD

pytestmark = pytest.mark.now("2026-11-18 10:00")

TOKEN = re.compile(rf'name="{FORM_FIELD}" value="([0-9a-f-]{{36}})"')


@pytest.fixture
def sag(caseworker: User) -> Sag:
    return SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def journal_form(client: Client, sag: Sag) -> dict[str, str]:
    """The journal form as the case page renders it, filled in."""
    page = client.get(reverse("sag_detail", args=[sag.pk])).content.decode()
    form = page[page.index(reverse("journal_add", args=[sag.pk])) :]
    token = TOKEN.search(form)
    assert token is not None, "the journal form carries a one-time token"
    return {
        FORM_FIELD: token.group(1),
        "dato": "2026-11-18",
        "emne": "Telefonsamtale",
        "tekst": "Borgeren ringede om sin ansøgning.",
    }


def test_every_form_on_the_case_page_has_its_own_token(caseworker: User, sag: Sag) -> None:
    page = signed_in(caseworker).get(reverse("sag_detail", args=[sag.pk])).content.decode()
    forms = page.count('method="post"') - 1  # the log-out button's form needs none
    tokens = TOKEN.findall(page)
    assert forms > 1
    assert len(tokens) == forms
    assert len(set(tokens)) == len(tokens)


def test_a_double_click_saves_one_note_and_both_clicks_lead_to_it(
    caseworker: User, sag: Sag
) -> None:
    client = signed_in(caseworker)
    data = journal_form(client, sag)
    first = client.post(reverse("journal_add", args=[sag.pk]), data)
    second = client.post(reverse("journal_add", args=[sag.pk]), data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert second["Idempotent-Replayed"] == "true"
    assert Journalnotat.objects.filter(sag=sag).count() == 1
    page = client.get(first["Location"]).content.decode()
    assert "Journalnotatet er gemt." in page


def test_a_form_shown_again_with_errors_can_be_sent_corrected(caseworker: User, sag: Sag) -> None:
    client = signed_in(caseworker)
    data = journal_form(client, sag)
    refused = client.post(reverse("journal_add", args=[sag.pk]), {**data, "emne": ""})
    assert refused.status_code == 200
    assert "Borgeren ringede om sin ansøgning." in refused.content.decode()  # typing kept
    corrected = client.post(reverse("journal_add", args=[sag.pk]), data)
    assert corrected.status_code == 302
    assert Journalnotat.objects.filter(sag=sag).count() == 1


def test_the_same_form_sent_again_with_other_content_is_refused_in_danish(
    caseworker: User, sag: Sag
) -> None:
    client = signed_in(caseworker)
    data = journal_form(client, sag)
    assert client.post(reverse("journal_add", args=[sag.pk]), data).status_code == 302
    other = client.post(reverse("journal_add", args=[sag.pk]), {**data, "emne": "Et andet emne"})
    assert other.status_code == 409
    assert "Formularen er allerede sendt" in other.content.decode()
    assert list(Journalnotat.objects.filter(sag=sag).values_list("emne", flat=True)) == [
        "Telefonsamtale"
    ]


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_the_same_instant_save_one_note(caseworker: User, sag: Sag) -> None:
    """Two real connections, as a double-click on a slow line sends them."""
    data = journal_form(signed_in(caseworker), sag)
    start = threading.Barrier(2)
    locations: list[str] = []

    def submit() -> None:
        try:
            client = signed_in(caseworker)
            start.wait()
            response = client.post(reverse("journal_add", args=[sag.pk]), data)
            locations.append(response["Location"])
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(locations) == 2
    assert locations[0] == locations[1]
    assert Journalnotat.objects.filter(sag=sag).count() == 1
