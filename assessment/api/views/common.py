"""What the assessment API's views share: the case a write needs."""

from rest_framework.request import Request

from cases.models import Sag
from vum.access import Action, get_sag_or_404, request_user, require


def editable_sag(request: Request, sag_pk: int) -> Sag:
    """The case, if the user may edit it (404 otherwise, as in cases.api)."""
    user = request_user(request)
    sag = get_sag_or_404(user, sag_pk)
    require(user, Action.EDIT, sag)
    return sag
