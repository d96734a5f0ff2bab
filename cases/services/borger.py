"""The citizen register: a citizen by CPR number, their details and relatives."""

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import cpr as cpr_rules
from cases.models import (
    Borger,
    Relation,
)
from vum.access import Action, require
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, diff, snapshot
from vum.serviceplatformen.client import ServiceplatformenClient
from vum.serviceplatformen.cpr import CprPerson, person_lookup
from vum.versions import version_check, version_next

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


def _cpr_guardian(*, actor: User, borger: Borger, person: CprPerson) -> None:
    """Keep the guardian CPR holds as the citizen's CPR guardian relation: added, changed, or
    ended (the day before) when CPR no longer has one. Typed relations are left alone; whether a
    guardian holds the citizen's rights in the case is the caseworker's call, not CPR's."""
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
                summary="Værge fra CPR afsluttet (ikke længere i CPR)",
                changes=diff(before, snapshot(current)),
            )
        return
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
            summary="Værge registreret fra CPR",
            changes=diff({}, snapshot(relation)),
        )
        return
    before = snapshot(current)
    current.navn, current.cpr, current.vaergemaalsform = fields["navn"], fields["cpr"], form
    current.full_clean()
    changes = diff(before, snapshot(current))
    if changes:
        current.save(update_fields=["navn", "cpr", "vaergemaalsform"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=current,
            summary="Værge opdateret fra CPR",
            changes=changes,
        )


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
    with transaction.atomic():
        borger = Borger.objects.select_for_update().get(pk=borger.pk)
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
        _cpr_guardian(actor=actor, borger=borger, person=person)
    return borger


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
