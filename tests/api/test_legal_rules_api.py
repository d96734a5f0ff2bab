"""The rules of law of issue 17 through the API, with the bypasses a reviewer found there
(tests/test_legal_rules.py has them at the service level)."""

import json
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from assessment.models import Brev, Forsendelse
from assessment.services.forsendelse import brev_dispatch
from assessment.services.partshoering import minimum_answer_date
from cases.models import Relation, Sag
from orders.services.bestilling import bestillinger_send
from tests import test_afgoerelse as base
from tests.api.test_afgoerelse_api import jorn_body, url
from tests.factories import RelationFactory
from tests.mads import mads_decided, mads_time
from tests.pdf import pdf_text
from tests.test_afgoerelse import jorn_decision, ydelse
from tests.test_legal_rules import granted_ledsagelse
from vum.accounts.models import User

Api = Callable[[User | None], APIClient]

# Jørn's case: the decision of 29 May 2026, sent on 3 June.
pytestmark = [pytest.mark.django_db, pytest.mark.now("2026-06-03 10:00")]
catalog = base.catalog
jorn_case = base.jorn_case


def hearing_body(svarfrist: date) -> dict[str, Any]:
    return {
        "hvad_hoeres": "Statusnotat fra Bostedet Møllebo af 1. juni.",
        "modtager": "borger",
        "svarfrist": svarfrist.isoformat(),
    }


# 1. No decision while a partshøring is open (forvaltningslovens § 19)


def test_an_open_hearing_refuses_the_decision_and_its_letter(
    api: Api, caseworker: User, jorn_case: Sag
) -> None:
    client = api(caseworker)
    decided = jorn_decision(caseworker, jorn_case)
    sent = client.post(url(jorn_case, "partshoeringer/"), hearing_body(date(2026, 6, 17)))
    assert sent.status_code == 201, sent.data
    assert sent.data["afventer_svar"] is True
    assert sent.data["svarfrist_gaeldende"] == "2026-06-17"

    refused = client.post(url(jorn_case, "afgoerelser/"), jorn_body(), format="json")
    assert refused.status_code == 400
    assert "afventer svar" in str(refused.json())
    letter = client.post(url(jorn_case, f"afgoerelser/{decided.pk}/send/"), {}, format="json")
    assert letter.status_code == 400
    assert "forvaltningslovens § 19" in str(letter.json())
    assert not Brev.objects.exists()


# 2. A hearing's answer deadline ends on a working day


def test_an_answer_deadline_on_a_closed_day_is_a_400(
    api: Api, caseworker: User, jorn_case: Sag
) -> None:
    response = api(caseworker).post(
        url(jorn_case, "partshoeringer/"),
        hearing_body(date(2026, 6, 20)),  # a Saturday
    )
    assert response.status_code == 400
    assert "arbejdsdag" in response.data["svarfrist"][0]


# 12. One decision letter: two requests at the same instant


@pytest.mark.django_db(transaction=True)
def test_two_send_requests_at_once_make_one_letter(
    api: Api, caseworker: User, jorn_case: Sag
) -> None:
    decided = jorn_decision(caseworker, jorn_case)
    start = threading.Barrier(2)
    statuses: list[int] = []

    def post() -> None:
        try:
            client = api(caseworker)
            start.wait()
            response = client.post(
                url(jorn_case, f"afgoerelser/{decided.pk}/send/"), {}, format="json"
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [201, 400]
    assert Brev.objects.filter(afgoerelse=decided).count() == 1


# 13. The copy to the citizen is sent


def test_the_letter_shows_both_dispatches(api: Api, caseworker: User, jorn_case: Sag) -> None:
    RelationFactory(
        borger=jorn_case.borger,
        type=Relation.Type.VAERGE,
        vaergemaalsform="par5",
        navn="Karen Værge",
        varetager_partsrettigheder=True,
    )
    client = api(caseworker)
    decided = jorn_decision(caseworker, jorn_case)
    sent = client.post(url(jorn_case, f"afgoerelser/{decided.pk}/send/"), {}, format="json")
    assert sent.status_code == 201, sent.json()
    brev_dispatch(brev_id=sent.json()["id"])

    letter = client.get(url(jorn_case, f"breve/{sent.json()['id']}/")).json()
    assert letter["forsendelse"]["modtager_navn"] == "Karen Værge"
    assert [(f["modtager"], f["modtager_navn"]) for f in letter["forsendelser"]] == [
        (Forsendelse.Modtager.ADRESSAT, "Karen Værge"),
        (Forsendelse.Modtager.KOPI_TIL_BORGER, jorn_case.borger.navn),
    ]


# 3 and 9: an end or a reduction has its notice, and never takes effect back in time


def line(kode: str | None, resultat: str, virkning: str, beskrivelse: str) -> dict[str, Any]:
    return {
        "beskrivelse": beskrivelse,
        "resultat": resultat,
        "virkningsdato": virkning,
        "kommunal_ydelse": ydelse(kode).pk if kode else None,
    }


def test_an_end_back_in_time_or_without_notice_is_a_400(
    api: Api, caseworker: User, jorn_case: Sag
) -> None:
    client = api(caseworker)
    yesterday = line("V-85", "ophoer", "2026-06-02", "socialpædagogisk støtte")
    refused = client.post(
        url(jorn_case, "afgoerelser/"), jorn_body(resultater=[yesterday]), format="json"
    )
    assert refused.status_code == 400
    assert "tilbage i tid" in str(refused.json()["resultater"])
    without_notice = line(None, "nedsaettelse", "2026-07-01", "hjælp efter servicelovens § 95")
    refused = client.post(
        url(jorn_case, "afgoerelser/"), jorn_body(resultater=[without_notice]), format="json"
    )
    assert refused.status_code == 400
    assert "14 uger" in str(refused.json()["resultater"])


# 8. The end letter, read back from its PDF


def test_an_end_decisions_letter_says_the_help_ends(
    api: Api, caseworker: User, jorn_case: Sag
) -> None:
    client = api(caseworker)
    ends = line("V-85", "ophoer", "2026-07-01", "socialpædagogisk støtte")
    created = client.post(
        url(jorn_case, "afgoerelser/"), jorn_body(resultater=[ends]), format="json"
    )
    assert created.status_code == 201, created.json()
    sent = client.post(url(jorn_case, f"afgoerelser/{created.json()['id']}/send/"), {})
    assert sent.status_code == 201, sent.json()
    text = pdf_text(client.get(url(jorn_case, f"breve/{sent.json()['id']}/brev.pdf")).content)
    assert "Du får ikke længere socialpædagogisk støtte." in text
    assert "Indsatsen ophører den 1. juli 2026." in text
    assert "afslag" not in text


# 4. The letter of a decision without full medhold names a rule of law


def test_a_letter_without_a_rule_of_law_is_a_400(
    api: Api, caseworker: User, jorn_case: Sag
) -> None:
    client = api(caseworker)
    no_catalog = line(None, "afslag", "2026-07-01", "hjælp til rengøring")
    created = client.post(
        url(jorn_case, "afgoerelser/"), jorn_body(resultater=[no_catalog]), format="json"
    )
    assert created.status_code == 201, created.json()
    cleared = client.post(
        url(jorn_case, f"afgoerelser/{created.json()['id']}/send/"),
        {"tekster": {"begrundelse_regler": ""}},
        format="json",
    )
    assert cleared.status_code == 400
    assert "mindst én retsregel" in cleared.json()["begrundelse_regler"][0]
    assert not Brev.objects.exists()


# 10. A hearing where the law asks for one


def test_a_decision_on_facts_unknown_to_the_citizen_is_a_400_until_heard(
    api: Api, caseworker: User, jorn_case: Sag
) -> None:
    client = api(caseworker)
    body = jorn_body(ukendte_oplysninger_til_ugunst=True)
    refused = client.post(url(jorn_case, "afgoerelser/"), body, format="json")
    assert refused.status_code == 400
    assert "forvaltningslovens § 19" in str(refused.json())
    heard = client.post(url(jorn_case, "partshoeringer/"), hearing_body(minimum_answer_date()))
    answered = client.post(
        url(jorn_case, f"partshoeringer/{heard.data['id']}/svar/"),
        {"svar": "Jeg er uenig.", "modtaget": "2026-06-03"},
    )
    assert answered.status_code == 200, answered.data
    created = client.post(url(jorn_case, "afgoerelser/"), body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["ukendte_oplysninger_til_ugunst"] is True


# 14. Bad input is a 4xx with a useful message, never a 5xx or a leak


def test_a_cpr_number_born_tomorrow_is_a_400(api: Api, caseworker: User) -> None:
    response = api(caseworker).post(
        "/api/v1/borgere/",
        {"cpr": "040626-4001", "fornavn": "Ny", "efternavn": "Født", "postnummer": "8800"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["cpr"] == ["CPR-nummeret angiver en fødselsdato i fremtiden."]


def test_a_deeply_nested_body_is_a_400(api: Api, caseworker: User, jorn_case: Sag) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    response = api(caseworker).post(
        url(jorn_case, "journalnotater/"), deep, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON-dokumentet er indlejret for dybt."}


def test_a_body_over_the_limit_is_a_json_413(
    api: Api, caseworker: User, jorn_case: Sag, settings
) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"tekst": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = api(caseworker).post(
        url(jorn_case, "journalnotater/"), body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Forespørgslen er for stor til at blive behandlet."}


@mads_time
def test_an_order_nobody_has_answered_shows_no_answerer(
    api: Api, caseworker: User, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "randers"
    mads = mads_decided(caseworker)
    bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    response = api(caseworker).get(f"/api/v1/sager/{mads.sag.pk}/bestillinger/")
    assert response.status_code == 200
    (order,) = response.json()["bestillinger"]
    assert order["besvaret_af_navn"] is None
    assert order["sendt_af_navn"] == str(caseworker)


# 7. Ledsageordning (serviceloven § 97)


def test_the_hours_of_ledsagelse_and_their_balance(
    api: Api, caseworker: User, jorn_case: Sag
) -> None:
    client = api(caseworker)
    assert client.get(url(jorn_case, "ledsagelse/")).status_code == 404  # no § 97 grant yet
    granted_ledsagelse(caseworker, jorn_case)
    over = client.post(url(jorn_case, "ledsagelse/"), {"maaned": "2026-02", "timer": "31"})
    assert over.status_code == 400
    assert "ville bruge 31" in over.json()["timer"][0]
    sent = client.post(url(jorn_case, "ledsagelse/"), {"maaned": "2026-02", "timer": "20"})
    assert sent.status_code == 201, sent.json()
    shown = client.get(url(jorn_case, "ledsagelse/")).json()
    assert shown["beskrivelse"] == "ledsagelse efter servicelovens § 97"
    months = {m["maaned"]: m for m in shown["maaneder"]}
    assert next(iter(months)) == "2026-01-01"
    assert months["2026-02-01"] == {
        "maaned": "2026-02-01",
        "til_raadighed": 30.0,
        "brugt": 20.0,
        "opsparet": 10.0,
    }
    # June may use its 15 and the savings: January's 10 left and March to May's 45.
    assert shown["tilbage_i_maaneden"] == 15 + 10 + 45
