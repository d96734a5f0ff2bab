"""What the orders API's views share: one 404 for whatever is missing or outside the user's
scope, and the bestilling a request is about."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from drf_spectacular.utils import (
    OpenApiParameter,
)
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from orders.models import Bestilling
from vum.access import (
    Action,
    get_bestilling_or_404,
    request_user,
    require,
)

BESTILLING_NOT_FOUND = "Bestillingen findes ikke eller er ikke tilgængelig for dig."


DELMAAL_NOT_FOUND = "Delmålet findes ikke eller er ikke tilgængeligt for dig."


ANMODNING_NOT_FOUND = "Anmodningen findes ikke eller er ikke tilgængelig for dig."


HANDLEPLAN_NOT_FOUND = "Handleplanen findes ikke eller er ikke tilgængelig for dig."


DOKUMENT_NOT_FOUND = "Dokumentet findes ikke eller er ikke tilgængeligt for dig."


BESTILLING_PK = OpenApiParameter(
    "bestilling_pk", int, OpenApiParameter.PATH, description="Bestillingens id."
)


BORGER_PK = OpenApiParameter("borger_pk", int, OpenApiParameter.PATH, description="Borgerens id.")


@contextmanager
def not_found(message: str, *caught: type[Exception]) -> Iterator[None]:
    """Missing, outside the user's scope or not theirs to change: one 404 with one message, so
    the answer does not tell whether the object exists."""
    missing: tuple[type[Exception], ...] = caught or (Http404, ObjectDoesNotExist)
    try:
        yield
    except missing as exc:
        raise NotFound(message) from exc


def bestilling_in_scope(request: Request, pk: object) -> Bestilling:
    """The bestilling, if it is in the user's scope (a provider: its organisation's current,
    active orders only)."""
    with not_found(BESTILLING_NOT_FOUND):
        bestilling: Bestilling = get_bestilling_or_404(request_user(request), pk)
    return bestilling


def delivered_by(request: Request, bestilling: Bestilling) -> Bestilling:
    """The bestilling, if the user is on its provider's staff: only they answer it and write
    the delivery records (404 for case staff, as for any write they may not make)."""
    with not_found(BESTILLING_NOT_FOUND, Http404):
        require(request_user(request), Action.DELIVER, bestilling)
    return bestilling


def created(data: Any) -> Response:
    """201 with the created object."""
    return Response(data, status=status.HTTP_201_CREATED)
