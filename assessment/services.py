"""Writes for the assessment phases: the udredning, partshøring, the sagsvurdering, the
indstilling and the visitationsudvalg, the afgørelse with its letter, and complaints. Each checks
the access policy, validates, writes and audits in one transaction."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessment.models import (
    Afgoerelse,
    AfgoerelsesResultat,
    Brev,
    Dagsordenspunkt,
    Delanalyse,
    Forsendelse,
    Funktionsevnevurdering,
    IndhentetTilbud,
    Indhentning,
    Indsats,
    Indsatsmaal,
    Indstilling,
    Kildehenvisning,
    Klage,
    Kompetenceregel,
    Opfoelgningsinterval,
    Partshoering,
    Prislinje,
    Sagsvurdering,
    TemaOplysning,
    Udredning,
    Udvalgsmoede,
    Visitationsudvalg,
    VurderingMaalgruppe,
)
from assessment.selectors import current_scores
from cases.lifecycle import Fase
from cases.models import Relation, Sag, Samtykke
from cases.services import TransitionError, sag_move
from vum import calendar
from vum.access import Action, require
from vum.accounts.models import Organisation, User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, audit_record_many, diff, snapshot
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
    TreeMixin,
    Undertema,
    Visitationsudfald,
    Ydelse,
)
from vum.catalog.selectors import current_kommune
from vum.deadlines.models import Frist
from vum.deadlines.services import frist_create, frist_meet
from vum.dispatch import Letter, get_dispatcher
from vum.notifications.services import Besked, notifikationer_create
from vum.pdf import render_pdf

# The udredning is written while the case is being informed; to add information later, the
# case moves back to sagsoplysning (a backward move the method allows, with a reason).
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
        # Copying an earlier udredning reads it: the user must be allowed to see its case.
        require(actor, Action.VIEW, forrige.sag)
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
    before = {} if created else _tema_snapshot(row)
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
        changes=diff(before, _tema_snapshot(row)),
    )
    return row


def _tema_snapshot(row: TemaOplysning) -> dict[str, Any]:
    return {
        **snapshot(row, TEMA_FIELDS),
        "fremhaevede_undertemaer": sorted(
            row.fremhaevede_undertemaer.values_list("slug", flat=True)
        ),
    }


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
        if row.tekst == tekst:
            return row
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
    if not Undertema.objects.current(vurderingsdato).filter(pk=undertema.pk).exists():
        raise ValidationError(
            {"undertema": "Undertemaet hører ikke til den gældende version af FFB-kataloget."}
        )
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
    if not relation.is_current():
        role = relation.get_type_display().lower()
        raise ValidationError({"modtager_relation": f"{relation.navn} er ikke {role} i dag."})
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
    pdf = render_pdf(
        template_name="letters/partshoering.html",
        context={
            **letter_context(sag, actor),
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
        beskrivelse="Svar på partshøring",
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
    _require_assessing(actor, sag)
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
def sagsvurdering_update(*, actor: User, vurdering: Sagsvurdering, **fields: Any) -> Sagsvurdering:
    _require_assessing(actor, vurdering.sag)
    unknown = set(fields) - set(VURDERING_FIELDS)
    if unknown:
        raise ValidationError(f"Felterne findes ikke: {', '.join(sorted(unknown))}.")
    locked = Sagsvurdering.objects.select_for_update().get(pk=vurdering.pk)
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
    locked.save()
    _carry_missing_levels(locked)
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
    _carry_missing_levels(locked)
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
    chosen = [primaer, *others]
    current = Maalgruppe.objects.current().filter(pk__in=[m.pk for m in chosen]).count()
    if not all(m.kan_vaelges for m in chosen) or current != len(chosen):
        raise ValidationError(
            {"maalgrupper": "Vælg konkrete målgrupper fra det gældende katalog, ikke overskrifter."}
        )
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


# Decision authority, indstilling and the visitationsudvalg

PERIODS_PER_YEAR = {"dag": 365, "uge": 52, "maaned": 12, "aar": 1}
BOTILBUD_SLUG = "botilbud-til-voksne"
REQUIRED_OFFERS_FOR_BOTILBUD = 3


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


def _is_botilbud(tilbudstype: Tilbudstype | None) -> bool:
    node: TreeMixin | None = tilbudstype
    while node is not None:
        if getattr(node, "slug", None) == BOTILBUD_SLUG:
            return True
        node = node.parent
    return False


def letter_context(sag: Sag, actor: User) -> dict[str, Any]:
    caseworker = sag.sagsbehandler or actor
    return {
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
    }


def indstilling_context(*, indstilling: Indstilling, actor: User) -> dict[str, Any]:
    """Everything the indstilling's sections show (phases.md §4), from the case itself."""
    sag, vurdering = indstilling.sag, indstilling.vurdering
    indsatser = list(
        vurdering.indsatser.prefetch_related("ydelser", "prislinjer__ydelse").select_related(
            "tilbudstype", "udfoerer", "kommunal_ydelse"
        )
    )
    udredning = vurdering.udredning
    return {
        **letter_context(sag, actor),
        "indstilling": indstilling,
        "vurdering": vurdering,
        "formaal": sag.formaal_versioner.first(),
        "diagnoser": list(sag.diagnoser.all()),
        "temaer": [t for t in udredning.temaer.select_related("tema") if t.is_informed]
        if udredning
        else [],
        "maal": list(
            vurdering.maal.select_related(
                "maaltype", "primaert_undertema", "aktuel_vurdering__niveau", "udfoerer"
            )
        ),
        "indsatser": [i for i in indsatser if not i.alternativ],
        "alternativer": [i for i in indsatser if i.alternativ],
        "aarlig_udgift": yearly_cost(vurdering=vurdering),
        "maalgrupper": list(vurdering.maalgrupper.select_related("maalgruppe")),
        "tilbud": list(indstilling.indhentede_tilbud.all()),
        "route": decision_route(vurdering=vurdering),
    }


@transaction.atomic
def indstilling_create(*, actor: User, sag: Sag, indstilling: str) -> Indstilling:
    """A draft recommendation built from the case's current sagsvurdering."""
    _require_assessing(actor, sag)
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
    _require_assessing(actor, indstilling.sag)
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
        _is_botilbud(i.tilbudstype)
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


# Afgørelse, the letter, complaints

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


def _letter_recipient(sag: Sag) -> tuple[dict[str, str], str]:
    """The citizen, or the guardian/representative who holds the citizen's rights (then with a
    copy to the citizen)."""
    holder = sag.borger.relationer.current().filter(varetager_partsrettigheder=True).first()
    borger = sag.borger
    if holder is None:
        return (
            {
                "navn": borger.navn,
                "adresse": borger.adresse,
                "postnummer": borger.postnummer,
                "by": borger.by,
                "email": borger.email,
            },
            "",
        )
    return (
        {
            "navn": holder.navn,
            "adresse": holder.adresse,
            "postnummer": "",
            "by": "",
            "email": holder.email,
        },
        borger.navn,
    )


def afgoerelse_letter_texts(*, afgoerelse: Afgoerelse) -> dict[str, str]:
    """The free texts of the letter, filled from what the earlier phases know; the caseworker
    edits them in the preview before sending."""
    sag, vurdering = afgoerelse.sag, afgoerelse.vurdering
    first = sag.henvendelser.order_by("modtaget").first()
    about = ", ".join(r.beskrivelse for r in afgoerelse.resultater.all())
    follow_up = ""
    if vurdering is not None:
        if vurdering.faelles_opfoelgningsdato:
            follow_up = (
                f"Vi følger op på indsatsen senest {vurdering.faelles_opfoelgningsdato:%d.%m.%Y}."
            )
        elif vurdering.faelles_opfoelgning:
            interval = Opfoelgningsinterval(vurdering.faelles_opfoelgning).label
            follow_up = f"Vi følger op på indsatsen efter {interval}."
    return {
        "overskrift": f"Afgørelse om {about}"
        + (f", din henvendelse modtaget {first.modtaget:%d.%m.%Y}" if first else ""),
        "begrundelse_vurdering": afgoerelse.begrundelse_vurdering,
        "begrundelse_oplysninger": afgoerelse.begrundelse_oplysninger,
        "begrundelse_regler": afgoerelse.begrundelse_regler,
        "saerligt_om_synspunkter": afgoerelse.saerligt_om_synspunkter,
        "indsatsformaal": vurdering.indsatsformaal if vurdering else "",
        "opfoelgning": follow_up,
        "kontakt": "Du er velkommen til at kontakte mig, hvis du har spørgsmål.",
    }


LETTER_TEXT_KEYS = (
    "overskrift",
    "begrundelse_vurdering",
    "begrundelse_oplysninger",
    "begrundelse_regler",
    "saerligt_om_synspunkter",
    "indsatsformaal",
    "opfoelgning",
    "kontakt",
)


def _afgoerelse_letter_context(
    *, afgoerelse: Afgoerelse, actor: User, tekster: dict[str, str]
) -> dict[str, Any]:
    sag = afgoerelse.sag
    recipient, copy_to = _letter_recipient(sag)
    resultater = list(
        afgoerelse.resultater.select_related("kommunal_ydelse").prefetch_related(
            "kommunal_ydelse__hjemler__lovhenvisning"
        )
    )
    hjemler = []
    seen: set[int] = set()
    for line in resultater:
        if line.kommunal_ydelse is None:
            continue
        for hjemmel in line.kommunal_ydelse.hjemler.all():
            if hjemmel.lovhenvisning_id not in seen:
                seen.add(hjemmel.lovhenvisning_id)
                hjemler.append(hjemmel)
    appealable = not all(h.klageadgang is False for h in hjemler) if hjemler else True
    texts = {**afgoerelse_letter_texts(afgoerelse=afgoerelse), **tekster}
    return {
        **letter_context(sag, actor),
        "modtager": {**recipient, "er_borger": not copy_to},
        "kopi_til": copy_to,
        "afgoerelse": afgoerelse,
        "resultater": resultater,
        "tekster": texts,
        "lovhenvisninger": [h.lovhenvisning for h in hjemler],
        "klageadgang": appealable,
    }


def afgoerelse_preview(*, actor: User, afgoerelse: Afgoerelse, tekster: dict[str, str]) -> bytes:
    """The letter as it would be sent with these texts; nothing is stored."""
    require(actor, Action.EDIT, afgoerelse.sag)
    pdf = render_pdf(
        template_name="letters/afgoerelse.html",
        context=_afgoerelse_letter_context(afgoerelse=afgoerelse, actor=actor, tekster=tekster),
    )
    return pdf.content


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
    if afgoerelse.breve.exists() and retter is None:
        raise ValidationError("Afgørelsesbrevet er sendt; en rettelse er et nyt brev.")
    texts = {**afgoerelse_letter_texts(afgoerelse=afgoerelse), **tekster}
    if not afgoerelse.fuldt_medhold and not texts["begrundelse_vurdering"].strip():
        raise ValidationError(
            {"begrundelse_vurdering": "Uden fuldt medhold skal brevet indeholde begrundelsen."}
        )
    context = _afgoerelse_letter_context(afgoerelse=afgoerelse, actor=actor, tekster=texts)
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
    from assessment.tasks import dispatch_letter

    transaction.on_commit(lambda: dispatch_letter.delay(brev.pk))
    return brev


@transaction.atomic
def brev_dispatch(*, brev_id: int) -> Forsendelse:
    """Send a frozen letter through the dispatcher, once: a second call finds the dispatch. The
    complaint deadline runs from the day it is sent; the case's processing deadline is met."""
    brev = (
        Brev.objects.select_for_update(of=("self",))
        .select_related("sag", "afgoerelse")
        .get(pk=brev_id)
    )
    existing = Forsendelse.objects.filter(brev=brev).first()
    if existing is not None:
        return existing
    recipient, _copy = _letter_recipient(brev.sag)
    receipt = get_dispatcher().send(
        Letter(
            brev_id=brev.pk,
            recipient_name=brev.modtager_navn,
            recipient_email=recipient["email"],
            subject=f"{brev.get_art_display()} fra {current_kommune().navn}",
            pdf=bytes(brev.pdf),
        )
    )
    forsendelse = Forsendelse.objects.create(
        brev=brev, kanal=receipt.channel, reference=receipt.reference, sendt=receipt.sent_at
    )
    afgoerelse = brev.afgoerelse
    if afgoerelse is not None:
        sent_day = timezone.localtime(receipt.sent_at).date()
        Afgoerelse.objects.filter(pk=afgoerelse.pk).update(
            meddelt=afgoerelse.meddelt or sent_day,
            klagefrist=calendar.complaint_deadline(sent_day),
        )
        for frist in Frist.objects.open().filter(
            sag=brev.sag,
            art__in=[Frist.Art.SAGSBEHANDLINGSFRIST, Frist.Art.SKRIFTLIG_AFGOERELSE],
        ):
            frist_meet(frist=frist, now=receipt.sent_at)
    audit_record(
        actor=None,
        action=AuditAction.EXPORT,
        obj=brev,
        borger_id=brev.sag.borger_id,
        summary=f"Brev sendt via {receipt.channel}",
        changes={"reference": receipt.reference},
    )
    return forsendelse


@transaction.atomic
def klage_register(
    *, actor: User, afgoerelse: Afgoerelse, modtaget: datetime, kanal: str, tekst: str
) -> Klage:
    """Register a complaint. A late one is flagged, never refused; the municipality must
    reassess and answer or forward it within four weeks."""
    require(actor, Action.EDIT, afgoerelse.sag)
    errors: dict[str, str] = {}
    if kanal not in Klage.Kanal.values:
        errors["kanal"] = "Angiv hvordan klagen er modtaget."
    if not tekst.strip():
        errors["tekst"] = "Skriv klagen eller et resumé af en mundtlig klage."
    if modtaget > timezone.now():
        errors["modtaget"] = "En klage kan ikke være modtaget i fremtiden."
    if errors:
        raise ValidationError(errors)
    received_decision = afgoerelse.meddelt
    late = received_decision is not None and not calendar.complaint_in_time(
        received_decision, modtaget
    )
    klage = Klage.objects.create(
        sag=afgoerelse.sag,
        afgoerelse=afgoerelse,
        modtaget=modtaget,
        kanal=kanal,
        tekst=tekst,
        for_sent=late,
        registreret_af=actor,
    )
    frist_create(
        sag=afgoerelse.sag,
        art=Frist.Art.KLAGE,
        frist=end_of_day(calendar.add(timezone.localtime(modtaget).date(), 4, calendar.Unit.WEEKS)),
        beskrivelse="Genvurdér klagen og giv medhold eller send den til Ankestyrelsen",
        regel="Klagen genvurderes og besvares eller videresendes inden 4 uger",
        ansvarlig=afgoerelse.sag.sagsbehandler,
        ansvarligt_team=afgoerelse.sag.team,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=klage,
        summary="Klage registreret" + (" (efter klagefristen)" if late else ""),
    )
    return klage


def _meet_complaint_deadline(klage: Klage, actor: User) -> None:
    for frist in Frist.objects.open().filter(sag=klage.sag, art=Frist.Art.KLAGE):
        frist_meet(frist=frist, actor=actor)


@transaction.atomic
def klage_genvurder(
    *,
    actor: User,
    klage: Klage,
    genvurdering: str,
    dato: date | None = None,
    ny_afgoerelse: Afgoerelse | None = None,
) -> Klage:
    """The municipality's reassessment. Medhold (full or partial) is a new afgørelse that replaces
    the old; an upheld decision goes on to Ankestyrelsen."""
    require(actor, Action.EDIT, klage.sag)
    locked = Klage.objects.select_for_update().get(pk=klage.pk)
    if locked.genvurdering:
        raise ValidationError("Klagen er allerede genvurderet.")
    if genvurdering not in Klage.Genvurdering.values:
        raise ValidationError({"genvurdering": "Ukendt udfald af genvurderingen."})
    gives_new = genvurdering in (Klage.Genvurdering.MEDHOLD, Klage.Genvurdering.DELVIST_MEDHOLD)
    if gives_new and (ny_afgoerelse is None or ny_afgoerelse.erstatter_id != locked.afgoerelse_id):
        raise ValidationError(
            {"ny_afgoerelse": "Medhold giver en ny afgørelse, der erstatter den påklagede."}
        )
    locked.genvurdering = genvurdering
    locked.genvurderet = dato or timezone.localdate()
    locked.ny_afgoerelse = ny_afgoerelse if gives_new else None
    locked.save(update_fields=["genvurdering", "genvurderet", "ny_afgoerelse"])
    if genvurdering == Klage.Genvurdering.MEDHOLD:
        _meet_complaint_deadline(locked, actor)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        summary=f"Klage genvurderet: {locked.get_genvurdering_display()}",
    )
    return locked


@transaction.atomic
def klage_send_to_ankestyrelsen(*, actor: User, klage: Klage, dato: date) -> Klage:
    require(actor, Action.EDIT, klage.sag)
    locked = Klage.objects.select_for_update().get(pk=klage.pk)
    if locked.genvurdering not in (
        Klage.Genvurdering.FASTHOLDT,
        Klage.Genvurdering.DELVIST_MEDHOLD,
    ):
        raise ValidationError(
            "Kun en klage, hvor afgørelsen helt eller delvis fastholdes, sendes til Ankestyrelsen."
        )
    if locked.sendt_til_ankestyrelsen is not None:
        raise ValidationError("Klagen er allerede sendt til Ankestyrelsen.")
    locked.sendt_til_ankestyrelsen = dato
    locked.save(update_fields=["sendt_til_ankestyrelsen"])
    _meet_complaint_deadline(locked, actor)
    audit_record(
        actor=actor, action=AuditAction.EXPORT, obj=locked, summary="Klage sendt til Ankestyrelsen"
    )
    return locked


@transaction.atomic
def klage_ankestyrelsens_afgoerelse(
    *, actor: User, klage: Klage, resultat: str, dato: date
) -> Klage:
    require(actor, Action.EDIT, klage.sag)
    locked = Klage.objects.select_for_update().get(pk=klage.pk)
    if locked.sendt_til_ankestyrelsen is None:
        raise ValidationError("Klagen er ikke sendt til Ankestyrelsen.")
    if resultat not in Klage.Ankestyrelsen.values:
        raise ValidationError({"resultat": "Ukendt afgørelse fra Ankestyrelsen."})
    locked.ankestyrelsens_afgoerelse, locked.ankestyrelsens_dato = resultat, dato
    locked.save(update_fields=["ankestyrelsens_afgoerelse", "ankestyrelsens_dato"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        summary=f"Ankestyrelsen: {locked.get_ankestyrelsens_afgoerelse_display()}",
    )
    return locked
