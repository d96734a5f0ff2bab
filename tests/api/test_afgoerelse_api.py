"""Afgørelse, the letter and complaints over the API: the Jørn decision with results per
indsats, reasons without full medhold, the 14-week rule, the preview, the frozen letter and its
correction, complaints through reassessment and Ankestyrelsen, and who may write."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from assessment.models import Afgoerelse, Brev, Klage
from assessment.services.forsendelse import brev_dispatch
from assessment.services.klage import klage_register
from cases.models import Sag
from tests import test_afgoerelse as base
from tests.factories import UserFactory
from tests.pdf import pdf_text
from tests.test_afgoerelse import jorn_decision, sent_decision, ydelse
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent

Api = Callable[[User | None], APIClient]

# Jørn's case: he applied on 23 April 2026, the decision is of 29 May and is sent on 3 June.
pytestmark = [pytest.mark.django_db, pytest.mark.now("2026-06-03 10:00")]

# The Viborg catalog (autouse) and the Jørn case, from the service tests.
catalog = base.catalog
jorn_case = base.jorn_case


def url(sag: Sag, rest: str = "") -> str:
    return f"/api/v1/sager/{sag.pk}/{rest}"


def jorn_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "truffet_af": "sagsbehandler",
        "form": "skriftlig",
        "fuldt_medhold": False,
        "truffet": "2026-05-29",
        "begrundelse_vurdering": "Vi vurderer, at du kan bo i egen bolig med støtte.",
        "begrundelse_oplysninger": "Statusnotat fra Bostedet Møllebo.",
        "begrundelse_regler": "Servicelovens § 107, stk. 2, nr. 1 og § 85.",
        "saerligt_om_synspunkter": "Du vil gerne blive boende på Møllebo.",
        "resultater": [
            {
                "beskrivelse": "fortsat midlertidigt botilbud efter servicelovens § 107",
                "resultat": "afslag",
                "virkningsdato": "2026-08-01",
                "kommunal_ydelse": ydelse("V-107").pk,
            },
            {
                "beskrivelse": "socialpædagogisk støtte efter servicelovens § 85",
                "resultat": "bevilget",
                "omfang": "6 timer om ugen",
                "virkningsdato": "2026-08-01",
                "kommunal_ydelse": ydelse("V-85").pk,
            },
        ],
    }
    body.update(overrides)
    return body


def test_the_jorn_decision_is_made_and_read(api: Api, caseworker: User, jorn_case: Sag) -> None:
    client = api(caseworker)
    response = client.post(url(jorn_case, "afgoerelser/"), jorn_body(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["fuldt_medhold"] is False
    assert [r["resultat"] for r in data["resultater"]] == ["afslag", "bevilget"]
    assert data["resultater"][1]["omfang"] == "6 timer om ugen"
    assert data["breve"] == []

    listed = client.get(url(jorn_case, "afgoerelser/"))
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()] == [data["id"]]
    assert AuditEvent.objects.filter(
        actor=caseworker, action=AuditAction.LIST, object_id=str(data["id"])
    ).exists()
    one = client.get(url(jorn_case, f"afgoerelser/{data['id']}/"))
    assert one.status_code == 200
    assert one.json()["begrundelse_regler"].startswith("Servicelovens § 107")

    texts = client.get(url(jorn_case, f"afgoerelser/{data['id']}/brevtekster/"))
    assert texts.status_code == 200
    assert "modtaget 23.04.2026" in texts.json()["overskrift"]
    assert texts.json()["begrundelse_vurdering"].startswith("Vi vurderer")


def test_a_partial_refusal_needs_reasons_full_medhold_does_not(
    api: Api, caseworker: User, jorn_case: Sag
) -> None:
    client = api(caseworker)
    refused = client.post(
        url(jorn_case, "afgoerelser/"),
        jorn_body(begrundelse_vurdering="", begrundelse_regler=""),
        format="json",
    )
    assert refused.status_code == 400
    assert {"begrundelse_vurdering", "begrundelse_regler"} <= set(refused.json())
    assert not Afgoerelse.objects.filter(sag=jorn_case).exists()

    granted = client.post(
        url(jorn_case, "afgoerelser/"),
        {
            "truffet_af": "sagsbehandler",
            "form": "skriftlig",
            "fuldt_medhold": True,
            "resultater": [
                {
                    "beskrivelse": "socialpædagogisk støtte",
                    "resultat": "bevilget",
                    "omfang": "6 timer om ugen",
                    "virkningsdato": "2026-08-01",
                    "kommunal_ydelse": ydelse("V-85").pk,
                }
            ],
        },
        format="json",
    )
    assert granted.status_code == 201, granted.json()
    assert granted.json()["fuldt_medhold"] is True


def test_a_reduction_under_96_respects_14_weeks(api: Api, caseworker: User, jorn_case: Sag) -> None:
    told = date(2026, 6, 1)

    def reduce(effective: date) -> Any:
        return api(caseworker).post(
            url(jorn_case, "afgoerelser/"),
            jorn_body(
                truffet=told.isoformat(),
                meddelt=told.isoformat(),
                resultater=[
                    {
                        "beskrivelse": "borgerstyret personlig assistance",
                        "resultat": "delvist_afslag",
                        "omfang": "30 timer om ugen i stedet for 40",
                        "virkningsdato": effective.isoformat(),
                        "kommunal_ydelse": ydelse("V-96").pk,
                        "nedsaettelse": True,
                    }
                ],
            ),
            format="json",
        )

    early = reduce(told + timedelta(weeks=10))
    assert early.status_code == 400
    assert "14 uger" in str(early.json()["resultater"])
    assert reduce(told + timedelta(weeks=14)).status_code == 201


def test_preview_send_and_correct_the_letter(api: Api, caseworker: User, jorn_case: Sag) -> None:
    client = api(caseworker)
    afgoerelse = jorn_decision(caseworker, jorn_case)
    base = url(jorn_case, f"afgoerelser/{afgoerelse.pk}/")
    tekster = {"indsatsformaal": "at du bor i egen bolig og har styr på din økonomi."}

    preview = client.post(base + "forhaandsvisning.pdf", {"tekster": tekster}, format="json")
    assert preview.status_code == 200
    assert preview.content.startswith(b"%PDF")
    assert "styr på din økonomi" in pdf_text(preview.content)
    assert not Brev.objects.exists()
    assert AuditEvent.objects.filter(
        actor=caseworker, action=AuditAction.VIEW, object_id=str(afgoerelse.pk)
    ).exists()
    unknown = client.post(base + "forhaandsvisning.pdf", {"tekster": {"x": "y"}}, format="json")
    assert unknown.status_code == 400

    sent = client.post(base + "send/", {"tekster": tekster}, format="json")
    assert sent.status_code == 201, sent.json()
    letter = sent.json()
    brev = Brev.objects.get(pk=letter["id"])
    assert letter["sha256"] == brev.sha256
    assert letter["modtager"] == jorn_case.borger.navn
    assert letter["kopi_til"] == ""
    assert letter["forsendelse"] is None

    again = client.post(base + "send/", {"tekster": tekster}, format="json")
    assert again.status_code == 400
    assert "en rettelse er et nyt brev" in str(again.json())

    correction = client.post(
        base + "send/", {"tekster": {"kontakt": "Ring til mig."}, "retter": brev.pk}, format="json"
    )
    assert correction.status_code == 201, correction.json()
    assert correction.json()["retter"] == brev.pk
    assert Brev.objects.get(pk=brev.pk).sha256 == brev.sha256

    pdf = client.get(url(jorn_case, f"breve/{brev.pk}/brev.pdf"))
    assert pdf.status_code == 200
    assert pdf.content == bytes(brev.pdf)
    assert pdf["X-Content-SHA256"] == brev.sha256
    assert AuditEvent.objects.filter(
        actor=caseworker, action=AuditAction.EXPORT, object_id=str(brev.pk)
    ).exists()

    brev_dispatch(brev_id=brev.pk)
    status = client.get(url(jorn_case, f"breve/{brev.pk}/"))
    assert status.status_code == 200
    assert status.json()["forsendelse"]["kanal"]
    shown = client.get(url(jorn_case, f"afgoerelser/{afgoerelse.pk}/")).json()
    assert shown["klagefrist"] is not None
    assert sorted(shown["breve"]) == sorted([brev.pk, correction.json()["id"]])


def test_a_complaint_through_reassessment_and_ankestyrelsen(
    api: Api, caseworker: User, jorn_case: Sag
) -> None:
    client = api(caseworker)
    afgoerelse = sent_decision(caseworker, jorn_case)
    registered = client.post(
        url(jorn_case, "klager/"),
        {"afgoerelse": afgoerelse.pk, "kanal": "skriftlig", "tekst": "Jeg er uenig."},
        format="json",
    )
    assert registered.status_code == 201, registered.json()
    klage = registered.json()
    assert klage["for_sent"] is False
    base = url(jorn_case, f"klager/{klage['id']}/")

    too_soon = client.post(
        base + "ankestyrelsens-afgoerelse/",
        {"resultat": "stadfaestet", "dato": timezone.localdate().isoformat()},
        format="json",
    )
    assert too_soon.status_code == 400
    medhold_without_decision = client.post(
        base + "genvurdering/", {"genvurdering": "medhold"}, format="json"
    )
    assert medhold_without_decision.status_code == 400
    assert "ny_afgoerelse" in medhold_without_decision.json()

    upheld = client.post(base + "genvurdering/", {"genvurdering": "fastholdt"}, format="json")
    assert upheld.status_code == 200, upheld.json()
    assert upheld.json()["genvurdering"] == "fastholdt"
    today = timezone.localdate().isoformat()
    forwarded = client.post(base + "ankestyrelsen/", {"dato": today}, format="json")
    assert forwarded.status_code == 200, forwarded.json()
    assert forwarded.json()["sendt_til_ankestyrelsen"] == today
    outcome = client.post(
        base + "ankestyrelsens-afgoerelse/", {"resultat": "hjemvist", "dato": today}, format="json"
    )
    assert outcome.status_code == 200, outcome.json()
    assert outcome.json()["ankestyrelsens_afgoerelse"] == "hjemvist"

    listed = client.get(url(jorn_case, "klager/"))
    assert [k["id"] for k in listed.json()] == [klage["id"]]
    assert client.get(base).json()["ankestyrelsens_dato"] == today


def test_a_late_complaint_is_flagged(api: Api, caseworker: User, jorn_case: Sag) -> None:
    afgoerelse = sent_decision(caseworker, jorn_case)
    Afgoerelse.objects.filter(pk=afgoerelse.pk).update(
        meddelt=afgoerelse.meddelt - timedelta(days=60)
    )
    response = api(caseworker).post(
        url(jorn_case, "klager/"),
        {
            "afgoerelse": afgoerelse.pk,
            "kanal": "digital",
            "tekst": "Jeg vil blive på Møllebo.",
            "modtaget": (timezone.now() - timedelta(minutes=1)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["for_sent"] is True
    assert Klage.objects.get().for_sent is True


@pytest.mark.parametrize("who", ["other_team", "leder"])
def test_only_the_caseworker_writes(api: Api, caseworker: User, jorn_case: Sag, who: str) -> None:
    afgoerelse = sent_decision(caseworker, jorn_case)
    brev = afgoerelse.breve.get()
    klage = klage_register(
        actor=caseworker,
        afgoerelse=afgoerelse,
        modtaget=timezone.now(),
        kanal=Klage.Kanal.SKRIFTLIG,
        tekst="Jeg er uenig.",
    )
    user = UserFactory() if who == "other_team" else UserFactory(leder=True, teams=[jorn_case.team])
    client = api(user)
    base = url(jorn_case, f"afgoerelser/{afgoerelse.pk}/")
    writes = [
        (url(jorn_case, "afgoerelser/"), jorn_body()),
        (base + "forhaandsvisning.pdf", {}),
        (base + "send/", {"retter": brev.pk}),
        (
            url(jorn_case, "klager/"),
            {"afgoerelse": afgoerelse.pk, "kanal": "digital", "tekst": "x"},
        ),
        (url(jorn_case, f"klager/{klage.pk}/genvurdering/"), {"genvurdering": "fastholdt"}),
        (url(jorn_case, f"klager/{klage.pk}/ankestyrelsen/"), {"dato": "2026-06-01"}),
    ]
    for path, body in writes:
        assert client.post(path, body, format="json").status_code == 404, path
    assert Afgoerelse.objects.filter(sag=jorn_case).count() == 1
    assert Brev.objects.count() == 1
    assert Klage.objects.get().genvurdering == ""
    if who == "other_team":
        assert client.get(url(jorn_case, "afgoerelser/")).status_code == 404
        assert client.get(url(jorn_case, f"breve/{brev.pk}/brev.pdf")).status_code == 404
    else:
        assert client.get(url(jorn_case, "afgoerelser/")).status_code == 200
