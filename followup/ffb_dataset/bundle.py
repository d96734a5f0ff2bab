"""A citizen's FFB facts as the reporting IG's DeliveryReport (a `collection` Bundle).

Each bundle holds the citizen's whole current FFB picture, not only what changed: every resource
has an id derived from the row it comes from (and the municipality), so a resource sent again is
an update of the one sent before (the IG's rule), and an unchanged one is sent as it was. That
keeps a bundle complete on its own (every reference resolves inside it, as the IG demands) and
lets a change be found by comparing the content with what was last delivered
(`content_sha256`). Codes only, never free text, and no displays (the IG allows leaving them
out; the follow-up encounter's type forbids one). Decisions on the IG's defects:
docs/ffb-reporting.md.
"""

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from followup.ffb_dataset.codes import (
    ACT_CODE,
    AD_CODES,
    BASED_ON_SERVICE_REQUEST,
    CARE_SOCIAL,
    CASE_NUMBER_EXTENSION,
    CONDITION_CLINICAL,
    CONDITION_LAST_ASSERTED,
    CONDITION_VERIFICATION,
    FFB,
    FOLLOW_UP_CODE,
    FOLLOW_UP_DATE_EXTENSION,
    FOLLOW_UP_ENCOUNTER_TYPE,
    GOAL_DESCRIPTION,
    KOMBIT_ORGANISATION,
    PROFILES,
    SNOMED,
    SUPPORT_NEED_EVALUATION,
    VALUE_SETS,
)
from followup.ffb_dataset.facts import CaseFacts, CitizenFacts, Grant, Vurdering
from orders.fhir import (
    CONDITION_RANK,
    CPR,
    GOAL_INTERVENTION,
    MEASURE_CHANGE_VALUE,
    MEASURE_SEVERITY,
)

NOT_ASSESSED = next(
    code for code, name in VALUE_SETS["KLSeveritiesFFB"].items() if name == "Ikke vurderet"
)


@dataclass
class Problem:
    """Why a citizen's bundle may not leave: the rule's id (the IG's invariant id, or vum's own
    for the profiles' other rules) and the reason in Danish, for the caseworker and the manager."""

    regel: str
    tekst: str
    ressource: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"regel": self.regel, "tekst": self.tekst, "ressource": self.ressource}


@dataclass
class Report:
    """A citizen's DeliveryReport, and what the facts could not express (found while building;
    validation adds the rest)."""

    borger_id: int
    bundle: dict[str, Any]
    sag_ids: list[int]
    problems: list[Problem] = field(default_factory=list)
    # The case each resource came from (by full URL, and "Sag N"), so that a problem is shown
    # to those who may see its case: a citizen's cases may belong to different teams.
    sag_of: dict[str, int] = field(default_factory=dict)

    def problem_rows(self, problems: list[Problem]) -> list[dict[str, Any]]:
        """The problems as FfbAfvisning keeps them, each with its case (None: the citizen's)."""
        return [{**p.as_dict(), "sag": self.sag_of.get(p.ressource)} for p in problems]


def _instant(value: datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def _coding(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def _rank(reference: str, rank: int) -> dict[str, Any]:
    return {
        "reference": reference,
        "extension": [{"url": CONDITION_RANK, "valuePositiveInt": rank}],
    }


class _Bundle:
    """The entries, each with a `<Type>/<id>` full URL as the IG's examples have, and an id
    derived from the municipality and a label naming the row it comes from."""

    def __init__(self, namespace: uuid.UUID, subject: str | None = None) -> None:
        self.namespace = namespace
        self.entries: list[dict[str, Any]] = []
        self.subject = subject
        self.case: int | None = None  # the case whose resources are being added
        self.sag_of: dict[str, int] = {}

    def url(self, kind: str, label: str) -> str:
        return f"{kind}/{uuid.uuid5(self.namespace, label)}"

    def add(self, profile: str, label: str, resource: dict[str, Any]) -> str:
        url = self.url(resource["resourceType"], label)
        body: dict[str, Any] = {
            "resourceType": resource["resourceType"],
            "id": url.split("/", 1)[1],
            "meta": {"profile": [PROFILES[profile]]},
        }
        body.update({k: v for k, v in resource.items() if k != "resourceType"})
        if self.subject is not None and profile != "citizen":
            body["subject"] = {"reference": self.subject}
        self.entries.append({"fullUrl": url, "resource": body})
        if self.case is not None:
            self.sag_of[url] = self.case
        return url


def namespace_for(kommune: str) -> uuid.UUID:
    """The ids' namespace: the municipality's, so that ids are unique across municipalities."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"urn:vum:ffb:{kommune}")


def build_delivery_report(
    citizen: CitizenFacts,
    *,
    kommune: str,
    sagsnummer_system: str,
    dag: date,
    timestamp: datetime,
) -> Report | None:
    """The citizen's DeliveryReport for `dag` (not yet validated), or None when the citizen has
    no FFB facts yet (no udredning and no grant: step 1 of the IG's example sends nothing).
    `kommune` is the municipality's KOMBIT STS organisation UUID."""
    cases = [c for c in citizen.cases if c.udredninger or c.grants]
    if not cases:
        return None
    namespace = namespace_for(kommune)
    bundle = _Bundle(namespace)
    patient = bundle.add(
        "citizen",
        f"borger-{citizen.pk}",
        {
            "resourceType": "Patient",
            "identifier": [{"use": "official", "system": CPR, "value": citizen.cpr}],
            "managingOrganization": {
                "identifier": {"use": "official", "system": KOMBIT_ORGANISATION, "value": kommune}
            },
        },
    )
    bundle.subject = patient
    problems: list[Problem] = []
    for case in cases:
        bundle.case = case.pk
        bundle.sag_of[f"Sag {case.pk}"] = case.pk
        problems += _case(bundle, case, sagsnummer_system=sagsnummer_system, dag=dag)
    for entry in bundle.entries:
        entry["resource"]["meta"]["lastUpdated"] = _instant(timestamp)
    return Report(
        borger_id=citizen.pk,
        bundle={
            "resourceType": "Bundle",
            "id": str(uuid.uuid5(namespace, f"levering-{dag.isoformat()}-{citizen.pk}")),
            "meta": {"profile": [PROFILES["deliveryReport"]]},
            "type": "collection",
            "timestamp": _instant(timestamp),
            "entry": bundle.entries,
        },
        sag_ids=[c.pk for c in cases],
        problems=problems,
        sag_of=bundle.sag_of,
    )


def _conditions(
    bundle: _Bundle, case: CaseFacts, goal_codes: Iterable[tuple[str, date]]
) -> dict[str, str]:
    """The case's FFB conditions by code: each scored sub-theme with its latest level (recorded
    when first scored, last asserted when last scored), each highlighted sub-theme of a theme
    without scores, and each sub-theme a goal addresses that was never scored (level "Ikke
    vurderet"). One id per case and code, kept through re-assessments (the IG's rule)."""
    first: dict[str, date] = {}
    last: dict[str, date] = {}
    level: dict[str, str | None] = {}
    for score in case.scores:
        first.setdefault(score.undertema, score.dato)
        last[score.undertema] = score.dato
        level[score.undertema] = score.niveau
    dates = dict(case.udredninger)
    for udredning_id, codes in sorted(case.highlighted.items()):
        for code in sorted(codes):
            first.setdefault(code, timezone.localtime(dates[udredning_id]).date())
    for code, day in goal_codes:
        first.setdefault(code, day)
    urls: dict[str, str] = {}
    for code in sorted(first, key=lambda c: (first[c], c)):
        resource: dict[str, Any] = {
            "resourceType": "Condition",
            "clinicalStatus": _coding(CONDITION_CLINICAL, "active"),
            "verificationStatus": _coding(CONDITION_VERIFICATION, "confirmed"),
            "code": _coding(FFB, code),
            "recordedDate": first[code].isoformat(),
        }
        if code in AD_CODES:
            resource["severity"] = _coding(FFB, level.get(code) or NOT_ASSESSED)
        if code in last and last[code] > first[code]:
            resource["extension"] = [
                {"url": CONDITION_LAST_ASSERTED, "valueDateTime": last[code].isoformat()}
            ]
        urls[code] = bundle.add("condition", f"tilstand-{case.pk}-{code}", resource)
    return urls


def _latest_goals(case: CaseFacts) -> Vurdering | None:
    with_goals = [v for v in case.vurderinger if v.goals]
    return with_goals[-1] if with_goals else None


def _case(bundle: _Bundle, case: CaseFacts, *, sagsnummer_system: str, dag: date) -> list[Problem]:
    problems: list[Problem] = []
    status = "active" if case.open else "completed"
    case_number = {
        "url": CASE_NUMBER_EXTENSION,
        "extension": [
            {
                "url": "municipalitySpecific",
                "valueIdentifier": {
                    "use": "usual",
                    "system": sagsnummer_system,
                    "value": str(case.pk),
                },
            }
        ],
    }
    service_request = bundle.add(
        "serviceRequest",
        f"sag-{case.pk}",
        {
            "resourceType": "ServiceRequest",
            "extension": [case_number],
            "status": status,
            "intent": "proposal",
        },
    )

    goal_vurdering = _latest_goals(case)
    goal_codes: list[tuple[str, date]] = []
    if goal_vurdering is not None:
        set_on = timezone.localtime(goal_vurdering.oprettet).date()
        for goal in goal_vurdering.goals:
            related = [c for c in goal.relaterede if c in AD_CODES]
            goal_codes += [(c, set_on) for c in [goal.primaert, *related] if c]
    conditions = _conditions(bundle, case, goal_codes)

    # The støttebehov: each assessment's and each follow-up's, the latest outcome of the plans.
    evaluations: list[tuple[datetime, str, int | None]] = []
    for vurdering in case.vurderinger:
        if vurdering.stoettebehov:
            url = bundle.add(
                "careEvaluation",
                f"stoettebehov-vurdering-{vurdering.pk}",
                _evaluation(vurdering.stoettebehov, vurdering.oprettet),
            )
            evaluations.append((vurdering.oprettet, url, vurdering.udredning_id))
    for follow_up in case.follow_ups:
        if follow_up.afsluttet is not None and follow_up.stoettebehov:
            url = bundle.add(
                "careEvaluation",
                f"stoettebehov-opfoelgning-{follow_up.pk}",
                _evaluation(follow_up.stoettebehov, follow_up.afsluttet),
            )
            evaluations.append((follow_up.afsluttet, url, None))
    evaluations.sort(key=lambda e: e[0])
    latest_evaluation = evaluations[-1][1] if evaluations else None

    # The udredning: the case's latest (a new udredning is a new ClinicalImpression; the earlier
    # ones were delivered when they were current).
    if case.udredninger:
        udredning_id, oprettet = case.udredninger[-1]
        own = [url for _at, url, on in evaluations if on == udredning_id]
        impression: dict[str, Any] = {
            "resourceType": "ClinicalImpression",
            "extension": [
                {"url": BASED_ON_SERVICE_REQUEST, "valueReference": {"reference": service_request}}
            ],
            "status": "completed" if own else "in-progress",
            "effectiveDateTime": _instant(oprettet),
        }
        if conditions:
            impression["finding"] = [
                {"itemReference": {"reference": u}} for u in conditions.values()
            ]
        if own:
            impression["investigation"] = [
                {
                    "code": _coding(CARE_SOCIAL, SUPPORT_NEED_EVALUATION),
                    "item": [{"reference": own[-1]}],
                }
            ]
        bundle.add("informationGathering", f"udredning-{udredning_id}", impression)

    goals: dict[int, str] = {}
    if goal_vurdering is not None:
        for goal in goal_vurdering.goals:
            targets = []
            if goal.maaltype:
                targets.append(
                    {
                        "measure": _coding(CARE_SOCIAL, MEASURE_CHANGE_VALUE[0]),
                        "detailCodeableConcept": _coding(FFB, goal.maaltype),
                    }
                )
            if goal.forventet:
                targets.append(
                    {
                        "measure": _coding(CARE_SOCIAL, MEASURE_SEVERITY[0]),
                        "detailCodeableConcept": _coding(FFB, goal.forventet),
                    }
                )
            addresses = []
            if goal.primaert:
                addresses.append(_rank(conditions[goal.primaert], 1))
            # vum's "andre relaterede temaer" may name any theme; an indsatsmål addresses only
            # Aktivitet og deltagelse (intervention-goal-1), so the others are not reported.
            addresses += [_rank(conditions[c], 2) for c in goal.relaterede if c in AD_CODES]
            resource: dict[str, Any] = {
                "resourceType": "Goal",
                "lifecycleStatus": "active" if case.open else "completed",
                "category": [_coding(CARE_SOCIAL, GOAL_INTERVENTION[0])],
                "description": _coding(SNOMED, GOAL_DESCRIPTION),
                "target": targets,
                "addresses": addresses,
            }
            goals[goal.pk] = bundle.add("interventionGoal", f"indsatsmaal-{goal.pk}", resource)

    if not case.grants:
        return problems
    problems += _plans(
        bundle,
        case,
        case_number=case_number,
        goals=goals,
        outcome=latest_evaluation,
        dag=dag,
    )
    return problems


def _evaluation(code: str, at: datetime) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": _coding(CARE_SOCIAL, SUPPORT_NEED_EVALUATION),
        "valueCodeableConcept": _coding(FFB, code),
        "effectiveDateTime": _instant(at),
    }


def _ended(grant: Grant, case: CaseFacts, dag: date) -> bool:
    """Has the indsats ended by the report's day: its end has come, or the case is closed."""
    return (grant.slut is not None and grant.slut <= dag) or not case.open


def _plans(
    bundle: _Bundle,
    case: CaseFacts,
    *,
    case_number: dict[str, Any],
    goals: dict[int, str],
    outcome: str | None,
    dag: date,
) -> list[Problem]:
    """The granted indsatser as care plans with their target groups, tilbud and ydelser, the
    next planned follow-up, and the follow-ups' results."""
    problems: list[Problem] = []
    vurderinger = {v.pk: v for v in case.vurderinger}
    target_groups: dict[str, str] = {}
    for grant in case.grants:
        vurdering = vurderinger.get(grant.vurdering_id) if grant.vurdering_id else None
        for code, _primaer in vurdering.maalgrupper if vurdering else []:
            if code is None:
                problems.append(
                    Problem(
                        "vum-maalgruppe-kode",
                        "En målgruppe har ingen kode i FFB's værdisæt for målgrupper.",
                        f"Sag {case.pk}",
                    )
                )
            elif code not in target_groups:
                target_groups[code] = bundle.add(
                    "targetGroup",
                    f"maalgruppe-{case.pk}-{code}",
                    {
                        "resourceType": "Condition",
                        "code": _coding(FFB, code),
                        "recordedDate": grant.truffet.isoformat(),
                    },
                )
    teams = {
        code: bundle.add(
            "servicePerformer",
            f"tilbud-{case.pk}-{code}",
            {"resourceType": "CareTeam", "category": [_coding(FFB, code)]},
        )
        for code in dict.fromkeys(g.tilbud for g in case.grants if g.tilbud)
    }
    planned = [f for f in case.follow_ups if f.planned]
    encounter = (
        bundle.add(
            "followUpEncounter",
            f"opfoelgning-{planned[0].pk}",
            {
                "resourceType": "Encounter",
                "status": "planned",
                "class": {"system": ACT_CODE, "code": "HH"},
                "type": [_coding(CARE_SOCIAL, FOLLOW_UP_ENCOUNTER_TYPE)],
                "period": {"start": planned[0].dato.isoformat()},
            },
        )
        if planned
        else None
    )

    plans: dict[int, str] = {}
    for grant in case.grants:
        ended = _ended(grant, case, dag)
        period = {"start": grant.start.isoformat()}
        if grant.slut is not None:
            period["end"] = grant.slut.isoformat()
        extensions: list[dict[str, Any]] = [case_number]
        if encounter is not None and not ended:
            extensions.append(
                {"url": FOLLOW_UP_DATE_EXTENSION, "valueReference": {"reference": encounter}}
            )
        vurdering = vurderinger.get(grant.vurdering_id) if grant.vurdering_id else None
        plan: dict[str, Any] = {
            "resourceType": "CarePlan",
            "extension": extensions,
            "status": "completed" if ended else "active",
            "intent": "order",
            "period": period,
        }
        if grant.tilbud:
            plan["careTeam"] = [{"reference": teams[grant.tilbud]}]
        addresses = [
            _rank(target_groups[code], 1 if primaer else 2)
            for code, primaer in (vurdering.maalgrupper if vurdering else [])
            if code is not None
        ]
        if addresses:
            plan["addresses"] = addresses
        own_goals = [goals[pk] for pk in sorted(grant.maal_ids) if pk in goals]
        if own_goals:
            plan["goal"] = [{"reference": url} for url in own_goals]
        if outcome is not None:
            plan["activity"] = [{"outcomeReference": [{"reference": outcome}]}]
        plans[grant.indsats_id] = bundle.add("carePlan", f"indsats-{grant.indsats_id}", plan)

    for grant in case.grants:
        ended = _ended(grant, case, dag)
        period = {"start": grant.start.isoformat()}
        if grant.slut is not None:
            period["end"] = grant.slut.isoformat()
        # Ydelser FFB has no code for are municipal and not part of the national data set.
        for code in dict.fromkeys(
            c for c in grant.ydelser if c in VALUE_SETS["KLInterventionsFFB"]
        ):
            bundle.add(
                "intervention",
                f"ydelse-{grant.indsats_id}-{code}",
                {
                    "resourceType": "CarePlan",
                    "basedOn": [{"reference": plans[grant.indsats_id]}],
                    "status": "completed" if ended else "active",
                    "intent": "order",
                    "period": period,
                    "created": grant.truffet.isoformat(),
                    "activity": [
                        {
                            "detail": {
                                "code": _coding(FFB, code),
                                "status": "completed" if ended else "in-progress",
                            }
                        }
                    ],
                },
            )

    for follow_up in case.follow_ups:
        if follow_up.afsluttet is None or not follow_up.status_paa_indsats:
            continue
        held = timezone.localtime(follow_up.afsluttet).date()
        focus = [
            plans[g.indsats_id]
            for g in case.grants
            if g.start <= held and (g.slut is None or g.slut >= held)
        ] or list(plans.values())
        bundle.add(
            "followUp",
            f"opfoelgningsresultat-{follow_up.pk}",
            {
                "resourceType": "Observation",
                "status": "final",
                "code": _coding(SNOMED, FOLLOW_UP_CODE),
                "focus": [{"reference": url} for url in focus],
                "effectiveDateTime": _instant(follow_up.afsluttet),
                "valueCodeableConcept": _coding(FFB, follow_up.status_paa_indsats),
            },
        )
    return problems


def compact_json(bundle: Mapping[str, Any]) -> str:
    """The bundle as it leaves and is kept: compact JSON. (With `indent` the json module encodes
    in Python, not C, and writing a day's bundles took longer than validating them.)"""
    return json.dumps(bundle, ensure_ascii=False, separators=(",", ":"))


def content_sha256(bundle: dict[str, Any]) -> str:
    """The SHA-256 of the bundle's content: its entries without the volatile parts (the bundle's
    own id and timestamp and each resource's `meta.lastUpdated`), so that two bundles of
    unchanged facts have the same digest whenever they are built."""
    entries = []
    for entry in bundle.get("entry") or []:
        resource = dict(entry["resource"])
        resource["meta"] = {k: v for k, v in resource.get("meta", {}).items() if k != "lastUpdated"}
        entries.append({"fullUrl": entry["fullUrl"], "resource": resource})
    text = json.dumps(entries, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
