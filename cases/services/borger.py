"""The citizen register: a citizen by CPR number, their details and relatives."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from cases import cpr as cpr_rules
from cases.lifecycle import Fase
from cases.models import (
    Borger,
    Relation,
    Sag,
)
from vum.access import Action, require
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, diff, snapshot
from vum.notifications.services import Besked, notifikationer_create
from vum.serviceplatformen.client import ServiceplatformenClient, ServiceplatformenError
from vum.serviceplatformen.cpr import CprPerson, PersonIkkeFundet, lookup_enabled, person_lookup
from vum.versions import version_check, version_next

logger = logging.getLogger(__name__)

# Citizens

DUPLICATE = "Der findes allerede en borger med dette CPR-nummer."


def borger_create(
    *,
    actor: User,
    cpr: str,
    fornavn: str,
    efternavn: str,
    adresse: str = "",
    postnummer: str = "",
    by: str = "",
    telefon: str = "",
    email: str = "",
) -> Borger:
    require(actor, Action.CREATE_BORGER)
    borger = Borger(
        cpr=_normalised_cpr(cpr),
        fornavn=fornavn.strip(),
        efternavn=efternavn.strip(),
        adresse=adresse,
        postnummer=postnummer,
        by=by,
        telefon=telefon,
        email=email,
        oprettet_af=actor,
    )
    borger.full_clean(validate_unique=False)
    if Borger.objects.filter(cpr=borger.cpr).exists():
        raise ValidationError({"cpr": DUPLICATE})
    return _borger_insert(actor=actor, borger=borger, summary="Borger oprettet")


def _normalised_cpr(cpr: str, *, validate: bool = False) -> str:
    """The CPR number without its hyphen (and, with `validate`, checked); a fault is the
    cpr field's error."""
    try:
        cpr = cpr_rules.normalise(cpr)
        if validate:
            cpr_rules.validate_cpr(cpr)
    except ValidationError as exc:
        raise ValidationError({"cpr": exc.messages}) from exc
    return cpr


def _borger_insert(
    *, actor: User, borger: Borger, summary: str, person: CprPerson | None = None
) -> Borger:
    """Save a new citizen with its audit row (and the guardian CPR holds, from a lookup) in one
    transaction; a concurrent registration of the same CPR number is the duplicate error."""
    try:
        with transaction.atomic():
            borger.save()
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=borger,
                summary=summary,
                changes=diff({}, snapshot(borger)),
            )
            if person is not None:
                _cpr_guardian(actor=actor, borger=borger, person=person)
    except IntegrityError as exc:
        raise ValidationError({"cpr": DUPLICATE}) from exc
    return borger


# What a CPR lookup sets on a citizen: CPR's facts replace whatever was typed.
CPR_FACTS = (
    "fornavn",
    "efternavn",
    "adresse",
    "postnummer",
    "by",
    "civilstand",
    "doedsdato",
    "adressebeskyttet",
)


def _cpr_facts(person: CprPerson) -> dict[str, Any]:
    # A protected address is not kept at all: what vum does not hold it cannot show, print or
    # export, and letters to a protected citizen go by Digital Post, which needs no address.
    address = (
        {"adresse": "", "postnummer": "", "by": ""}
        if person.adressebeskyttet
        else {"adresse": person.adresse, "postnummer": person.postnummer, "by": person.by}
    )
    return {
        "fornavn": person.fornavne,
        "efternavn": person.efternavn,
        **address,
        "civilstand": person.civilstand,
        "doedsdato": person.doedsdato,
        "adressebeskyttet": person.adressebeskyttet,
    }


GUARDIAN_ADDED = "Værge registreret fra CPR"
GUARDIAN_CHANGED = "Værge opdateret fra CPR"
GUARDIAN_ENDED = "Værge fra CPR afsluttet (ikke længere i CPR)"


def _cpr_guardian(*, actor: User | None, borger: Borger, person: CprPerson) -> str:
    """Keep the guardian CPR holds as the citizen's CPR guardian relation: added, changed, or
    ended (the day before) when CPR no longer has one. Typed relations are left alone; whether a
    guardian holds the citizen's rights in the case is the caseworker's call, not CPR's.
    Returns what changed, as the audit trail says it ("" when nothing did)."""
    today = timezone.localdate()
    current = borger.relationer.current().filter(fra_cpr=True).first()
    vaerge = person.vaerge
    if vaerge is None:
        if current is not None:
            before = snapshot(current)
            current.gyldig_til = today - timedelta(days=1)
            current.save(update_fields=["gyldig_til"])
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=current,
                summary=GUARDIAN_ENDED,
                changes=diff(before, snapshot(current)),
            )
            return GUARDIAN_ENDED
        return ""
    form = (
        Relation.Vaergemaalsform.PARAGRAF_6
        if vaerge.frataget_handleevne
        else Relation.Vaergemaalsform.PARAGRAF_5
    )
    fields = {"navn": vaerge.navn or "Værge (navn ikke oplyst i CPR)", "cpr": vaerge.cpr}
    if current is None:
        relation = Relation(
            borger=borger,
            type=Relation.Type.VAERGE,
            vaergemaalsform=form,
            gyldig_fra=today,
            fra_cpr=True,
            **fields,
        )
        relation.full_clean()
        relation.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=relation,
            summary=GUARDIAN_ADDED,
            changes=diff({}, snapshot(relation)),
        )
        return GUARDIAN_ADDED
    before = snapshot(current)
    current.navn, current.cpr, current.vaergemaalsform = fields["navn"], fields["cpr"], form
    current.full_clean()
    changes = diff(before, snapshot(current))
    if not changes:
        return ""
    current.save(update_fields=["navn", "cpr", "vaergemaalsform"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=current,
        summary=GUARDIAN_CHANGED,
        changes=changes,
    )
    return GUARDIAN_CHANGED


def borger_create_from_cpr(
    *, actor: User, cpr: str, client: ServiceplatformenClient | None = None
) -> Borger:
    """Register the citizen with CPR number `cpr` as CPR has them (SF1520), verified now.
    Raises ServiceplatformenError when CPR cannot answer (PersonIkkeFundet when it does not
    know the number): the caller may then offer the typed registration."""
    require(actor, Action.CREATE_BORGER)
    cpr = _normalised_cpr(cpr, validate=True)
    # Before asking CPR: a duplicate needs no lookup.
    if Borger.objects.filter(cpr=cpr).exists():
        raise ValidationError({"cpr": DUPLICATE})
    person = person_lookup(cpr, client=client)
    borger = Borger(cpr=cpr, cpr_opslag=timezone.now(), oprettet_af=actor, **_cpr_facts(person))
    borger.full_clean(validate_unique=False)
    return _borger_insert(
        actor=actor, borger=borger, summary="Borger oprettet fra CPR", person=person
    )


def borger_cpr_refresh(
    *,
    actor: User,
    borger: Borger,
    expected_version: int | None = None,
    client: ServiceplatformenClient | None = None,
) -> Borger:
    """Read the citizen from CPR again and store what CPR says now, with the time of reading.
    `expected_version` is the version the caseworker's page showed (StaleVersion if another
    change came in between). Raises ServiceplatformenError when CPR cannot answer; nothing is
    changed then."""
    require(actor, Action.EDIT_BORGER, borger)
    # The lookup may take seconds: it runs before the row is locked.
    person = person_lookup(borger.cpr, client=client)
    return _cpr_store(
        actor=actor, borger_id=borger.pk, person=person, expected_version=expected_version
    )


def _cpr_store(
    *,
    actor: User | None,
    borger_id: int,
    person: CprPerson,
    expected_version: int | None = None,
) -> Borger:
    """Store what CPR says of the citizen now, audited, and tell the caseworkers of the
    citizen's open cases what they must act on: a new protection, a death, a guardian added,
    changed or ended (not the one who asked: they see it on the page)."""
    with transaction.atomic():
        borger = Borger.objects.select_for_update().get(pk=borger_id)
        version_check(borger, expected_version)
        before = snapshot(borger, CPR_FACTS)
        for name, value in _cpr_facts(person).items():
            setattr(borger, name, value)
        borger.cpr_opslag = timezone.now()
        borger.full_clean(validate_unique=False)
        changes = diff(before, snapshot(borger, CPR_FACTS))
        borger.save(
            update_fields=[*CPR_FACTS, "cpr_opslag", *(version_next(borger) if changes else [])]
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=borger,
            summary="Borger opdateret fra CPR" if changes else "Borger tjekket i CPR (uændret)",
            changes=changes,
        )
        guardian = _cpr_guardian(actor=actor, borger=borger, person=person)
        day = f"{timezone.localdate():%Y%m%d}"
        if borger.adressebeskyttet and not before["adressebeskyttet"]:
            _tell_caseworkers(
                borger,
                titel="Borgeren har fået navne- og adressebeskyttelse",
                tekst="CPR oplyser nu navne- og adressebeskyttelse. Adressen er slettet i vum, "
                "og breve til borgeren sendes kun med Digital Post. Se efter, om dokumenter "
                "med adressen er på vej til andre.",
                kilde=f"cpr-beskyttet:{borger.pk}:{day}",
                besides=actor,
            )
        if borger.doedsdato and not before["doedsdato"]:
            _tell_caseworkers(
                borger,
                titel="Borgeren er død ifølge CPR",
                tekst=f"CPR oplyser dødsdatoen {borger.doedsdato:%d.%m.%Y}. Se til borgerens "
                "sager og bestillinger.",
                kilde=f"cpr-doed:{borger.pk}",
                besides=actor,
            )
        if guardian:
            _tell_caseworkers(
                borger,
                titel="Værgemål ændret i CPR",
                tekst=f"{guardian}. Vurder, om værgen varetager borgerens partsrettigheder i "
                "sagen.",
                kilde=f"cpr-vaerge:{borger.pk}:{day}",
                besides=actor,
            )
    return borger


def _tell_caseworkers(
    borger: Borger, *, titel: str, tekst: str, kilde: str, besides: User | None = None
) -> None:
    """A notification to the caseworkers of the citizen's open cases."""
    open_cases = borger.sager.exclude(fase=Fase.AFSLUTTET).select_related("sagsbehandler", "team")
    caseworkers = {user for sag in open_cases for user in sag.caseworkers()} - {besides}
    notifikationer_create(
        beskeder=[
            Besked(
                modtager=user,
                titel=f"{titel}: {borger.navn}",
                tekst=tekst,
                link=reverse("borger_detail", args=[borger.pk]),
                kilde=kilde,
            )
            for user in sorted(caseworkers, key=lambda user: user.pk)
        ]
    )


# The re-check: what vum holds of a citizen is kept as fresh as CPR, so that a protection, a
# death or a new guardian reaches the case within a night (docs/cpr.md).

CPR_RECHECK_BATCH = 200


@dataclass(frozen=True)
class CprRecheck:
    checked: int
    last_id: int
    # The batch ended early because CPR (or the platform) could not answer: try again later.
    stopped: bool


def _cpr_stale() -> datetime:
    """CPR facts read before this are due a new reading."""
    return timezone.now() - timedelta(hours=settings.VUM_CPR_RECHECK_HOURS)


def borger_cpr_current(*, borger: Borger, client: ServiceplatformenClient | None = None) -> Borger:
    """The citizen as CPR has them, read again first when the lookup is on and what vum holds
    is older than VUM_CPR_RECHECK_HOURS (or was typed in): called as a letter leaves, so a
    protection given since the night's re-check holds for it. When CPR cannot answer, what vum
    holds is used, and the letter is not held back for it."""
    if client is None and not lookup_enabled():
        return borger
    if borger.cpr_opslag is not None and borger.cpr_opslag >= _cpr_stale():
        return borger
    try:
        person = person_lookup(borger.cpr, client=client)
    except ServiceplatformenError as away:
        logger.warning(
            "CPR-tjek af borger %s før afsendelse mislykkedes: %s", borger.pk, away.reason
        )
        return borger
    return _cpr_store(actor=None, borger_id=borger.pk, person=person)


def borgere_cpr_recheck_due(*, after_id: int = 0) -> QuerySet[Borger]:
    """The citizens with an open case whose CPR facts are older than VUM_CPR_RECHECK_HOURS (or
    were typed in), alive as far as vum knows, in id order from `after_id`."""
    open_cases = Sag.objects.filter(borger=OuterRef("pk")).exclude(fase=Fase.AFSLUTTET)
    return (
        Borger.objects.filter(Exists(open_cases), doedsdato__isnull=True, pk__gt=after_id)
        .filter(Q(cpr_opslag__isnull=True) | Q(cpr_opslag__lt=_cpr_stale()))
        .order_by("pk")
    )


def borgere_cpr_recheck(
    *,
    after_id: int = 0,
    limit: int = CPR_RECHECK_BATCH,
    client: ServiceplatformenClient | None = None,
) -> CprRecheck:
    """Read from CPR again up to `limit` citizens due a re-check, from id `after_id`. A number
    CPR does not know is told to the caseworkers (a typing error, or a citizen who left CPR) and
    passed over; any other failure stops the batch, as the next would fail the same way."""
    checked, last_id = 0, after_id
    for borger in borgere_cpr_recheck_due(after_id=after_id)[:limit]:
        try:
            person = person_lookup(borger.cpr, client=client)
        except PersonIkkeFundet:
            _tell_caseworkers(
                borger,
                titel="CPR kender ikke borgerens CPR-nummer",
                tekst="Opslaget i CPR gav intet svar på nummeret. Ret CPR-nummeret, hvis det "
                "er tastet forkert; ellers kan borgerens oplysninger ikke holdes ajour fra CPR.",
                kilde=f"cpr-ukendt:{borger.pk}",
            )
        except ServiceplatformenError as away:
            logger.warning("CPR-tjek af borger %s stoppet: %s", borger.pk, away.reason)
            return CprRecheck(checked=checked, last_id=last_id, stopped=True)
        else:
            _cpr_store(actor=None, borger_id=borger.pk, person=person)
        checked, last_id = checked + 1, borger.pk
    return CprRecheck(checked=checked, last_id=last_id, stopped=False)


ADDRESS_FIELDS = ("adresse", "postnummer", "by")
BORGER_EDITABLE = ("fornavn", "efternavn", *ADDRESS_FIELDS, "telefon", "email")
# The details CPR gives that can be typed: typed over, the citizen is no longer verified in CPR.
FROM_CPR = tuple(name for name in BORGER_EDITABLE if name in CPR_FACTS)


@transaction.atomic
def borger_update(
    *, actor: User, borger: Borger, expected_version: int | None = None, **fields: Any
) -> Borger:
    """Change the contact details given; `expected_version` is the version the editor read."""
    require(actor, Action.EDIT_BORGER, borger)
    unknown = set(fields) - set(BORGER_EDITABLE)
    if unknown:
        raise ValidationError(f"Felterne kan ikke ændres: {', '.join(sorted(unknown))}.")
    borger = Borger.objects.select_for_update().get(pk=borger.pk)
    version_check(borger, expected_version)
    if borger.adressebeskyttet and any(fields.get(name) for name in ADDRESS_FIELDS):
        raise ValidationError(
            {
                "adresse": "Borgeren har navne- og adressebeskyttelse: adressen registreres "
                "ikke i vum."
            }
        )
    before = snapshot(borger, BORGER_EDITABLE)
    for name, value in fields.items():
        setattr(borger, name, value)
    borger.full_clean(validate_unique=False)
    changes = diff(before, snapshot(borger, BORGER_EDITABLE))
    typed_over_cpr = borger.cpr_opslag is not None and bool(set(changes) & set(FROM_CPR))
    if typed_over_cpr:
        borger.cpr_opslag = None  # what is typed by hand is not verified in CPR
    borger.save(
        update_fields=[
            *fields,
            *(["cpr_opslag"] if typed_over_cpr else []),
            *(version_next(borger) if changes else []),
        ]
    )
    # With nothing changed the caller still gets the citizen back: that is a read.
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE if changes else AuditAction.VIEW,
        obj=borger,
        summary="Borger ændret" if changes else "Borger vist (intet ændret)",
        changes=changes,
    )
    return borger


@transaction.atomic
def relation_create(*, actor: User, borger: Borger, **fields: Any) -> Relation:
    require(actor, Action.EDIT_BORGER, borger)
    relation = Relation(borger=borger, **fields)
    relation.full_clean()
    relation.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=relation,
        summary=f"{relation.get_type_display()} registreret",
        changes=diff({}, snapshot(relation)),
    )
    return relation
