"""Reads of the partshøringer: a case's hearings and a hearing's frozen letter."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from assessment.models import Partshoering
from cases.models import Sag
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, audit_record_many
from vum.protected_documents import protected_address_note


def sag_partshoeringer(*, sag: Sag) -> QuerySet[Partshoering]:
    """Not audited: the API's list and `partshoering_get` audit what is shown. The letter itself
    is left out (deferred); it is read only by `partshoering_brev`."""
    return (
        Partshoering.objects.filter(sag=sag).select_related("sendt_af", "frist").defer("brev_pdf")
    )


def partshoering_get(*, user: User, sag: Sag, pk: object) -> Partshoering:
    hoering = get_object_or_404(sag_partshoeringer(sag=sag), pk=pk)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=hoering,
        borger_id=sag.borger_id,
        summary="Partshøring vist",
    )
    return hoering


def partshoering_brev(*, user: User, sag: Sag, pk: object, confirmed: bool) -> Partshoering:
    """The hearing with its letter (PDF), for download: audited as an export. A letter to the
    citizen sent before CPR protected their address only when `confirmed`
    (vum.protected_documents)."""
    hoering = get_object_or_404(Partshoering.objects.filter(sag=sag), pk=pk)
    hoering.sag = sag
    note = protected_address_note(shows=hoering.shows_protected_address, confirmed=confirmed)
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=hoering,
        borger_id=sag.borger_id,
        summary=f"Partshøringsbrev hentet (SHA-256 {hoering.brev_sha256[:12]}…){note}",
    )
    return hoering


def partshoeringer(*, user: User, sag: Sag) -> list[Partshoering]:
    """The case's hearings without their letters (`partshoering_brev` reads a letter)."""
    rows = list(sag_partshoeringer(sag=sag))
    if rows:
        audit_record_many(
            actor=user, action=AuditAction.LIST, objects=rows, summary="Partshøringer vist"
        )
    return rows
