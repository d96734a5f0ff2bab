"""Writes for the handleplan, the bestilling and the provider's delivery records. Each checks the
access policy, validates, writes and audits in one transaction; notifications go in the same
transaction (their e-mails leave through the outbox after commit)."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessment.models import Afgoerelse, Indsats, Indsatsmaal
from assessment.services import letter_context
from cases.lifecycle import Fase, blockers
from cases.models import Borger, Sag, Samtykke
from cases.services import sag_move
from orders.content import (
    GRANTED,
    PLAN_WITHOUT_CONSENT_LAWS,
    Ordreplan,
    Udkast,
    bestilling_content,
    content_changes,
    goal_content,
    granted_indsatser,
    indsats_content,
    indsats_laws,
    order_plan,
)
from orders.models import (
    Anmodning,
    Bestilling,
    Delmaal,
    Delmaalsnotat,
    Handleplan,
    HandleplanVersion,
    Handling,
    Leveringsnotat,
    Magtanvendelse,
)
from vum import calendar
from vum.access import Action, require
from vum.accounts.models import Organisation, Role, User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, diff, snapshot
from vum.catalog.models import Undertema
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_create, frist_meet
from vum.notifications.services import Besked, notifikationer_create
from vum.pdf import render_pdf

# Phases in which a decision's services are ordered: first after the decision, and again when a
# follow-up changes the goals.
ORDERING_PHASES = (Fase.BESTILLING, Fase.LEVERING, Fase.OPFOELGNING)


def _caseworkers(sag: Sag) -> list[User]:
    """Who hears of the case: its caseworker, else the team's caseworkers."""
    if sag.sagsbehandler is not None and sag.sagsbehandler.is_active:
        return [sag.sagsbehandler]
    return list(sag.team.members.filter(is_active=True, role=Role.SAGSBEHANDLER))


def _staff(bestilling: Bestilling) -> list[User]:
    return list(bestilling.udfoerer.staff.filter(is_active=True, role=Role.UDFOERER))


# Handleplan


def granted_decisions(borger: Borger) -> list[Afgoerelse]:
    """The latest decision with a grant on each of the citizen's open cases."""
    latest: dict[int, Afgoerelse] = {}
    decisions = (
        Afgoerelse.objects.filter(sag__borger=borger, resultater__resultat__in=GRANTED)
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


@transaction.atomic
def handleplan_update(*, actor: User, borger: Borger, **fields: Any) -> Handleplan:
    plan = handleplan_for(borger)
    _require_plan_edit(actor, plan)
    allowed = {"tilbudt", "ikke_tilbudt_begrundelse", "oensket", *Handleplan.TEXT_FIELDS}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(f"Ukendte felter: {', '.join(sorted(unknown))}.")
    before = snapshot(plan, allowed) if plan.pk else {}
    for name, value in fields.items():
        setattr(plan, name, value)
    if plan.tilbudt is False and not plan.ikke_tilbudt_begrundelse.strip():
        raise ValidationError(
            {"ikke_tilbudt_begrundelse": "Skriv hvorfor borgeren ikke er tilbudt en handleplan."}
        )
    plan.full_clean()
    plan.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=plan,
        summary="Handleplan ændret",
        changes={"felter": sorted(diff(before, snapshot(plan, allowed)))},
    )
    return plan


@transaction.atomic
def handleplan_finalise(*, actor: User, borger: Borger) -> HandleplanVersion:
    """Freeze a version for the citizen: no earlier than the decision, and only when the
    citizen wants a plan."""
    plan = handleplan_for(borger)
    _require_plan_edit(actor, plan)
    if not plan.pk:
        plan.save()
    plan = Handleplan.objects.select_for_update().get(pk=plan.pk)
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
    pdf = render_pdf(
        template_name="letters/handleplan.html",
        context={
            **letter_context(sag, actor),
            "modtager": {
                "navn": borger.navn,
                "adresse": borger.adresse,
                "postnummer": borger.postnummer,
                "by": borger.by,
            },
            "plan": plan,
            "indhold": content,
            "version": nummer,
        },
    )
    version = HandleplanVersion.objects.create(
        handleplan=plan,
        nummer=nummer,
        indhold=content,
        pdf=pdf.content,
        sha256=pdf.sha256,
        endelig_af=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.PRINT,
        obj=version,
        summary=f"Handleplan version {nummer} færdiggjort (SHA-256 {pdf.sha256[:12]}…)",
    )
    return version


# Bestilling


def _consent_to_share(sag: Sag, udfoerer: Organisation) -> Samtykke | None:
    """An active consent to pass information to this provider (a tilbud): one naming it, or a
    general one to tilbud."""
    consents = sag.samtykker.active().filter(
        retning=Samtykke.Retning.VIDEREGIVELSE, part=Samtykke.Part.TILBUD
    )
    return next((c for c in consents if c.covers_tilbud(udfoerer)), None)


def handleplan_attachment(*, sag: Sag, udkast: Udkast) -> str:
    """What of the handleplan goes along: all of it with the citizen's consent; without consent
    only the relevant parts, and only for §§ 101 and 107-110 (SEL § 141 stk. 6)."""
    plan = Handleplan.objects.filter(borger_id=sag.borger_id).first()
    if plan is None or not plan.versioner.exists():
        return Bestilling.Vedlaeg.INGEN
    if _consent_to_share(sag, udkast.udfoerer) is not None:
        return Bestilling.Vedlaeg.HELE
    if any(PLAN_WITHOUT_CONSENT_LAWS.search(indsats_laws(i)) for i in udkast.indsatser):
        return Bestilling.Vedlaeg.RELEVANTE_DELE
    return Bestilling.Vedlaeg.INGEN


def _relevant_parts(content: dict[str, Any], udkast: Udkast) -> dict[str, Any]:
    """The plan cut to this provider: its purpose, the provider's own goals and indsatser."""
    goals = {g.pk for g in udkast.maal}
    indsatser = {i.pk for i in udkast.indsatser}
    return {
        **{key: "" for key in Handleplan.TEXT_FIELDS},
        "formaal": content["formaal"],
        "maal": [g for g in content["maal"] if g["id"] in goals],
        "indsatser": [i for i in content["indsatser"] if i["id"] in indsatser],
    }


def _bilag(
    *, sag: Sag, udkast: Udkast, vedlaeg: str, actor: User
) -> tuple[HandleplanVersion | None, bytes | None]:
    if vedlaeg == Bestilling.Vedlaeg.INGEN:
        return None, None
    version = HandleplanVersion.objects.filter(handleplan__borger_id=sag.borger_id).first()
    assert version is not None
    if vedlaeg == Bestilling.Vedlaeg.HELE:
        return version, bytes(version.pdf)
    pdf = render_pdf(
        template_name="letters/handleplan.html",
        context={
            **letter_context(sag, actor),
            "modtager": {"navn": udkast.udfoerer.navn, "adresse": udkast.udfoerer.adresse},
            "plan": version.handleplan,
            "indhold": _relevant_parts(version.indhold, udkast),
            "version": version.nummer,
            "uddrag": True,
        },
    )
    return version, pdf.content


def order_blockers(afgoerelse: Afgoerelse, plan: Ordreplan | None = None) -> list[str]:
    """Why the decision's services cannot be ordered now (`plan`: its order plan, if known)."""
    reasons: list[str] = []
    if afgoerelse.sag.fase not in ORDERING_PHASES:
        reasons.append(
            "Bestillinger sendes, når sagen er i fasen bestilling, levering eller opfølgning."
        )
    if not afgoerelse.resultater.filter(resultat__in=GRANTED).exists():
        reasons.append("Afgørelsen bevilger ingen indsats.")
    plan = plan or order_plan(afgoerelse)
    reasons.extend(plan.mangler)
    if not plan.udkast and not plan.mangler and not reasons:
        reasons.append(
            "Ingen af de bevilgede indsatser leveres af en udfører (fx § 100 eller BPA)."
        )
    return reasons


@transaction.atomic
def bestillinger_send(*, actor: User, afgoerelse: Afgoerelse) -> list[Bestilling]:
    """Order the decision's services: one bestilling per provider with only its goals and
    indsatser. A provider that already has an order on the case gets a new version listing
    what changed; an unchanged order is not sent again. Providers no longer in the decision
    have their order ended. The finance function and the providers are notified."""
    sag = (
        Sag.objects.select_for_update(of=("self",))
        .select_related("team", "sagsbehandler", "borger")
        .get(pk=afgoerelse.sag_id)
    )
    require(actor, Action.EDIT, sag)
    afgoerelse.sag = sag
    plan = order_plan(afgoerelse)
    reasons = order_blockers(afgoerelse, plan)
    if reasons:
        raise ValidationError(reasons)
    # The latest version per provider (a refused order stays beside the one sent after it).
    previous = {
        b.udfoerer_id: b
        for b in Bestilling.objects.select_for_update()
        .filter(sag=sag)
        .exclude(status__in=[Bestilling.Status.ERSTATTET, Bestilling.Status.OPHOERT])
        .order_by("version", "pk")
    }
    samarbejdspartnere = (
        Handleplan.objects.filter(borger_id=sag.borger_id)
        .values_list("samarbejdspartnere", flat=True)
        .first()
        or ""
    )
    sent: list[Bestilling] = []
    for udkast in plan.udkast:
        vedlaeg = handleplan_attachment(sag=sag, udkast=udkast)
        content = bestilling_content(
            afgoerelse=afgoerelse,
            udkast=udkast,
            andre=[u for u in plan.udkast if u is not udkast],
            uden_bestilling=plan.uden_bestilling,
            samarbejdspartnere=samarbejdspartnere,
            bilag=Bestilling.Vedlaeg(vedlaeg).label,
        )
        old = previous.pop(udkast.udfoerer.pk, None)
        changes: list[str] = []
        if old is not None:
            changes = content_changes(old.indhold, content)
            if not changes and old.status != Bestilling.Status.AFVIST:
                continue
            if old.status in Bestilling.ACTIVE_STATES:
                old.replace()
                old.save()
        sent.append(_bestilling_create(actor, afgoerelse, udkast, content, changes, old, vedlaeg))
    for ended in previous.values():
        if ended.status in Bestilling.ACTIVE_STATES:
            ended.end()
            ended.slutdato = timezone.localdate()
            ended.save()
            audit_record(
                actor=actor, action=AuditAction.UPDATE, obj=ended, summary="Bestilling ophørt"
            )
    _notify_finance(sent)
    return sent


def _bestilling_create(
    actor: User,
    afgoerelse: Afgoerelse,
    udkast: Udkast,
    content: dict[str, Any],
    changes: list[str],
    old: Bestilling | None,
    vedlaeg: str,
) -> Bestilling:
    sag = afgoerelse.sag
    starts = [i.forventet_start for i in udkast.indsatser if i.forventet_start]
    version_of_plan, bilag_pdf = _bilag(sag=sag, udkast=udkast, vedlaeg=vedlaeg, actor=actor)
    bestilling = Bestilling(
        sag=sag,
        udfoerer=udkast.udfoerer,
        afgoerelse=afgoerelse,
        version=old.version + 1 if old else 1,
        erstatter=old,
        startdato=old.startdato
        if old and old.startdato
        else (min(starts) if starts else timezone.localdate()),
        indhold=content,
        aendringer=changes,
        vedlagt_handleplan=vedlaeg,
        handleplan_version=version_of_plan,
        bilag_pdf=bilag_pdf,
        sendt=timezone.now(),
        sendt_af=actor,
    )
    bestilling.save()
    bestilling.maal.set(udkast.maal)
    bestilling.indsatser.set(udkast.indsatser)
    pdf = render_pdf(
        template_name="letters/bestilling.html",
        context={
            **letter_context(sag, actor),
            "modtager": {"navn": udkast.udfoerer.navn, "adresse": udkast.udfoerer.adresse},
            "bestilling": bestilling,
            "indhold": content,
        },
    )
    bestilling.pdf = pdf.content
    bestilling.sha256 = pdf.sha256
    bestilling.save(update_fields=["pdf", "sha256"])
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=bestilling,
        summary=f"Bestilling version {bestilling.version} sendt til {udkast.udfoerer} "
        f"({Bestilling.Vedlaeg(vedlaeg).label.lower()})",
        changes={
            "maal": [g.pk for g in udkast.maal],
            "indsatser": [i.pk for i in udkast.indsatser],
        },
    )
    link = reverse("orders:udfoerer-bestilling", args=[bestilling.pk])
    notifikationer_create(
        beskeder=[
            Besked(
                modtager=user,
                titel="Ny bestilling" if old is None else "Ændret bestilling",
                tekst=f"{udkast.udfoerer} har modtaget bestilling nr. {bestilling.pk}"
                + (f" (version {bestilling.version})." if old else "."),
                link=link,
                kilde=f"bestilling-{bestilling.pk}",
            )
            for user in _staff(bestilling)
        ]
    )
    return bestilling


def _notify_finance(sent: Iterable[Bestilling]) -> None:
    """The finance function hears of each order with what it pays (no citizen data)."""
    finance = list(User.objects.filter(is_active=True, role=Role.OEKONOMI))
    link = reverse("orders:oekonomi")
    notifikationer_create(
        beskeder=[
            Besked(
                modtager=user,
                titel="Ny bestilling til betaling",
                tekst=(
                    f"Bestilling nr. {b.pk} (version {b.version}) til {b.udfoerer}, start "
                    f"{b.startdato:%d.%m.%Y}, i alt {b.indhold.get('pris_i_alt', '0')} kr. "
                    f"pr. bevillingsperiode. "
                    f"EAN: {b.indhold['betaling'].get('ean') or 'ikke angivet'}."
                ),
                link=link,
                kilde=f"oekonomi-bestilling-{b.pk}",
            )
            for b in sent
            for user in finance
        ]
    )


def _answer(actor: User, bestilling: Bestilling) -> Bestilling:
    require(actor, Action.ANSWER_BESTILLING, bestilling)
    locked = (
        Bestilling.objects.select_for_update(of=("self",))
        .select_related("sag", "udfoerer")
        .get(pk=bestilling.pk)
    )
    if not locked.awaits_answer:
        raise ValidationError(
            f"Bestillingen er allerede {locked.get_status_display().lower()}; opdatér siden."
        )
    return locked


@transaction.atomic
def bestilling_receive(*, actor: User, bestilling: Bestilling) -> Bestilling:
    locked = _answer(actor, bestilling)
    if locked.status != Bestilling.Status.SENDT:
        raise ValidationError("Bestillingen er allerede kvitteret for modtagelse.")
    locked.receive()
    locked.modtaget = timezone.now()
    locked.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, summary="Bestilling modtaget")
    return locked


@transaction.atomic
def bestilling_accept(*, actor: User, bestilling: Bestilling) -> Bestilling:
    """The provider takes the order on. When every order on the case is accepted, delivery
    starts (the case moves to levering)."""
    # The case's row first: two providers accepting at once would each see the other's order
    # still unanswered, and neither would start the delivery.
    Sag.objects.select_for_update().filter(pk=bestilling.sag_id).first()
    locked = _answer(actor, bestilling)
    locked.accept()
    locked.modtaget = locked.modtaget or timezone.now()
    locked.besvaret = timezone.now()
    locked.besvaret_af = actor
    locked.save()
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=locked, summary="Bestilling accepteret"
    )
    sag = locked.sag
    if sag.fase == Fase.BESTILLING and not blockers(sag, "start_levering"):
        sag_move(actor=actor, sag=sag, name="start_levering")
    return locked


@transaction.atomic
def bestilling_reject(*, actor: User, bestilling: Bestilling, begrundelse: str) -> Bestilling:
    """The provider declines; the reason goes back to the caseworker, who orders elsewhere."""
    if not begrundelse.strip():
        raise ValidationError({"begrundelse": "Skriv hvorfor bestillingen afvises."})
    locked = _answer(actor, bestilling)
    locked.reject()
    locked.modtaget = locked.modtaget or timezone.now()
    locked.besvaret = timezone.now()
    locked.besvaret_af = actor
    locked.afvist_begrundelse = begrundelse.strip()
    locked.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, summary="Bestilling afvist")
    link = reverse("orders:sag-bestillinger", args=[locked.sag_id])
    notifikationer_create(
        beskeder=[
            Besked(
                modtager=user,
                titel="Bestilling afvist",
                tekst=f"{locked.udfoerer} har afvist bestilling nr. {locked.pk}. "
                "Se begrundelsen i sagen.",
                link=link,
                kilde=f"bestilling-afvist-{locked.pk}",
            )
            for user in _caseworkers(locked.sag)
        ]
    )
    return locked


# Levering: what the provider writes, always through its current, active bestilling


def _require_delivering(actor: User, bestilling: Bestilling) -> None:
    require(actor, Action.DELIVER, bestilling)


def _require_documenting(actor: User, bestilling: Bestilling) -> None:
    """Sub-goals and notes are written on an order the provider has taken on. (A use of force
    is reported, and a request sent, whatever the order's answer.)"""
    _require_delivering(actor, bestilling)
    # Read again: the object in hand may be from before the answer.
    if not Bestilling.objects.get(pk=bestilling.pk).taken_on:
        raise ValidationError("Accepter bestillingen, før I dokumenterer på den.")


def _ordered_goals(bestilling: Bestilling, goals: Iterable[Indsatsmaal]) -> list[Indsatsmaal]:
    chosen = list(goals)
    ordered = set(bestilling.maal.values_list("pk", flat=True))
    if not chosen:
        raise ValidationError({"indsatsmaal": "Knyt delmålet til mindst ét indsatsmål."})
    if any(g.pk not in ordered for g in chosen):
        raise ValidationError({"indsatsmaal": "Delmål kan kun knyttes til bestillingens mål."})
    return chosen


@transaction.atomic
def delmaal_create(
    *,
    actor: User,
    bestilling: Bestilling,
    formulering: str,
    indsatsmaal: Iterable[Indsatsmaal],
    tidsfrist: date | None = None,
) -> Delmaal:
    _require_documenting(actor, bestilling)
    if not formulering.strip():
        raise ValidationError({"formulering": "Skriv delmålet sammen med borgeren."})
    if tidsfrist is not None and tidsfrist < timezone.localdate():
        raise ValidationError({"tidsfrist": "Tidsfristen ligger i fortiden."})
    goals = _ordered_goals(bestilling, indsatsmaal)
    delmaal = Delmaal.objects.create(
        sag=bestilling.sag,
        udfoerer=bestilling.udfoerer,
        formulering=formulering.strip(),
        tidsfrist=tidsfrist,
        oprettet_af=actor,
    )
    delmaal.indsatsmaal.set(goals)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=delmaal,
        summary="Delmål oprettet",
        changes={"indsatsmaal": [g.pk for g in goals]},
    )
    return delmaal


def _own_delmaal(actor: User, bestilling: Bestilling, delmaal: Delmaal) -> None:
    _require_documenting(actor, bestilling)
    if delmaal.sag_id != bestilling.sag_id or delmaal.udfoerer_id != bestilling.udfoerer_id:
        raise ValidationError("Delmålet hører ikke til denne bestilling.")


@transaction.atomic
def delmaal_set_status(
    *, actor: User, bestilling: Bestilling, delmaal: Delmaal, status: str
) -> Delmaal:
    _own_delmaal(actor, bestilling, delmaal)
    if status not in Delmaal.Status.values:
        raise ValidationError({"status": "Ukendt status."})
    old = delmaal.status
    delmaal.status = status
    delmaal.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=delmaal,
        summary=f"Delmål: {Delmaal.Status(status).label.lower()}",
        changes={"status": {"old": old, "new": status}},
    )
    return delmaal


@transaction.atomic
def handling_add(
    *, actor: User, bestilling: Bestilling, delmaal: Delmaal, beskrivelse: str
) -> Handling:
    _own_delmaal(actor, bestilling, delmaal)
    if not beskrivelse.strip():
        raise ValidationError({"beskrivelse": "Beskriv handlingen."})
    handling = Handling.objects.create(
        delmaal=delmaal, beskrivelse=beskrivelse.strip(), oprettet_af=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=handling,
        borger_id=bestilling.sag.borger_id,
        summary="Handling tilføjet til delmål",
    )
    return handling


@transaction.atomic
def delmaalsnotat_add(
    *, actor: User, bestilling: Bestilling, delmaal: Delmaal, tekst: str, dato: date | None = None
) -> Delmaalsnotat:
    _own_delmaal(actor, bestilling, delmaal)
    dato = dato or timezone.localdate()
    errors: dict[str, str] = {}
    if not tekst.strip():
        errors["tekst"] = "Skriv hvad du har observeret."
    if dato > timezone.localdate():
        errors["dato"] = "Et notat kan ikke dateres frem i tiden."
    if errors:
        raise ValidationError(errors)
    notat = Delmaalsnotat.objects.create(
        delmaal=delmaal, dato=dato, tekst=tekst.strip(), oprettet_af=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=notat,
        borger_id=bestilling.sag.borger_id,
        summary="Delmålsnotat skrevet",
    )
    return notat


@transaction.atomic
def leveringsnotat_add(
    *,
    actor: User,
    bestilling: Bestilling,
    tekst: str,
    undertemaer: Iterable[Undertema] = (),
    dato: date | None = None,
) -> Leveringsnotat:
    _require_documenting(actor, bestilling)
    dato = dato or timezone.localdate()
    errors: dict[str, str] = {}
    if not tekst.strip():
        errors["tekst"] = "Skriv notatet."
    if dato > timezone.localdate():
        errors["dato"] = "Et notat kan ikke dateres frem i tiden."
    tags = list(undertemaer)
    if tags and Undertema.objects.current().filter(pk__in=[t.pk for t in tags]).count() != len(
        {t.pk for t in tags}
    ):
        errors["undertemaer"] = "Vælg undertemaer fra det gældende FFB-katalog."
    if errors:
        raise ValidationError(errors)
    notat = Leveringsnotat.objects.create(
        sag=bestilling.sag,
        udfoerer=bestilling.udfoerer,
        dato=dato,
        tekst=tekst.strip(),
        oprettet_af=actor,
    )
    notat.undertemaer.set(tags)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=notat,
        summary="Notat skrevet",
        changes={"undertemaer": [t.slug for t in tags]},
    )
    return notat


@transaction.atomic
def magtanvendelse_report(
    *, actor: User, bestilling: Bestilling, tidspunkt: datetime, type: str, beskrivelse: str
) -> Magtanvendelse:
    """Report a use of force; the caseworker is notified at once."""
    _require_delivering(actor, bestilling)
    errors: dict[str, str] = {}
    if type not in Magtanvendelse.Type.values:
        errors["type"] = "Vælg typen af magtanvendelse."
    if not beskrivelse.strip():
        errors["beskrivelse"] = "Beskriv hvad der skete."
    if tidspunkt > timezone.now():
        errors["tidspunkt"] = "Tidspunktet ligger i fremtiden."
    if errors:
        raise ValidationError(errors)
    report = Magtanvendelse.objects.create(
        sag=bestilling.sag,
        udfoerer=bestilling.udfoerer,
        tidspunkt=tidspunkt,
        type=type,
        beskrivelse=beskrivelse.strip(),
        oprettet_af=actor,
    )
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=report, summary="Magtanvendelse indberettet"
    )
    link = reverse("orders:sag-bestillinger", args=[bestilling.sag_id]) + "#magtanvendelser"
    notifikationer_create(
        beskeder=[
            Besked(
                modtager=user,
                titel="Magtanvendelse indberettet",
                tekst=f"{bestilling.udfoerer} har indberettet en magtanvendelse i sag "
                f"{bestilling.sag_id}. Se indberetningen i sagen.",
                link=link,
                kilde=f"magtanvendelse-{report.pk}",
            )
            for user in _caseworkers(bestilling.sag)
        ]
    )
    return report


@transaction.atomic
def anmodning_create(
    *, actor: User, bestilling: Bestilling, art: str, begrundelse: str
) -> Anmodning:
    """The provider asks for revisitation or new goals: a task with a deadline for the
    caseworker, who is notified at once."""
    _require_delivering(actor, bestilling)
    errors: dict[str, str] = {}
    if art not in Anmodning.Art.values:
        errors["art"] = "Vælg hvad der anmodes om."
    if not begrundelse.strip():
        errors["begrundelse"] = "Beskriv hvad der har ændret sig hos borgeren."
    if errors:
        raise ValidationError(errors)
    sag = bestilling.sag
    anmodning = Anmodning.objects.create(
        sag=sag,
        udfoerer=bestilling.udfoerer,
        art=art,
        begrundelse=begrundelse.strip(),
        oprettet_af=actor,
    )
    days = settings.VUM_ANMODNING_WORKING_DAYS
    anmodning.frist = frist_create(
        sag=sag,
        art=Frist.Art.ANMODNING,
        frist=calendar.end_of_day(calendar.add_working_days(timezone.localdate(), days)),
        beskrivelse=f"Besvar anmodning om {anmodning.get_art_display().lower()} fra "
        f"{bestilling.udfoerer}",
        regel=f"{days} arbejdsdage til at besvare en anmodning fra udfører",
        ansvarlig=sag.sagsbehandler,
        ansvarligt_team=sag.team,
        actor=actor,
    )
    anmodning.save(update_fields=["frist"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=anmodning,
        summary=f"Anmodning om {anmodning.get_art_display().lower()}",
    )
    link = reverse("orders:sag-bestillinger", args=[sag.pk]) + "#anmodninger"
    notifikationer_create(
        beskeder=[
            Besked(
                modtager=user,
                titel=f"Anmodning om {anmodning.get_art_display().lower()}",
                tekst=f"{bestilling.udfoerer} anmoder om {anmodning.get_art_display().lower()} "
                f"i sag {sag.pk}. "
                f"Svar senest {timezone.localtime(anmodning.frist.frist):%d.%m.%Y}.",
                link=link,
                kilde=f"anmodning-{anmodning.pk}",
            )
            for user in _caseworkers(sag)
        ]
    )
    return anmodning


@transaction.atomic
def anmodning_answer(*, actor: User, anmodning: Anmodning, svar: str) -> Anmodning:
    """The caseworker answers; the provider's staff are told, and the task's deadline is met."""
    require(actor, Action.EDIT, anmodning.sag)
    locked = (
        Anmodning.objects.select_for_update(of=("self",))
        .select_related("frist", "udfoerer")
        .get(pk=anmodning.pk)
    )
    if locked.besvaret is not None:
        raise ValidationError("Anmodningen er allerede besvaret.")
    if not svar.strip():
        raise ValidationError({"svar": "Skriv svaret til udføreren."})
    locked.svar = svar.strip()
    locked.besvaret = timezone.now()
    locked.besvaret_af = actor
    locked.save(update_fields=["svar", "besvaret", "besvaret_af"])
    if locked.frist is not None and locked.frist.status == Frist.Status.AABEN:
        frist_meet(frist=locked.frist, actor=actor)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, summary="Anmodning besvaret")
    staff = locked.udfoerer.staff.filter(is_active=True, role=Role.UDFOERER)
    notifikationer_create(
        beskeder=[
            Besked(
                modtager=user,
                titel="Svar på anmodning",
                tekst=f"Sagsbehandleren har besvaret anmodning nr. {locked.pk}.",
                link=reverse("orders:udfoerer-borgere"),
                kilde=f"anmodning-svar-{locked.pk}",
            )
            for user in staff
        ]
    )
    return locked


@transaction.atomic
def indsats_udfoerer_set(*, actor: User, indsats: Indsats, udfoerer: Organisation) -> Indsats:
    """Choose another provider for a granted indsats, e.g. after a refusal. The goals the old
    provider supported follow when it has no other indsats. The order is then sent again."""
    sag = Sag.objects.get(pk=indsats.vurdering.sag_id)
    require(actor, Action.EDIT, sag)
    if sag.fase not in ORDERING_PHASES:
        raise ValidationError(
            "Udføreren skiftes, når sagen er i bestilling, levering eller opfølgning."
        )
    old = indsats.udfoerer
    if old is not None and old.pk == udfoerer.pk:
        raise ValidationError({"udfoerer": f"{udfoerer} leverer allerede indsatsen."})
    indsats.udfoerer = udfoerer
    indsats.save(update_fields=["udfoerer"])
    vurdering = indsats.vurdering
    if old is not None and not vurdering.indsatser.filter(udfoerer=old).exists():
        vurdering.maal.filter(udfoerer=old).update(udfoerer=udfoerer)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=sag,
        summary=f"Udfører for indsats {indsats.pk} skiftet til {udfoerer}",
        changes={"udfoerer": {"old": old.pk if old else None, "new": udfoerer.pk}},
    )
    return indsats
