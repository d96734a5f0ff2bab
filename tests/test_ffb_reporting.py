"""KL's FFB data set (issue 24, the reporting IG's DeliveryReport): the Mads case delivered as a
bundle that parses as FHIR R4 and keeps the IG's invariants; each invariant broken, reported with
its id and a Danish reason, and the citizen not delivered; the daily delta holds only the
citizens whose FFB facts changed, and running a day again delivers nothing twice; the value sets
equal KL's CSVs; the transports; the daily task and the command."""

import csv
import json
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone
from django.utils.html import escape

from assessment.models import Indsatsmaal, Sagsvurdering, VurderingMaalgruppe
from cases.models import Borger
from cases.services.sag import journalnotat_create
from followup.ffb_dataset.bundle import build_delivery_report, content_sha256
from followup.ffb_dataset.codes import VALUE_SETS
from followup.ffb_dataset.facts import ffb_facts, levels
from followup.ffb_dataset.selectors import ffb_afvisninger_open
from followup.ffb_dataset.transport import NationalGatewayTransport
from followup.ffb_dataset.validation import (
    DELIVERY_REPORT_INVARIANTS,
    INVARIANTS,
    delivery_report_problems,
)
from followup.models import FfbAfvisning, FfbBorgerlevering, FfbLevering, Opfoelgning
from followup.services.ffb_levering import (
    _tell_caseworkers,
    ffb_alle,
    ffb_kandidater,
    ffb_levering_run,
)
from followup.services.opfoelgning import opfoelgning_cancel, opfoelgning_plan
from followup.tasks import deliver_ffb_data_set
from tests.clock import local_instant
from tests.factories import SagFactory, TeamFactory, UserFactory
from tests.ffb import KOMMUNE, delivering, ffb_configured
from tests.mads import Mads, mads_decided, mads_time
from vum.accounts.models import User
from vum.audit.models import AuditAction, AuditEvent
from vum.catalog.models import Undertema
from vum.notifications.models import Notifikation

pytestmark = [pytest.mark.django_db, mads_time]

CODES = Path(__file__).resolve().parents[2] / "shared" / "domain" / "ffb-codes"
TODAY = date(2026, 11, 18)  # MADS_NOW's day


@pytest.fixture(autouse=True)
def setup(db: None, settings: Any, tmp_path: Path) -> None:
    ffb_configured(settings, tmp_path)


def bundle_of(mads: Mads) -> dict[str, Any]:
    (facts,) = ffb_facts([mads.sag.borger_id], niveauer=levels())
    report = build_delivery_report(
        facts, kommune=KOMMUNE, sagsnummer_system="urn:test", dag=TODAY, timestamp=timezone.now()
    )
    assert report is not None
    assert report.problems == []
    return report.bundle


def resources(bundle: dict[str, Any], profile: str) -> list[dict[str, Any]]:
    suffix = f"kl-reporting-ffb-{profile}"
    return [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["meta"]["profile"][0].endswith(suffix)
    ]


def codes(concept: dict[str, Any]) -> list[str]:
    return [c["code"] for c in concept["coding"]]


# The Mads bundle


def test_the_mads_bundle_is_valid_and_holds_his_ffb_facts(caseworker: User) -> None:
    mads = delivering(caseworker)
    bundle = bundle_of(mads)
    assert delivery_report_problems(bundle) == []
    assert bundle["type"] == "collection"
    (patient,) = resources(bundle, "citizen")
    assert patient["identifier"] == [
        {"use": "official", "system": "urn:oid:1.2.208.176.1.2", "value": mads.sag.borger.cpr}
    ]
    assert patient["managingOrganization"]["identifier"]["value"] == KOMMUNE
    assert set(patient) == {"resourceType", "id", "meta", "identifier", "managingOrganization"}
    # The eight scored sub-themes, each with its level; severity only on A&D.
    conditions = resources(bundle, "condition")
    assert len(conditions) == 8
    assert all(codes(c["code"])[0] in VALUE_SETS["KLConditionADCodesFFB"] for c in conditions)
    moderat = "5bdde847-2837-416b-ab63-bbff8b7aa531"
    samspil = "3f9da5ac-9686-4eeb-b517-b46e17fcb1d7"
    (samspil_condition,) = [c for c in conditions if codes(c["code"]) == [samspil]]
    assert codes(samspil_condition["severity"]) == [moderat]
    # Target groups: exactly one primary on the care plan.
    (plan,) = resources(bundle, "carePlan")
    ranks = sorted(a["extension"][0]["valuePositiveInt"] for a in plan["addresses"])
    assert ranks == [1, 2]
    assert plan["status"] == "active"
    assert plan["intent"] == "order"
    assert plan["period"] == {"start": "2026-10-01"}
    assert len(plan["goal"]) == 4
    # Support need 3 (Højt) as the plan's outcome and the udredning's conclusion.
    (evaluation,) = resources(bundle, "careEvaluation")
    assert codes(evaluation["valueCodeableConcept"]) == ["b99a0790-4d70-4152-b149-3fe58b745583"]
    assert plan["activity"][0]["outcomeReference"][0]["reference"].endswith(evaluation["id"])
    (impression,) = resources(bundle, "informationGathering")
    assert impression["status"] == "completed"
    assert len(impression["finding"]) == 8
    # Four goals: Udvikle, the expected level, the primary sub-theme at rank 1.
    goals = resources(bundle, "interventionGoal")
    assert len(goals) == 4
    for goal in goals:
        assert goal["description"] == {
            "coding": [{"system": "http://snomed.info/sct", "code": "410518001"}]
        }
        targets = {
            codes(t["measure"])[0]: codes(t["detailCodeableConcept"])[0] for t in goal["target"]
        }
        assert (
            targets["90c48f03-f194-4b2f-ad7d-6cba1069ae48"]
            == "d41c8072-52f8-42b5-9375-ddbea454d27f"
        )
        assert [a["extension"][0]["valuePositiveInt"] for a in goal["addresses"]] == [1]
    # The four ydelser, each an intervention based on the plan, in progress.
    interventions = resources(bundle, "intervention")
    assert {codes(i["activity"][0]["detail"]["code"])[0] for i in interventions} == {
        "638f44df-6bf2-47f8-9935-b8fdc83e5bf5",
        "d473dea2-4f6d-4f36-a8f0-260f0213f50a",
        "1a2daf63-0510-4bf3-8578-662d4300c965",
        "05cd5e81-1a3a-4bdd-901b-7ec96c12d990",
    }
    assert {i["activity"][0]["detail"]["status"] for i in interventions} == {"in-progress"}
    # The planned follow-up, 30 December 2026, as the plan's follow-up date.
    (encounter,) = resources(bundle, "followUpEncounter")
    assert encounter["period"] == {"start": "2026-12-30"}
    (team,) = resources(bundle, "servicePerformer")
    assert codes(team["category"][0]) == ["d90f4da6-f87a-43b5-833f-646b4baf16d6"]  # Mobilt tilbud


def test_the_same_facts_give_the_same_content_digest_at_any_time(caseworker: User) -> None:
    mads = delivering(caseworker)
    first = bundle_of(mads)
    with time_machine.travel(local_instant("2026-11-18 15:00")):
        second = bundle_of(mads)
    assert first["timestamp"] != second["timestamp"]
    assert content_sha256(first) == content_sha256(second)


def test_a_batch_of_citizens_is_read_in_the_same_number_of_queries_as_one(
    caseworker: User, django_assert_num_queries: Any
) -> None:
    """No query per citizen: the day's delta at scale costs its batches, not its citizens."""
    first = delivering(caseworker)
    second = delivering(caseworker)
    niveauer = levels()
    with django_assert_num_queries(19):
        ffb_facts([first.sag.borger_id], niveauer=niveauer)
    with django_assert_num_queries(19):
        both = ffb_facts([first.sag.borger_id, second.sag.borger_id], niveauer=niveauer)
    assert [c.pk for c in both] == sorted([first.sag.borger_id, second.sag.borger_id])


# Each invariant broken


def _problems(bundle: dict[str, Any]) -> dict[str, str]:
    return {p.regel: p.tekst for p in delivery_report_problems(bundle)}


def _first(bundle: dict[str, Any], profile: str) -> dict[str, Any]:
    return resources(bundle, profile)[0]


def _set_rank(reference: dict[str, Any], rank: int) -> None:
    reference["extension"][0]["valuePositiveInt"] = rank


def _ad_condition(bundle: dict[str, Any]) -> dict[str, Any]:
    return _first(bundle, "condition")


TAMPERED: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "kl-reporting-ffb-condition-1": (
        lambda b: _ad_condition(b).pop("severity"),
        "skal have et funktionsevneniveau",
    ),
    "kl-reporting-ffb-intervention-goal-2": (
        lambda b: _set_rank(_first(b, "interventionGoal")["addresses"][0], 2),
        "netop ét primært undertema",
    ),
    "kl-reporting-ffb-care-plan-2": (
        lambda b: [_set_rank(a, 1) for a in _first(b, "carePlan")["addresses"]],
        "to primære målgrupper",
    ),
    "kl-reporting-ffb-follow-up-1": (
        lambda b: b["entry"].append(
            {
                "fullUrl": "Observation/00000000-0000-4000-8000-000000000001",
                "resource": {
                    **_first(b, "careEvaluation"),
                    "id": "00000000-0000-4000-8000-000000000001",
                    "meta": {
                        "profile": [
                            _first(b, "careEvaluation")["meta"]["profile"][0].replace(
                                "careEvaluation", "followUp"
                            )
                        ]
                    },
                    "status": "preliminary",
                    "valueCodeableConcept": {
                        "coding": [
                            {
                                "system": "urn:oid:1.2.208.176.2.22",
                                "code": "1e971d84-10a4-4ef8-a8b3-0daa4c7d088a",
                            }
                        ]
                    },
                },
            }
        ),
        "endeligt",
    ),
    "kl-reporting-ffb-delivery-report-1": (
        lambda b: _ad_condition(b)["meta"].update(profile=["http://example.org/other"]),
        "FFB-profilerne",
    ),
    "kl-reporting-ffb-delivery-report-2": (
        lambda b: _first(b, "carePlan")["meta"].update(profile=["http://example.org/other"]),
        "FFB-profilerne",
    ),
    "kl-reporting-ffb-delivery-report-3": (
        lambda b: _first(b, "careEvaluation")["meta"].update(profile=["http://example.org/other"]),
        "FFB-profilerne",
    ),
}


@pytest.mark.parametrize("rule", sorted(TAMPERED))
def test_a_bundle_breaking_an_invariant_is_reported_with_its_id_in_danish(
    caseworker: User, rule: str
) -> None:
    """The invariants vum's data cannot break (a database constraint or the builder itself
    stands in the way) are broken in the bundle."""
    bundle = bundle_of(delivering(caseworker))
    tamper, reason = TAMPERED[rule]
    tamper(bundle)
    problems = _problems(bundle)
    assert rule in problems
    assert reason in problems[rule]


def _refused(mads: Mads, rule: str) -> str:
    """Run the day; the citizen is refused for `rule` (its Danish reason returned) and nothing
    of them was delivered."""
    levering = ffb_levering_run(dag=TODAY)
    assert levering.afvist == 1
    assert levering.leveret == 0
    (afvisning,) = FfbAfvisning.objects.filter(levering=levering)
    assert afvisning.borger_id == mads.sag.borger_id
    assert afvisning.sager == [mads.sag.pk]
    reasons = {f["regel"]: f["tekst"] for f in afvisning.fejl}
    assert rule in reasons
    assert not FfbBorgerlevering.objects.exists()
    assert not list(Path(settings.VUM_FFB_DIR).rglob("*.json"))
    return reasons[rule]


def test_a_granted_indsats_without_a_planned_follow_up_is_not_delivered(caseworker: User) -> None:
    mads = delivering(caseworker)
    opfoelgning = Opfoelgning.objects.get(sag=mads.sag)
    opfoelgning_cancel(actor=caseworker, opfoelgning=opfoelgning, begrundelse="Flyttet.")
    assert "planlagt opfølgning" in _refused(mads, "kl-reporting-ffb-care-plan-1")


def test_a_granted_indsats_without_a_support_need_is_not_delivered(caseworker: User) -> None:
    mads = delivering(caseworker)
    Sagsvurdering.objects.filter(pk=mads.vurdering.pk).update(stoettebehov=None)
    assert "vurdering af støttebehovet" in _refused(mads, "kl-reporting-ffb-care-plan-4")


def test_a_granted_indsats_without_target_groups_is_not_delivered(caseworker: User) -> None:
    mads = delivering(caseworker)
    VurderingMaalgruppe.objects.filter(vurdering=mads.vurdering).delete()
    assert "skal have målgrupper" in _refused(mads, "kl-reporting-ffb-care-plan-5")


def test_target_groups_without_a_primary_are_not_delivered(caseworker: User) -> None:
    mads = delivering(caseworker)
    VurderingMaalgruppe.objects.filter(vurdering=mads.vurdering).update(primaer=False)
    assert "ingen primær målgruppe" in _refused(mads, "vum-primaer-maalgruppe")


def test_a_goal_on_a_sub_theme_outside_activity_and_participation_is_not_delivered(
    caseworker: User,
) -> None:
    mads = delivering(caseworker)
    syn = Undertema.objects.current().get(navn="Syn")  # Funktioner og forhold
    Indsatsmaal.objects.filter(vurdering=mads.vurdering, raekkefoelge=1).update(
        primaert_undertema=syn
    )
    assert "Aktivitet og deltagelse" in _refused(mads, "kl-reporting-ffb-intervention-goal-1")


def test_an_invalid_cpr_number_is_not_delivered(caseworker: User) -> None:
    mads = delivering(caseworker)
    Borger.objects.filter(pk=mads.sag.borger_id).update(cpr="3102811234")  # 31 February
    assert "CPR-nummer" in _refused(mads, "cpr")


def test_a_goal_without_an_expected_level_is_not_delivered(caseworker: User) -> None:
    mads = delivering(caseworker)
    Indsatsmaal.objects.filter(vurdering=mads.vurdering, raekkefoelge=2).update(
        forventet_niveau=None
    )
    assert "forventet funktionsevneniveau" in _refused(mads, "vum-indsatsmaal")


def test_every_invariant_of_the_ig_is_checked_verbatim_or_in_its_working_form() -> None:
    ids = {i.id for i in INVARIANTS} | set(DELIVERY_REPORT_INVARIANTS)
    assert ids == {
        "kl-reporting-ffb-delivery-report-1",
        "kl-reporting-ffb-delivery-report-2",
        "kl-reporting-ffb-delivery-report-3",
        "kl-reporting-ffb-condition-1",
        "kl-reporting-ffb-intervention-goal-1",
        "kl-reporting-ffb-intervention-goal-2",
        "kl-reporting-ffb-care-plan-1",
        "kl-reporting-ffb-care-plan-2",
        "kl-reporting-ffb-care-plan-4",
        "kl-reporting-ffb-care-plan-5",
        "kl-reporting-ffb-follow-up-1",
        "cpr",
    }
    # Every replacement says why the IG's own expression cannot be evaluated as written.
    assert all(i.why for i in INVARIANTS if i.expression)


# The daily delta


def test_the_daily_delta_holds_only_the_citizens_whose_ffb_facts_changed(caseworker: User) -> None:
    first = delivering(caseworker)
    second = delivering(caseworker)
    levering = ffb_levering_run(dag=TODAY)
    assert (levering.kandidater, levering.leveret, levering.afvist) == (2, 2, 0)
    files = sorted(Path(settings.VUM_FFB_DIR).rglob("*.json"))
    assert len(files) == 2
    delivered = json.loads(files[0].read_text(encoding="utf-8"))
    assert delivered["type"] == "collection"
    assert (
        AuditEvent.objects.filter(action=AuditAction.EXPORT, summary="FFB-datasæt leveret").count()
        == 2
    )

    # Running the day again delivers nothing twice.
    again = ffb_levering_run(dag=TODAY)
    assert (again.kandidater, again.leveret, again.uaendret) == (2, 0, 2)
    assert FfbBorgerlevering.objects.count() == 2

    # The next day: Mads's follow-up is moved (an FFB fact: the planned follow-up date); the
    # other gets a journal note (written, but nothing FFB holds); a third citizen has FFB facts
    # and no writes that day.
    with time_machine.travel(local_instant("2026-11-19 10:00")):
        third = mads_decided(caseworker)
    with time_machine.travel(local_instant("2026-11-20 10:00")):
        opfoelgning_cancel(
            actor=caseworker,
            opfoelgning=Opfoelgning.objects.get(sag=first.sag),
            begrundelse="Statusnotatet mangler.",
        )
        opfoelgning_plan(actor=caseworker, sag=first.sag, agreed=date(2026, 12, 21))
        journalnotat_create(actor=caseworker, sag=second.sag, emne="Opkald", tekst="Mads ringede.")
        day = timezone.localdate()
    assert third.sag.borger_id not in ffb_kandidater(dag=day)
    nextday = ffb_levering_run(dag=day)
    assert (nextday.kandidater, nextday.leveret, nextday.uaendret) == (2, 1, 1)
    (latest,) = FfbBorgerlevering.objects.filter(levering=nextday)
    assert latest.borger_id == first.sag.borger_id
    (encounter,) = resources(latest.bundt, "followUpEncounter")
    assert encounter["period"] == {"start": "2026-12-21"}


def test_the_full_load_delivers_every_citizen_with_ffb_facts(caseworker: User) -> None:
    mads = delivering(caseworker)
    levering = ffb_levering_run(dag=TODAY, fuld=True)
    assert levering.fuld
    assert levering.leveret == 1
    assert FfbBorgerlevering.objects.get().borger_id == mads.sag.borger_id


def test_the_daily_task_delivers_yesterday_and_is_safe_to_run_twice(caseworker: User) -> None:
    with time_machine.travel(local_instant("2026-11-17 10:00")):
        delivering(caseworker)
    assert deliver_ffb_data_set() == 1
    assert deliver_ffb_data_set() == 0  # yesterday is delivered: nothing is due
    assert list(FfbLevering.objects.values_list("dag", flat=True)) == [TODAY - timedelta(days=1)]
    assert deliver_ffb_data_set(dag=str(TODAY - timedelta(days=1))) == 0  # asked again: once
    beat = settings.CELERY_BEAT_SCHEDULE["deliver-ffb-data-set"]
    assert beat["task"] == "followup.deliver_ffb_data_set"


def test_nights_the_task_did_not_run_are_caught_up_oldest_first(caseworker: User) -> None:
    ffb_levering_run(dag=TODAY - timedelta(days=4))  # the last night that ran
    with time_machine.travel(local_instant("2026-11-16 10:00")):
        mads = delivering(caseworker)

    assert deliver_ffb_data_set() == 1
    runs = FfbLevering.objects.order_by("id").values_list("dag", "leveret")
    assert list(runs) == [
        (TODAY - timedelta(days=4), 0),
        (TODAY - timedelta(days=3), 0),
        (TODAY - timedelta(days=2), 1),  # the day the citizen's facts were written
        (TODAY - timedelta(days=1), 0),
    ]
    assert FfbBorgerlevering.objects.get().borger_id == mads.sag.borger_id


def test_the_command_delivers_a_period_one_report_per_day(caseworker: User) -> None:
    with time_machine.travel(local_instant("2026-11-16 10:00")):
        delivering(caseworker)
    out = StringIO()
    call_command("ffb_levering", "--fra", "2026-11-15", "--til", "2026-11-17", stdout=out)
    assert list(FfbLevering.objects.order_by("id").values_list("dag", "leveret")) == [
        (date(2026, 11, 15), 0),
        (date(2026, 11, 16), 1),
        (date(2026, 11, 17), 0),
    ]
    assert "16.11.2026: 1 set på, 1 leveret" in out.getvalue()


# The transports and the configuration


def test_the_national_gateway_refuses_until_it_is_configured(caseworker: User) -> None:
    delivering(caseworker)
    with pytest.raises(ImproperlyConfigured, match="ikke konfigureret"):
        ffb_levering_run(dag=TODAY, transport=NationalGatewayTransport())
    assert not FfbBorgerlevering.objects.exists()


def test_nothing_is_delivered_without_the_municipalitys_organisation(
    caseworker: User, settings: Any
) -> None:
    settings.VUM_FFB_KOMMUNE = ""
    with pytest.raises(ImproperlyConfigured, match="VUM_FFB_KOMMUNE"):
        ffb_levering_run(dag=TODAY)
    assert deliver_ffb_data_set() == 0  # the nightly task: nothing to do, not an error
    assert not FfbLevering.objects.exists()


# The value sets


def _csv(name: str) -> dict[str, str]:
    if not CODES.is_dir():
        pytest.skip("the shared domain folder with KL's FFB CSVs is not beside the checkout")
    with (CODES / f"{name}.csv").open(encoding="utf-8") as f:
        return {row["code"]: row["display"] for row in csv.DictReader(f)}


@pytest.mark.parametrize(
    "name",
    [
        "KLConditionFFCodesFFB",
        "KLConditionOCodesFFB",
        "KLNeedsAssessmentCodesFFB",
        "KLFollowUpCodesFFB",
        "KLConditionADCodesFFB",
        "KLTargetGroupsFFB",
        "KLInterventionsFFB",
        "KLServiceCodesFFB",
        "KLSeveritiesFFB",
        "KLChangeValueCodesFFB",
    ],
)
def test_each_value_set_equals_kls_csv(name: str) -> None:
    assert VALUE_SETS[name] == _csv(name)


# The manager's page


def test_the_managers_page_lists_the_deliveries_and_the_refused_cases(
    caseworker: User, client: Any, django_assert_num_queries: Any
) -> None:
    delivered = delivering(caseworker)
    refused = delivering(caseworker)
    VurderingMaalgruppe.objects.filter(vurdering=refused.vurdering).delete()
    ffb_levering_run(dag=TODAY)
    # The leader shares a citizen's surname, as once happened by chance; the header names them.
    leader = UserFactory(
        leder=True, teams=[caseworker.teams.get()], last_name=refused.sag.borger.efternavn
    )
    client.force_login(leader)
    # The session and the user; the runs; the refusals with their runs and the leader's area in
    # one query; which of their cases are in the area; the session's idle clock saved (an UPDATE
    # in a savepoint): the same however many runs and refusals there are.
    with django_assert_num_queries(8):
        page = client.get("/ledelse/ffb/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<th scope="col">Leveret</th>' in html
    assert "18.11.2026" in html
    assert f"Sag {refused.sag.pk}" in html
    assert f"Sag {delivered.sag.pk}" not in html
    assert "kl-reporting-ffb-care-plan-5" in html
    assert "skal have målgrupper" in html
    # No citizen's data on the page: neither name nor CPR number, looked for in the page's own
    # content, as the header names the leader.
    main = html[html.index("<main") : html.index("</main>")]
    for borger in (delivered.sag.borger, refused.sag.borger):
        assert borger.cpr not in html
        assert borger.efternavn not in main
    # The refresh asks for the tables alone.
    partial = client.get("/ledelse/ffb/", headers={"HX-Request": "true"})
    assert "<h1>" not in partial.content.decode()
    assert "kl-reporting-ffb-care-plan-5" in partial.content.decode()


def test_once_delivered_a_refused_case_leaves_the_page(caseworker: User, client: Any) -> None:
    mads = delivering(caseworker)
    assessed = Sagsvurdering.objects.get(pk=mads.vurdering.pk).stoettebehov
    Sagsvurdering.objects.filter(pk=mads.vurdering.pk).update(stoettebehov=None)
    assert ffb_levering_run(dag=TODAY).afvist == 1
    Sagsvurdering.objects.filter(pk=mads.vurdering.pk).update(stoettebehov=assessed)
    assert ffb_levering_run(dag=TODAY).leveret == 1
    client.force_login(UserFactory(administrator=True))
    html = client.get("/ledelse/ffb/").content.decode()
    assert "Ingen sager er afvist." in html
    assert "FFB-datasættet" in html


def test_a_second_run_of_the_day_refuses_a_citizen_once_for_the_same_reasons(
    caseworker: User,
) -> None:
    refused = delivering(caseworker)
    VurderingMaalgruppe.objects.filter(vurdering=refused.vurdering).delete()
    assert ffb_levering_run(dag=TODAY).afvist == 1
    again = ffb_levering_run(dag=TODAY)  # the command after the nightly task, say
    assert (again.afvist, again.uaendret) == (0, 1)
    assert FfbAfvisning.objects.filter(borger=refused.sag.borger).count() == 1
    assert len(ffb_afvisninger_open(user=UserFactory(administrator=True))) == 1


def test_the_leaders_list_reads_on_past_refusals_of_other_teams_cases(caseworker: User) -> None:
    refused = delivering(caseworker)
    VurderingMaalgruppe.objects.filter(vurdering=refused.vurdering).delete()
    ffb_levering_run(dag=TODAY)
    # A newer refusal of another citizen of the team's, for a case of another team only.
    shared = SagFactory(team=caseworker.teams.get())
    elsewhere = SagFactory(borger=shared.borger, team=TeamFactory())
    FfbAfvisning.objects.create(
        levering=FfbLevering.objects.create(dag=TODAY + timedelta(days=1), transport="mappe"),
        borger=shared.borger,
        sager=[elsewhere.pk],
        fejl=[{"regel": "vum-kode", "tekst": "Koden er ikke i værdisættet.", "sag": elsewhere.pk}],
    )
    leader = UserFactory(leder=True, teams=[caseworker.teams.get()])
    (shown,) = ffb_afvisninger_open(user=leader, limit=1)  # the newest is not the leader's
    assert shown.synlige_sager == [refused.sag.pk]


def test_a_leader_sees_only_the_refused_cases_and_problems_of_their_own_area(
    caseworker: User, client: Any
) -> None:
    refused = delivering(caseworker)
    VurderingMaalgruppe.objects.filter(vurdering=refused.vurdering).delete()
    ffb_levering_run(dag=TODAY)
    # The citizen's other case, in another team, refused with it in a later run, for a problem
    # of its own.
    elsewhere = SagFactory(borger=refused.sag.borger, team=TeamFactory())
    refusal = FfbAfvisning.objects.create(
        levering=FfbLevering.objects.create(dag=TODAY + timedelta(days=1), transport="mappe"),
        borger=refused.sag.borger,
        sager=[refused.sag.pk, elsewhere.pk],
        fejl=[
            {
                "regel": "kl-reporting-ffb-care-plan-5",
                "tekst": "Skal have målgrupper.",
                "sag": refused.sag.pk,
            },
            {
                "regel": "vum-kode",
                "tekst": "Koden HEMMELIG er ikke i værdisættet.",
                "sag": elsewhere.pk,
            },
        ],
    )
    client.force_login(UserFactory(leder=True, teams=[caseworker.teams.get()]))
    html = client.get("/ledelse/ffb/").content.decode()
    assert f"Sag {refused.sag.pk}" in html
    assert "Skal have målgrupper." in html
    assert f"Sag {elsewhere.pk}" not in html
    assert "HEMMELIG" not in html
    assert "1 fejl i borgerens sager hos andre teams" in html
    # The case's caseworker, on its follow-up page, likewise.
    client.force_login(caseworker)
    html = client.get(f"/sager/{refused.sag.pk}/opfoelgning/").content.decode()
    assert "Skal have målgrupper." in html
    assert "HEMMELIG" not in html
    assert "Borgerens andre sager brød 1 regel" in html
    # The other team's leader sees that case alone; the administrator both.
    client.force_login(UserFactory(leder=True, teams=[elsewhere.team]))
    html = client.get("/ledelse/ffb/").content.decode()
    assert f"Sag {elsewhere.pk}" in html
    assert "HEMMELIG" in html
    assert f"Sag {refused.sag.pk}" not in html
    assert "Skal have målgrupper." not in html
    client.force_login(UserFactory(administrator=True))
    html = client.get("/ledelse/ffb/").content.decode()
    assert f"Sag {refused.sag.pk}, Sag {elsewhere.pk}" in html
    assert "HEMMELIG" in html
    # A case refused only for another team's case is not its caseworker's to put right.
    Notifikation.objects.all().delete()
    elsewhere_caseworker = UserFactory(teams=[elsewhere.team])
    only_elsewhere = FfbAfvisning(
        levering=refusal.levering, borger=refusal.borger, sager=refusal.sager, fejl=refusal.fejl[1:]
    )
    _tell_caseworkers([(only_elsewhere, 0)])
    assert list(Notifikation.objects.values_list("modtager", "titel")) == [
        (elsewhere_caseworker.pk, f"Sag {elsewhere.pk} er ikke leveret til FFB-datasættet")
    ]


def test_the_caseworker_is_told_of_a_refused_case_and_sees_why_under_its_follow_up(
    caseworker: User, client: Any
) -> None:
    mads = delivering(caseworker)
    borger_id = mads.sag.borger_id

    def run(days: int) -> FfbLevering:
        return ffb_levering_run(dag=TODAY + timedelta(days=days), borger_ids=[borger_id])

    def told() -> list[Notifikation]:
        return list(Notifikation.objects.filter(kilde__startswith="ffb-afvist:").order_by("pk"))

    assert run(0).leveret == 1
    assessed = Sagsvurdering.objects.get(pk=mads.vurdering.pk).stoettebehov
    Sagsvurdering.objects.filter(pk=mads.vurdering.pk).update(stoettebehov=None)
    assert run(1).afvist == 1
    page = f"/sager/{mads.sag.pk}/opfoelgning/"
    (first,) = told()
    assert first.modtager == caseworker
    assert first.titel == f"Sag {mads.sag.pk} er ikke leveret til FFB-datasættet"
    assert first.link == page
    assert mads.sag.borger.efternavn not in first.titel + first.tekst
    (refusal,) = FfbAfvisning.objects.all()
    assert {fejl["sag"] for fejl in refusal.fejl} == {mads.sag.pk}  # each problem has its case
    client.force_login(caseworker)
    html = client.get(page).content.decode()
    assert "Ikke leveret til FFB-datasættet" in html
    assert "leveringen for 19.11.2026" in html
    for fejl in refusal.fejl:
        assert fejl["regel"] in html
        assert escape(fejl["tekst"]) in html
    # Refused again for the same reason on a later day: not told again.
    assert run(2).afvist == 1
    assert len(told()) == 1
    # The cause undone: the content is as last delivered, and it is delivered again, which
    # ends the refusal; its notification is handled.
    Sagsvurdering.objects.filter(pk=mads.vurdering.pk).update(stoettebehov=assessed)
    assert run(3).leveret == 1
    assert "Ikke leveret til FFB-datasættet" not in client.get(page).content.decode()
    first.refresh_from_db()
    assert first.laest is not None
    # Refused again after that delivery: told again.
    Sagsvurdering.objects.filter(pk=mads.vurdering.pk).update(stoettebehov=None)
    assert run(4).afvist == 1
    assert [n.laest is None for n in told()] == [False, True]


@pytest.mark.parametrize("role", ["sagsbehandler", "udfoerer", "oekonomi", "visitationsudvalg"])
def test_only_leaders_and_administrators_reach_the_page(client: Any, role: str) -> None:
    user = UserFactory(role=role, **({"udfoerer": True} if role == "udfoerer" else {}))
    client.force_login(user)
    assert client.get("/ledelse/ffb/").status_code == 404


# No free text


FHIR_TOKENS = {
    "collection",
    "official",
    "usual",
    "active",
    "completed",
    "in-progress",
    "final",
    "planned",
    "order",
    "proposal",
    "confirmed",
    "HH",
    "municipalitySpecific",
    # resource types
    "Bundle",
    "Patient",
    "ServiceRequest",
    "ClinicalImpression",
    "Condition",
    "Goal",
    "CarePlan",
    "CareTeam",
    "Encounter",
    "Observation",
}
STRUCTURED = re.compile(
    r"(?:[A-Z][A-Za-z]+/)?"  # a reference's resource type
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"  # an id or an FFB code
    r"|(?:https?://|urn:)\S+"  # a system, a profile or an extension
    r"|\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2})?"  # a date or an instant
    r"|\d+"  # the CPR number, a case number, a SNOMED code
)
FREE_TEXT_KEYS = {"text", "note", "comment", "display", "valueString", "valueMarkdown"}


def _keys_and_values(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _keys_and_values(value)
    elif isinstance(node, list):
        for value in node:
            yield from _keys_and_values(value)


@pytest.mark.now("2026-11-18 10:00")
def test_no_free_text_in_any_bundle_of_the_demo_database() -> None:
    """Every string in every bundle of the seeded demo is a code, an id, a URL, a date or a
    number, and no element can carry text: nothing a person wrote (notes, the goals' wording,
    names) reaches the data set. A goal's description is the fixed SNOMED code only."""
    call_command("seed_demo", stdout=StringIO())
    borger_ids = ffb_alle()
    assert borger_ids  # the demo has citizens assessed and in delivery
    bundles = []
    for citizen in ffb_facts(borger_ids, niveauer=levels()):
        report = build_delivery_report(
            citizen,
            kommune=KOMMUNE,
            sagsnummer_system="urn:test",
            dag=TODAY,
            timestamp=timezone.now(),
        )
        assert report is not None
        bundles.append(report.bundle)
    assert len(bundles) == len(borger_ids)
    for bundle in bundles:
        for goal in resources(bundle, "interventionGoal"):
            assert goal["description"] == {
                "coding": [{"system": "http://snomed.info/sct", "code": "410518001"}]
            }
        for key, value in _keys_and_values(bundle):
            assert key not in FREE_TEXT_KEYS, key
            if isinstance(value, str):
                assert value in FHIR_TOKENS or STRUCTURED.fullmatch(value), value
