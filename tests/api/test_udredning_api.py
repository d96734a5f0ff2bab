"""The sagsoplysning over the API: the udredning on the FFB structure, scores with history,
consent before obtaining information, partshøring with its PDF, and who may do what.

Dates are relative to the suite's instant (tests/clock.py), except the dated scores of Mads's
udredning, which are pinned; none of the other rules depends on which day today is.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from assessment.models import Funktionsevnevurdering, Indhentning, Partshoering
from cases.lifecycle import Fase
from cases.models import Relation, Sag, Samtykke
from cases.services.sagsaabning import samtykke_register
from tests.catalogs import load_catalog
from tests.factories import BestillingFactory, RelationFactory, UserFactory, sag_in_phase
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent
from vum.catalog.models import Kategori, Tema, Undertema

Api = Callable[[User | None], APIClient]

pytestmark = pytest.mark.django_db

MADS_SCORES = {
    "Varetage uddannelse": 2,
    "Varetage økonomi": 2,
    "Håndtere post": 2,
    "Varetage bolig": 1,
    "Varetage egen sundhed": 2,
    "Gøre rent": 2,
    "Dyrke interesse": 1,
    "Indgå i samspil og kontakt": 2,
}


@pytest.fixture(autouse=True)
def catalog(db: None, settings: Any) -> None:
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()


@pytest.fixture
def sag(caseworker: User) -> Sag:
    return sag_in_phase(Fase.SAGSOPLYSNING, team=caseworker.teams.get(), sagsbehandler=caseworker)


def undertema(navn: str) -> Undertema:
    return Undertema.objects.current().get(navn=navn)


def tema(navn: str) -> Tema:
    return Tema.objects.current().get(navn=navn)


def url(sag: Sag, rest: str) -> str:
    return f"/api/v1/sager/{sag.pk}/{rest}"


def start(client: APIClient, sag: Sag) -> dict[str, Any]:
    response = client.post(url(sag, "udredning/"), {}, format="json")
    assert response.status_code == 201, response.data
    return dict(response.data)


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


# The udredning and scores


@pytest.mark.now("2026-01-06 10:00")  # the day after the home visit
def test_the_mads_scores_and_the_current_score_view(api: Api, caseworker: User, sag: Sag) -> None:
    client = api(caseworker)
    assert client.get(url(sag, "udredning/")).data["udredning"] is None
    udredning = start(client, sag)
    assert udredning["sag"] == sag.pk
    assert udredning["oprettet_af"] == caseworker.pk

    for navn, vaerdi in MADS_SCORES.items():
        response = client.post(
            url(sag, "udredning/scoringer/"),
            {"undertema": undertema(navn).pk, "vaerdi": vaerdi, "vurderingsdato": "2026-01-05"},
            format="json",
        )
        assert response.status_code == 201, response.data
        assert (response.data["undertema_navn"], response.data["vaerdi"]) == (navn, vaerdi)
    rescored = client.post(
        url(sag, "udredning/scoringer/"),
        {"undertema": undertema("Varetage bolig").pk, "vaerdi": 2},
        format="json",
    )
    assert rescored.status_code == 201
    assert rescored.data["vurderingsdato"] == timezone.localdate().isoformat()

    overview = client.get(url(sag, "udredning/"))
    assert overview.status_code == 200
    assert overview.data["udredning"]["id"] == udredning["id"]
    kategorier = overview.data["kategorier"]
    assert [k["navn"] for k in kategorier] == [
        "Funktioner og forhold",
        "Omgivelsesfaktorer",
        "Aktivitet og deltagelse",
    ]
    assert sum(len(k["temaer"]) for k in kategorier) == 11
    assert [n["vaerdi"] for n in overview.data["niveauer"]] == [0, 1, 2, 3, 4]
    current = {
        u["navn"]: u["aktuel_score"]["vaerdi"]
        for k in kategorier
        for t in k["temaer"]
        for u in t["undertemaer"]
        if u["aktuel_score"] is not None
    }
    assert current == {**MADS_SCORES, "Varetage bolig": 2}
    # Only Aktivitet og deltagelse is scored.
    assert all(
        u["scores"] == k["scores"]
        for k in kategorier
        for t in k["temaer"]
        for u in t["undertemaer"]
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW,
        object_type="assessment.Udredning",
        object_id=str(udredning["id"]),
        borger_id=sag.borger_id,
    ).exists()

    history = client.get(
        url(sag, "udredning/scoringer/"), {"undertema": undertema("Varetage bolig").pk}
    )
    assert history.status_code == 200
    assert [row["vaerdi"] for row in history.data["results"]] == [2, 1]
    everything = client.get(url(sag, "udredning/scoringer/"))
    assert everything.data["count"] == len(MADS_SCORES) + 1
    assert everything.data["results"][0]["id"] == rescored.data["id"]  # newest first
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, summary="Vurderinger af funktionsevne vist"
    ).exists()
    assert client.get(url(sag, "udredning/scoringer/"), {"undertema": "x"}).status_code == 400


def test_a_score_outside_aktivitet_og_deltagelse_is_400(
    api: Api, caseworker: User, sag: Sag
) -> None:
    client = api(caseworker)
    start(client, sag)
    response = client.post(
        url(sag, "udredning/scoringer/"),
        {"undertema": undertema("Bevægelse").pk, "vaerdi": 2},
        format="json",
    )
    assert response.status_code == 400
    assert "kan ikke have et funktionsevneniveau" in response.data["undertema"][0]
    too_high = client.post(
        url(sag, "udredning/scoringer/"),
        {"undertema": undertema("Lave mad").pk, "vaerdi": 5},
        format="json",
    )
    assert too_high.status_code == 400
    assert "vaerdi" in too_high.data
    assert not Funktionsevnevurdering.objects.exists()


def test_scoring_needs_a_started_udredning(api: Api, caseworker: User, sag: Sag) -> None:
    response = api(caseworker).post(
        url(sag, "udredning/scoringer/"),
        {"undertema": undertema("Lave mad").pk, "vaerdi": 1},
        format="json",
    )
    assert response.status_code == 400
    assert "ingen udredning" in response.data["detail"][0]


@pytest.mark.now("2026-01-06 10:00")  # the day after the home visit
def test_theme_source_and_delanalyse(api: Api, caseworker: User, sag: Sag) -> None:
    client = api(caseworker)
    start(client, sag)
    relationer = tema("Relationer")
    theme_url = url(sag, f"udredning/temaer/{relationer.pk}/")

    early_source = client.post(f"{theme_url}kilder/", {"titel": "Notat"}, format="json")
    assert early_source.status_code == 400

    saved = client.put(
        theme_url,
        {
            "fra_borgeren": "Jeg har omkring 100 venner. Jeg kan ikke sige nej.",
            "bemaerkninger": "Hjemmebesøg, moren deltog.",
            "fremhaevede_undertemaer": [undertema("Indgå i samspil og kontakt").pk],
        },
        format="json",
    )
    assert saved.status_code == 200, saved.data
    assert saved.data["oplyst"] is True
    assert saved.data["overfoert"] is False
    assert saved.data["fremhaevede_undertemaer"] == [undertema("Indgå i samspil og kontakt").pk]

    source = client.post(
        f"{theme_url}kilder/",
        {"titel": "Notat fra hjemmebesøg", "dato": "2026-01-05", "udsagn_af": "Malene (mor)"},
        format="json",
    )
    assert source.status_code == 201, source.data
    assert source.data["titel"] == "Notat fra hjemmebesøg"
    assert client.post(f"{theme_url}kilder/", {}, format="json").status_code == 400

    left_out = client.put(
        theme_url, {"udeladt_oplysning": "Borgerens syn på naboerne"}, format="json"
    )
    assert left_out.status_code == 400
    assert "udeladt_begrundelse" in left_out.data
    wrong_theme = client.put(
        theme_url, {"fremhaevede_undertemaer": [undertema("Lave mad").pk]}, format="json"
    )
    assert wrong_theme.status_code == 400
    assert "fremhaevede_undertemaer" in wrong_theme.data

    kategori = Kategori.objects.current().get(navn="Aktivitet og deltagelse")
    analysis = client.put(
        url(sag, f"udredning/delanalyser/{kategori.pk}/"),
        {"tekst": "Mads har brug for støtte til struktur i hverdagen."},
        format="json",
    )
    assert analysis.status_code == 200, analysis.data
    assert analysis.data["kategori_navn"] == "Aktivitet og deltagelse"

    overview = client.get(url(sag, "udredning/")).data
    by_name = {k["navn"]: k for k in overview["kategorier"]}
    assert by_name["Aktivitet og deltagelse"]["delanalyse"].startswith("Mads har brug")
    shown = next(t for k in overview["kategorier"] for t in k["temaer"] if t["id"] == relationer.pk)
    assert shown["oplysning"]["fra_borgeren"].startswith("Jeg har omkring 100 venner")
    assert [k["titel"] for k in shown["oplysning"]["kilder"]] == ["Notat fra hjemmebesøg"]
    highlighted = [u["navn"] for u in shown["undertemaer"] if u["fremhaevet"]]
    assert highlighted == ["Indgå i samspil og kontakt"]

    assert client.put(url(sag, "udredning/temaer/999999/"), {}, format="json").status_code == 404


def test_the_udredning_is_only_edited_in_sagsoplysning(api: Api, caseworker: User) -> None:
    vurdering = sag_in_phase(
        Fase.SAGSVURDERING, team=caseworker.teams.get(), sagsbehandler=caseworker
    )
    response = api(caseworker).post(url(vurdering, "udredning/"), {}, format="json")
    assert response.status_code == 400
    assert "kun ændres, mens sagen er i sagsoplysning" in response.data["detail"][0]


def test_reusing_an_udredning_needs_consent(api: Api, caseworker: User, sag: Sag) -> None:
    client = api(caseworker)
    first = start(client, sag)
    client.put(
        url(sag, f"udredning/temaer/{tema('Relationer').pk}/"),
        {"fra_borgeren": "Mange venner."},
        format="json",
    )
    refused = client.post(url(sag, "udredning/"), {"forrige": first["id"]}, format="json")
    assert refused.status_code == 400
    assert "samtykke" in refused.data["genbrug_samtykke_givet"][0]
    second = client.post(
        url(sag, "udredning/"),
        {
            "forrige": first["id"],
            "genbrug_samtykke_givet": timezone.localdate().isoformat(),
            "genbrug_samtykke_form": "mundtligt",
        },
        format="json",
    )
    assert second.status_code == 201, second.data
    assert second.data["forrige"] == first["id"]
    overview = client.get(url(sag, "udredning/")).data
    carried = [
        t["oplysning"]
        for k in overview["kategorier"]
        for t in k["temaer"]
        if t["oplysning"] is not None
    ]
    assert [(o["fra_borgeren"], o["overfoert"]) for o in carried] == [("Mange venner.", True)]

    # Another citizen's udredning cannot be the basis.
    other = sag_in_phase(Fase.SAGSOPLYSNING, team=sag.team, sagsbehandler=caseworker)
    foreign = client.post(
        url(other, "udredning/"),
        {
            "forrige": first["id"],
            "genbrug_samtykke_givet": timezone.localdate().isoformat(),
            "genbrug_samtykke_form": "mundtligt",
        },
        format="json",
    )
    assert foreign.status_code == 400
    assert "forrige" in foreign.data


# Obtaining information


def test_obtaining_information_needs_consent(api: Api, caseworker: User, sag: Sag) -> None:
    client = api(caseworker)
    body = {"part": "egen_laege", "hvad": "Statusattest"}
    refused = client.post(url(sag, "indhentninger/"), body, format="json")
    assert refused.status_code == 400
    assert "ikke givet et gældende samtykke" in refused.data["part"][0]
    assert not Indhentning.objects.exists()

    samtykke = samtykke_register(
        actor=caseworker,
        sag=sag,
        retning=Samtykke.Retning.INDHENTELSE,
        part=Samtykke.Part.EGEN_LAEGE,
        form=Samtykke.Form.SKRIFTLIGT,
        givet=timezone.localdate() - timedelta(days=3),
    )
    created = client.post(url(sag, "indhentninger/"), body, format="json")
    assert created.status_code == 201, created.data
    assert created.data["samtykke"] == samtykke.pk
    assert created.data["part_navn"] == "Egen læge"

    listed = client.get(url(sag, "indhentninger/"))
    assert [row["id"] for row in listed.data["results"]] == [created.data["id"]]
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, summary="Indhentninger vist", borger_id=sag.borger_id
    ).exists()


# Partshøring


def hearing_body(days: int, **extra: Any) -> dict[str, Any]:
    return {
        "hvad_hoeres": "Statusattest fra egen læge af 2. juni om dit helbred.",
        "modtager": "borger",
        "svarfrist": in_days(days),
        **extra,
    }


def test_partshoering_deadline_pdf_and_answer(api: Api, caseworker: User, sag: Sag) -> None:
    client = api(caseworker)
    short = client.post(url(sag, "partshoeringer/"), hearing_body(13), format="json")
    assert short.status_code == 400
    assert "mindst 14 dage" in short.data["svarfrist"][0]
    assert not Partshoering.objects.exists()

    sent = client.post(url(sag, "partshoeringer/"), hearing_body(14), format="json")
    assert sent.status_code == 201, sent.data
    assert sent.data["afventer_svar"] is True
    assert sent.data["modtager_navn"] == sag.borger.navn
    pk = sent.data["id"]
    assert sent.data["brev"].endswith(f"/api/v1/sager/{sag.pk}/partshoeringer/{pk}/brev.pdf")

    letter = client.get(sent.data["brev"])
    assert letter.status_code == 200
    assert letter["Content-Type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF")
    assert letter["X-Content-SHA256"] == sent.data["brev_sha256"]
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT,
        object_type="assessment.Partshoering",
        object_id=str(pk),
        borger_id=sag.borger_id,
    ).exists()
    # Asking for the PDF does not change how errors look.
    missing = client.get(url(sag, "partshoeringer/999999/brev.pdf"), HTTP_ACCEPT="application/pdf")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"

    shown = client.get(url(sag, f"partshoeringer/{pk}/"))
    assert shown.status_code == 200
    assert "brev_pdf" not in shown.data
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, summary="Partshøring vist", object_id=str(pk)
    ).exists()
    listed = client.get(url(sag, "partshoeringer/"))
    assert [row["id"] for row in listed.data["results"]] == [pk]

    answered = client.post(
        url(sag, f"partshoeringer/{pk}/svar/"),
        {"svar": "Jeg er uenig i lægens vurdering."},
        format="json",
    )
    assert answered.status_code == 200, answered.data
    assert answered.data["svar_modtaget"] == timezone.localdate().isoformat()
    assert answered.data["afventer_svar"] is False
    again = client.post(url(sag, f"partshoeringer/{pk}/svar/"), {"svar": "Igen."}, format="json")
    assert again.status_code == 400
    assert again.data["detail"] == ["Svaret på partshøringen er allerede registreret."]


def test_a_guardian_must_be_the_citizens_own(api: Api, caseworker: User, sag: Sag) -> None:
    client = api(caseworker)
    missing = client.post(
        url(sag, "partshoeringer/"), hearing_body(14, modtager="vaerge"), format="json"
    )
    assert missing.status_code == 400
    assert "modtager_relation" in missing.data
    strangers = RelationFactory(type=Relation.Type.VAERGE, vaergemaalsform="par5")
    foreign = client.post(
        url(sag, "partshoeringer/"),
        hearing_body(14, modtager="vaerge", modtager_relation=strangers.pk),
        format="json",
    )
    assert foreign.status_code == 400
    vaerge = RelationFactory(borger=sag.borger, type=Relation.Type.VAERGE, vaergemaalsform="par5")
    sent = client.post(
        url(sag, "partshoeringer/"),
        hearing_body(14, modtager="vaerge", modtager_relation=vaerge.pk),
        format="json",
    )
    assert sent.status_code == 201, sent.data
    assert sent.data["modtager_navn"] == vaerge.navn


def test_an_open_hearing_blocks_the_decision(api: Api, caseworker: User) -> None:
    vurdering = sag_in_phase(
        Fase.SAGSVURDERING, team=caseworker.teams.get(), sagsbehandler=caseworker
    )
    client = api(caseworker)
    sent = client.post(url(vurdering, "partshoeringer/"), hearing_body(14), format="json")
    assert sent.status_code == 201

    blocked = client.post(url(vurdering, "transitions/start_afgoerelse/"), {}, format="json")
    assert blocked.status_code == 409
    assert any("afventer svar" in reason for reason in blocked.data["reasons"])
    assert Sag.objects.get(pk=vurdering.pk).fase == Fase.SAGSVURDERING

    client.post(
        url(vurdering, f"partshoeringer/{sent.data['id']}/svar/"),
        {"svar": "Ingen bemærkninger."},
        format="json",
    )
    options = client.get(url(vurdering, "transitions/")).data
    afgoerelse = next(o for o in options if o["name"] == "start_afgoerelse")
    assert not any("afventer svar" in reason for reason in afgoerelse["blocked_by"])


# Who may do what


def write_calls(sag: Sag) -> list[tuple[str, str, dict[str, Any]]]:
    relationer = tema("Relationer").pk
    kategori = Kategori.objects.current().get(navn="Aktivitet og deltagelse").pk
    return [
        ("post", url(sag, "udredning/"), {}),
        ("put", url(sag, f"udredning/temaer/{relationer}/"), {"fra_borgeren": "X"}),
        ("post", url(sag, f"udredning/temaer/{relationer}/kilder/"), {"titel": "X"}),
        ("put", url(sag, f"udredning/delanalyser/{kategori}/"), {"tekst": "X"}),
        ("post", url(sag, "udredning/scoringer/"), {"undertema": 1, "vaerdi": 1}),
        ("post", url(sag, "indhentninger/"), {"part": "egen_laege", "hvad": "X"}),
        ("post", url(sag, "partshoeringer/"), hearing_body(14)),
    ]


def read_urls(sag: Sag, hoering: Partshoering) -> list[str]:
    return [
        url(sag, "udredning/"),
        url(sag, "udredning/scoringer/"),
        url(sag, "indhentninger/"),
        url(sag, "partshoeringer/"),
        url(sag, f"partshoeringer/{hoering.pk}/"),
        url(sag, f"partshoeringer/{hoering.pk}/brev.pdf"),
    ]


@pytest.fixture
def hearing(api: Api, caseworker: User, sag: Sag) -> Partshoering:
    client = api(caseworker)
    start(client, sag)
    sent = client.post(url(sag, "partshoeringer/"), hearing_body(14), format="json")
    return Partshoering.objects.get(pk=sent.data["id"])


@pytest.mark.parametrize("role", ["andet_team", "leder", "udfoerer"])
def test_only_the_teams_caseworkers_write(
    api: Api, sag: Sag, hearing: Partshoering, role: str
) -> None:
    if role == "leder":
        user = UserFactory(leder=True, teams=[sag.team])
    elif role == "udfoerer":
        user = UserFactory(udfoerer=True)
        BestillingFactory(sag=sag, udfoerer=user.organisation)
    else:
        user = UserFactory()
    client = api(user)
    for method, path, body in write_calls(sag):
        response = getattr(client, method)(path, body, format="json")
        assert response.status_code == 404, (path, response.status_code)
    answer = client.post(url(sag, f"partshoeringer/{hearing.pk}/svar/"), {"svar": "X"})
    assert answer.status_code == 404
    for path in read_urls(sag, hearing):
        expected = 200 if role == "leder" else 404
        assert client.get(path).status_code == expected, path
    hearing.refresh_from_db()
    assert hearing.svar_modtaget is None
