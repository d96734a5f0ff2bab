"""What keeps a DeliveryReport from leaving, each with its rule's id and a Danish reason.

Three layers, as the IG's gateway checks them:
- structure: the bundle must parse as FHIR R4 (fhir.resources' R4B models, a stand-in for R4
  4.0.1 that reads the same JSON);
- the IG's invariants, as FHIRPath (fhirpathpy), with the IG's ids. Each is kept verbatim as the
  IG writes it (`Invariant.verbatim`); where the IG's expression cannot work as written (digest
  §6: a wrong extension URL, an integer compared with a string, `ofType()` on the entries, the
  CPR rule placed on a string), the working form that the digest gives is evaluated instead and
  the reason is in `Invariant.why`. fhirpathpy has no `memberOf()` or `resolve()`; both are
  supplied here, over the FFB value sets and the bundle's own entries;
- the profiles' other rules vum relies on: codes in the value set their place is bound to,
  exactly one primary target group, both target slices of a goal, references that resolve in
  the bundle, and no free text anywhere.
"""

import json
import re
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhirpathpy import compile as fhirpath_compile
from pydantic import ValidationError as PydanticValidationError

from followup.ffb_dataset.bundle import Problem, compact_json
from followup.ffb_dataset.codes import (
    CARE_SOCIAL,
    FFB,
    PROFILES,
    VALUE_SET_URL,
    VALUE_SETS,
)
from orders.fhir import MEASURE_CHANGE_VALUE, MEASURE_SEVERITY, codings, condition_rank

_ENTRIES: ContextVar[Mapping[str, Any]] = ContextVar("ffb_entries")


@dataclass(frozen=True)
class Invariant:
    id: str
    profile: str
    verbatim: str
    tekst: str
    # The expression evaluated when the verbatim one cannot work as written (digest §6, §7).
    expression: str = ""
    why: str = ""
    # Evaluated on the Identifier rather than on the resource (cpr).
    on_identifier: bool = False

    @property
    def evaluated(self) -> str:
        return self.expression or self.verbatim


CPR_PATTERN = (
    "^(?:(?:31(?:0[13578]|1[02])|(?:30|29)(?:0[13-9]|1[0-2])|(?:0[1-9]|1[0-9]|2[0-8])"
    "(?:0[1-9]|1[0-2]))[0-9]{2}[0-9]|290200[4-9]|2902(?:(?!00)[02468][048]|[13579][26])"
    "[0-3])[0-9]{3}$"
)

# Copied from the IG (kl-ffb-reporting 1.0.0, input/fsh; digest §3), line breaks included.
INVARIANTS: tuple[Invariant, ...] = (
    Invariant(
        "kl-reporting-ffb-condition-1",
        "condition",
        "(severity.exists() and code.memberOf('http://fhir.kl.dk/term/ValueSet/KLConditionADCodesFFB')) or\n"  # noqa: E501
        "    (severity.exists().not() and code.memberOf('http://fhir.kl.dk/term/ValueSet/KLConditionADCodesFFB').not())",
        "En tilstand under Aktivitet og deltagelse skal have et funktionsevneniveau, og andre "
        "tilstande må ikke have et.",
    ),
    Invariant(
        "kl-reporting-ffb-intervention-goal-1",
        "interventionGoal",
        "addresses.all(reference.resolve().code.memberOf('http://fhir.kl.dk/term/ValueSet/KLConditionADCodesFFB'))",
        "Et indsatsmål må kun vedrøre undertemaer under Aktivitet og deltagelse.",
    ),
    Invariant(
        "kl-reporting-ffb-intervention-goal-2",
        "interventionGoal",
        "addresses.where(extension('http://fhir.kl.dk/term/StructureDefinition/ConditionRank').valuePositiveInt = '1').count() = 1",  # noqa: E501
        "Et indsatsmål skal vedrøre netop ét primært undertema.",
        expression="addresses.where(extension('http://fhir.kl.dk/core/StructureDefinition/ConditionRank').valuePositiveInt = 1).count() = 1",  # noqa: E501
        why="The IG names ConditionRank under /term/ (it is under /core/) and compares the "
        "integer with the string '1': as written it fails for every goal, the IG's own included.",
    ),
    Invariant(
        "kl-reporting-ffb-care-plan-1",
        "carePlan",
        "(intent != 'order') or (status = 'completed') or extension('http://fhir.kl.dk/ffbreporting/StructureDefinition/kl-reporting-ffb-follow-up-date-extension').exists()",
        "En bevilget indsats, der ikke er afsluttet, skal have en planlagt opfølgning.",
    ),
    Invariant(
        "kl-reporting-ffb-care-plan-2",
        "carePlan",
        "addresses.where(extension('http://fhir.kl.dk/core/StructureDefinition/ConditionRank').valuePositiveInt = '1').count() < 2",  # noqa: E501
        "Indsatsen har to primære målgrupper; der må kun være én.",
        expression="addresses.where(extension('http://fhir.kl.dk/core/StructureDefinition/ConditionRank').valuePositiveInt = 1).count() < 2",  # noqa: E501
        why="The IG compares the integer rank with the string '1', which is never equal: as "
        "written it always passes.",
    ),
    Invariant(
        "kl-reporting-ffb-care-plan-4",
        "carePlan",
        "(intent != 'order') or (status = 'completed') or activity.outcomeReference.exists()",
        "En bevilget indsats, der ikke er afsluttet, skal have en vurdering af støttebehovet.",
    ),
    Invariant(
        "kl-reporting-ffb-care-plan-5",
        "carePlan",
        "(intent != 'order') or (status = 'completed') or addresses.exists()",
        "En bevilget indsats, der ikke er afsluttet, skal have målgrupper.",
    ),
    Invariant(
        "kl-reporting-ffb-follow-up-1",
        "followUp",
        "status = 'final' or status = 'entered-in-error'",
        "Et opfølgningsresultat skal være endeligt (final) eller registreret ved en fejl.",
    ),
    Invariant(
        "cpr",
        "citizen",
        f"value.matches('{CPR_PATTERN}')",
        "Borgerens CPR-nummer er ikke et gyldigt CPR-nummer (10 cifre med en gyldig dato).",
        why="dk-core places the rule on Identifier.value; evaluated on the string itself it "
        "yields nothing, a silent pass, so it is evaluated on the Identifier.",
        on_identifier=True,
    ),
)
# The IG's delivery-report-1/2/3 apply ofType() to Bundle.entry rather than to entry.resource
# and are true of any bundle; their intended rule is checked in Python (`_profiles_allowed`).
DELIVERY_REPORT_INVARIANTS = {
    "kl-reporting-ffb-delivery-report-1": (
        "Condition",
        ("condition", "targetGroup"),
        "entry.ofType(Condition).all(\n"
        "    resource.conformsTo('http://fhir.kl.dk/ffbreporting/StructureDefinition/kl-reporting-ffb-condition')\n"
        " or resource.conformsTo('http://fhir.kl.dk/ffbreporting/StructureDefinition/kl-reporting-ffb-targetGroup'))",
    ),
    "kl-reporting-ffb-delivery-report-2": (
        "CarePlan",
        ("carePlan", "intervention"),
        "entry.ofType(CarePlan).all(\n"
        "    resource.conformsTo('http://fhir.kl.dk/ffbreporting/StructureDefinition/kl-reporting-ffb-carePlan')\n"
        " or resource.conformsTo('http://fhir.kl.dk/ffbreporting/StructureDefinition/kl-reporting-ffb-intervention'))",
    ),
    "kl-reporting-ffb-delivery-report-3": (
        "Observation",
        ("careEvaluation", "followUp"),
        "entry.ofType(Observation).all(\n"
        "    resource.conformsTo('http://fhir.kl.dk/ffbreporting/StructureDefinition/kl-reporting-ffb-careEvaluation')\n"
        " or resource.conformsTo('http://fhir.kl.dk/ffbreporting/StructureDefinition/kl-reporting-ffb-followUp'))",
    ),
}


def _member_of(inputs: list[Any], url: str) -> list[bool]:
    codes = VALUE_SETS[url.removeprefix(VALUE_SET_URL)]
    return [
        any(
            c.get("system") == FFB and c.get("code") in codes
            for c in (x.get("coding", []) if "coding" in x else [x])
        )
        for x in inputs
        if isinstance(x, dict)
    ]


def _resolve(references: list[Any]) -> list[Any]:
    entries = _ENTRIES.get()
    return [entries[r] for r in references if isinstance(r, str) and r in entries]


OPTIONS = {
    "userInvocationTable": {
        "memberOf": {"fn": _member_of, "arity": {1: ["String"]}},
        "resolve": {"fn": _resolve, "arity": {0: []}},
    }
}


@cache
def _compiled(expression: str) -> Callable[..., Any]:
    """Parsing FHIRPath is the slow part; each expression is parsed once per process."""
    return fhirpath_compile(expression, None, OPTIONS)


def _holds(invariant: Invariant, resource: Mapping[str, Any]) -> bool:
    contexts: Iterable[Any] = (
        resource.get("identifier") or [] if invariant.on_identifier else [resource]
    )
    return all(_compiled(invariant.evaluated)(dict(c)) == [True] for c in contexts)


PROFILE_NAMES = {url: name for name, url in PROFILES.items()}


def _profile(resource: Mapping[str, Any]) -> str | None:
    for url in (resource.get("meta") or {}).get("profile") or []:
        if url in PROFILE_NAMES:
            return PROFILE_NAMES[url]
    return None


FREE_TEXT = ("text", "note", "comment", "valueString", "display")
# Over the bundle's compact JSON, which names each key as `"key":` and escapes every quote in a
# value: a key among FREE_TEXT, and each reference's value. One pass over the text costs a tenth
# of walking the dictionaries, which was a fifth of a citizen's validation.
FREE_TEXT_KEY = re.compile(r'"(?:{})":'.format("|".join(FREE_TEXT)))
REFERENCE = re.compile(r'"reference":("(?:[^"\\]|\\.)*")')


def _free_text(node: Any, path: str = "") -> Iterable[str]:
    """Where the free text is (walked only when the text says there is some)."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key in FREE_TEXT:
                yield f"{path}.{key}".lstrip(".")
            yield from _free_text(value, f"{path}.{key}")
    elif isinstance(node, list):
        for value in node:
            yield from _free_text(value, path)


def _references(text: str) -> Iterable[str]:
    return (json.loads(value) for value in REFERENCE.findall(text))


def delivery_report_problems(
    bundle: Mapping[str, Any], *, text: str | None = None
) -> list[Problem]:
    """Why the bundle may not leave; empty when it may. `text` is its compact JSON, when the
    caller has it already (the run keeps the same text as the record)."""
    try:
        Bundle.model_validate(bundle)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        return [
            Problem("fhir-r4", f"Bundtet er ikke gyldig FHIR ({where}: {first.get('msg', '')}).")
        ]
    entries = {e["fullUrl"]: e["resource"] for e in bundle.get("entry") or []}
    problems: list[Problem] = []
    if bundle.get("type") != "collection":
        problems.append(Problem("vum-leveringsrapport", "Bundtet er ikke af typen collection."))
    patients = [u for u, r in entries.items() if r.get("resourceType") == "Patient"]
    if len(patients) != 1:
        problems.append(Problem("vum-leveringsrapport", "Bundtet skal handle om netop én borger."))
    text = compact_json(bundle) if text is None else text
    if FREE_TEXT_KEY.search(text):
        for path in _free_text(bundle):
            problems.append(Problem("vum-fritekst", f"Bundtet indeholder fritekst ({path})."))
    for reference in dict.fromkeys(_references(text)):
        if reference not in entries:
            problems.append(
                Problem("vum-reference", f"Referencen {reference} peger ud af bundtet.", reference)
            )
    for rule, (kind, allowed, _verbatim) in DELIVERY_REPORT_INVARIANTS.items():
        for url, resource in entries.items():
            if resource.get("resourceType") == kind and _profile(resource) not in allowed:
                problems.append(
                    Problem(
                        rule, f"Ressourcen {url} har ikke en af FFB-profilerne for {kind}.", url
                    )
                )

    token = _ENTRIES.set(entries)
    try:
        for url, resource in entries.items():
            profile = _profile(resource)
            for invariant in INVARIANTS:
                if invariant.profile == profile and not _holds(invariant, resource):
                    problems.append(Problem(invariant.id, invariant.tekst, url))
            problems += _bindings(url, resource, profile)
    finally:
        _ENTRIES.reset(token)
    return problems


def _bound(url: str, concept: Any, value_set: str, what: str) -> list[Problem]:
    given = codings(concept)
    codes = VALUE_SETS[value_set]
    if not given:
        return [Problem("vum-kode", f"{what} mangler sin kode.", url)]
    return [
        Problem("vum-kode", f"{what}: koden {c.get('code')} er ikke i {value_set}.", url)
        for c in given
        if c.get("system") != FFB or c.get("code") not in codes
    ]


def _bindings(url: str, resource: Mapping[str, Any], profile: str | None) -> list[Problem]:
    """The profiles' bindings and the rules vum adds to them (digest §2, §6)."""
    if profile == "condition":
        problems = _bound(url, resource.get("code"), "KLConditionCodesFFB", "Tilstand")
        if resource.get("severity"):
            problems += _bound(url, resource["severity"], "KLSeveritiesFFB", "Funktionsevneniveau")
        return problems
    if profile == "targetGroup":
        # The binding allows any FFB condition; only the 45 target groups are codable ones.
        return _bound(url, resource.get("code"), "KLTargetGroupsFFB", "Målgruppe")
    if profile == "careEvaluation":
        return _bound(
            url, resource.get("valueCodeableConcept"), "KLNeedsAssessmentCodesFFB", "Støttebehov"
        )
    if profile == "followUp":
        return _bound(
            url, resource.get("valueCodeableConcept"), "KLFollowUpCodesFFB", "Opfølgningsresultat"
        )
    if profile == "servicePerformer":
        return [
            p
            for category in resource.get("category") or []
            for p in _bound(url, category, "KLServiceCodesFFB", "Tilbud")
        ]
    if profile == "intervention":
        return [
            p
            for activity in resource.get("activity") or []
            for p in _bound(
                url, (activity.get("detail") or {}).get("code"), "KLInterventionsFFB", "Ydelse"
            )
        ]
    if profile == "interventionGoal":
        return _goal(url, resource)
    if profile == "carePlan":
        ranks = [condition_rank(a) for a in resource.get("addresses") or []]
        if ranks and ranks.count(1) == 0:
            return [Problem("vum-primaer-maalgruppe", "Indsatsen har ingen primær målgruppe.", url)]
    if profile == "citizen" and not (
        (resource.get("managingOrganization") or {}).get("identifier") or {}
    ).get("value"):
        return [Problem("vum-kommune", "Kommunens organisation (KOMBIT STS) mangler.", url)]
    return []


def _goal(url: str, resource: Mapping[str, Any]) -> list[Problem]:
    """Both target slices (måltype and the expected level) are 1..1 in the profile."""
    problems: list[Problem] = []
    slices = {
        MEASURE_CHANGE_VALUE[0]: ("KLChangeValueCodesFFB", "måltype"),
        MEASURE_SEVERITY[0]: ("KLSeveritiesFFB", "forventet funktionsevneniveau"),
    }
    seen: set[str] = set()
    for target in resource.get("target") or []:
        measure = [
            c.get("code") for c in codings(target.get("measure")) if c.get("system") == CARE_SOCIAL
        ]
        for code in measure:
            if code in slices:
                seen.add(code)
                value_set, what = slices[code]
                problems += _bound(
                    url, target.get("detailCodeableConcept"), value_set, f"Målets {what}"
                )
    for code, (_value_set, what) in slices.items():
        if code not in seen:
            problems.append(Problem("vum-indsatsmaal", f"Indsatsmålet mangler sin {what}.", url))
    return problems
