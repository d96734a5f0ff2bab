"""Enquiries over the API: triage, the case they open, scope and audit.

The one date here is tomorrow, relative to the suite's instant (tests/clock.py): an enquiry
cannot be received in the future on any day.
"""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Henvendelse, Sag
from tests.factories import BorgerFactory, HenvendelseFactory, SagFactory, UserFactory
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent

Api = Callable[[User | None], APIClient]

pytestmark = pytest.mark.django_db


def register(client: APIClient, caseworker: User, **fields: object) -> object:
    """Find a citizen outside the caseworker's cases by a search, then register the enquiry."""
    borger = BorgerFactory()
    found = client.get("/api/v1/borgere/", {"q": borger.cpr, "formaal": "ny-henvendelse"})
    assert found.json()["results"][0]["adgang"] is False
    body = {
        "borger": borger.pk,
        "kilde": "paaroerende",
        "kilde_navn": "Lise Jensen (mor)",
        "aarsag": "Moren ringer: Mads har brug for støtte i hverdagen.",
        "team": caseworker.teams.get().pk,
        "triage": "sag",
    }
    body.update(fields)
    return client.post("/api/v1/henvendelser/", body, format="json")


def test_triage_sag_opens_a_case_and_returns_its_id(api: Api, caseworker: User) -> None:
    response = register(api(caseworker), caseworker)
    assert response.status_code == 201
    sag = Sag.objects.get(pk=response.data["sag"])
    assert sag.sagsbehandler == caseworker
    assert sag.sagsaabning.klar_sag is False
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="cases.Sag").exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="cases.Henvendelse"
    ).exists()


def test_triage_klar_sag_marks_the_sagsaabning(api: Api, caseworker: User) -> None:
    response = register(api(caseworker), caseworker, triage="klar_sag")
    assert response.status_code == 201
    assert Sag.objects.get(pk=response.data["sag"]).sagsaabning.klar_sag is True


def test_advice_and_referral_open_no_case(api: Api, caseworker: User) -> None:
    client = api(caseworker)
    advice = register(
        client, caseworker, triage="raadgivning", triage_notat="Vejledt om klubtilbud."
    )
    assert advice.status_code == 201
    assert advice.data["sag"] is None
    referral = register(client, caseworker, triage="henvist", henvist_til="Jobcentret")
    assert referral.status_code == 201
    assert referral.data["sag"] is None
    assert not Sag.objects.exists()


def test_triage_rules_answer_400_in_danish(api: Api, caseworker: User) -> None:
    client = api(caseworker)
    advice = register(client, caseworker, triage="raadgivning")
    assert advice.status_code == 400
    assert advice.data["triage_notat"] == ["Notér den rådgivning, borgeren har fået."]
    referral = register(client, caseworker, triage="henvist")
    assert referral.data["henvist_til"] == ["Angiv hvem borgeren er henvist til."]
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    late = register(client, caseworker, modtaget=future)
    assert late.data["modtaget"] == ["Modtagelsesdatoen kan ikke ligge i fremtiden."]
    unknown = register(client, caseworker, triage="maaske")
    assert unknown.status_code == 400
    assert "triage" in unknown.data
    assert not Henvendelse.objects.exists()


def test_unknown_citizen_is_400(api: Api, caseworker: User) -> None:
    response = register(api(caseworker), caseworker, borger=999999)
    assert response.status_code == 400
    assert "borger" in response.data


def test_list_and_detail_follow_scope_and_are_audited(api: Api, caseworker: User) -> None:
    team = caseworker.teams.get()
    own_case = SagFactory(team=team)
    on_case = HenvendelseFactory(borger=own_case.borger, sag=own_case, team=team)
    advice = HenvendelseFactory(triage=Henvendelse.Triage.RAADGIVNING, sag=None)
    leder = UserFactory(leder=True, teams=[team])
    provider = UserFactory(udfoerer=True)

    # A caseworker triages enquiries and sees them all; a leader only those on cases in the
    # area; a provider none.
    as_caseworker = api(caseworker).get("/api/v1/henvendelser/")
    assert {h["id"] for h in as_caseworker.data["results"]} == {on_case.pk, advice.pk}
    assert AuditEvent.objects.filter(actor=caseworker, action=AuditAction.LIST).count() == 2
    as_leder = api(leder).get("/api/v1/henvendelser/")
    assert [h["id"] for h in as_leder.data["results"]] == [on_case.pk]
    assert api(provider).get("/api/v1/henvendelser/").data["results"] == []

    assert api(leder).get(f"/api/v1/henvendelser/{advice.pk}/").status_code == 404
    detail = api(leder).get(f"/api/v1/henvendelser/{on_case.pk}/")
    assert detail.status_code == 200
    assert detail.data["sag"] == own_case.pk
    assert AuditEvent.objects.filter(
        actor=leder, action=AuditAction.VIEW, object_type="cases.Henvendelse"
    ).exists()


def test_list_filters(api: Api, caseworker: User) -> None:
    borger = BorgerFactory()
    mine = HenvendelseFactory(borger=borger, triage=Henvendelse.Triage.RAADGIVNING, sag=None)
    HenvendelseFactory(triage=Henvendelse.Triage.RAADGIVNING, sag=None)
    client = api(caseworker)
    by_borger = client.get("/api/v1/henvendelser/", {"borger": borger.pk})
    assert [h["id"] for h in by_borger.data["results"]] == [mine.pk]
    by_triage = client.get("/api/v1/henvendelser/", {"triage": "henvist"})
    assert by_triage.data["results"] == []
