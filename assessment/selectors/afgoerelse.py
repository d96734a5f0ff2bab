"""Reads of the afgørelse: a case's decisions, the decision letter's texts and preview, and the
frozen letters."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from assessment.letters import afgoerelse_letter_texts, afgoerelse_preview
from assessment.models import Afgoerelse, Brev
from cases.models import Sag
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record, audit_record_many
from vum.protected_documents import protected_address_note


def sag_afgoerelser_qs(*, sag: Sag) -> QuerySet[Afgoerelse]:
    """Not audited: for lookups before a write (the service audits) and the answer to it."""
    return (
        Afgoerelse.objects.filter(sag=sag)
        .select_related("sag", "vurdering", "oprettet_af")
        .prefetch_related(
            "resultater", Prefetch("breve", queryset=Brev.objects.defer("pdf").order_by("id"))
        )
    )


def sag_afgoerelser(*, user: User, sag: Sag) -> list[Afgoerelse]:
    """The case's decisions, newest first, with their results. Audited as a list."""
    rows = list(sag_afgoerelser_qs(sag=sag))
    if rows:
        audit_record_many(
            actor=user, action=AuditAction.LIST, objects=rows, summary="Afgørelser vist"
        )
    return rows


def afgoerelse_get(*, user: User, sag: Sag, pk: object) -> Afgoerelse:
    afgoerelse = get_object_or_404(sag_afgoerelser_qs(sag=sag), pk=pk)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=afgoerelse,
        borger_id=sag.borger_id,
        summary="Afgørelse vist",
    )
    return afgoerelse


def afgoerelse_letter_defaults(*, user: User, sag: Sag, pk: object) -> dict[str, str]:
    """The letter's default texts for a decision of the case. Audited as a read."""
    afgoerelse = get_object_or_404(Afgoerelse.objects.filter(sag=sag), pk=pk)
    texts = afgoerelse_letter_texts(afgoerelse=afgoerelse)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=afgoerelse,
        borger_id=sag.borger_id,
        summary="Afgørelsesbrevets tekster vist",
    )
    return texts


def afgoerelse_letter_preview(
    *, user: User, afgoerelse: Afgoerelse, tekster: dict[str, str]
) -> bytes:
    """The letter as it would be sent with these texts (nothing stored). Audited as a read."""
    pdf = afgoerelse_preview(actor=user, afgoerelse=afgoerelse, tekster=tekster)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=afgoerelse,
        borger_id=afgoerelse.sag.borger_id,
        summary="Afgørelsesbrev vist som forhåndsvisning",
    )
    return pdf


def sag_breve_qs(*, sag: Sag) -> QuerySet[Brev]:
    """Not audited; the frozen PDF is left out (`brev_pdf` reads it)."""
    return (
        Brev.objects.filter(sag=sag)
        .select_related("oprettet_af")
        .prefetch_related("forsendelser")
        .defer("pdf")
    )


def brev_get(*, user: User, sag: Sag, pk: object) -> Brev:
    brev = get_object_or_404(sag_breve_qs(sag=sag), pk=pk)
    audit_record(
        actor=user, action=AuditAction.VIEW, obj=brev, borger_id=sag.borger_id, summary="Brev vist"
    )
    return brev


def brev_pdf(
    *, user: User, sag: Sag, pk: object, afgoerelse: Afgoerelse | None = None, confirmed: bool
) -> Brev:
    """The frozen letter (PDF), for download (of `afgoerelse` when given): audited as an export.
    A letter to the citizen frozen before CPR protected their address only when `confirmed`
    (vum.protected_documents)."""
    letters = Brev.objects.filter(sag=sag)
    if afgoerelse is not None:
        letters = letters.filter(afgoerelse=afgoerelse)
    brev = get_object_or_404(letters, pk=pk)
    brev.sag = sag
    note = protected_address_note(shows=brev.shows_protected_address, confirmed=confirmed)
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=brev,
        borger_id=sag.borger_id,
        summary=f"{brev.get_art_display()} hentet som PDF (SHA-256 {brev.sha256[:12]}…){note}",
    )
    return brev
