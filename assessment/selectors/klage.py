"""Reads of the complaints about a case's decisions."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from assessment.models import Klage
from cases.models import Sag
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, audit_record_many


def sag_klager_qs(*, sag: Sag) -> QuerySet[Klage]:
    """Not audited: for lookups before a write and the answer to it."""
    return Klage.objects.filter(sag=sag).select_related("registreret_af")


def sag_klager(*, user: User, sag: Sag) -> list[Klage]:
    rows = list(sag_klager_qs(sag=sag))
    if rows:
        audit_record_many(actor=user, action=AuditAction.LIST, objects=rows, summary="Klager vist")
    return rows


def klage_get(*, user: User, sag: Sag, pk: object) -> Klage:
    klage = get_object_or_404(sag_klager_qs(sag=sag), pk=pk)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=klage,
        borger_id=sag.borger_id,
        summary="Klage vist",
    )
    return klage
