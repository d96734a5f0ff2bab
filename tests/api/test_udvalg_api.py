"""The indstilling and the visitationsudvalg over the API: the frozen PDF, the botilbud rule,
each outcome (Viborg: the written decision within 5 working days), the minutes, and that only
the committee's members see its meetings and record outcomes.

Meetings and deadlines are relative to the suite's instant (tests/clock.py): a meeting today, a
week ahead or a fortnight's answer deadline behave alike on any day.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from assessment.models import Dagsordenspunkt, Indstilling, Udvalgsmoede, Visitationsudvalg
from assessment.services.partshoering import partshoering_send
from cases.lifecycle import Fase
from cases.models import Sag
from tests.catalogs import load_catalog
from tests.factories import BestillingFactory, UserFactory, VisitationsudvalgFactory
from tests.test_visitationsudvalg import assessed_case
from vum import calendar
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent
from vum.deadlines.models import Frist
from vum.notifications.models import Notifikation

Api = Callable[[User | None], APIClient]

pytestmark = pytest.mark.django_db

GODKENDES = "godkendes"
MED_AENDRINGER = "godkendes-med-aendringer"
RETURNERES = "returneres-til-raadgiver-til-yderligere-belysning"
AFVISES = "afvises-og-der-meddeles-afslag"


@pytest.fixture(autouse=True)
def catalog(db: None, settings: Any) -> None:
    settings.VUM_MUNICIPALITY = "viborg"
    load_catalog()


@pytest.fixture
def committee() -> tuple[User, Visitationsudvalg, Udvalgsmoede]:
    member = UserFactory(udvalgsmedlem=True)
    udvalg = VisitationsudvalgFactory(moede_ugedag=1, moede_uge=2)
    udvalg.medlemmer.add(member)
    moede = Udvalgsmoede.objects.create(
        udvalg=udvalg,
        dato=timezone.localdate(),  # today: items are sent to it, and its outcomes recorded
    )
    return member, udvalg, moede


def indstillinger(sag: Sag, rest: str = "") -> str:
    return f"/api/v1/sager/{sag.pk}/indstillinger/{rest}"


def moeder(rest: str = "") -> str:
    return f"/api/v1/udvalg/moeder/{rest}"


def created(client: APIClient, sag: Sag, text: str = "Det indstilles, at § 85 bevilges.") -> int:
    response = client.post(indstillinger(sag), {"indstilling": text}, format="json")
    assert response.status_code == 201, response.data
    return int(response.data["id"])


def on_agenda(client: APIClient, sag: Sag, moede: Udvalgsmoede) -> Dagsordenspunkt:
    pk = created(client, sag)
    sent = client.post(indstillinger(sag, f"{pk}/send/"), {"moede": moede.pk}, format="json")
    assert sent.status_code == 200, sent.data
    return Dagsordenspunkt.objects.get(indstilling_id=pk, moede=moede)


# The indstilling


def test_indstilling_create_send_and_pdf(api: Api, caseworker: User, committee: Any) -> None:
    member, udvalg, moede = committee
    sag = assessed_case(caseworker)
    client = api(caseworker)
    assert client.get(indstillinger(sag)).data == []
    blank = client.post(indstillinger(sag), {"indstilling": "  "}, format="json")
    assert blank.status_code == 400
    assert "indstilling" in blank.data

    pk = created(client, sag)
    shown = client.get(indstillinger(sag, f"{pk}/"))
    assert shown.status_code == 200
    assert shown.data["status"] == "kladde"
    assert shown.data["vurdering"] == sag.sagsvurderinger.get().pk
    assert shown.data["pdf"] is None
    assert client.get(indstillinger(sag, f"{pk}/indstilling.pdf")).status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="assessment.Indstilling", object_id=str(pk)
    ).exists()

    upcoming = client.get(indstillinger(sag, "moeder/"))
    assert upcoming.status_code == 200
    assert {"id": moede.pk, "udvalg": udvalg.pk, "udvalg_navn": udvalg.navn}.items() <= (
        next(m for m in upcoming.data if m["id"] == moede.pk).items()
    )

    sent = client.post(indstillinger(sag, f"{pk}/send/"), {"moede": moede.pk}, format="json")
    assert sent.status_code == 200, sent.data
    assert sent.data["status"] == "paa_dagsorden"
    assert [(d["moede"], d["udfald"]) for d in sent.data["dagsorden"]] == [(moede.pk, None)]
    assert sent.data["pdf"].endswith(f"/api/v1/sager/{sag.pk}/indstillinger/{pk}/indstilling.pdf")

    pdf = client.get(sent.data["pdf"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf["X-Content-SHA256"] == sent.data["pdf_sha256"]
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT,
        object_type="assessment.Indstilling",
        object_id=str(pk),
        borger_id=sag.borger_id,
    ).exists()

    again = client.post(indstillinger(sag, f"{pk}/send/"), {"moede": moede.pk}, format="json")
    assert again.status_code == 400
    listed = client.get(indstillinger(sag))
    assert [row["id"] for row in listed.data] == [pk]
    assert AuditEvent.objects.filter(
        action=AuditAction.LIST, summary="Indstillinger vist", borger_id=sag.borger_id
    ).exists()

    # The PDF of one case cannot be fetched through another of the caseworker's cases.
    other = assessed_case(caseworker)
    assert client.get(indstillinger(other, f"{pk}/indstilling.pdf")).status_code == 404
    # While the committee has it, neither the assessment nor a new indstilling can be written.
    waiting = client.post(indstillinger(sag), {"indstilling": "Ny."}, format="json")
    assert waiting.status_code == 400
    assert "dagsorden" in waiting.data["detail"][0]

    # Returned, it cannot go on the same meeting's agenda a second time (400, not a 500).
    punkt = Dagsordenspunkt.objects.get(indstilling_id=pk)
    returned = api(member).post(
        moeder(f"{moede.pk}/punkter/{punkt.pk}/udfald/"),
        {"udfald": RETURNERES, "begrundelse": "Mangler prisoverslag."},
        format="json",
    )
    assert returned.status_code == 200, returned.data
    assert client.get(indstillinger(sag, f"{pk}/")).data["status"] == "returneret"
    twice = client.post(indstillinger(sag, f"{pk}/send/"), {"moede": moede.pk}, format="json")
    assert twice.status_code == 400
    assert "allerede på dagsordenen" in twice.data["moede"][0]


def test_a_botilbud_needs_three_offers_with_price(
    api: Api, caseworker: User, committee: Any
) -> None:
    _member, _udvalg, moede = committee
    sag = assessed_case(caseworker, kode="V-107", tilbud="Midlertidigt botilbud")
    client = api(caseworker)
    shown = client.get(f"/api/v1/sager/{sag.pk}/sagsvurdering/").json()
    assert shown["afgoerelseskompetence"] == {
        "visitationsudvalg": True,
        "begrundelser": ["V-107 afgøres af visitationsudvalget efter kataloget."],
    }
    pk = created(client, sag, "Botilbud.")
    for navn, pris in (("Bostedet Møllebo", 650000), ("Sukkerdalen", 700000)):
        offer = client.post(
            indstillinger(sag, f"{pk}/tilbud/"),
            {"tilbud": navn, "pris_pr_aar": pris, "dialog": "Kan optage borgeren fra 1. marts."},
            format="json",
        )
        assert offer.status_code == 201, offer.data
        assert offer.json()["pris_pr_aar"] == pris
    refused = client.post(indstillinger(sag, f"{pk}/send/"), {"moede": moede.pk}, format="json")
    assert refused.status_code == 400
    assert "3 relevante tilbud" in refused.data["tilbud"][0]
    no_price = client.post(indstillinger(sag, f"{pk}/tilbud/"), {"tilbud": "X"}, format="json")
    assert no_price.status_code == 400
    assert "pris_pr_aar" in no_price.data
    third = client.post(
        indstillinger(sag, f"{pk}/tilbud/"),
        {"tilbud": "Botilbuddet Åen", "pris_pr_aar": "610000.00"},
        format="json",
    )
    assert third.status_code == 201
    sent = client.post(indstillinger(sag, f"{pk}/send/"), {"moede": moede.pk}, format="json")
    assert sent.status_code == 200, sent.data
    assert [t["tilbud"] for t in sent.data["indhentede_tilbud"]] == [
        "Botilbuddet Åen",
        "Bostedet Møllebo",
        "Sukkerdalen",
    ]


# The committee


def test_a_member_sees_the_meetings_and_the_agenda(
    api: Api, caseworker: User, committee: Any
) -> None:
    member, udvalg, moede = committee
    sag = assessed_case(caseworker)
    punkt = on_agenda(api(caseworker), sag, moede)
    client = api(member)

    listed = client.get(moeder())
    assert listed.status_code == 200
    assert [(m["id"], m["antal_punkter"], m["referat"]) for m in listed.data["results"]] == [
        (moede.pk, 1, None)
    ]
    assert not AuditEvent.objects.filter(actor=member).exists()  # no citizen data in the list

    agenda = client.get(moeder(f"{moede.pk}/"))
    assert agenda.status_code == 200
    assert agenda.data["udvalg_navn"] == udvalg.navn
    [item] = agenda.data["punkter"]
    assert item["id"] == punkt.pk
    assert item["sag"] == sag.pk
    assert item["borger_navn"] == sag.borger.navn
    assert item["udfald"] is None
    assert AuditEvent.objects.filter(
        actor=member, object_type="cases.Sag", object_id=str(sag.pk), borger_id=sag.borger_id
    ).exists()
    # The member reads the frozen indstilling of a case on the agenda.
    pdf = client.get(item["indstilling_pdf"])
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("slug", "fields", "fase", "status"),
    [
        (GODKENDES, {}, Fase.AFGOERELSE, Indstilling.Status.GODKENDT),
        (
            MED_AENDRINGER,
            {"aendringer": "8 timer om ugen i stedet for 10."},
            Fase.AFGOERELSE,
            Indstilling.Status.GODKENDT,
        ),
        (
            AFVISES,
            {"begrundelse": "Borgerens behov kan dækkes af § 83."},
            Fase.AFGOERELSE,
            Indstilling.Status.AFVIST,
        ),
        (
            RETURNERES,
            {"begrundelse": "Indhent udtalelse fra egen læge."},
            Fase.SAGSVURDERING,
            Indstilling.Status.RETURNERET,
        ),
    ],
)
def test_each_committee_outcome(
    api: Api,
    caseworker: User,
    committee: Any,
    slug: str,
    fields: dict[str, str],
    fase: str,
    status: str,
) -> None:
    member, _udvalg, moede = committee
    punkt = on_agenda(api(caseworker), assessed_case(caseworker), moede)
    path = moeder(f"{moede.pk}/punkter/{punkt.pk}/udfald/")
    response = api(member).post(path, {"udfald": slug, **fields}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["udfald"] == slug
    assert response.data["behandlet_af"] == member.pk

    sag = Sag.objects.get(pk=punkt.sag_id)
    assert sag.fase == fase
    assert Indstilling.objects.get(pk=punkt.indstilling_id).status == status
    written = Frist.objects.filter(sag=sag, art=Frist.Art.SKRIFTLIG_AFGOERELSE)
    if fase == Fase.AFGOERELSE:
        due = timezone.localtime(written.get().frist).date()
        assert due == calendar.add_working_days(moede.dato, 5)  # Viborg: 5 working days
    else:
        assert not written.exists()
        note = Notifikation.objects.get(modtager=caseworker)
        assert note.link == f"/sager/{sag.pk}/"
        # The reasons are case content: on the agenda item, not in a notification or e-mail.
        assert "Indhent udtalelse fra egen læge." not in note.tekst
    again = api(member).post(path, {"udfald": slug, **fields}, format="json")
    assert again.status_code == 400
    assert "allerede registreret" in again.data["detail"][0]


@pytest.mark.parametrize(
    ("slug", "field"),
    [(MED_AENDRINGER, "aendringer"), (RETURNERES, "begrundelse"), (AFVISES, "begrundelse")],
)
def test_outcomes_that_need_an_explanation(
    api: Api, caseworker: User, committee: Any, slug: str, field: str
) -> None:
    member, _udvalg, moede = committee
    punkt = on_agenda(api(caseworker), assessed_case(caseworker), moede)
    response = api(member).post(
        moeder(f"{moede.pk}/punkter/{punkt.pk}/udfald/"), {"udfald": slug}, format="json"
    )
    assert response.status_code == 400
    assert field in response.data
    unknown = api(member).post(
        moeder(f"{moede.pk}/punkter/{punkt.pk}/udfald/"), {"udfald": "maaske"}, format="json"
    )
    assert unknown.status_code == 400
    assert Sag.objects.get(pk=punkt.sag_id).fase == Fase.SAGSVURDERING


def test_an_outcome_before_the_meeting_is_400(api: Api, caseworker: User, committee: Any) -> None:
    member, _udvalg, moede = committee
    Udvalgsmoede.objects.filter(pk=moede.pk).update(dato=timezone.localdate() + timedelta(days=7))
    punkt = on_agenda(api(caseworker), assessed_case(caseworker), moede)
    response = api(member).post(
        moeder(f"{moede.pk}/punkter/{punkt.pk}/udfald/"), {"udfald": "godkendes"}, format="json"
    )
    assert response.status_code == 400
    assert "registreres på mødet eller derefter" in str(response.data)
    assert Sag.objects.get(pk=punkt.sag_id).fase == Fase.SAGSVURDERING


def test_an_outcome_the_case_cannot_follow_is_400_with_the_reasons(
    api: Api, caseworker: User, committee: Any
) -> None:
    member, _udvalg, moede = committee
    sag = assessed_case(caseworker)
    punkt = on_agenda(api(caseworker), sag, moede)
    partshoering_send(
        actor=caseworker,
        sag=sag,
        hvad_hoeres="Statusattest fra egen læge.",
        modtager="borger",
        svarfrist=timezone.localdate() + timedelta(days=14),
    )
    response = api(member).post(
        moeder(f"{moede.pk}/punkter/{punkt.pk}/udfald/"), {"udfald": GODKENDES}, format="json"
    )
    assert response.status_code == 400
    assert any("afventer svar" in reason for reason in response.data["udfald"])
    assert Dagsordenspunkt.objects.get(pk=punkt.pk).udfald_id is None


def test_closing_the_meeting_freezes_the_minutes(
    api: Api, caseworker: User, committee: Any
) -> None:
    member, _udvalg, moede = committee
    sag = assessed_case(caseworker)
    punkt = on_agenda(api(caseworker), sag, moede)
    client = api(member)
    assert client.get(moeder(f"{moede.pk}/referat.pdf")).status_code == 404
    early = client.post(moeder(f"{moede.pk}/afslut/"), {}, format="json")
    assert early.status_code == 400
    assert "udfald" in early.data["detail"][0]
    client.post(
        moeder(f"{moede.pk}/punkter/{punkt.pk}/udfald/"), {"udfald": GODKENDES}, format="json"
    )
    assert api(caseworker).post(moeder(f"{moede.pk}/afslut/"), {}).status_code == 404

    closed = client.post(moeder(f"{moede.pk}/afslut/"), {}, format="json")
    assert closed.status_code == 200, closed.data
    assert closed.data["afsluttet"] is not None
    assert closed.data["referat"].endswith(f"/api/v1/udvalg/moeder/{moede.pk}/referat.pdf")
    minutes = client.get(closed.data["referat"])
    assert minutes.status_code == 200
    assert minutes["Content-Type"] == "application/pdf"
    assert minutes.content.startswith(b"%PDF")
    assert minutes["X-Content-SHA256"] == closed.data["referat_sha256"]
    assert AuditEvent.objects.filter(
        actor=member, action=AuditAction.EXPORT, object_id=str(sag.pk), borger_id=sag.borger_id
    ).exists()
    assert client.post(moeder(f"{moede.pk}/afslut/"), {}).status_code == 400


@pytest.mark.parametrize("role", ["anden_udvalg", "sagsbehandler", "udfoerer", "leder"])
def test_only_the_committees_members_see_and_decide(
    api: Api, caseworker: User, committee: Any, role: str
) -> None:
    member, _udvalg, moede = committee
    sag = assessed_case(caseworker)
    punkt = on_agenda(api(caseworker), sag, moede)
    if role == "anden_udvalg":
        user = UserFactory(udvalgsmedlem=True)
        VisitationsudvalgFactory().medlemmer.add(user)
    elif role == "udfoerer":
        user = UserFactory(udfoerer=True)
        BestillingFactory(sag=sag, udfoerer=user.organisation)
    elif role == "leder":
        user = UserFactory(leder=True, teams=[sag.team])
    else:
        user = caseworker
    client = api(user)
    assert client.get(moeder()).data["results"] == []
    assert client.get(moeder(f"{moede.pk}/")).status_code == 404
    outcome = client.post(
        moeder(f"{moede.pk}/punkter/{punkt.pk}/udfald/"), {"udfald": GODKENDES}, format="json"
    )
    assert outcome.status_code == 404
    assert client.post(moeder(f"{moede.pk}/afslut/"), {}).status_code == 404
    assert client.get(moeder(f"{moede.pk}/referat.pdf")).status_code == 404
    assert Sag.objects.get(pk=sag.pk).fase == Fase.SAGSVURDERING
    assert Dagsordenspunkt.objects.get(pk=punkt.pk).udfald_id is None
    # The member of the committee may; a former member no longer sees it.
    moede.udvalg.medlemmer.remove(member)
    assert api(member).get(moeder(f"{moede.pk}/")).status_code == 404


@pytest.mark.parametrize("role", ["andet_team", "leder", "udvalg"])
def test_only_the_teams_caseworkers_write_indstillinger(
    api: Api, caseworker: User, committee: Any, role: str
) -> None:
    member, _udvalg, moede = committee
    sag = assessed_case(caseworker)
    pk = created(api(caseworker), sag)
    if role == "leder":
        user = UserFactory(leder=True, teams=[sag.team])
    elif role == "udvalg":
        user = member  # sees the case only once it is on the agenda, and never writes
    else:
        user = UserFactory()
    client = api(user)
    for path, body in [
        (indstillinger(sag), {"indstilling": "X"}),
        (indstillinger(sag, f"{pk}/tilbud/"), {"tilbud": "X", "pris_pr_aar": 1}),
        (indstillinger(sag, f"{pk}/send/"), {"moede": moede.pk}),
    ]:
        response = client.post(path, body, format="json")
        assert response.status_code == 404, (path, response.status_code)
    assert client.get(indstillinger(sag, f"{pk}/")).status_code == (200 if role == "leder" else 404)
    indstilling = Indstilling.objects.get(pk=pk)
    assert indstilling.status == Indstilling.Status.KLADDE
    assert not indstilling.indhentede_tilbud.exists()
