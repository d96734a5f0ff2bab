"""The handleplan (SEL § 141): its content from the citizen's granted decisions, edits, and
versions frozen for the citizen."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from assessment.models import GRANTING_RESULTS, Afgoerelse
from cases.lifecycle import Fase
from cases.models import Borger, Sag, prints_address
from orders.content import (
    goal_content,
    granted_indsatser,
    indsats_content,
)
from orders.letters import handleplan_pdf
from orders.models import (
    Handleplan,
    HandleplanVersion,
)
from vum.access import Action, require
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, diff, snapshot
from vum.versions import version_check, version_next

# Handleplan


def granted_decisions(borger: Borger) -> list[Afgoerelse]:
    """The latest decision with a grant on each of the citizen's open cases."""
    latest: dict[int, Afgoerelse] = {}
    decisions = (
        Afgoerelse.objects.filter(sag__borger=borger, resultater__resultat__in=GRANTING_RESULTS)
        .exclude(sag__fase=Fase.AFSLUTTET)
        .select_related("sag", "vurdering")
        .order_by("sag_id", "-truffet", "-id")
        .distinct()
    )
    for decision in decisions:
        latest.setdefault(decision.sag_id, decision)
    return list(latest.values())


def handleplan_for(borger: Borger) -> Handleplan:
    """The citizen's plan, or an unsaved empty one filled from the latest assessment's
    handleplan fields (offered, wanted)."""
    plan = Handleplan.objects.filter(borger=borger).first()
    if plan is not None:
        return plan
    vurdering = (
        Sag.objects.filter(borger=borger)
        .exclude(fase=Fase.AFSLUTTET)
        .values_list("sagsvurderinger__handleplan_tilbudt", "sagsvurderinger__handleplan_oensket")
        .exclude(sagsvurderinger__isnull=True)
        .order_by("-sagsvurderinger__oprettet")
        .first()
    )
    tilbudt, oensket = vurdering if vurdering else (None, None)
    return Handleplan(borger=borger, tilbudt=tilbudt, oensket=oensket)


def handleplan_content(plan: Handleplan) -> dict[str, Any]:
    """The plan as the citizen reads it: texts, goals with the provider who supports each,
    indsatser with expected start and end. No economy or time use (handbook l. 6800)."""
    maal: list[dict[str, Any]] = []
    indsatser: list[dict[str, Any]] = []
    decisions = granted_decisions(plan.borger)
    for decision in decisions:
        vurdering = decision.vurdering
        if vurdering is None:
            continue
        goals = vurdering.maal.select_related(
            "maaltype", "primaert_undertema", "aktuel_vurdering__niveau", "udfoerer"
        )
        maal.extend(goal_content(g, vurdering, with_hours=False) for g in goals)
        indsatser.extend(indsats_content(i, with_prices=False) for i in granted_indsatser(decision))
    return {
        **{name: getattr(plan, name) for name in Handleplan.TEXT_FIELDS},
        "maal": maal,
        "indsatser": indsatser,
        "afgoerelser": [d.pk for d in decisions],
    }


def handleplan_status(plan: Handleplan) -> str:
    """Udarbejdet, under udarbejdelse (also: changed since its last version) or ikke
    udarbejdet, in the assessment's terms."""
    latest = plan.versioner.first() if plan.pk else None
    if latest is None:
        return "Under udarbejdelse" if plan.oensket else "Ikke udarbejdet"
    if handleplan_outdated(plan, latest):
        return "Under udarbejdelse (mål eller indsatser er ændret siden seneste version)"
    return "Udarbejdet"


def handleplan_outdated(plan: Handleplan, latest: HandleplanVersion | None = None) -> bool:
    latest = latest or (plan.versioner.first() if plan.pk else None)
    if latest is None:
        return False
    current = handleplan_content(plan)
    return any(latest.indhold.get(key) != current[key] for key in ("maal", "indsatser"))


def _require_plan_edit(actor: User, plan: Handleplan) -> None:
    require(actor, Action.EDIT, plan)


PLAN_EDITABLE = ("tilbudt", "ikke_tilbudt_begrundelse", "oensket", *Handleplan.TEXT_FIELDS)


def _plan_locked(borger: Borger, shown: Handleplan) -> tuple[Handleplan, bool]:
    """The citizen's plan row, locked for the rest of the transaction, and whether it was
    created now. On first use the row is created as `handleplan_for` showed it, at version 1,
    so that whoever read that unsaved plan holds its version (and two first saves cannot both
    create the row: the second waits for the first and finds it)."""
    created = False
    if shown.pk is None:
        _, created = Handleplan.objects.get_or_create(
            borger=borger, defaults={"tilbudt": shown.tilbudt, "oensket": shown.oensket}
        )
    return Handleplan.objects.select_for_update().get(borger=borger), created


@transaction.atomic
def handleplan_update(
    *, actor: User, borger: Borger, expected_version: int | None = None, **fields: Any
) -> Handleplan:
    """Save the fields given; `expected_version` is the version the editor read (StaleVersion
    if someone saved since)."""
    shown = handleplan_for(borger)
    _require_plan_edit(actor, shown)
    unknown = set(fields) - set(PLAN_EDITABLE)
    if unknown:
        raise ValidationError(f"Ukendte felter: {', '.join(sorted(unknown))}.")
    plan, created = _plan_locked(borger, shown)
    version_check(plan, expected_version)
    before = snapshot(plan, PLAN_EDITABLE)
    for name, value in fields.items():
        setattr(plan, name, value)
    if plan.tilbudt is False and not plan.ikke_tilbudt_begrundelse.strip():
        raise ValidationError(
            {"ikke_tilbudt_begrundelse": "Skriv hvorfor borgeren ikke er tilbudt en handleplan."}
        )
    plan.full_clean()
    after = snapshot(plan, PLAN_EDITABLE)
    changes = diff(before, after)
    if changes:
        version_next(plan)
    plan.save()
    if created:
        action, summary, felter = AuditAction.CREATE, "Handleplan oprettet", diff({}, after)
    elif changes:
        action, summary, felter = AuditAction.UPDATE, "Handleplan ændret", changes
    else:
        action, summary, felter = AuditAction.VIEW, "Handleplan vist (intet ændret)", {}
    audit_record(
        actor=actor, action=action, obj=plan, summary=summary, changes={"felter": sorted(felter)}
    )
    return plan


@transaction.atomic
def handleplan_finalise(*, actor: User, borger: Borger) -> HandleplanVersion:
    """Freeze a version for the citizen: no earlier than the decision, and only when the
    citizen wants a plan. What is frozen is the plan as saved, read with its row locked, so an
    edit saved at the same instant is either in the version or made after it. Finalising does
    not change the plan's own fields, so its edit version stays (an editor's open form is still
    current)."""
    shown = handleplan_for(borger)
    _require_plan_edit(actor, shown)
    plan, _ = _plan_locked(borger, shown)
    errors: list[str] = []
    if not plan.oensket:
        errors.append("Borgeren har ikke sagt ja til en handleplan; der laves kun en bestilling.")
    content = handleplan_content(plan)
    decisions = granted_decisions(borger)
    if not decisions:
        errors.append("Handleplanen kan først færdiggøres, når der er truffet afgørelse.")
    if not plan.formaal.strip():
        errors.append("Skriv handleplanens formål.")
    if errors:
        raise ValidationError(errors)
    nummer = (plan.versioner.order_by("-nummer").values_list("nummer", flat=True).first() or 0) + 1
    sag = decisions[0].sag
    # The citizen as the version is rendered with: whether it prints the address is read from
    # the same reading.
    citizen = plan.borger
    pdf = handleplan_pdf(sag=sag, actor=actor, plan=plan, indhold=content, version=nummer)
    version = HandleplanVersion.objects.create(
        handleplan=plan,
        nummer=nummer,
        indhold=content,
        pdf=pdf.content,
        sha256=pdf.sha256,
        endelig_af=actor,
        sag=sag,
        underskrevet_af=sag.sagsbehandler or actor,  # as letter_context signs
        viser_adresse=prints_address(citizen.postal_address),
    )
    audit_record(
        actor=actor,
        action=AuditAction.PRINT,
        obj=version,
        summary=f"Handleplan version {nummer} færdiggjort (SHA-256 {pdf.sha256[:12]}…)",
    )
    return version
