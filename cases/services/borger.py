"""The citizen register: a citizen by CPR number, their details and relatives."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases import cpr as cpr_rules
from cases.models import (
    Borger,
    Relation,
)
from vum.access import Action, require
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, diff, snapshot
from vum.versions import version_check, version_next

# Citizens


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
    try:
        cpr = cpr_rules.normalise(cpr)
    except ValidationError as exc:
        raise ValidationError({"cpr": exc.messages}) from exc
    borger = Borger(
        cpr=cpr,
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
        raise ValidationError({"cpr": "Der findes allerede en borger med dette CPR-nummer."})
    try:
        with transaction.atomic():
            borger.save()
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=borger,
                summary="Borger oprettet",
                changes=diff({}, snapshot(borger)),
            )
    except IntegrityError as exc:  # a concurrent registration of the same CPR number
        raise ValidationError(
            {"cpr": "Der findes allerede en borger med dette CPR-nummer."}
        ) from exc
    return borger


BORGER_EDITABLE = ("fornavn", "efternavn", "adresse", "postnummer", "by", "telefon", "email")


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
    before = snapshot(borger, BORGER_EDITABLE)
    for name, value in fields.items():
        setattr(borger, name, value)
    borger.full_clean(validate_unique=False)
    changes = diff(before, snapshot(borger, BORGER_EDITABLE))
    borger.save(update_fields=[*fields, *(version_next(borger) if changes else [])])
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
