from django.http import HttpRequest

from vum.notifications.models import Notifikation


def unread_notifications(request: HttpRequest) -> dict[str, int]:
    """The bell's count in the page header, for a logged-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    count = getattr(user, "ulaeste_notifikationer", None)  # read with the user: UserBackend
    if count is None:
        count = Notifikation.objects.filter(modtager=user, laest__isnull=True).count()
    return {"ulaeste_notifikationer": count}
