"""Reads of the handleplan: the citizen's plan with its status, content and versions, and a
final version's PDF. Audited as reads of the citizen's data."""

from dataclasses import dataclass
from typing import Any

from orders.models import Handleplan, HandleplanVersion
from orders.services.handleplan import handleplan_content, handleplan_for, handleplan_status
from vum.access import Action, get_borger_or_404, may, require
from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record
from vum.protected_documents import protected_address_note


@dataclass
class HandleplanView:
    plan: Handleplan
    status: str
    indhold: dict[str, Any]
    versioner: list[HandleplanVersion]
    kan_redigere: bool


def handleplan_view(*, user: User, borger_pk: int | str) -> HandleplanView:
    borger = get_borger_or_404(user, borger_pk)
    plan = handleplan_for(borger)
    require(user, Action.VIEW, plan)
    view = HandleplanView(
        plan=plan,
        status=handleplan_status(plan),
        indhold=handleplan_content(plan),
        versioner=list(plan.versioner.select_related("endelig_af").defer("pdf")) if plan.pk else [],
        kan_redigere=may(user, Action.EDIT, plan),
    )
    audit_record(actor=user, action=AuditAction.VIEW, obj=borger, summary="Handleplan læst")
    return view


def handleplan_version_pdf(
    *, user: User, borger_pk: int | str, nummer: int | str, confirmed: bool
) -> HandleplanVersion:
    """A frozen version (PDF), to the citizen: one frozen before CPR protected the citizen's
    address only when `confirmed` (vum.protected_documents)."""
    borger = get_borger_or_404(user, borger_pk)
    require(user, Action.VIEW, handleplan_for(borger))
    try:
        version = HandleplanVersion.objects.select_related("handleplan").get(
            handleplan__borger=borger, nummer=nummer
        )
    except (HandleplanVersion.DoesNotExist, ValueError, TypeError) as exc:
        raise HandleplanVersion.DoesNotExist("Versionen findes ikke.") from exc
    version.handleplan.borger = borger
    note = protected_address_note(shows=version.shows_protected_address, confirmed=confirmed)
    audit_record(
        actor=user,
        action=AuditAction.PRINT,
        obj=version,
        summary=f"Handleplan v{nummer} hentet{note}",
    )
    return version
