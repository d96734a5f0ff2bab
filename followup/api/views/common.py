"""What the follow-up API's views share: one 404 for whatever is missing or outside the user's
scope, the caseworker's follow-up as GET shows it, and the base of the caseworker's views (the
case, the follow-up and its form)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from cases.api.views.common import BAD_REQUEST, NOT_FOUND
from cases.models import Sag
from followup import selectors
from followup.api.serializers.opfoelgning import OpfoelgningDetailSerializer, OpfoelgningSerializer
from followup.models import Opfoelgning, Opfoelgningsskema, SkemaMaal, StatusnotatMaal
from vum.access import get_sag_or_404, request_user

OPFOELGNING_NOT_FOUND = "Opfølgningen findes ikke eller er ikke tilgængelig for dig."
NO_SKEMA = "Start opfølgningsskemaet først."


@contextmanager
def not_found(*caught: type[Exception]) -> Iterator[None]:
    """Missing, outside the user's scope or not theirs to change: one 404 with one message, so
    the answer does not tell whether the follow-up exists."""
    missing: tuple[type[Exception], ...] = caught or (Http404, ObjectDoesNotExist)
    try:
        yield
    except missing as exc:
        raise NotFound(OPFOELGNING_NOT_FOUND) from exc


def created(data: Any) -> Response:
    return Response(data, status=status.HTTP_201_CREATED)


def opfoelgning_detail(request: Request, sag: Sag, pk: int) -> dict[str, Any]:
    """The follow-up as GET shows it (read through the audited selector)."""
    with not_found():
        view = selectors.opfoelgning_view(user=request_user(request), sag=sag, pk=pk)
    if view.skema is not None:
        prefetch_related_objects(
            [view.skema],
            Prefetch(
                "maal",
                queryset=SkemaMaal.objects.select_related("indsatsmaal", "fremadrettet"),
            ),
        )
    if view.statusnotat is not None:
        prefetch_related_objects(
            [view.statusnotat],
            Prefetch("maal", queryset=StatusnotatMaal.objects.select_related("indsatsmaal")),
        )
    prefetch_related_objects(view.magtanvendelser, "oprettet_af")
    return dict(OpfoelgningDetailSerializer(view).data)


DETAIL_RESPONSES: dict[int, Any] = {
    200: OpfoelgningDetailSerializer,
    400: BAD_REQUEST,
    404: NOT_FOUND,
}


class OpfoelgningBase(viewsets.GenericViewSet[Opfoelgning]):
    """What the caseworker's follow-up views share: the case in the user's scope, the follow-up
    through the audited selector, and the form an outcome or a change needs."""

    lookup_value_converter = "int"
    pagination_class = None
    serializer_class = OpfoelgningSerializer

    def get_queryset(self) -> QuerySet[Opfoelgning]:
        # Only for the schema: every read goes through the audited selectors.
        return Opfoelgning.objects.none()

    def _sag(self) -> Sag:
        return get_sag_or_404(request_user(self.request), self.kwargs["sag_pk"])

    def _opfoelgning(self, sag: Sag) -> Opfoelgning:
        with not_found():
            return selectors.opfoelgning_get(
                user=request_user(self.request), sag=sag, pk=self.kwargs["pk"]
            )

    def _skema(self, opfoelgning: Opfoelgning) -> Opfoelgningsskema:
        skema = getattr(opfoelgning, "skema", None)
        if skema is None:
            raise ValidationError(NO_SKEMA)
        return skema
