"""Sagsvurdering: the assessment of the citizen's situation, goals (indsatsformål,
indsatsmål), support need, target groups and the priced indsatser, and which decisions it
sends to the visitationsudvalg (decision_route)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction

from assessment.models import (
    Indsats,
    Indsatsmaal,
    Indstilling,
    Kompetenceregel,
    Prislinje,
    Sagsvurdering,
    VurderingMaalgruppe,
)
from assessment.selectors.udredning import current_scores
from assessment.services.udredning import udredning_current
from cases.lifecycle import Fase
from cases.models import Sag
from vum.access import Action, require
from vum.accounts.models import Organisation, User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, diff, snapshot
from vum.catalog.models import (
    KommunalYdelse,
    Maalgruppe,
    Maaltype,
    Stoettebehov,
    Tilbudstype,
    TreeMixin,
    Undertema,
    Ydelse,
)
from vum.catalog.selectors import current_kommune
from vum.versions import version_check, version_next

VURDERING_FIELDS = (
    "vurdering_af_situation",
    "indsatsformaal",
    "samme_opfoelgning_for_alle_maal",
    "faelles_opfoelgning",
    "faelles_opfoelgningsdato",
    "vurdering_af_stoettebehov",
    "berettiget",
    "berettigelse_begrundelse",
    "borgerens_behov_vurderet",
    "civilsamfund",
    "civilsamfund_hvilke",
    "borgerens_perspektiv",
    "borgerens_ressourcer",
    "handleplan_tilbudt",
    "handleplan_ikke_tilbudt_begrundelse",
    "handleplan_oensket",
    "handleplan_status",
    "helhedsplan_tilbudt",
    "helhedsplan_oensket",
    "helhedsplan_status",
)


# A refusal must be an individual assessment; the municipality's quality standard alone is no
# reason (handbook l. 228-229, 3342-3344). A short text that only points to the standard is refused.
QUALITY_STANDARD_WORDS = re.compile(r"kvalitetsstandard|serviceniveau|serviceniveauet", re.I)

MIN_WORDS_BESIDE_STANDARD = 15


def require_assessing(actor: User, sag: Sag) -> None:
    require(actor, Action.EDIT, sag)
    current = Sag.objects.select_for_update().get(pk=sag.pk)
    if current.fase != Fase.SAGSVURDERING:
        raise ValidationError(
            f"Sagsvurderingen kan kun ændres, mens sagen er i sagsvurdering "
            f"(sagen er i {current.get_fase_display().lower()})."
        )
    # The committee decides on what the frozen indstilling says: the case waits meanwhile.
    if Indstilling.objects.filter(sag=sag, status=Indstilling.Status.PAA_DAGSORDEN).exists():
        raise ValidationError(
            "Sagen er på visitationsudvalgets dagsorden: sagsvurderingen og indstillingen kan "
            "ikke ændres, før udvalget har behandlet den."
        )


def sagsvurdering_current(*, sag: Sag) -> Sagsvurdering | None:
    return sag.sagsvurderinger.first()


@transaction.atomic
def sagsvurdering_start(*, actor: User, sag: Sag) -> Sagsvurdering:
    """A new assessment each time the case comes to sagsvurdering; one per stay."""
    require_assessing(actor, sag)
    existing = sagsvurdering_current(sag=sag)
    if existing is not None and existing.oprettet >= Sag.objects.get(pk=sag.pk).fase_skiftet:
        raise ValidationError("Sagsvurderingen er allerede startet.")
    vurdering = Sagsvurdering.objects.create(
        sag=sag, udredning=udredning_current(sag=sag), oprettet_af=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=vurdering,
        borger_id=sag.borger_id,
        summary="Sagsvurdering startet",
    )
    return vurdering


def _refusal_errors(fields: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not str(fields.get("berettigelse_begrundelse", "")).strip():
        errors["berettigelse_begrundelse"] = "Et afslag skal begrundes grundigt."
    behov = str(fields.get("borgerens_behov_vurderet", "")).strip()
    if not behov:
        errors["borgerens_behov_vurderet"] = (
            "Et afslag skal forholde sig til det behov, borgeren selv oplever."
        )
    else:
        reasons = f"{behov} {fields.get('berettigelse_begrundelse', '')}"
        if (
            QUALITY_STANDARD_WORDS.search(reasons)
            and len(behov.split()) < MIN_WORDS_BESIDE_STANDARD
        ):
            errors["borgerens_behov_vurderet"] = (
                "Et afslag kan ikke alene begrundes med kommunens kvalitetsstandard: beskriv den "
                "konkrete, individuelle vurdering af borgerens behov."
            )
    return errors


def _carry_missing_levels(vurdering: Sagsvurdering) -> None:
    """Goals set before their sub-theme was scored get the score once it exists (the case went
    back to sagsoplysning and returned); a level already carried is never changed."""
    missing = list(vurdering.maal.filter(aktuel_vurdering__isnull=True))
    if not missing:
        return
    scores = current_scores(sag=vurdering.sag)
    for goal in missing:
        score = scores.get(goal.primaert_undertema_id)
        if score is not None:
            goal.aktuel_vurdering = score
            goal.save(update_fields=["aktuel_vurdering"])


@transaction.atomic
def sagsvurdering_update(
    *, actor: User, vurdering: Sagsvurdering, expected_version: int | None = None, **fields: Any
) -> Sagsvurdering:
    """Save the fields given; `expected_version` is the version the editor read (StaleVersion
    if someone saved the sagsvurdering since)."""
    require_assessing(actor, vurdering.sag)
    unknown = set(fields) - set(VURDERING_FIELDS)
    if unknown:
        raise ValidationError(f"Felterne findes ikke: {', '.join(sorted(unknown))}.")
    locked = Sagsvurdering.objects.select_for_update().get(pk=vurdering.pk)
    version_check(locked, expected_version)
    before = snapshot(locked, VURDERING_FIELDS)
    for name, value in fields.items():
        setattr(locked, name, value)
    if not locked.samme_opfoelgning_for_alle_maal:
        locked.faelles_opfoelgning, locked.faelles_opfoelgningsdato = "", None
    merged = snapshot(locked, VURDERING_FIELDS)
    errors: dict[str, str] = {}
    if merged["berettiget"] is False:
        errors.update(_refusal_errors(merged))
    if merged["handleplan_tilbudt"] is False and not merged["handleplan_ikke_tilbudt_begrundelse"]:
        errors["handleplan_ikke_tilbudt_begrundelse"] = "Angiv hvorfor handleplan ikke er tilbudt."
    if merged["civilsamfund"] and not str(merged["civilsamfund_hvilke"]).strip():
        errors["civilsamfund_hvilke"] = "Angiv hvilke indsatser i civilsamfundet."
    if merged["faelles_opfoelgning"] == "konkret_dato" and not merged["faelles_opfoelgningsdato"]:
        errors["faelles_opfoelgningsdato"] = "Angiv datoen for opfølgning."
    if errors:
        raise ValidationError(errors)
    locked.full_clean(exclude=["sag", "udredning", "oprettet_af", "stoettebehov"])
    changes = diff(before, snapshot(locked, VURDERING_FIELDS))
    if changes:
        version_next(locked)
    locked.save()
    _carry_missing_levels(locked)
    if changes:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            borger_id=locked.sag.borger_id,
            summary="Sagsvurdering opdateret",
            changes=changes,
        )
    return locked


@transaction.atomic
def maal_add(
    *,
    actor: User,
    vurdering: Sagsvurdering,
    maalformulering: str,
    maaltype: Maaltype,
    primaert_undertema: Undertema,
    forventet_niveau: int | None = None,
    relaterede_undertemaer: Iterable[Undertema] = (),
    opfoelgning: str = "",
    opfoelgningsdato: date | None = None,
    ansvarlig_for_opfoelgning: str = "",
    udfoerer: Organisation | None = None,
    timer_pr_uge: Decimal | None = None,
) -> Indsatsmaal:
    """A goal on exactly one primary Aktivitet og deltagelse sub-theme; its current level is
    carried from the udredning's latest score of that sub-theme."""
    require_assessing(actor, vurdering.sag)
    errors: dict[str, str] = {}
    if not maalformulering.strip():
        errors["maalformulering"] = "Skriv målet med borgerens egne ord."
    if not primaert_undertema.scores:
        errors["primaert_undertema"] = (
            "Det primære udredningstema skal være et undertema under Aktivitet og deltagelse."
        )
    elif not Undertema.objects.current().filter(pk=primaert_undertema.pk).exists():
        errors["primaert_undertema"] = "Undertemaet hører ikke til det gældende FFB-katalog."
    if not Maaltype.objects.current().filter(pk=maaltype.pk).exists():
        errors["maaltype"] = "Måltypen hører ikke til det gældende FFB-katalog."
    if not vurdering.samme_opfoelgning_for_alle_maal:
        if not opfoelgning:
            errors["opfoelgning"] = "Angiv opfølgning for målet (separat opfølgning)."
        elif opfoelgning == "konkret_dato" and opfoelgningsdato is None:
            errors["opfoelgningsdato"] = "Angiv datoen for opfølgning."
    if timer_pr_uge is not None and timer_pr_uge < 0:
        errors["timer_pr_uge"] = "Timer kan ikke være negative."
    if errors:
        raise ValidationError(errors)
    maal = Indsatsmaal(
        vurdering=vurdering,
        raekkefoelge=vurdering.maal.count() + 1,
        maalformulering=maalformulering,
        maaltype=maaltype,
        primaert_undertema=primaert_undertema,
        aktuel_vurdering=current_scores(sag=vurdering.sag).get(primaert_undertema.pk),
        forventet_niveau=forventet_niveau,
        opfoelgning=opfoelgning,
        opfoelgningsdato=opfoelgningsdato,
        ansvarlig_for_opfoelgning=ansvarlig_for_opfoelgning,
        udfoerer=udfoerer,
        timer_pr_uge=timer_pr_uge,
    )
    maal.full_clean(exclude=["vurdering", "aktuel_vurdering"])
    maal.save()
    maal.relaterede_undertemaer.set(
        [u for u in relaterede_undertemaer if u.pk != primaert_undertema.pk]
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=maal,
        borger_id=vurdering.sag.borger_id,
        summary=f"Indsatsmål {maal.raekkefoelge} oprettet",
        changes=diff(
            {}, snapshot(maal, ["maalformulering", "primaert_undertema", "forventet_niveau"])
        ),
    )
    return maal


@transaction.atomic
def stoettebehov_set(
    *, actor: User, vurdering: Sagsvurdering, vaerdi: int, expected_version: int | None = None
) -> Sagsvurdering:
    """The current support need. The method sets the goals first (handbook l. 3413), so a need
    can be recorded before any goal only when the assessment refuses the application."""
    require_assessing(actor, vurdering.sag)
    locked = Sagsvurdering.objects.select_for_update().get(pk=vurdering.pk)
    version_check(locked, expected_version)
    if locked.berettiget is not False and not locked.maal.exists():
        raise ValidationError(
            {"stoettebehov": "Indsatsmålene sættes før støttebehovet: opret målene først."}
        )
    niveau = Stoettebehov.objects.current().filter(vaerdi=vaerdi).first()
    if niveau is None:
        raise ValidationError({"stoettebehov": "Støttebehovet skal være et af de fem niveauer."})
    _carry_missing_levels(locked)
    old = locked.stoettebehov.vaerdi if locked.stoettebehov else None
    if old == vaerdi:
        return locked
    locked.stoettebehov = niveau
    locked.save(update_fields=["stoettebehov", "opdateret", *version_next(locked)])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        borger_id=locked.sag.borger_id,
        summary=f"Støttebehov: {niveau.navn}",
        changes={"stoettebehov": {"old": old, "new": vaerdi}},
    )
    return locked


FIXED_END_LAWS = re.compile(r"§\s*82\s*[abd]\b")


@transaction.atomic
def indsats_add(
    *,
    actor: User,
    vurdering: Sagsvurdering,
    ydelser: Iterable[Ydelse],
    kommunal_ydelse: KommunalYdelse | None = None,
    tilbudstype: Tilbudstype | None = None,
    udfoerer: Organisation | None = None,
    konto: str = "",
    forventet_start: date | None = None,
    forventet_slut: date | None = None,
    alternativ: bool = False,
) -> Indsats:
    """An indsats runs "uden slutdato" unless every ydelse is under §§ 82a, 82b or 82d."""
    require_assessing(actor, vurdering.sag)
    chosen = list(ydelser)
    errors: dict[str, str] = {}
    if not chosen:
        errors["ydelser"] = "Vælg mindst én ydelse."
    current_leaves = Ydelse.objects.current().filter(
        pk__in=[y.pk for y in chosen], children__isnull=True
    )
    if chosen and current_leaves.count() != len({y.pk for y in chosen}):
        errors["ydelser"] = "Vælg konkrete ydelser fra det gældende katalog, ikke overskrifter."
    if forventet_slut is not None:
        if not chosen or not all(FIXED_END_LAWS.search(y.lovgrundlag) for y in chosen):
            errors["forventet_slut"] = (
                "Kun indsatser efter §§ 82 a, 82 b og 82 d kan have en fast slutdato; "
                "andre indsatser er uden slutdato."
            )
        elif forventet_start is not None and forventet_slut < forventet_start:
            errors["forventet_slut"] = "Slutdatoen ligger før startdatoen."
    if errors:
        raise ValidationError(errors)
    indsats = Indsats.objects.create(
        vurdering=vurdering,
        kommunal_ydelse=kommunal_ydelse,
        tilbudstype=tilbudstype,
        udfoerer=udfoerer,
        konto=konto,
        forventet_start=forventet_start,
        forventet_slut=forventet_slut,
        alternativ=alternativ,
    )
    indsats.ydelser.set(chosen)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=indsats,
        borger_id=vurdering.sag.borger_id,
        summary="Indsats tilføjet" + (" (alternativ)" if alternativ else ""),
        changes={"ydelser": [y.slug for y in chosen]},
    )
    return indsats


@transaction.atomic
def prislinje_add(*, actor: User, indsats: Indsats, **fields: Any) -> Prislinje:
    require_assessing(actor, indsats.vurdering.sag)
    line = Prislinje(indsats=indsats, **fields)
    line.full_clean(exclude=["indsats"])
    if not indsats.ydelser.filter(pk=line.ydelse_id).exists():
        raise ValidationError({"ydelse": "Prislinjen skal gælde en af indsatsens ydelser."})
    line.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=line,
        borger_id=indsats.vurdering.sag.borger_id,
        summary=f"Prislinje: {line.beloeb} kr.",
        changes=diff({}, snapshot(line)),
    )
    return line


@transaction.atomic
def maalgrupper_set(
    *,
    actor: User,
    vurdering: Sagsvurdering,
    primaer: Maalgruppe,
    andre: Iterable[Maalgruppe] = (),
    expected_version: int | None = None,
) -> list[VurderingMaalgruppe]:
    """Exactly one primary target group, others optional (a draft until the decision)."""
    require_assessing(actor, vurdering.sag)
    vurdering = Sagsvurdering.objects.select_for_update().get(pk=vurdering.pk)
    version_check(vurdering, expected_version)
    others = [m for m in andre if m.pk != primaer.pk]
    chosen = [primaer, *others]
    current = Maalgruppe.objects.current().filter(pk__in=[m.pk for m in chosen]).count()
    if not all(m.kan_vaelges for m in chosen) or current != len(chosen):
        raise ValidationError(
            {"maalgrupper": "Vælg konkrete målgrupper fra det gældende katalog, ikke overskrifter."}
        )
    rows_before = list(vurdering.maalgrupper.select_related("maalgruppe"))
    before = sorted(row.maalgruppe.slug for row in rows_before)
    if before == sorted([primaer.slug, *(m.slug for m in others)]) and any(
        row.primaer and row.maalgruppe_id == primaer.pk for row in rows_before
    ):
        return rows_before  # saving what is there changes nothing
    vurdering.save(update_fields=version_next(vurdering))
    vurdering.maalgrupper.all().delete()
    rows = VurderingMaalgruppe.objects.bulk_create(
        [VurderingMaalgruppe(vurdering=vurdering, maalgruppe=primaer, primaer=True)]
        + [VurderingMaalgruppe(vurdering=vurdering, maalgruppe=m) for m in others]
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=vurdering,
        borger_id=vurdering.sag.borger_id,
        summary=f"Målgruppe: {primaer.navn}",
        changes={"maalgrupper": {"old": before, "new": [primaer.slug, *(m.slug for m in others)]}},
    )
    return rows


@transaction.atomic
def sagsvurdering_save(
    *,
    actor: User,
    vurdering: Sagsvurdering,
    expected_version: int | None = None,
    stoettebehov: int | None = None,
    primaer: Maalgruppe | None = None,
    andre: Iterable[Maalgruppe] = (),
    **fields: Any,
) -> Sagsvurdering:
    """The page's one form: the sagsvurdering's own fields, then its support need and its target
    groups where given, all saved or none. The version is checked once, against what the user
    read; what is unchanged is neither written nor audited."""
    saved = sagsvurdering_update(
        actor=actor, vurdering=vurdering, expected_version=expected_version, **fields
    )
    if stoettebehov is not None:
        saved = stoettebehov_set(actor=actor, vurdering=saved, vaerdi=stoettebehov)
    if primaer is not None:
        maalgrupper_set(actor=actor, vurdering=saved, primaer=primaer, andre=andre)
    return Sagsvurdering.objects.get(pk=saved.pk)


# Decision authority: which decisions the visitationsudvalg makes

PERIODS_PER_YEAR = {"dag": 365, "uge": 52, "maaned": 12, "aar": 1}

BOTILBUD_SLUG = "botilbud-til-voksne"


def yearly_cost(*, vurdering: Sagsvurdering) -> Decimal:
    """What the recommended indsatser cost a year at their rate: each price line's amount per
    period times the periods in a year, whatever its number of repetitions (which gives the
    indsats's total price, `Indsats.pris`). The committee threshold is a yearly amount, so it is
    compared with this. Alternatives are not counted."""
    total = Decimal(0)
    for line in Prislinje.objects.filter(indsats__vurdering=vurdering, indsats__alternativ=False):
        total += line.antal_pr_periode * line.enhedspris * PERIODS_PER_YEAR[line.frekvens]
    return total


@dataclass(frozen=True)
class DecisionRoute:
    visitationsudvalg: bool
    reasons: list[str]


def decision_route(*, vurdering: Sagsvurdering) -> DecisionRoute:
    """Whether the caseworker may decide alone or the case goes to the visitationsudvalg: by the
    service's decision authority in the catalog, the municipality's rules per service, and the
    yearly amount threshold."""
    reasons: list[str] = []
    services_used = {
        i.kommunal_ydelse
        for i in vurdering.indsatser.filter(alternativ=False).select_related("kommunal_ydelse")
        if i.kommunal_ydelse is not None
    }
    for ydelse in sorted(services_used, key=lambda y: y.kode):
        if ydelse.afgoerelseskompetence == "visitationsudvalg":
            reasons.append(f"{ydelse.kode} afgøres af visitationsudvalget efter kataloget.")
    cost = yearly_cost(vurdering=vurdering)
    try:
        kommune = current_kommune()
    except ImproperlyConfigured:
        # Without the municipality's catalog there are no municipal rules to apply.
        return DecisionRoute(visitationsudvalg=bool(reasons), reasons=reasons)
    for regel in Kompetenceregel.objects.filter(kommune=kommune).select_related("kommunal_ydelse"):
        applies = regel.kommunal_ydelse is None or regel.kommunal_ydelse in services_used
        if not applies:
            continue
        scope = regel.kommunal_ydelse.kode if regel.kommunal_ydelse else "alle ydelser"
        if regel.altid_visitationsudvalg:
            reasons.append(f"Kommunens regel: {scope} afgøres altid af visitationsudvalget.")
        if regel.beloebsgraense_pr_aar is not None and cost > regel.beloebsgraense_pr_aar:
            reasons.append(
                f"Den årlige udgift på {cost:,.0f} kr. overstiger grænsen på "
                f"{regel.beloebsgraense_pr_aar:,.0f} kr. ({scope}).".replace(",", ".")
            )
    return DecisionRoute(visitationsudvalg=bool(reasons), reasons=reasons)


def is_botilbud(tilbudstype: Tilbudstype | None) -> bool:
    node: TreeMixin | None = tilbudstype
    while node is not None:
        if getattr(node, "slug", None) == BOTILBUD_SLUG:
            return True
        node = node.parent
    return False
