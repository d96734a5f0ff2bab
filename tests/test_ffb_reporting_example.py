"""The reporting IG's worked example, Børge Mogensen's seven steps (digest §5), rebuilt through
vum's own services: assessed, decided, ordered, followed up and ended. After each step the day's
FFB run is made and the bundle delivered for Børge (if any) is checked against the example's
values and the IG's invariants.

Where vum differs from the example, on purpose (docs/ffb-reporting.md, "The IG's example"):
- every bundle carries Børge's whole current FFB picture, not only what changed with what it
  references, so counts are larger than the example's; ids are stable, so what is re-sent is
  an update of the same resource;
- the example's defects (digest §5.4) are not copied: the sight target group has its own code
  (1), the re-scored condition carries its new level (2), each ydelse stays based on its own
  care plan (3), every granted care plan is `intent = order` (4), the end closes every care plan
  (5), and ended ydelser are `completed` (6);
- vum follows up a case, not each care plan: one follow-up result per follow-up, focused on the
  care plans it concerned; a revised goal keeps its id (vum edits the goal in place) where the
  example sends a new goal; the ydelse swap of step 6 is a revisitation in vum and is left out.

The story runs in 2027 (the example's 2021 is before the catalog's FFB version): the same days
and months.
"""

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from assessment.services.udredning import funktionsevne_score, tema_oplysning_save, udredning_start
from assessment.services.vurdering import (
    indsats_add,
    maal_add,
    maalgrupper_set,
    sagsvurdering_start,
    sagsvurdering_update,
    stoettebehov_set,
)
from cases.lifecycle import Fase
from cases.services.sag import sag_transition
from followup.ffb_dataset.bundle import build_delivery_report, content_sha256
from followup.ffb_dataset.facts import ffb_facts, levels
from followup.ffb_dataset.validation import delivery_report_problems
from followup.models import FfbBorgerlevering, Opfoelgning, Opfoelgningsskema
from followup.services.ffb_levering import ffb_levering_run
from followup.services.opfoelgning import opfoelgning_call, opfoelgning_cancel, opfoelgning_plan
from followup.services.skema import skema_start, skema_update
from followup.services.udfald import opfoelgning_end, opfoelgning_revise_goals
from orders.services.bestilling import bestilling_accept, bestillinger_send
from tests.clock import local_instant
from tests.factories import UserFactory, sag_in_phase
from tests.ffb import KOMMUNE, ffb_configured
from tests.mads import granted_in_writing, mads_heard_before_the_end
from vum.accounts.models import Organisation, User
from vum.catalog.models import (
    Fremadrettet,
    KommunalYdelse,
    Maalgruppe,
    Maaltype,
    StatusPaaIndsats,
    Stoettebehov,
    Tilbudstype,
    Undertema,
    Ydelse,
)

pytestmark = [pytest.mark.django_db, pytest.mark.now("2027-05-25 09:00")]

FFB = "urn:oid:1.2.208.176.2.22"

# The example's FFB conditions (digest §5.1): sub-theme, its code, the level scored in step 2.
FF_AND_O = {
    "Bevidsthedstilstand": "4934e45a-0f93-4c23-a767-2b681378700b",
    "Intellektuelle funktioner": "ef4271c4-f942-4194-a2b0-e9a7045eab22",
    "Problemløsning": "b93216fa-3843-4a7e-85bc-e3ef35a1967f",
    "Syn": "9959e779-e8ee-47e8-989b-bbff4aae2883",
    "Døgnrytme": "e6f82424-da5a-41d1-bd1a-5796aa79d5f2",
    "Tobak": "f5b8e809-7689-4952-838c-a069c99408b3",
    "Interesser": "52efa2e9-e0dc-41eb-8c01-9865e2fdebae",
    "Familiesituation": "7a8f247b-baf8-4552-95bb-acf8ef004b74",
    "Boligområde": "83342ff3-5f2e-4914-b045-e98357685866",
    "Personer i netværk": "df194a84-6e4b-4f14-a194-d8d9d9a1fcad",
}
SAMSPIL = "3f9da5ac-9686-4eeb-b517-b46e17fcb1d7"
AD = {
    "Indgå i samspil og kontakt": (SAMSPIL, 2),
    "Varetage beskæftigelse": ("685e8517-2f5c-4ef8-a7c4-fa2d008fdd9d", 1),
    "Spise": ("464a2ab6-a7df-4b3a-b74d-7873f4cfe668", 3),
    "Købe ind": ("01770afa-cd17-41fe-a966-b8895e4d55d8", 2),
    "Færdes med transportmidler": ("eff3385d-01fa-4c9c-9850-52e179243f21", 3),
}
LEVEL = {
    0: "b508ff66-6326-4862-a6d7-7bbf184c9823",
    1: "8328ce4a-6238-4f73-bf1a-74aadb68eff8",
    2: "5bdde847-2837-416b-ab63-bbff8b7aa531",
    3: "cae545f5-2813-4d79-98fc-0a7d770af3cd",
}
FASTHOLDE = "10752a63-00b4-4958-b7f4-9f3a18f74266"
UDVIKLE = "d41c8072-52f8-42b5-9375-ddbea454d27f"
BEGRAENSE = "e47c22bd-d88d-48ab-882b-419923e1f44e"
LET_STOETTEBEHOV = "dd628e73-d6c9-4837-a2b8-aa62d73bd6ae"
INTET_STOETTEBEHOV = "ae9f388a-91c3-46cf-af55-f81952f2977c"
TARGET_GROUPS = {
    "Anden udviklingsforstyrrelse": ("5cfc9530-a193-4f66-9981-3b980ee9ea7b", 1),
    # The example codes sight as Anden udviklingsforstyrrelse (§5.4 defect 1); vum, its own code.
    "Anden fysisk funktionsnedsættelse": ("da298aec-cd7d-436c-9927-d88d00066881", 2),
    "Selvmordstanker eller -forsøg": ("5e95db73-4d16-4084-93a3-595c0650b160", 2),
}
BOTILBUD = "498fe92c-d7f7-41cd-9404-5b38fe113be0"
DAGTILBUD = "9401777d-bdc5-4f52-9804-63c8cae9a792"
DAGLIGE_OPGAVER = "638f44df-6bf2-47f8-9935-b8fdc83e5bf5"
SUND_LEVEVIS = "3c1639d0-e486-43c6-8add-448b8aff4b8f"
SOCIAL_AKTIVITET = "7e419926-bb04-4829-99c9-95ea20403c2c"
CONTINUE = "1e971d84-10a4-4ef8-a8b3-0daa4c7d088a"
END = "d7d03656-4c87-4e67-9146-aa5990460f16"  # Træf afgørelse om afslutning af indsats


@pytest.fixture(autouse=True)
def setup(db: None, settings: Any, tmp_path: Path) -> None:
    ffb_configured(settings, tmp_path)


def _current(model: Any, **lookup: Any) -> Any:
    return model.objects.current().get(**lookup)


def deliver(day: str) -> dict[str, Any] | None:
    """Run the FFB delivery for the day (at 23:30 that day) and return Børge's bundle, if any
    was delivered; every delivered bundle passes the validation again here."""
    with time_machine.travel(local_instant(f"{day} 23:30")):
        levering = ffb_levering_run(dag=date.fromisoformat(day))
    assert levering.afvist == 0
    rows = list(FfbBorgerlevering.objects.filter(levering=levering))
    if not rows:
        return None
    (row,) = rows
    assert delivery_report_problems(row.bundt) == []
    return row.bundt


def snapshot(sag: Any) -> dict[str, Any]:
    """Børge's bundle as it stands now, validated, not delivered: what a delivery at this moment
    would send (vum delivers once a day, so the IG's three bundles of 29/5 are one in vum)."""
    (facts,) = ffb_facts([sag.borger_id], niveauer=levels())
    report = build_delivery_report(
        facts,
        kommune=KOMMUNE,
        sagsnummer_system="urn:test",
        dag=timezone.localdate(),
        timestamp=timezone.now(),
    )
    assert report is not None
    assert report.problems == []
    assert delivery_report_problems(report.bundle) == []
    return report.bundle


def of(bundle: dict[str, Any], profile: str) -> list[dict[str, Any]]:
    return [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["meta"]["profile"][0].endswith(f"kl-reporting-ffb-{profile}")
    ]


def code(concept: dict[str, Any]) -> str:
    (coding,) = concept["coding"]
    return str(coding["code"])


def by_code(conditions: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {code(c["code"]): c for c in conditions}


def ref(resource: dict[str, Any]) -> str:
    return f"{resource['resourceType']}/{resource['id']}"


def rank(reference: dict[str, Any]) -> int:
    (extension,) = reference["extension"]
    return int(extension["valuePositiveInt"])


def at(day: str, clock: str = "10:00") -> Any:
    return time_machine.travel(local_instant(f"{day} {clock}"))


def test_boerge_mogensens_seven_steps(caseworker: User) -> None:
    # Step 1, sagsåbning (27/5): the case and its enquiry; no FFB facts yet, nothing is sent.
    with at("2027-05-27"):
        sag = sag_in_phase(
            Fase.SAGSOPLYSNING, team=caseworker.teams.get(), sagsbehandler=caseworker
        )
        sag.borger.cpr, sag.borger.fornavn, sag.borger.efternavn = "0101814321", "Børge", "Mogensen"
        sag.borger.save()
    assert deliver("2027-05-27") is None

    # Step 2, sagsoplysning (28/5): F&F and the surroundings described, A&D scored 0-4.
    with at("2027-05-28"):
        udredning = udredning_start(actor=caseworker, sag=sag)
        highlighted: dict[Any, list[Any]] = {}
        for name in FF_AND_O:
            undertema = _current(Undertema, navn=name)
            highlighted.setdefault(undertema.tema, []).append(undertema)
        for tema, undertemaer in highlighted.items():
            tema_oplysning_save(
                actor=caseworker,
                udredning=udredning,
                tema=tema,
                fremhaevede_undertemaer=undertemaer,
                fra_borgeren="Senfølger efter covid.",
            )
        for name, (_code, level) in AD.items():
            funktionsevne_score(
                actor=caseworker,
                udredning=udredning,
                undertema=_current(Undertema, navn=name),
                vaerdi=level,
            )
    step2 = deliver("2027-05-28")
    assert step2 is not None
    (patient,) = of(step2, "citizen")
    assert patient["identifier"][0]["value"] == "0101814321"
    assert patient["managingOrganization"]["identifier"]["value"] == KOMMUNE
    (service_request,) = of(step2, "serviceRequest")
    assert (service_request["status"], service_request["intent"]) == ("active", "proposal")
    conditions = by_code(of(step2, "condition"))
    assert set(conditions) == set(FF_AND_O.values()) | {c for c, _ in AD.values()}  # 15
    for sub_code in FF_AND_O.values():
        assert "severity" not in conditions[sub_code]
    for sub_code, level in AD.values():
        assert code(conditions[sub_code]["severity"]) == LEVEL[level]
        assert conditions[sub_code]["recordedDate"] == "2027-05-28"
    for condition in conditions.values():
        assert code(condition["clinicalStatus"]) == "active"
        assert code(condition["verificationStatus"]) == "confirmed"
    (impression,) = of(step2, "informationGathering")
    assert impression["status"] == "in-progress"
    assert "investigation" not in impression
    assert {f["itemReference"]["reference"] for f in impression["finding"]} == {
        ref(c) for c in conditions.values()
    }
    assert impression["extension"][0]["valueReference"]["reference"] == ref(service_request)
    assert len(step2["entry"]) == 18  # as the example's step 2

    # Step 3, sagsvurdering (29/5): three indsatsmål, støttebehov 1 Let.
    with at("2027-05-29"):
        sag = sag_transition(actor=caseworker, sag=sag, name="start_sagsvurdering")
        vurdering = sagsvurdering_start(actor=caseworker, sag=sag)
        sagsvurdering_update(
            actor=caseworker,
            vurdering=vurdering,
            vurdering_af_situation="Børge har senfølger efter covid og har været hjemløs.",
            berettiget=True,
            berettigelse_begrundelse="Nedsat funktionsevne; behov for støtte.",
            indsatsformaal="Børge bor godt og har en meningsfuld hverdag.",
            handleplan_tilbudt=False,
            handleplan_ikke_tilbudt_begrundelse="Borgeren ønsker ikke handleplan.",
            faelles_opfoelgning="3_maaneder",
        )
        solstraalen, _ = Organisation.objects.get_or_create(
            navn="Solstrålen, Viborg", defaults={"p_nummer": "1012345679"}
        )
        maaneskinnet, _ = Organisation.objects.get_or_create(
            navn="Måneskinnet", defaults={"p_nummer": "1012345680"}
        )
        goals = [
            (
                "Jeg klarer at være sammen med andre.",
                "Fastholde funktionsevne",
                1,
                "Indgå i samspil og kontakt",
                ["Varetage beskæftigelse", "Færdes med transportmidler"],
            ),
            ("Jeg køber selv ind.", "Udvikle funktionsevne", 0, "Købe ind", []),
            ("Jeg spiser selv.", "Begrænse tab af funktionsevne", 3, "Spise", []),
        ]
        for text, maaltype, expected, primary, related in goals:
            maal_add(
                actor=caseworker,
                vurdering=vurdering,
                maalformulering=text,
                maaltype=_current(Maaltype, navn=maaltype),
                primaert_undertema=_current(Undertema, navn=primary),
                relaterede_undertemaer=[_current(Undertema, navn=r) for r in related],
                forventet_niveau=expected,
                # Shopping is trained at the dagtilbud, the rest at the botilbud.
                udfoerer=maaneskinnet if primary == "Købe ind" else solstraalen,
            )
        stoettebehov_set(actor=caseworker, vurdering=vurdering, vaerdi=1)
        step3 = snapshot(sag)
    conditions = by_code(of(step3, "condition"))
    assert len(conditions) == 15
    goals_sent = of(step3, "interventionGoal")
    assert len(goals_sent) == 3
    expected_goals = {
        SAMSPIL: (
            FASTHOLDE,
            LEVEL[1],
            [
                (SAMSPIL, 1),
                (AD["Varetage beskæftigelse"][0], 2),
                (AD["Færdes med transportmidler"][0], 2),
            ],
        ),
        AD["Købe ind"][0]: (UDVIKLE, LEVEL[0], [(AD["Købe ind"][0], 1)]),
        AD["Spise"][0]: (BEGRAENSE, LEVEL[3], [(AD["Spise"][0], 1)]),
    }
    url_code = {ref(c): sub for sub, c in conditions.items()}
    for goal in goals_sent:
        addressed = [(url_code[a["reference"]], rank(a)) for a in goal["addresses"]]
        maaltype, level, addresses = expected_goals[addressed[0][0]]
        assert addressed == addresses
        assert goal["lifecycleStatus"] == "active"
        assert code(goal["category"][0]) == "0bb3daef-538d-45dc-b444-abdbcb63f6bc"
        targets = {code(t["measure"]): code(t["detailCodeableConcept"]) for t in goal["target"]}
        assert targets == {
            "90c48f03-f194-4b2f-ad7d-6cba1069ae48": maaltype,
            "66959f77-6e2a-4574-8423-3ff097f8b9fa": level,
        }
    (evaluation,) = of(step3, "careEvaluation")
    assert code(evaluation["valueCodeableConcept"]) == LET_STOETTEBEHOV
    assert evaluation["status"] == "final"
    (impression3,) = of(step3, "informationGathering")
    assert impression3["id"] == impression["id"]  # the same udredning, updated
    assert impression3["status"] == "completed"
    assert impression3["investigation"][0]["item"] == [{"reference": ref(evaluation)}]
    assert len(step3["entry"]) == 22  # as the example's step 3

    # Step 4, the target groups (29/5): they go with the care plans, so nothing changes yet.
    with at("2027-05-29", "12:00"):
        maalgrupper_set(
            actor=caseworker,
            vurdering=vurdering,
            primaer=_current(Maalgruppe, navn="Anden udviklingsforstyrrelse"),
            andre=[
                _current(Maalgruppe, navn="Anden fysisk funktionsnedsættelse"),
                _current(Maalgruppe, navn="Selvmordstanker eller -forsøg"),
            ],
        )
        assert content_sha256(snapshot(sag)) == content_sha256(step3)

    # Step 5, bevilling and bestilling (29/5): a botilbud with two § 85 ydelser, a dagtilbud
    # with social aktivitet, follow-up planned for 29/8.
    with at("2027-05-29", "14:00"):
        r85 = KommunalYdelse.objects.current().get(kommune__slug="randers", kode="R-85")
        granted = [
            indsats_add(
                actor=caseworker,
                vurdering=vurdering,
                ydelser=[_current(Ydelse, navn=name) for name in ydelser],
                kommunal_ydelse=r85,
                tilbudstype=_current(Tilbudstype, navn=tilbud),
                udfoerer=provider,
                forventet_start=date(2027, 5, 29),
            )
            for tilbud, provider, ydelser in (
                (
                    "Almindeligt længerevarende botilbud",
                    solstraalen,
                    ["Støtte til daglige opgaver i hjemmet", "Støtte til sund levevis"],
                ),
                ("Aktivitets- og samværstilbud", maaneskinnet, ["Social aktivitet"]),
            )
        ]
        sag, afgoerelse = granted_in_writing(
            caseworker,
            sag,
            granted,
            truffet=date(2027, 5, 29),
            virkningsdato=date(2027, 5, 29),
            beskrivelse="støtte efter servicelovens § 85",
            kommunal_ydelse=r85,
        )
        staff: dict[Any, User] = {}
        for order in bestillinger_send(actor=caseworker, afgoerelse=afgoerelse):
            staff[order.udfoerer_id] = UserFactory(udfoerer=True, organisation=order.udfoerer)
            bestilling_accept(actor=staff[order.udfoerer_id], bestilling=order)
        first_follow_up = opfoelgning_plan(actor=caseworker, sag=sag, agreed=date(2027, 8, 29))
    # The day's one delivery: steps 3 to 5 together.
    step5 = deliver("2027-05-29")
    assert step5 is not None
    assert len(of(step5, "interventionGoal")) == 3
    target_groups = of(step5, "targetGroup")
    assert sorted(code(t["code"]) for t in target_groups) == sorted(
        c for c, _ in TARGET_GROUPS.values()
    )
    assert {t["recordedDate"] for t in target_groups} == {"2027-05-29"}
    group_rank = {ref(t): dict(TARGET_GROUPS.values())[code(t["code"])] for t in target_groups}
    teams = {code(t["category"][0]): ref(t) for t in of(step5, "servicePerformer")}
    assert set(teams) == {BOTILBUD, DAGTILBUD}
    (encounter,) = of(step5, "followUpEncounter")
    assert encounter["status"] == "planned"
    assert encounter["class"] == {
        "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
        "code": "HH",
    }
    assert encounter["period"] == {"start": first_follow_up.dato.isoformat()}
    assert first_follow_up.dato <= date(2027, 8, 29)
    plans = {code_of_team(p, teams): p for p in of(step5, "carePlan")}
    assert set(plans) == {BOTILBUD, DAGTILBUD}
    (evaluation5,) = of(step5, "careEvaluation")
    for plan in plans.values():
        assert (plan["status"], plan["intent"]) == ("active", "order")  # both order (defect 4)
        assert plan["period"] == {"start": "2027-05-29"}
        assert {a["reference"]: rank(a) for a in plan["addresses"]} == group_rank
        assert plan["activity"] == [{"outcomeReference": [{"reference": ref(evaluation5)}]}]
        follow_up_date = [
            e for e in plan["extension"] if e["url"].endswith("follow-up-date-extension")
        ]
        assert follow_up_date == [
            {
                "url": "http://fhir.kl.dk/ffbreporting/StructureDefinition/kl-reporting-ffb-follow-up-date-extension",
                "valueReference": {"reference": ref(encounter)},
            }
        ]
        case_number = [e for e in plan["extension"] if e["url"].endswith("municipalityCaseNumber")]
        assert case_number[0]["extension"][0]["valueIdentifier"]["value"] == str(sag.pk)
    interventions = {code(i["activity"][0]["detail"]["code"]): i for i in of(step5, "intervention")}
    assert set(interventions) == {DAGLIGE_OPGAVER, SUND_LEVEVIS, SOCIAL_AKTIVITET}
    based_on = {DAGLIGE_OPGAVER: BOTILBUD, SUND_LEVEVIS: BOTILBUD, SOCIAL_AKTIVITET: DAGTILBUD}
    for ydelse, intervention in interventions.items():
        # Each ydelse on its own care plan (the example moves two, §5.4 defect 3).
        assert intervention["basedOn"] == [{"reference": ref(plans[based_on[ydelse]])}]
        assert (intervention["status"], intervention["intent"]) == ("active", "order")
        assert intervention["period"] == {"start": "2027-05-29"}
        assert intervention["created"] == "2027-05-29"
        assert intervention["activity"][0]["detail"]["status"] == "in-progress"

    # Step 6, a follow-up (18/6): samspil og kontakt is re-scored to 1, its goal revised to
    # expected level 0; the indsats continues.
    with at("2027-06-10"):
        opfoelgning_cancel(
            actor=caseworker, opfoelgning=first_follow_up, begrundelse="Tidligere møde."
        )
        early = opfoelgning_plan(actor=caseworker, sag=sag, agreed=date(2027, 6, 18))
        early = meeting(staff, early, date(2027, 6, 18))
    with at("2027-06-18", "12:00"):
        skema = skema_start(actor=caseworker, opfoelgning=early)
        keep = _current(Fremadrettet, navn="Mål uændret")
        revise = _current(Fremadrettet, navn="Mål skal revideres")
        samspil_goal = vurdering.maal.get(primaert_undertema__navn="Indgå i samspil og kontakt")
        skema = skema_update(
            actor=caseworker,
            skema=skema,
            maal={
                row.indsatsmaal_id: {
                    "nyt_niveau": 1
                    if row.indsatsmaal_id == samspil_goal.pk
                    else row.overfoert_niveau,
                    "fremadrettet": revise if row.indsatsmaal_id == samspil_goal.pk else keep,
                    "sagsbehandlers_vurdering": "Arbejdet går som aftalt.",
                }
                for row in skema.maal.all()
            },
            **_tilsyn(
                status=CONTINUE, stoettebehov="Let støttebehov", naeste_dato=date(2027, 8, 30)
            ),
        )
        opfoelgning_revise_goals(
            actor=caseworker, skema=skema, maal={samspil_goal.pk: {"forventet_niveau": 0}}
        )
    step6 = deliver("2027-06-18")
    assert step6 is not None
    samspil = by_code(of(step6, "condition"))[SAMSPIL]
    assert samspil["id"] == conditions[SAMSPIL]["id"]  # re-assessed: the same condition
    assert code(samspil["severity"]) == LEVEL[1]  # the new level (the example keeps 2, defect 2)
    assert samspil["extension"] == [
        {
            "url": "http://fhir.kl.dk/core/StructureDefinition/ConditionLastAssertedDate",
            "valueDateTime": "2027-06-18",
        }
    ]
    (result,) = of(step6, "followUp")
    assert (result["status"], code(result["code"]), code(result["valueCodeableConcept"])) == (
        "final",
        "712744002",
        CONTINUE,
    )
    assert {f["reference"] for f in result["focus"]} == {ref(p) for p in plans.values()}
    (revised,) = [
        g for g in of(step6, "interventionGoal") if g["addresses"][0]["reference"] == ref(samspil)
    ]
    assert {code(t["detailCodeableConcept"]) for t in revised["target"]} == {FASTHOLDE, LEVEL[0]}
    (encounter6,) = of(step6, "followUpEncounter")
    assert encounter6["period"] == {"start": "2027-08-30"}

    # Step 7, afslutning (30/8): støttebehov 0 Intet; both indsatser end on 30/8.
    with at("2027-08-30", "09:00"):
        last = Opfoelgning.objects.get(sag=sag, status=Opfoelgning.Status.PLANLAGT)
        last = meeting(staff, last, date(2027, 8, 30))
    with at("2027-08-30", "12:00"):
        skema = skema_start(actor=caseworker, opfoelgning=last)
        ends = _current(Fremadrettet, navn="Mål skal afsluttes")
        skema = skema_update(
            actor=caseworker,
            skema=skema,
            maal={
                row.indsatsmaal_id: {
                    "nyt_niveau": row.overfoert_niveau,
                    "fremadrettet": ends,
                    "sagsbehandlers_vurdering": "Målet er nået.",
                }
                for row in skema.maal.all()
            },
            **_tilsyn(
                status=END,
                stoettebehov="Intet støttebehov",
                borger_enig=None,
            ),
        )
        mads_heard_before_the_end(caseworker, sag)
        opfoelgning_end(
            actor=caseworker,
            skema=skema,
            virkningsdato=date(2027, 8, 30),
            begrundelse_vurdering="Børge klarer sig nu selv.",
            begrundelse_regler="Servicelovens § 85.",
        )
    step7 = deliver("2027-08-30")
    assert step7 is not None
    evaluations = {code(e["valueCodeableConcept"]): e for e in of(step7, "careEvaluation")}
    assert INTET_STOETTEBEHOV in evaluations
    closing = evaluations[INTET_STOETTEBEHOV]
    final_plans = {code_of_team(p, teams): p for p in of(step7, "carePlan")}
    for plan in final_plans.values():  # both end (the example closes only one, defect 5)
        assert plan["status"] == "completed"
        assert plan["period"] == {"start": "2027-05-29", "end": "2027-08-30"}
        assert not [e for e in plan["extension"] if e["url"].endswith("follow-up-date-extension")]
        assert plan["activity"] == [{"outcomeReference": [{"reference": ref(closing)}]}]
    for intervention in of(step7, "intervention"):  # ended ydelser completed (defect 6)
        assert intervention["status"] == "completed"
        assert intervention["period"] == {"start": "2027-05-29", "end": "2027-08-30"}
        assert intervention["activity"][0]["detail"]["status"] == "completed"
    results = {code(r["valueCodeableConcept"]): r for r in of(step7, "followUp")}
    assert set(results) == {CONTINUE, END}
    assert results[END]["effectiveDateTime"].startswith("2027-08-30")
    (service_request7,) = of(step7, "serviceRequest")
    assert service_request7["status"] == "completed"
    assert {g["lifecycleStatus"] for g in of(step7, "interventionGoal")} == {"completed"}
    assert not of(step7, "followUpEncounter")

    # Nothing more to send: the next day's run finds Børge unchanged.
    assert deliver("2027-08-31") is None


def meeting(staff: dict[Any, User], opfoelgning: Opfoelgning, day: date) -> Opfoelgning:
    """The provider calls the follow-up meeting, at 10 on the day, at Solstrålen."""
    return opfoelgning_call(
        actor=staff[opfoelgning.udfoerer_id],
        opfoelgning=opfoelgning,
        tidspunkt=timezone.make_aware(datetime.combine(day, time(10))),
        form=Opfoelgning.Form.MOEDE,
        sted="Solstrålen, Viborg",
    )


def code_of_team(plan: dict[str, Any], teams: dict[str, str]) -> str:
    (team,) = plan["careTeam"]
    return next(c for c, url in teams.items() if url == team["reference"])


def _tilsyn(*, status: str, stoettebehov: str, **overrides: Any) -> dict[str, Any]:
    """The follow-up form's answers, with the status on the indsats by its FFB code."""
    fields = {
        "form": Opfoelgningsskema.Form.MOEDE,
        "samlet_konklusion": "Børge er godt i gang.",
        "status_paa_indsats": _current(StatusPaaIndsats, ffb_kode=status),
        "stoettebehov_efter": _current(Stoettebehov, navn=stoettebehov),
        "tilsyn_gennemfoert": True,
        "trives": True,
        "magtanvendelser_i_perioden": False,
        "tilsyn_konklusion": "Børge trives.",
        "moedt_borgeren": True,
        "borger_enig": True,
    }
    fields.update(overrides)
    return fields
