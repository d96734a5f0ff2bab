"""Writes for the sagsoplysning: the udredning theme by theme, scores, requests for information
and partshøring. Each checks the access policy, validates, writes and audits in one transaction."""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessment.models import (
    Delanalyse,
    Funktionsevnevurdering,
    Indhentning,
    Kildehenvisning,
    Partshoering,
    TemaOplysning,
    Udredning,
)
from cases.lifecycle import Fase
from cases.models import Relation, Sag, Samtykke
from vum.access import Action, require
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, diff, snapshot
from vum.calendar import end_of_day
from vum.catalog.models import Funktionsevneniveau, Kategori, Tema, Undertema
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
