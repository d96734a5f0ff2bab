"""Afgørelse: the decision with a result per indsats, its reasons (FVL §§ 22-24), the notice a
reduction needs, and the decision letter frozen and handed to the dispatcher."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessment.letters import LETTER_TEXT_KEYS, afgoerelse_letter_context, afgoerelse_letter_texts
from assessment.models import Afgoerelse, AfgoerelsesResultat, Brev, Indsats
from assessment.services.partshoering import require_no_open_hearing
from assessment.services.vurdering import sagsvurdering_current
from assessment.tasks import dispatch_letter
from cases.lifecycle import Fase
from cases.models import Sag
from vum.access import Action, require
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record
from vum.calendar import end_of_day
from vum.catalog.models import KommunalYdelse, Maalgruppe
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_create
from vum.pdf import render_pdf

NOTICE_WEEKS_LAWS = re.compile(r"§\s*(95|96|98)\b")

DEFAULT_NOTICE_WEEKS = 14

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


def notice_weeks(line: Resultatlinje) -> int:
    """The notice a reduction or withdrawal needs: the catalog's notice for the service, else
    14 weeks for §§ 95, 96 and 98 (handbook l. 8775)."""
    if not line.nedsaettelse:
        return 0
    if line.kommunal_ydelse is not None:
        weeks = [h.varsel_uger for h in line.kommunal_ydelse.hjemler.all() if h.varsel_uger]
        if weeks:
            return max(weeks)
        laws = " ".join(h.lovhenvisning.henvisning for h in line.kommunal_ydelse.hjemler.all())
        if NOTICE_WEEKS_LAWS.search(laws) or NOTICE_WEEKS_LAWS.search(line.kommunal_ydelse.navn):
            return DEFAULT_NOTICE_WEEKS
    return 0


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
) -> Afgoerelse:
    """Record a decision. Without full medhold it needs its reasons (FVL §§ 22, 24); a reduction
    under §§ 95, 96, 98 takes effect 14 weeks after the citizen is told, at the earliest."""
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
        weeks = notice_weeks(line)
        if weeks and line.virkningsdato < notified + timedelta(weeks=weeks):
            earliest = notified + timedelta(weeks=weeks)
            errors["resultater"] = (
                f"{line.beskrivelse}: en nedsættelse eller frakendelse kan tidligst få virkning "
                f"{weeks} uger efter, borgeren er orienteret, dvs. {earliest:%d.%m.%Y}."
            )
    if errors:
        raise ValidationError(errors)
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
            frist=end_of_day(meddelt + timedelta(days=ORAL_DECISION_WRITTEN_REQUEST_DAYS)),
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
    context = afgoerelse_letter_context(afgoerelse=afgoerelse, actor=actor, tekster=texts)
    pdf = render_pdf(template_name="letters/afgoerelse.html", context=context)
    brev = Brev.objects.create(
        sag=afgoerelse.sag,
        art=Brev.Art.AFGOERELSE,
        afgoerelse=afgoerelse,
        retter=retter,
        modtager_navn=context["modtager"]["navn"],
        kopi_til=context["kopi_til"],
        indhold=texts,
        pdf=pdf.content,
        sha256=pdf.sha256,
        oprettet_af=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.PRINT,
        obj=brev,
        borger_id=afgoerelse.sag.borger_id,
        summary=f"Afgørelsesbrev til {brev.modtager_navn} (SHA-256 {pdf.sha256[:12]}…)",
    )
    transaction.on_commit(lambda: dispatch_letter.delay(brev.pk))
    return brev
