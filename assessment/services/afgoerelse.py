"""Afgørelse: the decision with a result per indsats, its reasons (FVL §§ 22-24), the notice a
reduction needs, and the decision letter frozen and handed to the dispatcher."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessment.letters import LETTER_TEXT_KEYS, afgoerelse_letter_context, afgoerelse_letter_texts
from assessment.models import Afgoerelse, AfgoerelsesResultat, Brev, Indsats, Partshoering
from assessment.services.partshoering import require_no_open_hearing
from assessment.services.vurdering import sagsvurdering_current
from assessment.tasks import dispatch_letter
from assessment.varsel import NOTICE_SOURCE, ends_or_reduces, notice_weeks, paragraphs
from cases.lifecycle import Fase
from cases.models import Sag, prints_address
from vum import calendar
from vum.access import Action, require
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record
from vum.calendar import end_of_day
from vum.catalog.models import KommunalYdelse, Maalgruppe
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_create
from vum.pdf import render_pdf
from vum.queue import enqueue_after_commit

ORAL_DECISION_WRITTEN_REQUEST_DAYS = 14


@dataclass(frozen=True)
class Resultatlinje:
    beskrivelse: str
    resultat: str
    virkningsdato: date
    omfang: str = ""
    indsats: Indsats | None = None
    kommunal_ydelse: KommunalYdelse | None = None
    nedsaettelse: bool = False


def _too_early(beskrivelse: str, weeks: int, earliest: date) -> str:
    if weeks:
        return (
            f"{beskrivelse}: et ophør eller en nedsættelse kan tidligst få virkning {weeks} uger "
            f"efter, at borgeren har modtaget afgørelsen ({NOTICE_SOURCE}), dvs. "
            f"{earliest:%d.%m.%Y}."
        )
    return (
        f"{beskrivelse}: et ophør eller en nedsættelse kan ikke få virkning tilbage i tid; "
        f"tidligst {earliest:%d.%m.%Y}."
    )


def _missing_hearing(
    *,
    sag: Sag,
    resultater: list[Resultatlinje],
    erstatter: Afgoerelse | None,
    ukendte_oplysninger_til_ugunst: bool,
) -> list[str]:
    """Where the municipality's catalog asks for a hearing before a service ends, or the law
    does (FVL § 19: a decision to the citizen's disadvantage resting on facts they do not know),
    the case needs a hearing since the decision this one changes, answered or run out (an open
    one blocks the decision anyway)."""
    needing = sorted(
        {
            service.kode
            for line in resultater
            if ends_or_reduces(line)
            for service in (line.kommunal_ydelse, getattr(line.indsats, "kommunal_ydelse", None))
            if service is not None and service.partshoering_foer_ophoer
        }
    )
    if not needing and not ukendte_oplysninger_til_ugunst:
        return []
    hearings = Partshoering.objects.filter(sag=sag)
    if erstatter is not None:
        hearings = hearings.filter(sendt__gt=erstatter.oprettet)
    if hearings.exists():
        return []
    reasons = [
        f"{kode} skal partshøres før et ophør eller en nedsættelse (kommunens kvalitetsstandard)."
        for kode in needing
    ]
    if ukendte_oplysninger_til_ugunst:
        reasons.append(
            "Afgørelsen bygger på oplysninger til borgerens ugunst, som borgeren ikke kender, "
            "og borgeren skal partshøres først (forvaltningslovens § 19)."
        )
    return [
        *reasons,
        "Send en partshøring, og træf afgørelsen, når den er besvaret, eller fristen er udløbet.",
    ]


@transaction.atomic
def afgoerelse_create(
    *,
    actor: User,
    sag: Sag,
    truffet_af: str,
    form: str,
    fuldt_medhold: bool,
    resultater: list[Resultatlinje],
    truffet: date | None = None,
    meddelt: date | None = None,
    begrundelse_vurdering: str = "",
    begrundelse_oplysninger: str = "",
    begrundelse_regler: str = "",
    saerligt_om_synspunkter: str = "",
    egenbetaling: bool = False,
    egenbetaling_tekst: str = "",
    maalgruppe: Maalgruppe | None = None,
    erstatter: Afgoerelse | None = None,
    ukendte_oplysninger_til_ugunst: bool = False,
) -> Afgoerelse:
    """Record a decision. Without full medhold it needs its reasons (FVL §§ 22, 24). An end or a
    reduction never takes effect back in time, nor before the notice the law or the catalog asks
    after the citizen is told (`assessment.varsel`); the dispatch checks that again. No decision
    while a hearing is open, nor without the hearing the catalog or the law asks for."""
    require(actor, Action.EDIT, sag)
    current = Sag.objects.select_for_update().get(pk=sag.pk)
    if erstatter is None and current.fase != Fase.AFGOERELSE:
        raise ValidationError("En afgørelse træffes, når sagen er i fasen afgørelse.")
    require_no_open_hearing(sag=current)
    truffet = truffet or timezone.localdate()
    errors: dict[str, str] = {}
    if not resultater:
        errors["resultater"] = "Angiv resultatet for mindst én indsats."
    if truffet_af not in Afgoerelse.TruffetAf.values:
        errors["truffet_af"] = "Ukendt beslutningstager."
    if form not in Afgoerelse.Form.values:
        errors["form"] = "Angiv om afgørelsen er skriftlig eller mundtlig."
    if form == Afgoerelse.Form.MUNDTLIG and meddelt is None:
        errors["meddelt"] = "Angiv hvornår den mundtlige afgørelse blev meddelt."
    granted_all = all(r.resultat == AfgoerelsesResultat.Resultat.BEVILGET for r in resultater)
    if fuldt_medhold and not granted_all:
        errors["fuldt_medhold"] = "Fuldt medhold forudsætter, at alt er bevilget som søgt."
    if not fuldt_medhold:
        if not begrundelse_vurdering.strip():
            errors["begrundelse_vurdering"] = (
                "Uden fuldt medhold skal afgørelsen begrundes med den konkrete vurdering."
            )
        if not begrundelse_regler.strip():
            errors["begrundelse_regler"] = "Angiv de juridiske krav, afgørelsen bygger på."
    notified = meddelt or truffet
    for line in resultater:
        if ends_or_reduces(line):
            weeks = notice_weeks(line)
            earliest = max(timezone.localdate(), notified + timedelta(weeks=weeks))
            if line.virkningsdato < earliest:
                errors["resultater"] = _too_early(line.beskrivelse, weeks, earliest)
    if errors:
        raise ValidationError(errors)
    missing = _missing_hearing(
        sag=current,
        resultater=resultater,
        erstatter=erstatter,
        ukendte_oplysninger_til_ugunst=ukendte_oplysninger_til_ugunst,
    )
    if missing:
        raise ValidationError(missing)
    afgoerelse = Afgoerelse.objects.create(
        sag=sag,
        vurdering=sagsvurdering_current(sag=sag),
        erstatter=erstatter,
        truffet_af=truffet_af,
        form=form,
        truffet=truffet,
        meddelt=meddelt,
        fuldt_medhold=fuldt_medhold,
        begrundelse_vurdering=begrundelse_vurdering,
        begrundelse_oplysninger=begrundelse_oplysninger,
        begrundelse_regler=begrundelse_regler,
        saerligt_om_synspunkter=saerligt_om_synspunkter,
        egenbetaling=egenbetaling,
        egenbetaling_tekst=egenbetaling_tekst,
        maalgruppe=maalgruppe,
        ukendte_oplysninger_til_ugunst=ukendte_oplysninger_til_ugunst,
        oprettet_af=actor,
    )
    AfgoerelsesResultat.objects.bulk_create(
        AfgoerelsesResultat(
            afgoerelse=afgoerelse,
            indsats=line.indsats,
            kommunal_ydelse=line.kommunal_ydelse,
            beskrivelse=line.beskrivelse,
            resultat=line.resultat,
            omfang=line.omfang,
            virkningsdato=line.virkningsdato,
            nedsaettelse=line.nedsaettelse,
        )
        for line in resultater
    )
    if form == Afgoerelse.Form.MUNDTLIG and not fuldt_medhold and meddelt is not None:
        frist_create(
            sag=sag,
            art=Frist.Art.SKRIFTLIG_AFGOERELSE,
            frist=end_of_day(
                calendar.add(meddelt, ORAL_DECISION_WRITTEN_REQUEST_DAYS, calendar.Unit.DAYS)
            ),
            beskrivelse="Borgeren kan bede om den mundtlige afgørelse på skrift",
            regel=f"Inden {ORAL_DECISION_WRITTEN_REQUEST_DAYS} dage efter en mundtlig afgørelse",
            ansvarlig=sag.sagsbehandler,
            ansvarligt_team=sag.team,
            actor=actor,
        )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=afgoerelse,
        borger_id=sag.borger_id,
        summary="Afgørelse truffet" + (" (fuldt medhold)" if fuldt_medhold else ""),
        changes={"resultater": [(r.beskrivelse, r.resultat) for r in resultater]},
    )
    return afgoerelse


@transaction.atomic
def afgoerelse_send(
    *,
    actor: User,
    afgoerelse: Afgoerelse,
    tekster: dict[str, str],
    retter: Brev | None = None,
) -> Brev:
    """Freeze the letter (PDF and SHA-256, never regenerated) and hand it to the dispatcher after
    commit. A correction is a new letter pointing to the one it corrects."""
    require(actor, Action.EDIT, afgoerelse.sag)
    unknown = set(tekster) - set(LETTER_TEXT_KEYS)
    if unknown:
        raise ValidationError(f"Ukendte afsnit: {', '.join(sorted(unknown))}.")
    # The decision's row lock makes a second send at the same moment wait and then find the
    # letter (the database also allows one letter per decision besides corrections); the case's
    # row lock orders the send against a hearing being sent.
    afgoerelse = Afgoerelse.objects.select_for_update().select_related("sag").get(pk=afgoerelse.pk)
    Sag.objects.select_for_update().get(pk=afgoerelse.sag_id)
    if afgoerelse.breve.exists() and retter is None:
        raise ValidationError("Afgørelsesbrevet er sendt; en rettelse er et nyt brev.")
    require_no_open_hearing(sag=afgoerelse.sag)
    texts = {**afgoerelse_letter_texts(afgoerelse=afgoerelse), **tekster}
    if not afgoerelse.fuldt_medhold and not texts["begrundelse_vurdering"].strip():
        raise ValidationError(
            {"begrundelse_vurdering": "Uden fuldt medhold skal brevet indeholde begrundelsen."}
        )
    moved = _notice_from_dispatch(actor, afgoerelse) if retter is None else set()
    context = afgoerelse_letter_context(
        afgoerelse=afgoerelse, actor=actor, tekster=texts, flyttet=moved
    )
    if (
        not afgoerelse.fuldt_medhold
        and not context["lovhenvisninger"]
        and not paragraphs(texts["begrundelse_regler"])
    ):
        raise ValidationError(
            {
                "begrundelse_regler": (
                    "Uden fuldt medhold skal brevet nævne mindst én retsregel, fx 'Servicelovens "
                    "§ 85, stk. 1' (forvaltningslovens § 24, stk. 1); kommunens katalog har ingen "
                    "hjemmel for afgørelsens indsatser."
                )
            }
        )
    pdf = render_pdf(template_name="letters/afgoerelse.html", context=context)
    brev = Brev.objects.create(
        sag=afgoerelse.sag,
        art=Brev.Art.AFGOERELSE,
        afgoerelse=afgoerelse,
        retter=retter,
        modtager_navn=context["modtager"]["navn"],
        modtager_cpr=context["modtager"]["cpr"],
        modtager_email=context["modtager"]["email"],
        kopi_til=context["kopi_til"],
        indhold=texts,
        pdf=pdf.content,
        sha256=pdf.sha256,
        # From the reading the letter was rendered with (the citizen's own letter).
        viser_adresse=context["modtager"]["er_borger"] and prints_address(context["modtager"]),
        oprettet_af=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.PRINT,
        obj=brev,
        borger_id=afgoerelse.sag.borger_id,
        summary=f"Afgørelsesbrev til {brev.modtager_navn} (SHA-256 {pdf.sha256[:12]}…)",
    )
    enqueue_after_commit(dispatch_letter, brev.pk)  # the sweep sends it if the broker is down
    return brev


def _notice_from_dispatch(actor: User, afgoerelse: Afgoerelse) -> set[int]:
    """A written decision is received when its letter goes out (within seconds of this, after
    commit), so an end or a reduction takes effect no earlier than today plus its notice: an
    earlier effective date is moved, audited, and the letter says why. Returns the moved
    lines."""
    if afgoerelse.form != Afgoerelse.Form.SKRIFTLIG:
        return set()  # an oral decision was received when it was told, checked when recorded
    today = timezone.localdate()
    moved = set()
    rows = afgoerelse.resultater.select_related("kommunal_ydelse", "indsats__kommunal_ydelse")
    for row in rows:
        if not ends_or_reduces(row):
            continue
        earliest = today + timedelta(weeks=notice_weeks(row))
        if row.virkningsdato < earliest:
            old = row.virkningsdato
            row.virkningsdato = earliest
            row.save(update_fields=["virkningsdato"])
            moved.add(row.pk)
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=afgoerelse,
                borger_id=afgoerelse.sag.borger_id,
                summary=f"Virkningsdato for {row.beskrivelse} flyttet, så varslet overholdes",
                changes={"virkningsdato": {"old": old.isoformat(), "new": earliest.isoformat()}},
            )
    return moved
