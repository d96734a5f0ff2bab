"""Writes for the sagsoplysning: the udredning theme by theme, scores, requests for information
and partshøring. Each checks the access policy, validates, writes and audits in one transaction."""

import re
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessment.models import (
    Delanalyse,
    Funktionsevnevurdering,
    Indhentning,
    Indsats,
    Indsatsmaal,
    Kildehenvisning,
    Partshoering,
    Prislinje,
    Sagsvurdering,
    TemaOplysning,
    Udredning,
    VurderingMaalgruppe,
)
from assessment.selectors import current_scores
from cases.lifecycle import Fase
from cases.models import Relation, Sag, Samtykke
from vum.access import Action, require
from vum.accounts.models import Organisation, User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, diff, snapshot
from vum.calendar import end_of_day
from vum.catalog.models import (
    Funktionsevneniveau,
    Kategori,
    KommunalYdelse,
    Maalgruppe,
    Maaltype,
    Stoettebehov,
    Tema,
    Tilbudstype,
    Undertema,
    Ydelse,
)
from vum.catalog.selectors import current_kommune
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_create, frist_meet
from vum.pdf import render_pdf

# The udredning is written while the case is being informed; later phases may still correct it
# (a backward move to sagsoplysning is the method's way to add information).
UDREDNING_PHASES = (Fase.SAGSOPLYSNING,)


def _require_informing(actor: User, sag: Sag) -> None:
    """The case's phase as stored, read under a row lock: an edit and a phase change on the same
    case then happen one after the other, never interleaved."""
    require(actor, Action.EDIT, sag)
    current = Sag.objects.select_for_update().get(pk=sag.pk)
    if current.fase not in UDREDNING_PHASES:
        raise ValidationError(
            f"Udredningen kan kun ændres, mens sagen er i sagsoplysning "
            f"(sagen er i {current.get_fase_display().lower()})."
        )


@transaction.atomic
def udredning_start(
    *,
    actor: User,
    sag: Sag,
    forrige: Udredning | None = None,
    genbrug_samtykke_givet: date | None = None,
    genbrug_samtykke_form: str = "",
) -> Udredning:
    """Start an udredning. Starting from the previous one copies its themes, marked as carried
    over until the caseworker updates them; that needs the citizen's consent to the reuse."""
    _require_informing(actor, sag)
    if forrige is not None:
        if forrige.sag.borger_id != sag.borger_id:
            raise ValidationError({"forrige": "Udredningen tilhører en anden borger."})
        if genbrug_samtykke_givet is None or not genbrug_samtykke_form:
            raise ValidationError(
                {
                    "genbrug_samtykke_givet": "En tidligere udredning må kun genbruges med "
                    "borgerens samtykke: angiv hvornår og hvordan det er givet."
                }
            )
    udredning = Udredning.objects.create(
        sag=sag,
        forrige=forrige,
        genbrug_samtykke_givet=genbrug_samtykke_givet,
        genbrug_samtykke_form=genbrug_samtykke_form,
        oprettet_af=actor,
    )
    if forrige is not None:
        for old in forrige.temaer.prefetch_related("kilder", "fremhaevede_undertemaer"):
            new = TemaOplysning.objects.create(
                udredning=udredning,
                tema=old.tema,
                fra_borgeren=old.fra_borgeren,
                fra_andre=old.fra_andre,
                bemaerkninger=old.bemaerkninger,
                mestringsevne=old.mestringsevne,
                netvaerkets_villighed=old.netvaerkets_villighed,
                udeladt_oplysning=old.udeladt_oplysning,
                udeladt_begrundelse=old.udeladt_begrundelse,
                overfoert=True,
            )
            new.fremhaevede_undertemaer.set(old.fremhaevede_undertemaer.all())
            Kildehenvisning.objects.bulk_create(
                Kildehenvisning(
                    tema_oplysning=new,
                    titel=k.titel,
                    dato=k.dato,
                    journalnummer=k.journalnummer,
                    udsagn_af=k.udsagn_af,
                )
                for k in old.kilder.all()
            )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=udredning,
        borger_id=sag.borger_id,
        summary="Udredning startet"
        + (f" på grundlag af udredning {forrige.pk}" if forrige else ""),
    )
    return udredning


def udredning_current(*, sag: Sag) -> Udredning | None:
    return sag.udredninger.first()


TEMA_FIELDS = (
    "fra_borgeren",
    "fra_andre",
    "bemaerkninger",
    "mestringsevne",
    "netvaerkets_villighed",
    "udeladt_oplysning",
    "udeladt_begrundelse",
)


@transaction.atomic
def tema_oplysning_save(
    *,
    actor: User,
    udredning: Udredning,
    tema: Tema,
    fremhaevede_undertemaer: Iterable[Undertema] = (),
    **fields: str,
) -> TemaOplysning:
    """Write what is known in one theme. Information the citizen wanted included but that was
    left out needs the reason (handbook l. 1959-1961)."""
    _require_informing(actor, udredning.sag)
    unknown = set(fields) - set(TEMA_FIELDS)
    if unknown:
        raise ValidationError(f"Felterne findes ikke: {', '.join(sorted(unknown))}.")
    highlighted = list(fremhaevede_undertemaer)
    errors: dict[str, str] = {}
    if any(u.tema_id != tema.pk for u in highlighted):
        errors["fremhaevede_undertemaer"] = "Fremhævede undertemaer skal høre til temaet."
    if (
        fields.get("udeladt_oplysning", "").strip()
        and not fields.get("udeladt_begrundelse", "").strip()
    ):
        errors["udeladt_begrundelse"] = "Angiv hvorfor oplysningen er udeladt."
    if errors:
        raise ValidationError(errors)
    row, created = TemaOplysning.objects.select_for_update().get_or_create(
        udredning=udredning, tema=tema
    )
    before = {} if created else snapshot(row, TEMA_FIELDS)
    for name, value in fields.items():
        setattr(row, name, value)
    row.overfoert = False
    row.save()
    row.fremhaevede_undertemaer.set(highlighted)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=row,
        borger_id=udredning.sag.borger_id,
        summary=f"Udredning: {tema.navn}",
        changes=diff(before, snapshot(row, TEMA_FIELDS)),
    )
    return row


@transaction.atomic
def kilde_add(*, actor: User, tema_oplysning: TemaOplysning, **fields: Any) -> Kildehenvisning:
    _require_informing(actor, tema_oplysning.udredning.sag)
    kilde = Kildehenvisning(tema_oplysning=tema_oplysning, **fields)
    kilde.full_clean(exclude=["tema_oplysning"])
    kilde.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=kilde,
        borger_id=tema_oplysning.udredning.sag.borger_id,
        summary=f"Kilde tilføjet: {kilde.titel}",
        changes=diff({}, snapshot(kilde)),
    )
    return kilde


@transaction.atomic
def delanalyse_save(
    *, actor: User, udredning: Udredning, kategori: Kategori, tekst: str
) -> Delanalyse:
    _require_informing(actor, udredning.sag)
    row, created = Delanalyse.objects.select_for_update().get_or_create(
        udredning=udredning, kategori=kategori, defaults={"tekst": tekst}
    )
    before = "" if created else row.tekst
    if not created:
        row.tekst = tekst
        row.save(update_fields=["tekst", "opdateret"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=row,
        borger_id=udredning.sag.borger_id,
        summary=f"Delanalyse: {kategori.navn}",
        changes={"tekst": {"old": before, "new": tekst}},
    )
    return row


@transaction.atomic
def funktionsevne_score(
    *,
    actor: User,
    udredning: Udredning,
    undertema: Undertema,
    vaerdi: int,
    vurderingsdato: date | None = None,
) -> Funktionsevnevurdering:
    """A dated 0-4 score of an Aktivitet og deltagelse sub-theme, kept beside the earlier ones.
    The other categories take no score: they are described in words only."""
    _require_informing(actor, udredning.sag)
    vurderingsdato = vurderingsdato or timezone.localdate()
    if not undertema.scores:
        raise ValidationError(
            {
                "undertema": f"'{undertema.navn}' hører ikke under Aktivitet og deltagelse og "
                "kan ikke have et funktionsevneniveau; beskriv det i teksten."
            }
        )
    if vurderingsdato > timezone.localdate():
        raise ValidationError({"vurderingsdato": "En vurdering kan ikke dateres i fremtiden."})
    niveau = Funktionsevneniveau.objects.current(vurderingsdato).filter(vaerdi=vaerdi).first()
    if niveau is None:
        raise ValidationError({"vaerdi": "Funktionsevneniveauet skal være et tal fra 0 til 4."})
    score = Funktionsevnevurdering.objects.create(
        udredning=udredning,
        undertema=undertema,
        niveau=niveau,
        vurderingsdato=vurderingsdato,
        vurderet_af=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=score,
        borger_id=udredning.sag.borger_id,
        summary=f"Funktionsevne: {undertema.navn} = {vaerdi}",
        changes={"niveau": {"old": None, "new": vaerdi}, "dato": vurderingsdato.isoformat()},
    )
    return score


# Obtaining information, with consent


def matching_consent(*, sag: Sag, part: str, specifikation: str = "") -> Samtykke | None:
    """An active consent to obtain information from this party; one naming the same party
    specifically is preferred to a general one."""
    consents = list(sag.samtykker.active().filter(retning=Samtykke.Retning.INDHENTELSE, part=part))
    wanted = specifikation.strip().lower()
    if not wanted:
        return consents[0] if consents else None
    specific = [c for c in consents if c.specifikation.strip().lower() == wanted]
    general = [c for c in consents if not c.specifikation.strip()]
    candidates = specific or general
    return candidates[0] if candidates else None


@transaction.atomic
def indhentning_request(
    *, actor: User, sag: Sag, part: str, hvad: str, specifikation: str = ""
) -> Indhentning:
    """Ask an external party for information. Refused, with the reason, unless the citizen has
    consented to it and has not withdrawn the consent (RSL §§ 11a-11c)."""
    require(actor, Action.EDIT, sag)
    if part not in Samtykke.Part.values:
        raise ValidationError({"part": "Ukendt part."})
    if not hvad.strip():
        raise ValidationError({"hvad": "Angiv hvilke oplysninger der indhentes."})
    samtykke = matching_consent(sag=sag, part=part, specifikation=specifikation)
    if samtykke is None:
        who = Samtykke.Part(part).label.lower() + (f" ({specifikation})" if specifikation else "")
        raise ValidationError(
            {
                "part": f"Borgeren har ikke givet et gældende samtykke til, at der indhentes "
                f"oplysninger fra {who}. Oplysningerne kan ikke indhentes; borgeren skal "
                "orienteres om konsekvenserne, før der træffes afgørelse (RSL § 12)."
            }
        )
    indhentning = Indhentning.objects.create(
        sag=sag,
        samtykke=samtykke,
        part=part,
        specifikation=specifikation,
        hvad=hvad,
        anmodet=timezone.localdate(),
        anmodet_af=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=indhentning,
        borger_id=sag.borger_id,
        summary=f"Oplysninger indhentet fra {indhentning}, med samtykke {samtykke.pk}",
        changes=diff({}, snapshot(indhentning)),
    )
    return indhentning


# Partshøring


def minimum_answer_date(today: date | None = None) -> date:
    return (today or timezone.localdate()) + timedelta(days=settings.VUM_PARTSHOERING_MIN_DAYS)


def _recipient(
    sag: Sag, modtager: str, relation: Relation | None
) -> tuple[dict[str, Any], Relation | None]:
    borger = sag.borger
    if modtager == Partshoering.Modtager.BORGER:
        return (
            {
                "navn": borger.navn,
                "adresse": borger.adresse,
                "postnummer": borger.postnummer,
                "by": borger.by,
                "er_borger": True,
                "rolle": "borger",
            },
            None,
        )
    wanted = {
        Partshoering.Modtager.VAERGE: Relation.Type.VAERGE,
        Partshoering.Modtager.PARTSREPRAESENTANT: Relation.Type.PARTSREPRAESENTANT,
    }.get(Partshoering.Modtager(modtager))
    if relation is None or relation.borger_id != borger.pk or relation.type != wanted:
        raise ValidationError(
            {"modtager_relation": "Vælg borgerens registrerede værge eller partsrepræsentant."}
        )
    return (
        {
            "navn": relation.navn,
            "adresse": relation.adresse,
            "postnummer": "",
            "by": "",
            "er_borger": False,
            "rolle": relation.get_type_display().lower(),
        },
        relation,
    )


@transaction.atomic
def partshoering_send(
    *,
    actor: User,
    sag: Sag,
    hvad_hoeres: str,
    modtager: str,
    svarfrist: date,
    modtager_relation: Relation | None = None,
) -> Partshoering:
    """Send a hearing letter (PDF) and start its deadline. The deadline is at least
    VUM_PARTSHOERING_MIN_DAYS days (14 by the municipalities' practice)."""
    require(actor, Action.EDIT, sag)
    errors: dict[str, str] = {}
    if not hvad_hoeres.strip():
        errors["hvad_hoeres"] = "Angiv hvad borgeren høres om."
    if modtager not in Partshoering.Modtager.values:
        errors["modtager"] = "Ukendt modtager."
    earliest = minimum_answer_date()
    if svarfrist < earliest:
        errors["svarfrist"] = (
            f"Svarfristen skal være mindst {settings.VUM_PARTSHOERING_MIN_DAYS} dage, "
            f"dvs. tidligst {earliest:%d.%m.%Y}."
        )
    if errors:
        raise ValidationError(errors)
    recipient, relation = _recipient(sag, modtager, modtager_relation)
    now = timezone.now()
    caseworker = sag.sagsbehandler or actor
    pdf = render_pdf(
        template_name="letters/partshoering.html",
        context={
            "kommune": current_kommune().navn,
            "afdeling": sag.team.navn,
            "sagsbehandler": {
                "navn": caseworker.get_full_name() or caseworker.username,
                "telefon": caseworker.telefon,
                "titel": caseworker.titel,
            },
            "dato": timezone.localdate(),
            "sag": sag,
            "borger": sag.borger,
            "modtager": recipient,
            "kopi_til_borger": relation is not None,
            "hvad_hoeres": hvad_hoeres,
            "svarfrist": svarfrist,
        },
    )
    hoering = Partshoering.objects.create(
        sag=sag,
        hvad_hoeres=hvad_hoeres,
        modtager=modtager,
        modtager_relation=relation,
        modtager_navn=recipient["navn"],
        sendt=now,
        svarfrist=svarfrist,
        sendt_af=actor,
        brev_pdf=pdf.content,
        brev_sha256=pdf.sha256,
    )
    hoering.frist = frist_create(
        sag=sag,
        art=Frist.Art.PARTSHOERING,
        frist=end_of_day(svarfrist),
        beskrivelse=f"Svar på partshøring sendt til {recipient['navn']}",
        regel=f"FVL § 19: mindst {settings.VUM_PARTSHOERING_MIN_DAYS} dages svarfrist",
        ansvarlig=sag.sagsbehandler,
        ansvarligt_team=sag.team,
        actor=actor,
    )
    hoering.save(update_fields=["frist"])
    audit_record(
        actor=actor,
        action=AuditAction.PRINT,
        obj=hoering,
        borger_id=sag.borger_id,
        summary=f"Partshøringsbrev sendt til {recipient['navn']} (SHA-256 {pdf.sha256[:12]}…)",
        changes={"svarfrist": svarfrist.isoformat(), "modtager": modtager},
    )
    return hoering


@transaction.atomic
def partshoering_answer(
    *, actor: User, partshoering: Partshoering, svar: str, modtaget: date
) -> Partshoering:
    require(actor, Action.EDIT, partshoering.sag)
    hoering = Partshoering.objects.select_for_update().get(pk=partshoering.pk)
    if hoering.svar_modtaget is not None:
        raise ValidationError("Svaret på partshøringen er allerede registreret.")
    if not svar.strip():
        raise ValidationError({"svar": "Skriv borgerens svar eller et resumé af det."})
    if modtaget > timezone.localdate() or modtaget < timezone.localtime(hoering.sendt).date():
        raise ValidationError(
            {"modtaget": "Svaret skal være modtaget mellem afsendelsen og i dag."}
        )
    hoering.svar = svar
    hoering.svar_modtaget = modtaget
    hoering.save(update_fields=["svar", "svar_modtaget"])
    if hoering.frist is not None and hoering.frist.status == Frist.Status.AABEN:
        frist_meet(frist=hoering.frist, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=hoering,
        borger_id=hoering.sag.borger_id,
        summary="Svar på partshøring registreret",
        changes={"svar_modtaget": {"old": None, "new": modtaget.isoformat()}},
    )
    return hoering


# Sagsvurdering

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


def _require_assessing(actor: User, sag: Sag) -> None:
    require(actor, Action.EDIT, sag)
    current = Sag.objects.select_for_update().get(pk=sag.pk)
    if current.fase != Fase.SAGSVURDERING:
        raise ValidationError(
            f"Sagsvurderingen kan kun ændres, mens sagen er i sagsvurdering "
            f"(sagen er i {current.get_fase_display().lower()})."
        )


def sagsvurdering_current(*, sag: Sag) -> Sagsvurdering | None:
    return sag.sagsvurderinger.first()


@transaction.atomic
def sagsvurdering_start(*, actor: User, sag: Sag) -> Sagsvurdering:
    _require_assessing(actor, sag)
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


@transaction.atomic
def sagsvurdering_update(*, actor: User, vurdering: Sagsvurdering, **fields: Any) -> Sagsvurdering:
    _require_assessing(actor, vurdering.sag)
    unknown = set(fields) - set(VURDERING_FIELDS)
    if unknown:
        raise ValidationError(f"Felterne findes ikke: {', '.join(sorted(unknown))}.")
    locked = Sagsvurdering.objects.select_for_update().get(pk=vurdering.pk)
    before = snapshot(locked, VURDERING_FIELDS)
    for name, value in fields.items():
        setattr(locked, name, value)
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
    locked.save()
    changes = diff(before, snapshot(locked, VURDERING_FIELDS))
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
    _require_assessing(actor, vurdering.sag)
    errors: dict[str, str] = {}
    if not maalformulering.strip():
        errors["maalformulering"] = "Skriv målet med borgerens egne ord."
    if not primaert_undertema.scores:
        errors["primaert_undertema"] = (
            "Det primære udredningstema skal være et undertema under Aktivitet og deltagelse."
        )
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
def stoettebehov_set(*, actor: User, vurdering: Sagsvurdering, vaerdi: int) -> Sagsvurdering:
    """The current support need. The method sets the goals first (handbook l. 3413), so a need
    can be recorded before any goal only when the assessment refuses the application."""
    _require_assessing(actor, vurdering.sag)
    locked = Sagsvurdering.objects.select_for_update().get(pk=vurdering.pk)
    if locked.berettiget is not False and not locked.maal.exists():
        raise ValidationError(
            {"stoettebehov": "Indsatsmålene sættes før støttebehovet: opret målene først."}
        )
    niveau = Stoettebehov.objects.current().filter(vaerdi=vaerdi).first()
    if niveau is None:
        raise ValidationError({"stoettebehov": "Støttebehovet skal være et af de fem niveauer."})
    old = locked.stoettebehov.vaerdi if locked.stoettebehov else None
    locked.stoettebehov = niveau
    locked.save(update_fields=["stoettebehov", "opdateret"])
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
    _require_assessing(actor, vurdering.sag)
    chosen = list(ydelser)
    errors: dict[str, str] = {}
    if not chosen:
        errors["ydelser"] = "Vælg mindst én ydelse."
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
    _require_assessing(actor, indsats.vurdering.sag)
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
    *, actor: User, vurdering: Sagsvurdering, primaer: Maalgruppe, andre: Iterable[Maalgruppe] = ()
) -> list[VurderingMaalgruppe]:
    """Exactly one primary target group, others optional (a draft until the decision)."""
    _require_assessing(actor, vurdering.sag)
    others = [m for m in andre if m.pk != primaer.pk]
    if not all(m.kan_vaelges for m in [primaer, *others]):
        raise ValidationError({"maalgrupper": "Vælg konkrete målgrupper, ikke overskrifter."})
    before = sorted(vurdering.maalgrupper.values_list("maalgruppe__slug", flat=True))
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
