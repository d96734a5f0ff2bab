"""The indstilling and the visitationsudvalg: the recommendation frozen as a PDF, the offers a
botilbud needs, the committee's monthly meetings, each outcome and the minutes."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessment.letters import indstilling_context
from assessment.models import (
    Dagsordenspunkt,
    IndhentetTilbud,
    Indstilling,
    Udvalgsmoede,
    Visitationsudvalg,
)
from assessment.services.vurdering import is_botilbud, require_assessing, sagsvurdering_current
from cases.models import Sag
from cases.services.sag import TransitionError, sag_move
from vum import calendar
from vum.access import Action, require
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, audit_record_many
from vum.calendar import end_of_day
from vum.catalog.models import Visitationsudfald
from vum.catalog.selectors import current_kommune
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_create
from vum.notifications.services import Besked, notifikationer_create
from vum.pdf import render_pdf

REQUIRED_OFFERS_FOR_BOTILBUD = 3


@transaction.atomic
def indstilling_create(*, actor: User, sag: Sag, indstilling: str) -> Indstilling:
    """A draft recommendation built from the case's current sagsvurdering."""
    require_assessing(actor, sag)
    vurdering = sagsvurdering_current(sag=sag)
    if vurdering is None:
        raise ValidationError("Der er ingen sagsvurdering at indstille på grundlag af.")
    if not indstilling.strip():
        raise ValidationError({"indstilling": "Skriv indstillingen."})
    created = Indstilling.objects.create(
        sag=sag, vurdering=vurdering, indstilling=indstilling, oprettet_af=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=created,
        borger_id=sag.borger_id,
        summary="Indstilling oprettet",
    )
    return created


@transaction.atomic
def tilbud_add(
    *, actor: User, indstilling: Indstilling, tilbud: str, pris_pr_aar: Decimal, dialog: str = ""
) -> IndhentetTilbud:
    require(actor, Action.EDIT, indstilling.sag)
    if indstilling.status not in (Indstilling.Status.KLADDE, Indstilling.Status.RETURNERET):
        raise ValidationError(
            "Der kan kun tilføjes tilbud, mens indstillingen er en kladde eller er returneret."
        )
    row = IndhentetTilbud(
        indstilling=indstilling, tilbud=tilbud, pris_pr_aar=pris_pr_aar, dialog=dialog
    )
    row.full_clean(exclude=["indstilling"])
    row.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=row,
        borger_id=indstilling.sag.borger_id,
        summary=f"Tilbud indhentet: {row}",
    )
    return row


def _next_meeting_day(first_of_month: date, ugedag: int, uge: int) -> date:
    if uge > 0:
        day = first_of_month + timedelta(days=(ugedag - first_of_month.weekday()) % 7)
        day += timedelta(weeks=uge - 1)
    else:
        last = (first_of_month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        day = last - timedelta(days=(last.weekday() - ugedag) % 7)
    return calendar.next_working_day(day)


@transaction.atomic
def udvalgsmoeder_plan(*, udvalg: Visitationsudvalg, months: int = 3) -> list[Udvalgsmoede]:
    """Make sure the committee's next `months` monthly meetings exist: this month's while it is
    still to come (today included), then the following months' (a meeting on a closed day moves
    to the next working day). So "three months ahead" is always three meetings, never four early
    in a month. Safe to run again."""
    today = timezone.localdate()
    month = today.replace(day=1)
    planned: list[Udvalgsmoede] = []
    while len(planned) < months:
        day = _next_meeting_day(month, udvalg.moede_ugedag, udvalg.moede_uge)
        if day >= today:
            moede, _ = Udvalgsmoede.objects.get_or_create(udvalg=udvalg, dato=day)
            planned.append(moede)
        month = (month + timedelta(days=32)).replace(day=1)
    return planned


@transaction.atomic
def indstilling_send_to_committee(
    *, actor: User, indstilling: Indstilling, moede: Udvalgsmoede
) -> Dagsordenspunkt:
    """Put the recommendation on a meeting's agenda, frozen as a PDF. A botilbud needs three
    relevant tilbud with price first (seed 000 3.4.2)."""
    require_assessing(actor, indstilling.sag)
    locked = Indstilling.objects.select_for_update().get(pk=indstilling.pk)
    if locked.status not in (Indstilling.Status.KLADDE, Indstilling.Status.RETURNERET):
        raise ValidationError("Indstillingen er allerede sendt til visitationsudvalget.")
    # Locked so that a meeting being closed (its minutes frozen) takes no new items meanwhile.
    moede = Udvalgsmoede.objects.select_for_update().get(pk=moede.pk)
    if moede.afsluttet is not None or moede.dato < timezone.localdate():
        raise ValidationError({"moede": "Vælg et kommende møde."})
    if Dagsordenspunkt.objects.filter(moede=moede, sag=locked.sag).exists():
        raise ValidationError({"moede": "Sagen er allerede på dagsordenen for dette møde."})
    botilbud = any(
        is_botilbud(i.tilbudstype)
        for i in locked.vurdering.indsatser.filter(alternativ=False).select_related("tilbudstype")
    )
    if botilbud and locked.indhentede_tilbud.count() < REQUIRED_OFFERS_FOR_BOTILBUD:
        raise ValidationError(
            {
                "tilbud": f"En indstilling til botilbud kræver oplysninger fra "
                f"{REQUIRED_OFFERS_FOR_BOTILBUD} relevante tilbud med pris."
            }
        )
    pdf = render_pdf(
        template_name="letters/indstilling.html",
        context=indstilling_context(indstilling=locked, actor=actor),
    )
    locked.pdf, locked.pdf_sha256 = pdf.content, pdf.sha256
    locked.status = Indstilling.Status.PAA_DAGSORDEN
    locked.save(update_fields=["pdf", "pdf_sha256", "status"])
    punkt = Dagsordenspunkt.objects.create(moede=moede, sag=locked.sag, indstilling=locked)
    audit_record(
        actor=actor,
        action=AuditAction.PRINT,
        obj=locked,
        borger_id=locked.sag.borger_id,
        summary=f"Indstilling sat på dagsordenen {moede} (SHA-256 {pdf.sha256[:12]}…)",
    )
    return punkt


# The outcomes (seed 000 3.4.3) by their catalog slugs.
GODKENDES = "godkendes"

GODKENDES_MED_AENDRINGER = "godkendes-med-aendringer"

RETURNERES = "returneres-til-raadgiver-til-yderligere-belysning"

AFVISES = "afvises-og-der-meddeles-afslag"

OUTCOME_MOVES_TO_DECISION = {GODKENDES, GODKENDES_MED_AENDRINGER, AFVISES}

OUTCOME_STATUS = {
    GODKENDES: Indstilling.Status.GODKENDT,
    GODKENDES_MED_AENDRINGER: Indstilling.Status.GODKENDT,
    RETURNERES: Indstilling.Status.RETURNERET,
    AFVISES: Indstilling.Status.AFVIST,
}


@transaction.atomic
def udvalg_outcome_record(
    *,
    actor: User,
    punkt: Dagsordenspunkt,
    udfald: Visitationsudfald,
    aendringer: str = "",
    begrundelse: str = "",
) -> Dagsordenspunkt:
    """The committee's outcome. Approved (with or without changes) and refused cases move to
    afgørelse with a deadline for the written decision where the municipality sets one; a
    returned case stays with the caseworker, who is told why."""
    require(actor, Action.RECORD_COMMITTEE_OUTCOME, punkt)
    locked = (
        Dagsordenspunkt.objects.select_for_update().select_related("moede", "sag").get(pk=punkt.pk)
    )
    if locked.udfald_id is not None:
        raise ValidationError("Udfaldet er allerede registreret.")
    if Udvalgsmoede.objects.select_for_update().get(pk=locked.moede_id).afsluttet is not None:
        raise ValidationError("Mødet er afsluttet, og referatet er låst.")
    if not locked.moede.has_begun:
        raise ValidationError(
            f"Mødet holdes {locked.moede.dato:%d.%m.%Y}: udfaldet registreres på mødet eller "
            "derefter."
        )
    errors: dict[str, str] = {}
    if udfald.slug not in OUTCOME_STATUS:
        errors["udfald"] = "Ukendt udfald."
    if udfald.slug == GODKENDES_MED_AENDRINGER and not aendringer.strip():
        errors["aendringer"] = "Angiv hvad udvalget ændrede."
    if udfald.slug in (RETURNERES, AFVISES) and not begrundelse.strip():
        errors["begrundelse"] = "Angiv udvalgets begrundelse."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    locked.udfald, locked.aendringer, locked.begrundelse = udfald, aendringer, begrundelse
    locked.behandlet, locked.behandlet_af = now, actor
    locked.save(update_fields=["udfald", "aendringer", "begrundelse", "behandlet", "behandlet_af"])
    if locked.indstilling_id is not None:
        Indstilling.objects.filter(pk=locked.indstilling_id).update(
            status=OUTCOME_STATUS[udfald.slug]
        )
    sag = locked.sag
    if udfald.slug in OUTCOME_MOVES_TO_DECISION:
        try:
            sag_move(
                actor=actor,
                sag=sag,
                name="start_afgoerelse",
                begrundelse=f"Visitationsudvalget {locked.moede.dato:%d.%m.%Y}: {udfald.navn}",
            )
        except TransitionError as exc:
            # E.g. a hearing sent after the item went on the agenda: no decision may follow yet.
            raise ValidationError(
                {"udfald": [f"Sagen kan ikke gå videre til afgørelse: {exc.message}", *exc.reasons]}
            ) from exc
        working_days = current_kommune().skriftlig_afgoerelse_efter_udvalg
        if working_days is not None:
            frist_create(
                sag=sag,
                art=Frist.Art.SKRIFTLIG_AFGOERELSE,
                frist=end_of_day(calendar.add_working_days(locked.moede.dato, working_days)),
                beskrivelse=f"Skriftlig afgørelse efter visitationsudvalget ({udfald.navn})",
                regel=f"{working_days} arbejdsdage efter visitationsudvalgets møde",
                ansvarlig=sag.sagsbehandler,
                ansvarligt_team=sag.team,
                actor=actor,
            )
    elif sag.sagsbehandler is not None:
        notifikationer_create(
            beskeder=[
                Besked(
                    modtager=sag.sagsbehandler,
                    titel=f"Indstillingen er returneret af visitationsudvalget, sag {sag.pk}",
                    tekst="Udvalgets begrundelse står på indstillingen i sagen.",
                    link=reverse("sag_detail", args=[sag.pk]),
                    kilde=f"udvalg-returneret:{locked.pk}",
                )
            ]
        )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        borger_id=sag.borger_id,
        summary=f"Visitationsudvalgets udfald: {udfald.navn}",
        changes={"udfald": udfald.slug, "aendringer": aendringer, "begrundelse": begrundelse},
    )
    return locked


@transaction.atomic
def udvalgsmoede_close(*, actor: User, moede: Udvalgsmoede) -> Udvalgsmoede:
    """Close a meeting when every item has its outcome, and freeze its minutes as a PDF."""
    require(actor, Action.RECORD_COMMITTEE_OUTCOME, moede)
    locked = Udvalgsmoede.objects.select_for_update().get(pk=moede.pk)
    if locked.afsluttet is not None:
        raise ValidationError("Mødet er allerede afsluttet.")
    if not locked.has_begun:
        raise ValidationError(f"Mødet holdes {locked.dato:%d.%m.%Y} og afsluttes først da.")
    punkter = list(
        locked.punkter.select_related("sag__borger", "udfald", "indstilling").order_by("id")
    )
    if any(p.udfald_id is None for p in punkter):
        raise ValidationError("Alle punkter på dagsordenen skal have et udfald.")
    pdf = render_pdf(
        template_name="letters/referat.html",
        context={
            "kommune": current_kommune().navn,
            "moede": locked,
            "punkter": punkter,
            "medlemmer": list(locked.udvalg.medlemmer.all()),
        },
    )
    locked.afsluttet = timezone.now()
    locked.referat_pdf, locked.referat_sha256 = pdf.content, pdf.sha256
    locked.save(update_fields=["afsluttet", "referat_pdf", "referat_sha256"])
    audit_record_many(
        actor=actor,
        action=AuditAction.PRINT,
        objects=[p.sag for p in punkter],
        summary=f"Referat af {locked}",
    )
    return locked
