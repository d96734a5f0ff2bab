"""The sagsvurdering over the API: the Mads goals with carried levels and hours, the support
need after the goals, indsatser with price lines (the handbook's 143.000 kr.), the fixed-end
rule, refusals that assess the citizen's own need, the guard before the decision, and who may
write."""

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from assessment.services.udredning import funktionsevne_score, tema_oplysning_save, udredning_start
from cases.lifecycle import Fase
from cases.models import Sag
from cases.services.sag import sag_transition
from tests.catalogs import load_catalog
from tests.factories import BestillingFactory, OrganisationFactory, UserFactory, sag_in_phase
from tests.mads import MADS_GOALS, MADS_SCORES, mads_time
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent
from vum.catalog.models import Maalgruppe, Maaltype, Tema, Tilbudstype, Undertema, Ydelse

Api = Callable[[User | None], APIClient]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def catalog(db: None, settings: Any) -> None:
    settings.VUM_MUNICIPALITY = "randers"
    load_catalog()


def current(model: Any, **kwargs: Any) -> Any:
    return model.objects.current().get(**kwargs)


# These tests are about the assessment, not about concurrent edits (tests/api/test_if_match.py).
ANY_VERSION = {"If-Match": "*"}


def url(sag: Sag, rest: str = "") -> str:
    return f"/api/v1/sager/{sag.pk}/sagsvurdering/{rest}"


def scored_case(caseworker: User, scores: dict[str, int]) -> Sag:
    """A case informed and scored in sagsoplysning (through the services, tested elsewhere),
    then moved on to sagsvurdering."""
    sag = sag_in_phase(Fase.SAGSOPLYSNING, team=caseworker.teams.get(), sagsbehandler=caseworker)
    udredning = udredning_start(actor=caseworker, sag=sag)
    tema_oplysning_save(
        actor=caseworker,
        udredning=udredning,
        tema=current(Tema, navn="Relationer"),
        fra_borgeren="Jeg kan ikke sige nej til mine venner.",
    )
    for navn, vaerdi in scores.items():
        funktionsevne_score(
            actor=caseworker,
            udredning=udredning,
            undertema=current(Undertema, navn=navn),
            vaerdi=vaerdi,
        )
    return sag_transition(actor=caseworker, sag=sag, name="start_sagsvurdering")


def started(client: APIClient, sag: Sag) -> dict[str, Any]:
    response = client.post(url(sag), {}, format="json")
    assert response.status_code == 201, response.data
    return dict(response.json())


@mads_time
def test_the_mads_assessment_reaches_the_decision(api: Api, caseworker: User) -> None:
    sag = scored_case(caseworker, MADS_SCORES)
    client = api(caseworker)
    assert client.get(url(sag)).status_code == 404  # nothing started yet
    body = started(client, sag)
    assert body["vurdering"]["sag"] == sag.pk
    assert body["maal"] == []
    assert body["indsatser"] == []

    patched = client.patch(
        url(sag),
        {
            "vurdering_af_situation": "Mads har svært ved at strukturere sin hverdag og sige fra.",
            "indsatsformaal": "Jeg har stadig min lejlighed, og jeg har taget en uddannelse.",
            "faelles_opfoelgning": "3_maaneder",
            "berettiget": True,
            "berettigelse_begrundelse": "Betydelig nedsat funktionsevne; støtte efter § 85.",
            "civilsamfund": True,
            "civilsamfund_hvilke": "Lektiehjælp hos VUC, fællesspisning i Frivilligcentret",
            "handleplan_tilbudt": True,
            "handleplan_oensket": True,
            "handleplan_status": "under_udarbejdelse",
        },
        format="json",
        headers=ANY_VERSION,
    )
    assert patched.status_code == 200, patched.data
    assert patched.data["vurdering"]["berettiget"] is True
    assert patched.data["vurdering"]["handleplan_status"] == "under_udarbejdelse"
    # A field left out keeps its value.
    again = client.patch(
        url(sag),
        {"borgerens_perspektiv": "Jeg vil klare mig selv."},
        headers={"If-Match": patched["ETag"]},
    )
    assert again.status_code == 200
    assert again.data["vurdering"]["indsatsformaal"].startswith("Jeg har stadig")

    too_early = client.put(
        url(sag, "stoettebehov/"), {"vaerdi": 3}, format="json", headers=ANY_VERSION
    )
    assert too_early.status_code == 400
    assert "målene først" in too_early.data["stoettebehov"][0]

    x_hus = OrganisationFactory(navn="Socialpædagogisk opholdssted X-Hus")
    udvikle = current(Maaltype, navn="Udvikle funktionsevne")
    for text, sub, expected, hours in MADS_GOALS:
        response = client.post(
            url(sag, "maal/"),
            {
                "maalformulering": text,
                "maaltype": udvikle.pk,
                "primaert_undertema": current(Undertema, navn=sub).pk,
                "forventet_niveau": expected,
                "udfoerer": x_hus.pk,
                "timer_pr_uge": hours,
            },
            format="json",
        )
        assert response.status_code == 201, response.data
    goal2 = client.get(url(sag)).json()["maal"][1]
    assert goal2["raekkefoelge"] == 2
    assert goal2["primaert_undertema_navn"] == "Indgå i samspil og kontakt"
    assert goal2["aktuelt_niveau"] == 2  # carried from the udredning
    assert goal2["forventet_niveau"] == 0
    assert goal2["udfoerer_navn"] == x_hus.navn

    assert (
        client.put(
            url(sag, "stoettebehov/"), {"vaerdi": 3}, format="json", headers=ANY_VERSION
        ).status_code
        == 200
    )
    shown = client.get(url(sag)).json()
    assert shown["timer_pr_uge_i_alt"] == 8
    assert [m["timer_pr_uge"] for m in shown["maal"]] == [3.5, 3, 1, 0.5]
    assert shown["vurdering"]["stoettebehov"] == 3
    assert shown["afgoerelse_blokeringer"] == [
        "Der er ingen indsats.",
        "Der er ikke valgt en primær målgruppe.",
    ]
    assert shown["afgoerelseskompetence"] == {"visitationsudvalg": False, "begrundelser": []}
    blocked = client.post(f"/api/v1/sager/{sag.pk}/transitions/start_afgoerelse/", {})
    assert blocked.status_code == 409

    ydelser = [
        "Støtte til daglige opgaver i hjemmet",
        "Støtte til administration",
        "Støtte til uddannelse",
        "Støtte til sociale relationer",
        "Støtte til psykisk trivsel",
    ]
    indsats = client.post(
        url(sag, "indsatser/"),
        {
            "ydelser": [current(Ydelse, navn=n).pk for n in ydelser],
            "tilbudstype": current(Tilbudstype, navn="Mobilt tilbud").pk,
            "udfoerer": x_hus.pk,
            "forventet_start": "2026-10-01",
        },
        format="json",
    )
    assert indsats.status_code == 201, indsats.data
    assert sorted(y["navn"] for y in indsats.data["ydelser"]) == sorted(ydelser)
    assert indsats.data["forventet_slut"] is None  # uden slutdato

    primaer = current(Maalgruppe, navn="Anden intellektuel/kognitiv forstyrrelse")
    andre = current(Maalgruppe, navn="Stofmisbrug")
    groups = client.put(
        url(sag, "maalgrupper/"),
        {"primaer": primaer.pk, "andre": [andre.pk]},
        format="json",
        headers=ANY_VERSION,
    )
    assert groups.status_code == 200, groups.data
    assert groups.data["maalgrupper"] == [
        {"maalgruppe": primaer.pk, "navn": primaer.navn, "primaer": True},
        {"maalgruppe": andre.pk, "navn": andre.navn, "primaer": False},
    ]
    assert groups.data["afgoerelse_blokeringer"] == []

    moved = client.post(f"/api/v1/sager/{sag.pk}/transitions/start_afgoerelse/", {})
    assert moved.status_code == 200, moved.data
    assert Sag.objects.get(pk=sag.pk).fase == Fase.AFGOERELSE
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW,
        object_type="assessment.Sagsvurdering",
        object_id=str(body["vurdering"]["id"]),
        borger_id=sag.borger_id,
    ).exists()
    # Once the case has moved on, the assessment is read-only.
    late = client.patch(
        url(sag), {"borgerens_perspektiv": "For sent."}, format="json", headers=ANY_VERSION
    )
    assert late.status_code == 400
    assert "kun ændres, mens sagen er i sagsvurdering" in late.data["detail"][0]


def test_the_pricing_example_totals_143000(api: Api, caseworker: User) -> None:
    sag = scored_case(caseworker, {"Lave mad": 2})
    client = api(caseworker)
    started(client, sag)
    daily = current(Ydelse, navn="Støtte til daglige opgaver i hjemmet")
    admin = current(Ydelse, navn="Støtte til administration")
    social = current(Ydelse, navn="Social aktivitet")  # Aktivitet og samvær, § 104
    mobilt = client.post(
        url(sag, "indsatser/"),
        {
            "ydelser": [daily.pk, admin.pk],
            "tilbudstype": current(Tilbudstype, navn="Mobilt tilbud").pk,
        },
        format="json",
    ).data
    for ydelse in (daily, admin):
        line = client.post(
            url(sag, f"indsatser/{mobilt['id']}/prislinjer/"),
            {
                "ydelse": ydelse.pk,
                "enhed": "time",
                "antal_pr_periode": "2",
                "frekvens": "uge",
                "gentagelser": 26,
                "enhedspris": "500",
            },
            format="json",
        )
        assert line.status_code == 201, line.data
        assert line.json()["beloeb"] == 26000
    samvaer = client.post(url(sag, "indsatser/"), {"ydelser": [social.pk]}, format="json").data
    line = client.post(
        url(sag, f"indsatser/{samvaer['id']}/prislinjer/"),
        {
            "ydelse": social.pk,
            "enhed": "dag",
            "antal_pr_periode": 5,
            "frekvens": "uge",
            "gentagelser": 26,
            "enhedspris": 700,
        },
        format="json",
    )
    assert line.status_code == 201, line.data

    shown = client.get(url(sag)).json()
    assert [i["pris"] for i in shown["indsatser"]] == [52000, 91000]
    assert shown["pris_i_alt"] == 143000
    assert isinstance(shown["pris_i_alt"], int | float)  # a number, not a string
    # A year of the same weekly lines: (2 + 2) * 500 * 52 + 5 * 700 * 52.
    assert shown["aarlig_udgift"] == 286000

    wrong = client.post(
        url(sag, f"indsatser/{samvaer['id']}/prislinjer/"),
        {
            "ydelse": daily.pk,
            "enhed": "time",
            "antal_pr_periode": 1,
            "frekvens": "uge",
            "gentagelser": 1,
            "enhedspris": 1,
        },
        format="json",
    )
    assert wrong.status_code == 400
    assert "indsatsens ydelser" in wrong.data["ydelse"][0]
    missing = client.post(url(sag, "indsatser/999999/prislinjer/"), {}, format="json")
    assert missing.status_code == 404


@pytest.mark.now("2025-12-01 10:00")  # planning a time-limited indsats for the first half of 2026
def test_only_82a_b_d_may_have_a_fixed_end(api: Api, caseworker: User) -> None:
    sag = scored_case(caseworker, {"Lave mad": 2})
    client = api(caseworker)
    started(client, sag)
    body = {"forventet_start": "2026-01-01", "forventet_slut": "2026-06-30"}
    p85 = current(Ydelse, navn="Støtte til daglige opgaver i hjemmet")
    refused = client.post(url(sag, "indsatser/"), {**body, "ydelser": [p85.pk]}, format="json")
    assert refused.status_code == 400
    assert "uden slutdato" in refused.data["forventet_slut"][0]
    p82 = current(Ydelse, navn="Individuel tidsbegrænset socialpædagogisk hjælp og støtte")
    fixed = client.post(url(sag, "indsatser/"), {**body, "ydelser": [p82.pk]}, format="json")
    assert fixed.status_code == 201, fixed.data
    assert fixed.data["forventet_slut"] == "2026-06-30"
    empty = client.post(url(sag, "indsatser/"), {"ydelser": []}, format="json")
    assert empty.status_code == 400
    assert "ydelser" in empty.data


def test_a_goal_needs_an_aktivitet_og_deltagelse_sub_theme(api: Api, caseworker: User) -> None:
    sag = scored_case(caseworker, {"Lave mad": 2})
    client = api(caseworker)
    started(client, sag)
    response = client.post(
        url(sag, "maal/"),
        {
            "maalformulering": "Jeg har mindre ondt",
            "maaltype": current(Maaltype, navn="Fastholde funktionsevne").pk,
            "primaert_undertema": current(Undertema, navn="Smerte og sansefunktioner").pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "Aktivitet og deltagelse" in response.data["primaert_undertema"][0]
    unscored = client.post(
        url(sag, "maal/"),
        {
            "maalformulering": "Jeg køber selv ind",
            "maaltype": current(Maaltype, navn="Udvikle funktionsevne").pk,
            "primaert_undertema": current(Undertema, navn="Købe ind").pk,
        },
        format="json",
    )
    assert unscored.status_code == 201
    assert unscored.data["aktuelt_niveau"] is None
    blockers = client.get(url(sag)).data["afgoerelse_blokeringer"]
    assert "Mål 1: 'Købe ind' har intet aktuelt funktionsevneniveau i udredningen." in blockers


def test_a_refusal_must_assess_the_citizens_own_need(api: Api, caseworker: User) -> None:
    sag = scored_case(caseworker, {"Lave mad": 2})
    client = api(caseworker)
    started(client, sag)
    refused = client.patch(
        url(sag),
        {"berettiget": False, "berettigelse_begrundelse": "Ligger uden for kvalitetsstandarden."},
        format="json",
        headers=ANY_VERSION,
    )
    assert refused.status_code == 400
    assert "selv oplever" in refused.data["borgerens_behov_vurderet"][0]
    assert client.get(url(sag)).data["vurdering"]["berettiget"] is None

    accepted = client.patch(
        url(sag),
        {
            "vurdering_af_situation": "Borgeren laver selv mad med lidt hjælp fra sin søster.",
            "berettiget": False,
            "berettigelse_begrundelse": "Borgeren kan med søsterens hjælp klare madlavningen.",
            "borgerens_behov_vurderet": (
                "Borgeren oplever at have brug for hjælp hver dag; udredningen viser dog, at hun "
                "laver mad de fleste dage, og at søsteren hjælper, når hun er træt."
            ),
        },
        format="json",
        headers=ANY_VERSION,
    )
    assert accepted.status_code == 200, accepted.data
    assert accepted.data["vurdering"]["berettiget"] is False
    # A refusal may record the support need without goals.
    assert (
        client.put(
            url(sag, "stoettebehov/"), {"vaerdi": 1}, format="json", headers=ANY_VERSION
        ).status_code
        == 200
    )
    assert client.get(url(sag)).data["afgoerelse_blokeringer"] == []


def test_bad_bodies_are_400(api: Api, caseworker: User) -> None:
    sag = scored_case(caseworker, {"Lave mad": 2})
    client = api(caseworker)
    assert (
        client.patch(url(sag), {"berettiget": True}, format="json", headers=ANY_VERSION).status_code
        == 400
    )
    started(client, sag)
    assert (
        client.patch(
            url(sag), {"handleplan_status": "x"}, format="json", headers=ANY_VERSION
        ).status_code
        == 400
    )
    assert (
        client.put(
            url(sag, "stoettebehov/"), {"vaerdi": 5}, format="json", headers=ANY_VERSION
        ).status_code
        == 400
    )
    assert (
        client.put(url(sag, "maalgrupper/"), {}, format="json", headers=ANY_VERSION).status_code
        == 400
    )


def test_the_assessment_is_only_started_in_sagsvurdering(api: Api, caseworker: User) -> None:
    sag = sag_in_phase(Fase.SAGSOPLYSNING, team=caseworker.teams.get(), sagsbehandler=caseworker)
    response = api(caseworker).post(url(sag), {}, format="json")
    assert response.status_code == 400
    assert "kun ændres, mens sagen er i sagsvurdering" in response.data["detail"][0]


# Who may do what


def write_calls(sag: Sag, indsats_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("post", url(sag), {}),
        ("patch", url(sag), {"borgerens_perspektiv": "X"}),
        ("post", url(sag, "maal/"), {"maalformulering": "X"}),
        ("put", url(sag, "stoettebehov/"), {"vaerdi": 1}),
        ("post", url(sag, "indsatser/"), {"ydelser": []}),
        ("post", url(sag, f"indsatser/{indsats_id}/prislinjer/"), {}),
        ("put", url(sag, "maalgrupper/"), {}),
        ("post", f"/api/v1/sager/{sag.pk}/indstillinger/", {"indstilling": "X"}),
    ]


@pytest.mark.parametrize("role", ["andet_team", "leder", "udfoerer", "udvalg"])
def test_only_the_teams_caseworkers_write(api: Api, caseworker: User, role: str) -> None:
    sag = scored_case(caseworker, {"Lave mad": 2})
    owner = api(caseworker)
    started(owner, sag)
    daily = current(Ydelse, navn="Støtte til daglige opgaver i hjemmet")
    indsats = owner.post(url(sag, "indsatser/"), {"ydelser": [daily.pk]}, format="json").data
    before = AuditEvent.objects.exclude(action__in=[AuditAction.VIEW, AuditAction.LIST]).count()
    if role == "leder":
        user = UserFactory(leder=True, teams=[sag.team])
    elif role == "udfoerer":
        user = UserFactory(udfoerer=True)
        BestillingFactory(sag=sag, udfoerer=user.organisation)
    elif role == "udvalg":
        user = UserFactory(udvalgsmedlem=True)
    else:
        user = UserFactory()
    client = api(user)
    for method, path, body in write_calls(sag, indsats["id"]):
        response = getattr(client, method)(path, body, format="json")
        assert response.status_code == 404, (path, response.status_code)
    assert client.get(url(sag)).status_code == (200 if role == "leder" else 404)
    assert AuditEvent.objects.exclude(action__in=[AuditAction.VIEW, AuditAction.LIST]).count() == (
        before
    )
