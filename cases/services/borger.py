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
    now = timezone.now()
    borger = Borger(cpr=cpr, cpr_opslag=now, oprettet_af=actor, **_cpr_facts(person))
    borger.adressebeskyttet_siden = now if borger.adressebeskyttet else None
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
        if not borger.adressebeskyttet:
            borger.adressebeskyttet_siden = None
        elif not before["adressebeskyttet"]:
            # From now on vum holds no address; what was frozen before may show it.
            borger.adressebeskyttet_siden = borger.cpr_opslag
        borger.full_clean(validate_unique=False)
        changes = diff(before, snapshot(borger, CPR_FACTS))
        borger.save(
            update_fields=[
                *CPR_FACTS,
                "cpr_opslag",
                "adressebeskyttet_siden",
                *(version_next(borger) if changes else []),
            ]
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
        news = {
            f"cpr-beskyttet:{borger.pk}:{day}": borger.adressebeskyttet
            and not before["adressebeskyttet"],
            f"cpr-doed:{borger.pk}": bool(borger.doedsdato) and not before["doedsdato"],
            f"cpr-vaerge:{borger.pk}:{day}": bool(guardian),
        }
        for kilde in (kilde for kilde, happened in news.items() if happened):
            _tell_caseworkers(borger, tekst=CPR_CHANGED, kilde=kilde, besides=actor)
    return borger


# What the caseworkers are told. A notification (and its e-mail copy) says neither who the
# citizen is nor what happened (vum.notifications.models.Notifikation): the case's number and a
# link to the citizen's page, which shows it to those who may see it.
CPR_CHANGED = (
    "CPR har ændret borgerens oplysninger (beskyttelse, dødsfald eller værgemål). Se borgerens "
    "side, og tag stilling til sagen."
)
CPR_UNKNOWN = (
    "CPR kender ikke borgerens CPR-nummer. Ret det på borgerens side, hvis det er tastet forkert; "
    "ellers kan borgerens oplysninger ikke holdes ajour fra CPR."
)
CPR_OTHER_NAME = (
    "CPR har et andet navn på borgerens CPR-nummer end det, der er tastet, så oplysningerne fra "
    "CPR er ikke gemt. Tjek CPR-nummeret på borgerens side."
)


def _tell_caseworkers(
    borger: Borger, *, tekst: str, kilde: str, besides: User | None = None
) -> None:
    """A notification to the caseworkers of the citizen's open cases, each once per `kilde`."""
    open_cases = (
        borger.sager.exclude(fase=Fase.AFSLUTTET)
        .select_related("sagsbehandler", "team")
        .order_by("pk")
    )
    notifikationer_create(
        beskeder=[
            Besked(
                modtager=user,
                titel=f"Tjek borgerens oplysninger fra CPR, sag {sag.pk}",
                tekst=tekst,
                link=reverse("borger_detail", args=[borger.pk]),
                kilde=kilde,
            )
            for sag in open_cases
            for user in sag.caseworkers()
            if user != besides
        ]
    )


# The re-check: what vum holds of a citizen is kept as fresh as CPR, so that a protection, a
# death or a new guardian reaches the case within a day and a half (docs/cpr.md).

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


def borger_cpr_current(*, borger: Borger, client: ServiceplatformenClient | None = None) -> bool:
    """Read the citizen from CPR again when the lookup is on and what vum holds is older than
    VUM_CPR_RECHECK_HOURS (or was typed in): called before a letter leaves, in a transaction of
    its own, so a protection given since the night's re-check holds for the letter. False when
    CPR could not answer (or its answer could not be kept): what vum holds then stands, and the
    letter is not held back for it."""
    if client is None and not lookup_enabled():
        return True
    if borger.cpr_opslag is not None and borger.cpr_opslag >= _cpr_stale():
        return True
    return _cpr_read(borger, client=client) == _CPR_STORED


# What `_cpr_read` says besides a stored reading.
_CPR_AWAY = "away"  # the platform or CPR cannot answer now: later readings would fail too
_CPR_PASSED = "passed"  # this citizen cannot be read (told or logged); the next one may
_CPR_STORED = "stored"


def _cpr_read(borger: Borger, *, client: ServiceplatformenClient | None) -> str:
    """Read one citizen from CPR for the system (no user) and store it. A number CPR does not
    know, or a typed citizen whose name CPR has otherwise, is told to the caseworkers and stored
    not; an answer about this citizen that cannot be read or kept is logged and passed over."""
    try:
        person = person_lookup(borger.cpr, client=client)
    except PersonIkkeFundet:
        _tell_caseworkers(borger, tekst=CPR_UNKNOWN, kilde=f"cpr-ukendt:{borger.pk}")
        return _CPR_PASSED
    except ServiceplatformenError as away:
        logger.warning("CPR-opslag af borger %s mislykkedes: %s", borger.pk, away.reason)
        if away.retryable or away.status in (401, 403):
            return _CPR_AWAY
        return _CPR_PASSED
    if borger.cpr_opslag is None and not _same_person(borger, person):
        # Typed with a wrong digit, say: CPR's facts belong to someone else.
        _tell_caseworkers(borger, tekst=CPR_OTHER_NAME, kilde=f"cpr-andet-navn:{borger.pk}")
        return _CPR_PASSED
    try:
        _cpr_store(actor=None, borger_id=borger.pk, person=person)
    except ValidationError as invalid:
        logger.warning("CPR-svar om borger %s kan ikke gemmes: %s", borger.pk, invalid.messages)
        return _CPR_PASSED
    return _CPR_STORED


def _same_person(borger: Borger, person: CprPerson) -> bool:
    """Is the typed citizen the one CPR has: the same last name, and the typed first name
    among CPR's first names (a middle name may have been left out)."""
    typed_first = borger.fornavn.casefold().split()[:1]
    return borger.efternavn.casefold().split() == person.efternavn.casefold().split() and set(
        typed_first
    ) <= set(person.fornavne.casefold().split())


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
    """Read from CPR again up to `limit` citizens due a re-check, from id `after_id`. A citizen
    who cannot be read (a number CPR does not know, an answer that cannot be kept) is passed
    over; the batch stops only when the platform or CPR cannot answer at all, as every further
    reading would fail the same way."""
    checked, last_id = 0, after_id
    for borger in borgere_cpr_recheck_due(after_id=after_id)[:limit]:
        if _cpr_read(borger, client=client) == _CPR_AWAY:
            return CprRecheck(checked=checked, last_id=last_id, stopped=True)
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
