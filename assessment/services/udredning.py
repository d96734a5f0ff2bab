"""Sagsoplysning: the udredning theme by theme on the FFB structure, its sources and
delanalyser, functional-ability scores with their history, and requests for information
(indhentning), each under the consent that covers it."""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessment.models import (
    Delanalyse,
    Funktionsevnevurdering,
    Indhentning,
    Kildehenvisning,
    TemaOplysning,
    Udredning,
)
from assessment.selectors.udredning import current_scores
from cases.lifecycle import Fase
from cases.models import Sag, Samtykke
from vum.access import Action, require
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, diff, snapshot
from vum.catalog.models import Funktionsevneniveau, Kategori, Tema, Undertema

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
def tema_vurdering_save(
    *,
    actor: User,
    udredning: Udredning,
    tema: Tema,
    niveauer: Mapping[Undertema, int],
    vurderingsdato: date | None = None,
    fremhaevede_undertemaer: Iterable[Undertema] = (),
    **fields: str,
) -> list[Funktionsevnevurdering]:
    """A theme's information and its sub-themes' levels in one save, all or nothing: the page's
    one form per theme. A sub-theme gets a new dated score only where the level chosen differs
    from its current one, so saving what is already there adds no score. Returns the new
    scores. An error about a level names its field, `niveau_<sub-theme id>`."""
    tema_oplysning_save(
        actor=actor,
        udredning=udredning,
        tema=tema,
        fremhaevede_undertemaer=fremhaevede_undertemaer,
        **fields,
    )
    current = current_scores(sag=udredning.sag)
    added = []
    for undertema, vaerdi in niveauer.items():
        score = current.get(undertema.pk)
        if score is not None and score.niveau.vaerdi == vaerdi:
            continue
        try:
            added.append(
                funktionsevne_score(
                    actor=actor,
                    udredning=udredning,
                    undertema=undertema,
                    vaerdi=vaerdi,
                    vurderingsdato=vurderingsdato,
                )
            )
        except ValidationError as exc:
            errors = getattr(exc, "error_dict", None)
            if errors is None:
                raise
            field = f"niveau_{undertema.pk}"
            raise ValidationError(
                {field if key in ("vaerdi", "undertema") else key: e for key, e in errors.items()}
            ) from exc
    return added


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
