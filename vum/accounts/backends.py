from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from vum.accounts.federation.config import identity_provider_configured
from vum.accounts.models import User
from vum.notifications.models import Notifikation


class UserBackend(ModelBackend):
    """Django's model backend, except that the user of each request comes with the count of
    their unread notifications (`ulaeste_notifikationer`, the bell in every page's header) from
    the same statement, rather than a second one per page. The count is as of the start of the
    request; the actions that change it redirect. (The async `aget_user` is Django's: vum serves
    no async views, and a user loaded without the count gets it from its own query.)"""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        """A local password, for everyone while no identity provider is configured; then only
        for the break-glass users in `VUM_LOCAL_LOGIN_USERS`."""
        if identity_provider_configured() and username not in settings.VUM_LOCAL_LOGIN_USERS:
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        return user if isinstance(user, User) else None

    def get_user(self, user_id: Any) -> User | None:
        unread = (
            Notifikation.objects.filter(modtager=OuterRef("pk"), laest__isnull=True)
            .order_by()
            .values("modtager")
            .annotate(antal=Count("pk"))
            .values("antal")
        )
        try:
            user = User._default_manager.annotate(
                ulaeste_notifikationer=Coalesce(Subquery(unread), 0)
            ).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
