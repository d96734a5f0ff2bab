"""A federated session's end, however it comes (vum's "Log ud", the provider's single logout
through the browser, an expired session's logout): audited and forgotten."""

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from vum.accounts.federation.services import federated_logout_record
from vum.accounts.models import User


@receiver(user_logged_out, dispatch_uid="vum.accounts.federation.logout")
def _federated_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if isinstance(user, User) and getattr(request, "session", None) is not None:
        federated_logout_record(request=request, user=user)
