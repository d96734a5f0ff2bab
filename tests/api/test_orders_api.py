"""Bestilling, levering and handleplan over the API: the Mads bestilling as X-Hus and as the
second provider (only their own goals, never the udredning), the provider's answer, delivery
records with their notifications and deadlines, 404 alike for what is missing and what is out of
scope (another organisation, an ended bestilling), the audit trail of every provider read, the
caseworker's sending and answers, and the handleplan."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from assessment.models import Indsatsmaal
from cases.lifecycle import Fase
from cases.models import Sag
from orders.models import Anmodning, Bestilling, Delmaal, Magtanvendelse
from orders.services.bestilling import bestilling_accept, bestillinger_send
from orders.services.levering import (
    anmodning_create,
    delmaal_create,
    delmaalsnotat_add,
    handling_add,
    magtanvendelse_report,
)
from tests.catalogs import load_catalog
from tests.factories import UserFactory, sag_in_phase
from tests.mads import MADS_GOALS, Mads, mads_decided, mads_time
from tests.pdf import pdf_text
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent
from vum.catalog.models import Undertema
from vum.deadlines.models import Frist
from vum.notifications.models import Notifikation

Api = Callable[[User | None], APIClient]

pytestmark = [pytest.mark.django_db, mads_time]

UDREDNING_TEXT = "Jeg har omkring 100 venner og kan ikke sige nej, når de vil sove hos mig."
HASH_GOAL = MADS_GOALS[2][0]  # goal 3, supported by the misbrugscenter
NOT_FOUND = {"detail": "Bestillingen findes ikke eller er ikke tilgængelig for dig."}


@pytest.fixture(autouse=True)
def catalog(db: None, settings: Any) -> None:
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()


@dataclass
class Sent:
    mads: Mads
    x_hus: Bestilling
    center: Bestilling
    x_staff: User
    center_staff: User

    @property
    def borger_id(self) -> int:
        return self.mads.sag.borger_id


@pytest.fixture
def sent(caseworker: User) -> Sent:
    """Mads with two providers, both bestillinger sent: X-Hus (goals 1, 2, 4) and the
    misbrugscenter (goal 3)."""
    mads = mads_decided(caseworker, second_provider=True)
    assert mads.other is not None
    by_provider = {
        b.udfoerer_id: b for b in bestillinger_send(actor=caseworker, afgoerelse=mads.afgoerelse)
    }
    return Sent(
        mads=mads,
        x_hus=by_provider[mads.x_hus.pk],
        center=by_provider[mads.other.pk],
        x_staff=UserFactory(udfoerer=True, organisation=mads.x_hus),
        center_staff=UserFactory(udfoerer=True, organisation=mads.other),
    )


def accept_all(sent: Sent) -> None:
    """Both providers take their orders on: they document only on an order they accepted."""
    bestilling_accept(actor=sent.x_staff, bestilling=sent.x_hus)
    bestilling_accept(actor=sent.center_staff, bestilling=sent.center)


def goal(mads: Mads, nr: int) -> Indsatsmaal:
    return mads.vurdering.maal.get(raekkefoelge=nr)


def b_url(bestilling: Bestilling | int, rest: str = "") -> str:
    pk = bestilling if isinstance(bestilling, int) else bestilling.pk
    return f"/api/v1/bestillinger/{pk}/{rest}"


def missing_id() -> int:
    return (Bestilling.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


# The provider reads its bestilling


def test_x_hus_lists_and_reads_the_mads_bestilling(api: Api, sent: Sent) -> None:
    client = api(sent.x_staff)
    listed = client.get("/api/v1/bestillinger/")
    assert listed.status_code == 200
    (row,) = listed.json()
    assert row["id"] == sent.x_hus.pk
    assert row["borger"]["id"] == sent.borger_id
    assert row["borger"]["navn"] == "Mads Madsen"
    assert row["borger"]["cpr"].endswith("-****")
    assert row["status"] == "sendt"
    assert row["afventer_svar"] is True
    assert row["version"] == 1
    assert row["startdato"] == "2026-10-01"
    assert "sag" not in row

    detail = client.get(b_url(sent.x_hus))
    assert detail.status_code == 200
    data = detail.json()
    indhold = data["indhold"]
    assert [g["nr"] for g in indhold["maal"]] == [1, 2, 4]
    assert {g["id"] for g in indhold["maal"]} == {goal(sent.mads, n).pk for n in (1, 2, 4)}
    assert indhold["indsatsformaal"].startswith("Jeg har stadig min lejlighed")
    assert indhold["baggrund"]["navn"] == "Mads Madsen"
    assert indhold["koordinering"]["behov_for_koordinering"] is True
    assert indhold["indsatser"][0]["p_nummer"] == "1012345678"
    assert data["aendringer"] == []
    assert data["vedlagt_handleplan"] == "ingen"
    assert HASH_GOAL not in detail.content.decode()
    assert UDREDNING_TEXT not in detail.content.decode()
    assert UDREDNING_TEXT not in listed.content.decode()


def test_the_second_provider_sees_only_its_goal(api: Api, sent: Sent) -> None:
    client = api(sent.center_staff)
    (row,) = client.get("/api/v1/bestillinger/").json()
    assert row["id"] == sent.center.pk

    detail = client.get(b_url(sent.center))
    assert detail.status_code == 200
    maal = detail.json()["indhold"]["maal"]
    assert [(g["nr"], g["formulering"]) for g in maal] == [(3, HASH_GOAL)]
    text = detail.content.decode()
    for other_goal, *_ in MADS_GOALS[:2] + MADS_GOALS[3:]:
        assert other_goal not in text
    assert UDREDNING_TEXT not in text


def test_the_provider_list_keeps_its_queries(
    api: Api, sent: Sent, django_assert_max_num_queries: Any
) -> None:
    client = api(sent.x_staff)
    with django_assert_max_num_queries(3):  # the rows with their citizens, the audit INSERT
        response = client.get("/api/v1/bestillinger/")
    assert response.status_code == 200


def test_every_provider_read_is_audited(api: Api, sent: Sent) -> None:
    accept_all(sent)
    client = api(sent.x_staff)
    delmaal_create(
        actor=sent.x_staff,
        bestilling=sent.x_hus,
        formulering="Jeg gør rent hver lørdag.",
        indsatsmaal=[goal(sent.mads, 1)],
    )
    for path in [
        "/api/v1/bestillinger/",
        b_url(sent.x_hus),
        b_url(sent.x_hus, "delmaal/"),
        b_url(sent.x_hus, "notater/"),
        b_url(sent.x_hus, "magtanvendelser/"),
        b_url(sent.x_hus, "anmodninger/"),
        b_url(sent.x_hus, "bestilling.pdf"),
    ]:
        before = AuditEvent.objects.count()
        response = client.get(path)
        assert response.status_code == 200, path
        events = list(AuditEvent.objects.order_by("pk")[before:])
        assert events, path
        for event in events:
            assert event.actor == sent.x_staff, path
            assert event.borger_id == sent.borger_id, path
            assert event.action in (AuditAction.LIST, AuditAction.VIEW, AuditAction.PRINT)


def test_the_bestilling_pdf_is_the_frozen_one(api: Api, sent: Sent) -> None:
    response = api(sent.x_staff).get(b_url(sent.x_hus, "bestilling.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-SHA256"] == sent.x_hus.sha256
    text = pdf_text(response.content)
    assert "Jeg passer selv min lejlighed" in text
    assert HASH_GOAL not in text
    # Nothing of the handleplan went along.
    assert api(sent.x_staff).get(b_url(sent.x_hus, "handleplan.pdf")).status_code == 404


# The answer


def test_accepting_moves_the_case_to_levering(api: Api, sent: Sent) -> None:
    x_client, center_client = api(sent.x_staff), api(sent.center_staff)
    received = x_client.post(b_url(sent.x_hus, "modtag/"))
    assert received.status_code == 200
    assert received.json()["status"] == "modtaget"
    assert x_client.post(b_url(sent.x_hus, "modtag/")).status_code == 400

    accepted = x_client.post(b_url(sent.x_hus, "accepter/"))
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepteret"
    assert Sag.objects.get(pk=sent.mads.sag.pk).fase == Fase.BESTILLING

    again = x_client.post(b_url(sent.x_hus, "accepter/"))
    assert again.status_code == 400
    assert "allerede accepteret" in str(again.json())

    assert center_client.post(b_url(sent.center, "accepter/")).status_code == 200
    assert Sag.objects.get(pk=sent.mads.sag.pk).fase == Fase.LEVERING


def test_a_refusal_needs_a_reason(api: Api, sent: Sent, caseworker: User) -> None:
    client = api(sent.x_staff)
    for body in ({}, {"begrundelse": "   "}):
        response = client.post(b_url(sent.x_hus, "afvis/"), body, format="json")
        assert response.status_code == 400
        assert response.json() == {"begrundelse": ["Skriv hvorfor bestillingen afvises."]}
    sent.x_hus.refresh_from_db()
    assert sent.x_hus.status == Bestilling.Status.SENDT

    response = client.post(
        b_url(sent.x_hus, "afvis/"), {"begrundelse": "Vi har ikke plads."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "afvist"
    assert response.json()["afvist_begrundelse"] == "Vi har ikke plads."
    assert Notifikation.objects.filter(
        modtager=caseworker, titel__startswith="Bestilling afvist"
    ).exists()
    # A refused bestilling is no longer the provider's.
    assert client.get(b_url(sent.x_hus)).json() == NOT_FOUND


def test_case_staff_read_the_bestillinger_but_do_not_answer_them(
    api: Api, sent: Sent, caseworker: User
) -> None:
    client = api(caseworker)
    listed = client.get("/api/v1/bestillinger/")
    assert {row["id"] for row in listed.json()} == {sent.x_hus.pk, sent.center.pk}
    assert client.get(b_url(sent.x_hus)).status_code == 200
    for path in ["modtag/", "accepter/"]:
        assert client.post(b_url(sent.x_hus, path)).status_code == 404
    response = client.post(b_url(sent.x_hus, "delmaal/"), {}, format="json")
    assert response.json() == NOT_FOUND
    body = {"tekst": "Et notat.", "undertemaer": []}
    assert client.post(b_url(sent.x_hus, "notater/"), body, format="json").status_code == 404
    sent.x_hus.refresh_from_db()
    assert sent.x_hus.status == Bestilling.Status.SENDT


# Out of scope is not found


def _every_endpoint(pk: int, delmaal_pk: int) -> list[tuple[str, str, dict[str, Any]]]:
    now = timezone.now().isoformat()
    return [
        ("get", b_url(pk), {}),
        ("post", b_url(pk, "modtag/"), {}),
        ("post", b_url(pk, "accepter/"), {}),
        ("post", b_url(pk, "afvis/"), {"begrundelse": "Nej."}),
        ("get", b_url(pk, "bestilling.pdf"), {}),
        ("get", b_url(pk, "handleplan.pdf"), {}),
        ("get", b_url(pk, "delmaal/"), {}),
        ("post", b_url(pk, "delmaal/"), {"formulering": "x", "indsatsmaal": []}),
        ("post", b_url(pk, f"delmaal/{delmaal_pk}/notater/"), {"tekst": "x"}),
        ("post", b_url(pk, f"delmaal/{delmaal_pk}/handlinger/"), {"beskrivelse": "x"}),
        ("post", b_url(pk, f"delmaal/{delmaal_pk}/status/"), {"status": "naaet"}),
        ("get", b_url(pk, "notater/"), {}),
        ("post", b_url(pk, "notater/"), {"tekst": "x"}),
        ("get", b_url(pk, "magtanvendelser/"), {}),
        (
            "post",
            b_url(pk, "magtanvendelser/"),
            {"tidspunkt": now, "type": "fastholdelse", "beskrivelse": "x"},
        ),
        ("get", b_url(pk, "anmodninger/"), {}),
        ("post", b_url(pk, "anmodninger/"), {"art": "revisitation", "begrundelse": "x"}),
    ]


def _answers(client: APIClient, pk: int, delmaal_pk: int) -> list[tuple[str, int, Any]]:
    answers = []
    for method, path, body in _every_endpoint(pk, delmaal_pk):
        response = getattr(client, method)(path, body, format="json")
        answers.append((path.replace(str(pk), "ID", 1), response.status_code, response.json()))
    return answers


def test_another_organisation_gets_404_like_for_a_missing_bestilling(api: Api, sent: Sent) -> None:
    accept_all(sent)
    delmaal = delmaal_create(
        actor=sent.x_staff,
        bestilling=sent.x_hus,
        formulering="Jeg gør rent hver lørdag.",
        indsatsmaal=[goal(sent.mads, 1)],
    )
    before = {
        model: model.objects.count()
        for model in (Delmaal, Magtanvendelse, Anmodning, AuditEvent, Notifikation)
    }
    strangers = [sent.center_staff, UserFactory(udfoerer=True), UserFactory(udfoerer=True)]
    strangers[2].organisation = None
    strangers[2].save()
    for stranger in strangers:
        client = api(stranger)
        ids = [row["id"] for row in client.get("/api/v1/bestillinger/").json()]
        assert ids == ([sent.center.pk] if stranger == sent.center_staff else [])
        theirs = _answers(client, sent.x_hus.pk, delmaal.pk)
        missing = _answers(client, missing_id(), delmaal.pk)
        assert theirs == missing
        assert {status for _, status, _ in theirs} == {404}
        assert all(body == NOT_FOUND for _, _, body in theirs)
    sent.x_hus.refresh_from_db()
    assert sent.x_hus.status == Bestilling.Status.ACCEPTERET  # not refused by a stranger
    # Nothing was written; only the center's own list reads were audited.
    for model in (Delmaal, Magtanvendelse, Anmodning, Notifikation):
        assert model.objects.count() == before[model]
    # (By the order's type too: the center's staff moved a case whose id may be the same.)
    assert not AuditEvent.objects.filter(
        actor__in=strangers, object_type="orders.Bestilling", object_id=str(sent.x_hus.pk)
    ).exists()


def test_another_providers_delmaal_is_not_found(api: Api, sent: Sent) -> None:
    """The center works on the same case, but X-Hus's delmål are not its delmål."""
    accept_all(sent)
    delmaal = delmaal_create(
        actor=sent.x_staff,
        bestilling=sent.x_hus,
        formulering="Jeg gør rent hver lørdag.",
        indsatsmaal=[goal(sent.mads, 1)],
    )
    client = api(sent.center_staff)
    assert client.get(b_url(sent.center, "delmaal/")).json() == []
    for rest, body in [
        ("notater/", {"tekst": "x"}),
        ("handlinger/", {"beskrivelse": "x"}),
        ("status/", {"status": "opgivet"}),
    ]:
        theirs = client.post(b_url(sent.center, f"delmaal/{delmaal.pk}/{rest}"), body)
        missing = client.post(b_url(sent.center, f"delmaal/{delmaal.pk + 1000}/{rest}"), body)
        assert theirs.status_code == missing.status_code == 404
        assert theirs.json() == missing.json()
    delmaal.refresh_from_db()
    assert delmaal.status == Delmaal.Status.AKTIVT


def test_an_ended_bestilling_is_not_found(api: Api, sent: Sent) -> None:
    accept_all(sent)
    delmaal = delmaal_create(
        actor=sent.x_staff,
        bestilling=sent.x_hus,
        formulering="Jeg gør rent hver lørdag.",
        indsatsmaal=[goal(sent.mads, 1)],
    )
    yesterday = timezone.localdate() - timedelta(days=1)
    Bestilling.objects.filter(pk=sent.x_hus.pk).update(slutdato=yesterday)
    client = api(sent.x_staff)
    assert client.get("/api/v1/bestillinger/").json() == []
    ended = _answers(client, sent.x_hus.pk, delmaal.pk)
    assert ended == _answers(client, missing_id(), delmaal.pk)
    assert all(status == 404 and body == NOT_FOUND for _, status, body in ended)

    Bestilling.objects.filter(pk=sent.x_hus.pk).update(
        slutdato=None, status=Bestilling.Status.OPHOERT
    )
    assert client.get(b_url(sent.x_hus)).json() == NOT_FOUND
    assert client.get(b_url(sent.x_hus, "delmaal/")).json() == NOT_FOUND


def test_anonymous_calls_are_refused(api: Api, sent: Sent) -> None:
    client = api(None)
    assert client.get("/api/v1/bestillinger/").status_code == 401
    assert client.get(b_url(sent.x_hus)).status_code == 401


# Levering


def test_delmaal_with_handlinger_notes_and_status(api: Api, sent: Sent) -> None:
    accept_all(sent)
    client = api(sent.x_staff)
    goals = [goal(sent.mads, 1).pk, goal(sent.mads, 4).pk]
    created = client.post(
        b_url(sent.x_hus, "delmaal/"),
        {"formulering": "  Jeg gør rent hver lørdag.  ", "indsatsmaal": goals},
        format="json",
    )
    assert created.status_code == 201, created.json()
    delmaal = created.json()
    assert delmaal["formulering"] == "Jeg gør rent hver lørdag."
    assert sorted(delmaal["indsatsmaal"]) == sorted(goals)
    assert delmaal["status"] == "aktivt"
    d_url = b_url(sent.x_hus, f"delmaal/{delmaal['id']}/")

    handling = client.post(d_url + "handlinger/", {"beskrivelse": "Rengøringsplan på køleskabet"})
    assert handling.status_code == 201
    notat = client.post(d_url + "notater/", {"tekst": "Mads gjorde rent i dag."})
    assert notat.status_code == 201
    assert notat.json()["dato"] == timezone.localdate().isoformat()
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    late = client.post(d_url + "notater/", {"tekst": "Senere.", "dato": future})
    assert late.status_code == 400
    assert late.json() == {"dato": ["Et notat kan ikke dateres frem i tiden."]}
    blank = client.post(d_url + "handlinger/", {"beskrivelse": ""})
    assert blank.status_code == 400
    assert "beskrivelse" in blank.json()

    reached = client.post(d_url + "status/", {"status": "naaet"})
    assert reached.status_code == 200
    assert reached.json()["status"] == "naaet"
    assert client.post(d_url + "status/", {"status": "glemt"}).status_code == 400

    (shown,) = client.get(b_url(sent.x_hus, "delmaal/")).json()
    assert shown["status"] == "naaet"
    assert [h["beskrivelse"] for h in shown["handlinger"]] == ["Rengøringsplan på køleskabet"]
    assert [n["tekst"] for n in shown["notater"]] == ["Mads gjorde rent i dag."]
    assert shown["notater"][0]["oprettet_af_navn"] == str(sent.x_staff)


def test_a_delmaal_takes_only_the_bestillings_goals(api: Api, sent: Sent) -> None:
    accept_all(sent)
    client = api(sent.x_staff)
    ordered = goal(sent.mads, 1).pk
    answers = []
    for outside in [goal(sent.mads, 3).pk, Indsatsmaal.objects.order_by("-pk")[0].pk + 1000]:
        response = client.post(
            b_url(sent.x_hus, "delmaal/"),
            {"formulering": "Jeg stopper med hash.", "indsatsmaal": [ordered, outside]},
            format="json",
        )
        assert response.status_code == 400
        answers.append(response.json())
    # Another provider's goal and a goal that does not exist get the same answer.
    assert (
        answers[0]
        == answers[1]
        == {"indsatsmaal": {"1": ["Delmål kan kun knyttes til bestillingens mål."]}}
    )
    none = client.post(
        b_url(sent.x_hus, "delmaal/"),
        {"formulering": "Uden mål.", "indsatsmaal": []},
        format="json",
    )
    assert none.status_code == 400
    assert none.json() == {"indsatsmaal": ["Knyt delmålet til mindst ét indsatsmål."]}
    assert not Delmaal.objects.exists()


def test_notes_are_tagged_with_current_sub_themes(api: Api, sent: Sent) -> None:
    accept_all(sent)
    client = api(sent.x_staff)
    tag = Undertema.objects.current().get(navn="Gøre rent")
    created = client.post(
        b_url(sent.x_hus, "notater/"),
        {"tekst": "Vi talte om rengøring.", "undertemaer": [tag.pk]},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["undertemaer"] == [{"id": tag.pk, "navn": "Gøre rent"}]
    bad = client.post(
        b_url(sent.x_hus, "notater/"),
        {"tekst": "Vi talte om rengøring.", "undertemaer": [tag.pk + 100000]},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json() == {"undertemaer": {"0": ["Vælg undertemaer fra det gældende FFB-katalog."]}}
    (shown,) = client.get(b_url(sent.x_hus, "notater/")).json()
    assert shown["tekst"] == "Vi talte om rengøring."
    # The center does not see X-Hus's notes.
    assert api(sent.center_staff).get(b_url(sent.center, "notater/")).json() == []


def test_a_magtanvendelse_notifies_the_caseworker(api: Api, sent: Sent, caseworker: User) -> None:
    client = api(sent.x_staff)
    when = timezone.now() - timedelta(hours=2)
    response = client.post(
        b_url(sent.x_hus, "magtanvendelser/"),
        {
            "tidspunkt": when.isoformat(),
            "type": "fastholdelse",
            "beskrivelse": "Mads slog ud efter en medarbejder.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    report = response.json()
    assert report["type_navn"] == "Fastholdelse"
    notice = Notifikation.objects.get(modtager=caseworker, kilde=f"magtanvendelse-{report['id']}")
    assert notice.titel == "Magtanvendelse indberettet: Mads M."
    # The citizen by first name and initials only; what happened stays in the case.
    assert "Mads M." in notice.tekst
    assert "Madsen" not in notice.tekst
    assert "slog ud" not in notice.tekst

    future = client.post(
        b_url(sent.x_hus, "magtanvendelser/"),
        {
            "tidspunkt": (timezone.now() + timedelta(hours=2)).isoformat(),
            "type": "fastholdelse",
            "beskrivelse": "Senere.",
        },
        format="json",
    )
    assert future.status_code == 400
    assert future.json() == {"tidspunkt": ["Tidspunktet ligger i fremtiden."]}
    assert [r["id"] for r in client.get(b_url(sent.x_hus, "magtanvendelser/")).json()] == [
        report["id"]
    ]
    overview = api(caseworker).get(f"/api/v1/sager/{sent.mads.sag.pk}/bestillinger/").json()
    assert [r["id"] for r in overview["magtanvendelser"]] == [report["id"]]


def test_an_anmodning_is_a_task_for_the_caseworker_who_answers(
    api: Api, sent: Sent, caseworker: User
) -> None:
    client = api(sent.x_staff)
    response = client.post(
        b_url(sent.x_hus, "anmodninger/"),
        {"art": "revisitation", "begrundelse": "Mads er flyttet og har brug for mere støtte."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["art"] == "revisitation"
    assert created["svarfrist"] is not None
    anmodning = Anmodning.objects.select_related("frist").get(pk=created["id"])
    assert anmodning.frist is not None
    assert anmodning.frist.art == Frist.Art.ANMODNING
    assert anmodning.frist.status == Frist.Status.AABEN
    assert Notifikation.objects.filter(
        modtager=caseworker, kilde=f"anmodning-{anmodning.pk}"
    ).exists()
    assert (
        client.post(
            b_url(sent.x_hus, "anmodninger/"), {"art": "alt", "begrundelse": "x"}, format="json"
        ).status_code
        == 400
    )

    svar_url = f"/api/v1/sager/{sent.mads.sag.pk}/anmodninger/{anmodning.pk}/svar/"
    # Only the case's caseworker answers; the provider and anyone else get 404.
    assert client.post(svar_url, {"svar": "Selv tak."}).status_code == 404
    assert api(UserFactory()).post(svar_url, {"svar": "Hej."}).status_code == 404
    leder = UserFactory(leder=True, teams=[caseworker.teams.get()])
    assert api(leder).post(svar_url, {"svar": "Hej."}).status_code == 404
    cw = api(caseworker)
    assert cw.post(svar_url, {"svar": " "}).json() == {"svar": ["Skriv svaret til udføreren."]}
    missing = cw.post(
        f"/api/v1/sager/{sent.mads.sag.pk}/anmodninger/{anmodning.pk + 1000}/svar/",
        {"svar": "x"},
    )
    assert missing.status_code == 404

    answered = cw.post(svar_url, {"svar": "Vi tager det op ved opfølgningen."})
    assert answered.status_code == 200
    assert answered.json()["besvaret_af_navn"] == str(caseworker)
    anmodning.frist.refresh_from_db()
    assert anmodning.frist.status == Frist.Status.OVERHOLDT
    assert cw.post(svar_url, {"svar": "Igen."}).json() == {
        "detail": ["Anmodningen er allerede besvaret."]
    }
    (shown,) = client.get(b_url(sent.x_hus, "anmodninger/")).json()
    assert shown["svar"] == "Vi tager det op ved opfølgningen."


# The caseworker's side


def test_the_caseworker_sends_the_bestillinger_through_the_api(
    api: Api, caseworker: User, django_assert_max_num_queries: Any
) -> None:
    mads = mads_decided(caseworker, second_provider=True)
    client = api(caseworker)
    overview_url = f"/api/v1/sager/{mads.sag.pk}/bestillinger/"
    before = client.get(overview_url).json()
    assert before["bestillinger"] == []
    assert before["mangler"] == []
    assert before["afgoerelse"] == mads.afgoerelse.pk
    assert sorted(u["udfoerer_navn"] for u in before["udkast"]) == [
        "Misbrugscenter Randers",
        "Socialpædagogisk opholdssted X-Hus",
    ]

    leder = UserFactory(leder=True, teams=[caseworker.teams.get()])
    assert api(leder).post(overview_url + "send/").status_code == 404
    assert api(UserFactory()).post(overview_url + "send/").status_code == 404
    assert not Bestilling.objects.exists()

    response = client.post(overview_url + "send/")
    assert response.status_code == 201, response.json()
    assert sorted(b["udfoerer_navn"] for b in response.json()) == [
        "Misbrugscenter Randers",
        "Socialpædagogisk opholdssted X-Hus",
    ]
    assert Bestilling.objects.filter(sag=mads.sag, status=Bestilling.Status.SENDT).count() == 2
    # Unchanged: nothing is sent again.
    again = client.post(overview_url + "send/")
    assert again.status_code == 201
    assert again.json() == []

    # What the provider reports back is listed without a query per row.
    x_hus = Bestilling.objects.get(sag=mads.sag, udfoerer=mads.x_hus)
    staff = UserFactory(udfoerer=True, organisation=mads.x_hus)
    bestilling_accept(actor=staff, bestilling=x_hus)
    for nr in (1, 2):
        delmaal = delmaal_create(
            actor=staff, bestilling=x_hus, formulering=f"Delmål {nr}", indsatsmaal=[goal(mads, nr)]
        )
        handling_add(actor=staff, bestilling=x_hus, delmaal=delmaal, beskrivelse="Plan")
        delmaalsnotat_add(actor=staff, bestilling=x_hus, delmaal=delmaal, tekst="Godt.")
        magtanvendelse_report(
            actor=staff,
            bestilling=x_hus,
            tidspunkt=timezone.now() - timedelta(hours=nr),
            type="andet",
            beskrivelse="Beskrivelse.",
        )
        anmodning_create(
            actor=staff, bestilling=x_hus, art="aendrede_maal", begrundelse="Nye behov."
        )
    with django_assert_max_num_queries(30):  # the same whatever the number of rows
        after = client.get(overview_url)
    assert [b["version"] for b in after.json()["bestillinger"]] == [1, 1]
    shown = after.json()
    assert [len(d["notater"]) for d in shown["delmaal"]] == [1, 1]
    assert len(shown["magtanvendelser"]) == len(shown["anmodninger"]) == 2
    assert AuditEvent.objects.filter(
        actor=caseworker, action=AuditAction.VIEW, summary="Bestillinger læst"
    ).exists()


def test_sending_without_a_grant_is_refused_with_a_reason(api: Api, caseworker: User) -> None:
    sag = sag_in_phase(Fase.BESTILLING, team=caseworker.teams.get(), sagsbehandler=caseworker)
    response = api(caseworker).post(f"/api/v1/sager/{sag.pk}/bestillinger/send/")
    assert response.status_code == 400
    assert response.json() == {
        "detail": ["Sagen har ingen afgørelse, der bevilger en indsats; der er intet at bestille."]
    }


# The handleplan


def test_the_handleplan_is_written_and_finalised(api: Api, caseworker: User, sent: Sent) -> None:
    client = api(caseworker)
    plan_url = f"/api/v1/borgere/{sent.borger_id}/handleplan/"
    shown = client.get(plan_url)
    assert shown.status_code == 200
    data = shown.json()
    assert data["kan_redigere"] is True
    assert data["oensket"] is True
    assert data["versioner"] == []
    assert {m["nr"] for m in data["maal"]} == {1, 2, 3, 4}
    assert data["indsatser"][0]["p_nummer"] == "1012345678"

    not_yet = client.post(plan_url + "versioner/")
    assert not_yet.status_code == 400
    assert "Skriv handleplanens formål." in not_yet.json()["detail"]

    refused = client.patch(
        plan_url, {"tilbudt": False}, format="json", headers={"If-Match": shown["ETag"]}
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "ikke_tilbudt_begrundelse": ["Skriv hvorfor borgeren ikke er tilbudt en handleplan."]
    }
    changed = client.patch(
        plan_url,
        {"tilbudt": True, "formaal": "Mads bor i egen bolig.", "bolig": "Lejlighed."},
        format="json",
        headers={"If-Match": shown["ETag"]},
    )
    assert changed.status_code == 200, changed.json()
    assert changed["ETag"] == '"2"'
    stale = client.patch(
        plan_url, {"bolig": "Hus."}, format="json", headers={"If-Match": shown["ETag"]}
    )
    assert stale.status_code == 412
    assert stale["ETag"] == '"2"'
    assert client.patch(plan_url, {"bolig": "Hus."}, format="json").status_code == 428
    assert changed.json()["formaal"] == "Mads bor i egen bolig."
    assert changed.json()["bolig"] == "Lejlighed."

    finalised = client.post(plan_url + "versioner/")
    assert finalised.status_code == 201, finalised.json()
    version = finalised.json()
    assert version["nummer"] == 1
    assert len(version["sha256"]) == 64
    assert set(version) == {"nummer", "sha256", "endelig", "endelig_af_navn"}
    assert client.get(plan_url).json()["versioner"][0]["nummer"] == 1
    assert client.post(plan_url + "versioner/").json()["nummer"] == 2

    pdf = client.get(plan_url + "versioner/1/handleplan.pdf")
    assert pdf.status_code == 200
    assert pdf["X-Content-SHA256"] == version["sha256"]
    assert "Mads bor i egen bolig." in pdf_text(pdf.content)
    assert client.get(plan_url + "versioner/9/handleplan.pdf").status_code == 404


def test_the_handleplan_is_not_found_outside_the_cases(
    api: Api, caseworker: User, sent: Sent
) -> None:
    plan_url = f"/api/v1/borgere/{sent.borger_id}/handleplan/"
    missing_url = f"/api/v1/borgere/{sent.borger_id + 1000}/handleplan/"
    leder = UserFactory(leder=True, teams=[caseworker.teams.get()])
    assert api(leder).get(plan_url).status_code == 200
    for user in [sent.x_staff, UserFactory(), leder]:
        client = api(user)
        for method, body in [("patch", {"formaal": "x"}), ("post", None)]:
            url = plan_url if method == "patch" else plan_url + "versioner/"
            other = missing_url if method == "patch" else missing_url + "versioner/"
            theirs = getattr(client, method)(url, body, format="json")
            missing = getattr(client, method)(other, body, format="json")
            assert theirs.status_code == missing.status_code == 404, (user, method)
            assert theirs.json() == missing.json()
    for user in [sent.x_staff, UserFactory()]:
        client = api(user)
        assert client.get(plan_url).status_code == 404
        assert client.get(plan_url).json() == client.get(missing_url).json()
