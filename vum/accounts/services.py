"""API tokens (django-rest-knox): one issued at every login, revoked at logout, and all of a
user's revoked when their password changes or they are deactivated (`vum.accounts.receivers`).

Only a digest of a token is stored; the token itself is handed out once, in the login's answer,
and is written nowhere, the audit included: an event names the user and when the token expires.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

from vum.accounts.models import User
from vum.audit.models import AuditAction
from vum.audit.services import audit_record


@dataclass(frozen=True)
class IssuedToken:
    token: str
    udloeber: datetime


def api_token_issue(*, user: User) -> IssuedToken:
    """A new token for a user who has just given their password. Earlier tokens stay valid
    until they expire (a user may run more than one client); the expired ones go now, rather
    than one at a time as knox meets them."""
    with transaction.atomic():
        AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
        instance, token = AuthToken.objects.create(user=user)
        audit_record(
            actor=user,
            action=AuditAction.CREATE,
            obj=user,
            summary="API-nøgle udstedt ved login",
            changes={"udloeber": instance.expiry.isoformat()},
        )
    return IssuedToken(token=token, udloeber=instance.expiry)


def api_token_revoke(*, token: AuthToken, actor: User, reason: str) -> None:
    """One token stops working: the one a client logs out with, or one an administrator
    deletes."""
    with transaction.atomic():
        user = token.user
        udloeber = token.expiry
        token.delete()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=user,
            summary=f"API-nøgle tilbagekaldt: {reason}",
            changes={"udloeber": udloeber.isoformat() if udloeber is not None else None},
        )


def api_tokens_revoke_all(*, user: User, actor: User | None, reason: str) -> int:
    """Every token of `user` stops working; how many there were. Audited only when there were
    any, so that saving a deactivated user again leaves no trace of nothing."""
    with transaction.atomic():
        count, _ = AuthToken.objects.filter(user=user).delete()
        if count:
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=user,
                summary=f"Alle API-nøgler tilbagekaldt: {reason}",
                changes={"tilbagekaldt": count},
            )
    return int(count)
