"""The rules of law of issue 17 through the API, with the bypasses a reviewer found there
(tests/test_legal_rules.py has them at the service level)."""

import json
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from assessment.models import Brev, Forsendelse, Sagsvurdering
from assessment.services.forsendelse import brev_dispatch, breve_dispatch_pending
from assessment.services.partshoering import minimum_answer_date
from cases.models import Henvendelse, Relation, Sag
from followup.services.opfoelgning import HANDLEPLAN_DAYS_AFTER
from followup.services.skema import skema_start, skema_update
from orders.models import Handleplan
from orders.services.bestilling import bestilling_accept, bestillinger_send
from tests import test_afgoerelse as base
from tests import test_opfoelgning as followup
from tests.api.test_afgoerelse_api import jorn_body, url
from tests.clock import local_instant
from tests.factories import RelationFactory, SagFactory, UserFactory
from tests.mads import mads_decided, mads_time
from tests.pdf import pdf_text
from tests.test_afgoerelse import jorn_decision, ydelse
from tests.test_legal_rules import granted_ledsagelse
from vum import calendar
from vum.accounts.models import User
from vum.calendar import end_of_day
from vum.catalog.models import StatusPaaIndsats
from vum.catalog.selectors import processing_deadline_missing
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_move

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


def test_a_hearing_deadline_moved_earlier_neither_moves_nor_opens_the_way(
    api: Api, caseworker: User, jorn_case: Sag, login
) -> None:  # type: ignore[no-untyped-def]
    client = api(caseworker)
    sent = client.post(url(jorn_case, "partshoeringer/"), hearing_body(date(2026, 6, 17)))
    assert sent.status_code == 201, sent.data
    frist = Frist.objects.get(pk=sent.data["frist"])
    # The caseworker's page refuses to move it before the letter's date (forvaltningslovens
    # § 19: the citizen's time may only be extended).
    page = login(caseworker).post(
        f"/sager/{jorn_case.pk}/frister/{frist.pk}/flyt/",
        {"til": "2026-06-04", "begrundelse": "Forkert dato"},
    )
    assert page.status_code == 200
    assert "Svarfristen for en partshøring kan kun forlænges" in page.content.decode()
    # Moved earlier behind the service's back (the admin, say), the API still reads 17 June.
    Frist.objects.filter(pk=frist.pk).update(frist=end_of_day(date(2026, 6, 4)))
    with time_machine.travel(local_instant("2026-06-05 10:00")):
        shown = client.get(url(jorn_case, f"partshoeringer/{sent.data['id']}/")).json()
        assert (shown["svarfrist_gaeldende"], shown["afventer_svar"]) == ("2026-06-17", True)
        refused = client.post(url(jorn_case, "afgoerelser/"), jorn_body(), format="json")
        assert refused.status_code == 400
        assert "frist 17.06.2026" in str(refused.json())


@pytest.mark.now("2026-12-08 10:00")
def test_a_hearing_moved_to_a_holiday_blocks_through_the_api_until_the_next_working_day(
    api: Api, caseworker: User, jorn_case: Sag
) -> None:
    client = api(caseworker)
    sent = client.post(url(jorn_case, "partshoeringer/"), hearing_body(date(2026, 12, 22)))
    assert sent.status_code == 201, sent.data
    # The citizen asks for more time: moved to juleaftensdag, a closed day (as on the page).
    frist_move(
        frist=Frist.objects.get(pk=sent.data["frist"]),
        til=end_of_day(date(2026, 12, 24)),
        begrundelse="Borgeren bad om tid",
        actor=caseworker,
    )
    shown = client.get(url(jorn_case, f"partshoeringer/{sent.data['id']}/")).json()
    assert (shown["svarfrist"], shown["svarfrist_gaeldende"]) == ("2026-12-22", "2026-12-28")
    with time_machine.travel(local_instant("2026-12-28 23:59")):
        refused = client.post(url(jorn_case, "afgoerelser/"), jorn_body(), format="json")
        assert refused.status_code == 400
        assert "frist 28.12.2026" in str(refused.json())
    with time_machine.travel(local_instant("2026-12-29 00:01")):
        assert (
            client.get(url(jorn_case, f"partshoeringer/{sent.data['id']}/")).json()["afventer_svar"]
            is False
        )
        created = client.post(url(jorn_case, "afgoerelser/"), jorn_body(), format="json")
        assert created.status_code == 201, created.json()


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


def line(
    kode: str | None, resultat: str, virkning: str, beskrivelse: str, omfang: str = ""
) -> dict[str, Any]:
    return {
        "beskrivelse": beskrivelse,
        "resultat": resultat,
        "virkningsdato": virkning,
        "kommunal_ydelse": ydelse(kode).pk if kode else None,
        "omfang": omfang,
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


def _letter_text(client: APIClient, sag: Sag, brev_id: int) -> str:
    return pdf_text(client.get(url(sag, f"breve/{brev_id}/brev.pdf")).content)


def test_a_reduction_and_a_partial_end_say_what_they_do(
    api: Api, caseworker: User, jorn_case: Sag
) -> None:
    client = api(caseworker)
    reduced = line(
        "V-96",
        "nedsaettelse",
        "2026-09-09",
        "borgerstyret personlig assistance",
        "30 timer om ugen",
    )
    partial = [
        line("V-107", "ophoer", "2026-07-01", "midlertidigt botilbud"),
        line("V-85", "bevilget", "2026-07-01", "socialpædagogisk støtte", "6 timer om ugen"),
    ]
    texts = []
    for resultater in ([reduced], partial):
        body = jorn_body(resultater=resultater, begrundelse_regler="Servicelovens §§ 96, 107, 85.")
        created = client.post(url(jorn_case, "afgoerelser/"), body, format="json")
        assert created.status_code == 201, created.json()
        sent = client.post(url(jorn_case, f"afgoerelser/{created.json()['id']}/send/"), {})
        assert sent.status_code == 201, sent.json()
        texts.append(_letter_text(client, jorn_case, sent.json()["id"]))
    reduction, partial_end = texts
    assert "Afgørelse om nedsættelse af borgerstyret personlig assistance" in reduction
    assert (
        "Vi nedsætter borgerstyret personlig assistance til 30 timer om ugen fra den "
        "9. september 2026. Det sker med et varsel på 14 uger"
    ) in reduction
    assert "Du får ikke længere midlertidigt botilbud." in partial_end
    assert "Indsatsen ophører den 1. juli 2026." in partial_end
    assert "Du får socialpædagogisk støtte, 6 timer om ugen, fra den 1. juli 2026." in partial_end
    for text in texts:
        assert "Klagevejledning" in text
        assert "din henvendelse modtaget" not in text


def test_a_letter_sent_and_dispatched_later_keeps_the_notice(
    api: Api, caseworker: User, jorn_case: Sag
) -> None:
    client = api(caseworker)
    reduced = line(
        "V-96",
        "nedsaettelse",
        "2026-09-09",
        "borgerstyret personlig assistance",
        "30 timer om ugen",
    )
    body = jorn_body(resultater=[reduced], begrundelse_regler="Servicelovens § 96.")
    created = client.post(url(jorn_case, "afgoerelser/"), body, format="json")
    assert created.status_code == 201, created.json()
    decision_url = url(jorn_case, f"afgoerelser/{created.json()['id']}/")

    # Sent two weeks after the decision: the notice counts from the send (rule 3).
    with time_machine.travel(local_instant("2026-06-17 10:00")):
        sent = client.post(f"{decision_url}send/", {})
        assert sent.status_code == 201, sent.json()
    letter = _letter_text(client, jorn_case, sent.json()["id"])
    assert "derfor er datoen den 23. september 2026" in letter
    assert client.get(decision_url).json()["resultater"][0]["virkningsdato"] == "2026-09-23"

    # The broker was down: the sweep sends it on 24 June, a week after it was frozen.
    with time_machine.travel(local_instant("2026-06-24 10:00")):
        assert breve_dispatch_pending() == 1
    shown = client.get(decision_url).json()
    assert (shown["meddelt"], shown["resultater"][0]["virkningsdato"]) == (
        "2026-06-24",
        "2026-09-30",
    )
    task = Frist.objects.get(sag=jorn_case, art=Frist.Art.VARSLINGSPERIODE, status="aaben")
    assert task.beskrivelse.startswith("Send et rettelsesbrev")

    # The correcting letter states the date the notice allows, and closes the task.
    with time_machine.travel(local_instant("2026-06-25 09:00")):
        corrected = client.post(
            f"{decision_url}send/", {"retter": sent.json()["id"]}, format="json"
        )
        assert corrected.status_code == 201, corrected.json()
        assert breve_dispatch_pending() == 1
    assert "fra den 30. september 2026" in _letter_text(client, jorn_case, corrected.json()["id"])
    task.refresh_from_db()
    assert task.status == Frist.Status.OVERHOLDT


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


# 5. Every application gets a processing deadline (retssikkerhedslovens § 3)


def test_the_processing_deadline_through_the_ansoegning_endpoint(
    api: Api, caseworker: User
) -> None:
    client = api(caseworker)

    def apply(kode: str, kind: str, sag: Sag | None = None) -> tuple[Sag, dict[str, Any] | None]:
        if sag is None:
            sag = SagFactory(team=caseworker.teams.get(), sagsbehandler=caseworker)
            Henvendelse.objects.create(
                borger=sag.borger,
                kilde="borger",
                aarsag="Ansøgning",
                team=sag.team,
                triage="sag",
                sag=sag,
                modtaget=date(2026, 6, 1),
                registreret_af=caseworker,
            )
        body = {"kommunal_ydelse": ydelse(kode).pk, "ansoegningstype": kind}
        response = client.put(url(sag, "ansoegning/"), body, format="json")
        assert response.status_code == 200, response.json()
        return sag, response.json()["sagsbehandlingsfrist"]

    # V-85 has rules for new and changed applications only: the strictest (4 weeks) applies.
    _, strictest = apply("V-85", "aendring_nye_oplysninger")
    assert strictest is not None
    assert strictest["frist"].startswith("2026-06-29T23:59:59")
    assert "den strengeste af ydelsens frister gælder (ændring)" in strictest["regel"]
    # Befordring goes with the day offer's referral (seed 004): 4 weeks for every type.
    sag, befordring = apply("V-105", "aendring")
    assert befordring is not None
    assert befordring["frist"].startswith("2026-06-29T23:59:59")
    assert befordring["regel"].startswith("V-105: 4 uger")
    # A service the seeds give no deadline: the deadline goes, and the caseworker is to be told
    # why (cases/ shows `processing_deadline_missing`).
    _, none = apply("V-83", "ny", sag)
    assert none is None
    assert "V-83 Personlig pleje og praktisk hjælp har ingen sagsbehandlingsfrist" in (
        processing_deadline_missing(ydelse=ydelse("V-83"))
    )


# 8, 10 and 11 at a follow-up: end (with the hearing Randers asks for before R-85 ends) and
# continue (with the handleplan the citizen wants), through the follow-up API's udfald


def mads_at_the_follow_up(caseworker: User, status: str, fremadrettet: str, **tilsyn: Any):  # type: ignore[no-untyped-def]
    """Mads in levering with X-Hus, at his first follow-up with the form filled in."""
    mads = mads_decided(caseworker)
    Sagsvurdering.objects.filter(pk=mads.vurdering.pk).update(stoettebehov=followup.moderat())
    (order,) = bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    staff = UserFactory(udfoerer=True, organisation=mads.x_hus)
    bestilling_accept(actor=staff, bestilling=order)
    opfoelgning = followup._meeting(caseworker, staff, mads)
    skema = skema_start(actor=caseworker, opfoelgning=opfoelgning)
    skema_update(
        actor=caseworker,
        skema=skema,
        maal=followup._all_goals(skema, fremadrettet),
        **followup._tilsyn(
            status_paa_indsats=StatusPaaIndsats.objects.current().get(navn=status), **tilsyn
        ),
    )
    return mads, f"/api/v1/sager/{mads.sag.pk}/opfoelgninger/{opfoelgning.pk}/udfald/"


@mads_time
def test_an_end_at_the_follow_up_needs_the_hearing_and_says_the_help_ends(
    api: Api, caseworker: User, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "randers"
    mads, udfald = mads_at_the_follow_up(
        caseworker,
        "Træf afgørelse om afslutning af indsats",
        "Mål skal afsluttes",
        borger_enig=None,
    )
    client = api(caseworker)
    end = {
        "udfald": "ophoer",
        "virkningsdato": "2026-12-18",
        "begrundelse_vurdering": "Mads har nået sine mål og klarer sig selv.",
        "begrundelse_regler": "Servicelovens § 85.",
    }
    # Randers' catalog asks for a partshøring before R-85 ends (rule 10).
    refused = client.post(udfald, end, format="json")
    assert refused.status_code == 400
    assert "R-85 skal partshøres før et ophør" in str(refused.json())
    heard = client.post(url(mads.sag, "partshoeringer/"), hearing_body(minimum_answer_date()))
    assert heard.status_code == 201, heard.data
    answered = client.post(
        url(mads.sag, f"partshoeringer/{heard.data['id']}/svar/"),
        {"svar": "Jeg er enig i, at støtten kan stoppe.", "modtaget": "2026-11-18"},
    )
    assert answered.status_code == 200, answered.data

    ended = client.post(udfald, end, format="json")
    assert ended.status_code == 200, ended.json()
    assert ended.json()["sag_fase"] == "afsluttet"
    decision = client.get(url(mads.sag, f"afgoerelser/{ended.json()['afgoerelse']}/")).json()
    assert [r["resultat"] for r in decision["resultater"]] == ["ophoer"]
    (brev_id,) = decision["breve"]
    text = pdf_text(client.get(url(mads.sag, f"breve/{brev_id}/brev.pdf")).content)
    assert "Afgørelse om ophør af" in text
    assert "Du får ikke længere" in text
    assert "Indsatsen ophører den 18. december 2026." in text
    assert "Mads har nået sine mål og klarer sig selv." in text
    assert "Klagevejledning" in text
    for wrong in ("afslag", "din henvendelse modtaget", "Vi følger op"):
        assert wrong not in text


@mads_time
def test_continue_at_the_follow_up_keeps_the_handleplan_promise(
    api: Api, caseworker: User, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.VUM_MUNICIPALITY = "randers"
    mads, udfald = mads_at_the_follow_up(caseworker, followup.CONTINUE, "Mål uændret")
    assert Sagsvurdering.objects.get(pk=mads.vurdering.pk).handleplan_oensket is True
    assert not Handleplan.objects.filter(borger=mads.sag.borger).exists()  # none saved yet
    done = api(caseworker).post(udfald, {"udfald": "fortsaet"}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["sag_fase"] == "levering"
    plan_due = Frist.objects.get(sag=mads.sag, art=Frist.Art.HANDLEPLAN, status="aaben")
    assert plan_due.beskrivelse == "Ny handleplan efter opfølgningen"
    assert timezone.localtime(plan_due.frist).date() == calendar.add_no_later(
        date(2026, 11, 18), HANDLEPLAN_DAYS_AFTER, calendar.Unit.DAYS
    )
