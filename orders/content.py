"""What a handleplan and a bestilling say, built from the earlier phases as plain JSON.

A bestilling freezes this content when it is sent: the provider reads the frozen copy, never the
case, so that it sees only what was ordered from it. The handleplan's versions are frozen alike.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from assessment.models import (
    GRANTING_RESULTS,
    Afgoerelse,
    AfgoerelsesResultat,
    Indsats,
    Indsatsmaal,
    Opfoelgningsinterval,
    Sagsvurdering,
)
from cases.models import Borger, Sag
from vum.accounts.models import Organisation

# A service the citizen manages or is paid for themselves has no provider to order from.
NO_ORDER_LAWS = re.compile(r"§\s*(100|96)(?!\d)(?!\s?[a-z]\b)")
# For these the relevant parts of the handleplan go to the provider without consent
# (SEL § 141 stk. 6; handbook l. 6850); § 101 a is not among them.
PLAN_WITHOUT_CONSENT_LAWS = re.compile(r"§\s*(101|107|108|109|110)(?!\d)(?!\s?a\b)")


def kroner(amount: Decimal | int) -> str:
    return f"{Decimal(amount):.2f}"


def indsats_laws(indsats: Indsats) -> str:
    """Every legal reference the indsats is known by, once each: its ydelser, its tilbud and the
    municipal service it was granted as."""
    parts = [y.lovgrundlag for y in indsats.ydelser.all()]
    if indsats.tilbudstype is not None:
        parts.append(indsats.tilbudstype.lovgrundlag)
    if indsats.kommunal_ydelse is not None:
        parts.extend(h.lovhenvisning.henvisning for h in indsats.kommunal_ydelse.hjemler.all())
    return "; ".join(dict.fromkeys(p for p in parts if p))


def needs_no_order(indsats: Indsats) -> bool:
    name = indsats.kommunal_ydelse.navn if indsats.kommunal_ydelse is not None else ""
    return bool(NO_ORDER_LAWS.search(indsats_laws(indsats))) or "BPA" in name


def granted_indsatser(afgoerelse: Afgoerelse) -> list[Indsats]:
    """The indsatser the decision grants (see `granted_indsats_ids`)."""
    vurdering = afgoerelse.vurdering
    if vurdering is None:
        return []
    candidates = list(
        vurdering.indsatser.filter(alternativ=False)
        .select_related("tilbudstype", "kommunal_ydelse", "udfoerer")
        .prefetch_related(
            "ydelser", "prislinjer__ydelse", "kommunal_ydelse__hjemler__lovhenvisning"
        )
    )
    chosen = granted_indsats_ids(
        [(i.pk, i.kommunal_ydelse_id) for i in candidates],
        [(r.resultat, r.indsats_id, r.kommunal_ydelse_id) for r in afgoerelse.resultater.all()],
        fuldt_medhold=afgoerelse.fuldt_medhold,
    )
    return [i for i in candidates if i.pk in chosen]


def granted_indsats_ids(
    candidates: Iterable[tuple[int, int | None]],
    results: Iterable[tuple[str, int | None, int | None]],
    *,
    fuldt_medhold: bool | None,
) -> set[int]:
    """Which of the assessment's indsatser (pk, municipal service; alternatives left out) a
    decision with these results (resultat, indsats, municipal service) grants: those its
    granting results name, else those of the granted municipal services, else (full medhold)
    all of them. On plain ids, so a caller can apply it to many decisions read at once."""
    candidates = list(candidates)
    granted = [
        (indsats, ydelse) for resultat, indsats, ydelse in results if resultat in GRANTING_RESULTS
    ]
    named = {indsats for indsats, _ydelse in granted if indsats is not None}
    services = {ydelse for indsats, ydelse in granted if indsats is None and ydelse}
    chosen = {
        pk
        for pk, ydelse in candidates
        if pk in named or (ydelse is not None and ydelse in services)
    }
    if not chosen and fuldt_medhold:
        chosen = {pk for pk, _ydelse in candidates}
    return chosen


def granting_decisions() -> QuerySet[Afgoerelse]:
    """Decisions that grant something, the latest first."""
    granting = AfgoerelsesResultat.objects.filter(
        afgoerelse=OuterRef("pk"), resultat__in=GRANTING_RESULTS
    )
    return Afgoerelse.objects.filter(Exists(granting)).order_by("-truffet", "-pk")


@dataclass
class Udkast:
    """The bestilling one provider would get from a decision."""

    udfoerer: Organisation
    indsatser: list[Indsats]
    maal: list[Indsatsmaal] = field(default_factory=list)


@dataclass
class Ordreplan:
    udkast: list[Udkast]
    uden_bestilling: list[Indsats]
    mangler: list[str]


def order_plan(afgoerelse: Afgoerelse) -> Ordreplan:
    """One bestilling per provider with only that provider's indsatser and goals (handbook
    l. 6900). A goal without a provider goes to the only provider, if there is just one."""
    indsatser = granted_indsatser(afgoerelse)
    uden = [i for i in indsatser if needs_no_order(i)]
    ordered = [i for i in indsatser if not needs_no_order(i)]
    mangler: list[str] = []
    by_provider: dict[int, Udkast] = {}
    for indsats in ordered:
        if indsats.udfoerer is None:
            names = ", ".join(y.navn for y in indsats.ydelser.all())
            mangler.append(f"Indsatsen '{names}' har ingen udfører.")
            continue
        by_provider.setdefault(indsats.udfoerer.pk, Udkast(indsats.udfoerer, [])).indsatser.append(
            indsats
        )
    vurdering = afgoerelse.vurdering
    goals = (
        list(
            vurdering.maal.select_related(
                "maaltype", "primaert_undertema", "aktuel_vurdering__niveau", "udfoerer"
            )
        )
        if vurdering is not None
        else []
    )
    for goal in goals:
        if goal.udfoerer_id in by_provider:
            by_provider[goal.udfoerer_id].maal.append(goal)
        elif goal.udfoerer_id is None and len(by_provider) == 1:
            next(iter(by_provider.values())).maal.append(goal)
        elif goal.udfoerer_id is None and by_provider:
            mangler.append(
                f"Mål {goal.raekkefoelge} har ingen udfører; angiv hvem der støtter det."
            )
    for udkast in by_provider.values():
        if not udkast.maal:
            mangler.append(f"{udkast.udfoerer} har ingen indsatsmål at arbejde med.")
    return Ordreplan(list(by_provider.values()), uden, mangler)


def _follow_up(vurdering: Sagsvurdering, goal: Indsatsmaal | None = None) -> str:
    if goal is not None and not vurdering.samme_opfoelgning_for_alle_maal:
        interval, dato = goal.opfoelgning, goal.opfoelgningsdato
    else:
        interval, dato = vurdering.faelles_opfoelgning, vurdering.faelles_opfoelgningsdato
    if dato is not None:
        return f"{dato:%d.%m.%Y}"
    return Opfoelgningsinterval(interval).label if interval else ""


def goal_content(
    goal: Indsatsmaal, vurdering: Sagsvurdering, *, with_hours: bool
) -> dict[str, Any]:
    content: dict[str, Any] = {
        "id": goal.pk,
        "nr": goal.raekkefoelge,
        "formulering": goal.maalformulering,
        "maaltype": goal.maaltype.navn,
        "tema": goal.primaert_undertema.navn,
        "aktuelt_niveau": goal.aktuel_vurdering.niveau.vaerdi if goal.aktuel_vurdering else None,
        "forventet_niveau": goal.forventet_niveau,
        "opfoelgning": _follow_up(vurdering, goal),
        "udfoerer": goal.udfoerer.navn if goal.udfoerer else "",
    }
    if with_hours:
        content["timer_pr_uge"] = str(goal.timer_pr_uge) if goal.timer_pr_uge is not None else ""
    return content


def indsats_content(indsats: Indsats, *, with_prices: bool) -> dict[str, Any]:
    content: dict[str, Any] = {
        "id": indsats.pk,
        "ydelser": [y.navn for y in indsats.ydelser.all()],
        "lovgrundlag": indsats_laws(indsats),
        "kommunal_ydelse": indsats.kommunal_ydelse.navn if indsats.kommunal_ydelse else "",
        "tilbud": indsats.tilbudstype.navn if indsats.tilbudstype else "",
        "udfoerer": indsats.udfoerer.navn if indsats.udfoerer else "",
        "p_nummer": indsats.udfoerer.p_nummer if indsats.udfoerer else "",
        "start": indsats.forventet_start.isoformat() if indsats.forventet_start else "",
        "slut": indsats.forventet_slut.isoformat() if indsats.forventet_slut else "",
    }
    if with_prices:
        lines = list(indsats.prislinjer.all())
        content["konto"] = indsats.konto
        content["prislinjer"] = [
            {
                "ydelse": line.ydelse.navn,
                "enhed": line.get_enhed_display(),
                "antal": str(line.antal_pr_periode),
                "frekvens": line.get_frekvens_display(),
                "gentagelser": line.gentagelser,
                "enhedspris": str(line.enhedspris),
                "beloeb": kroner(line.beloeb),
            }
            for line in lines
        ]
        content["pris"] = kroner(sum((line.beloeb for line in lines), Decimal(0)))
    return content


def _background(sag: Sag) -> dict[str, Any]:
    borger = sag.borger
    aabning = getattr(sag, "sagsaabning", None)
    relations = list(borger.relationer.current())
    return {
        "navn": borger.navn,
        "cpr": borger.cpr_formatted,
        "adresse": borger.visible_address,
        "telefon": borger.telefon,
        "kontakter": [
            {
                "navn": r.navn,
                "type": r.get_type_display(),
                "relation": r.relation,
                "telefon": r.telefon,
                "partsrettigheder": r.varetager_partsrettigheder,
            }
            for r in relations
        ],
        "diagnoser": [
            {
                "diagnose": d.diagnose,
                "stillet_af": d.stillet_af,
                "dato": d.dato.isoformat() if d.dato else "",
            }
            for d in sag.diagnoser.all()
        ],
        "vaergemaal": (
            aabning.get_vaergemaalsform_display() or "Ja"
            if aabning is not None and aabning.vaergemaal
            else "Nej"
        ),
        "repraesentation": (
            aabning.get_repraesentationsform_display() or "Ja"
            if aabning is not None and aabning.repraesenteret
            else "Nej"
        ),
        "fuldmagt": aabning.fuldmagt if aabning is not None else "",
    }


def bestilling_content(
    *,
    afgoerelse: Afgoerelse,
    udkast: Udkast,
    andre: Sequence[Udkast],
    uden_bestilling: Iterable[Indsats],
    samarbejdspartnere: str,
    bilag: str,
) -> dict[str, Any]:
    """The content listed in phases.md §6 for one provider: background, coordination, central
    findings, wishes, purpose, its own goals and indsatser, follow-up, prices, payment."""
    sag = afgoerelse.sag
    vurdering = afgoerelse.vurdering
    assert vurdering is not None
    aabning = getattr(sag, "sagsaabning", None)
    caseworker = sag.sagsbehandler
    others = [
        f"{', '.join(y.navn for y in i.ydelser.all())} ({i.udfoerer})"
        for other in andre
        for i in other.indsatser
    ] + [", ".join(y.navn for y in i.ydelser.all()) for i in uden_bestilling]
    return {
        "baggrund": {**_background(sag), "bilag": bilag},
        "koordinering": {
            "koordinerende_sagsbehandler": {
                "navn": caseworker.get_full_name() if caseworker else "",
                "telefon": caseworker.telefon if caseworker else "",
                "email": caseworker.email if caseworker else "",
                "team": sag.team.navn,
            },
            "samarbejdspartnere": samarbejdspartnere,
            "andre_indsatser": others,
            "behov_for_koordinering": bool(andre),
        },
        "fund": {
            "situation": vurdering.vurdering_af_situation,
            "stoettebehov": vurdering.stoettebehov.navn if vurdering.stoettebehov else "",
            "perspektiv": vurdering.borgerens_perspektiv,
            "ressourcer": vurdering.borgerens_ressourcer,
            "maalgrupper": [
                f"{g.maalgruppe.navn}{' (primær)' if g.primaer else ''}"
                for g in vurdering.maalgrupper.select_related("maalgruppe")
            ],
        },
        "oensker": aabning.oensker_for_fremtiden if aabning is not None else "",
        "indsatsformaal": vurdering.indsatsformaal,
        "maal": [goal_content(g, vurdering, with_hours=True) for g in udkast.maal],
        "indsatser": [indsats_content(i, with_prices=True) for i in udkast.indsatser],
        "opfoelgning": _follow_up(vurdering),
        "betaling": {
            "ean": sag.team.ean_nummer,
            "handlekommune": aabning.handlekommune if aabning is not None else "",
            "betalingskommune": aabning.betalingskommune if aabning is not None else "",
        },
        "egenbetaling": afgoerelse.egenbetaling_tekst if afgoerelse.egenbetaling else "Ingen",
        "afgoerelse": {"id": afgoerelse.pk, "truffet": afgoerelse.truffet.isoformat()},
        "pris_i_alt": kroner(
            sum((line.beloeb for i in udkast.indsatser for line in i.prislinjer.all()), Decimal(0))
        ),
    }


def _keyed(kind: str, rows: Iterable[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    # Goals keep their number and indsatser their ydelser across assessments; database ids
    # do not, as a revised assessment is a new row.
    if kind == "maal":
        return {row["nr"]: row for row in rows}
    return {" + ".join(row["ydelser"]): row for row in rows}


GOAL_LABELS = {
    "formulering": "målformulering",
    "maaltype": "måltype",
    "tema": "tema",
    "aktuelt_niveau": "aktuelt niveau",
    "forventet_niveau": "forventet niveau",
    "opfoelgning": "opfølgning",
    "timer_pr_uge": "timer pr. uge",
}
INDSATS_LABELS = {
    "tilbud": "tilbud",
    "start": "start",
    "slut": "slut",
    "prislinjer": "prislinjer",
    "pris": "pris",
}
TOP_LABELS = {
    "indsatsformaal": "Indsatsformål",
    "opfoelgning": "Opfølgning",
    "egenbetaling": "Egenbetaling",
}


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value and not isinstance(value[0], dict) else "…"
    return "—" if value in (None, "") else str(value)


def content_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What a provider must know changed between two versions of its bestilling, in Danish."""
    changes: list[str] = []
    for key, label in TOP_LABELS.items():
        if old.get(key) != new.get(key):
            changes.append(f"{label} ændret: {_shown(old.get(key))} → {_shown(new.get(key))}")
    for kind, labels, noun in (
        ("maal", GOAL_LABELS, "Mål"),
        ("indsatser", INDSATS_LABELS, "Indsats"),
    ):
        before, after = _keyed(kind, old.get(kind, [])), _keyed(kind, new.get(kind, []))
        for pk, row in after.items():
            name = row.get("formulering") or ", ".join(row.get("ydelser", []))
            if pk not in before:
                changes.append(
                    f"Nyt {noun.lower()}: {name}" if noun == "Mål" else f"Ny indsats: {name}"
                )
                continue
            for field_name, label in labels.items():
                if before[pk].get(field_name) != row.get(field_name):
                    changes.append(
                        f"{noun} '{name[:60]}': {label} ændret fra "
                        f"{_shown(before[pk].get(field_name))} til {_shown(row.get(field_name))}"
                    )
        for pk, row in before.items():
            if pk not in after:
                name = row.get("formulering") or ", ".join(row.get("ydelser", []))
                changes.append(f"{noun} udgået: {name}")
    return changes


def latest_grant(sag: Sag) -> Afgoerelse | None:
    """The case's latest decision that grants something."""
    return granting_decisions().filter(sag=sag).select_related("sag", "vurdering").first()


def shown(indhold: Mapping[str, Any] | None, borger: Borger) -> dict[str, Any]:
    """A bestilling's frozen content as it may be shown today: one frozen before CPR protected
    the citizen's address still holds the address, which is then not shown (Borger's rule)."""
    content = dict(indhold or {})
    baggrund = content.get("baggrund")
    if borger.adressebeskyttet and isinstance(baggrund, Mapping):
        content["baggrund"] = {**baggrund, "adresse": borger.visible_address}
    return content
