"""Reads of a user's notifications. A user only ever reaches their own: anyone else's is "not
found", as in vum.access. Not audited: a notification names the case, never the citizen."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from vum.accounts.models import User
from vum.notifications.models import Notifikation


def notifikationer_for(*, user: User) -> QuerySet[Notifikation]:
    """The user's notifications, newest first."""
    return Notifikation.objects.filter(modtager=user).order_by("-oprettet", "-id")


def notifikation_get(*, user: User, pk: object) -> Notifikation:
    return get_object_or_404(notifikationer_for(user=user), pk=pk)
