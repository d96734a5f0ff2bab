"""What the case API's views share, and the other apps' APIs with them: the 404 and 400
answers in the schema, the case id in the path, the audited list, and the base of every resource
under sager/{sag_pk}/."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from cases.api import serializers as s
from cases.models import Sag
from cases.selectors import list_page, sag_list_page
from vum.access import Action, get_sag_or_404, request_user, require

NOT_FOUND = OpenApiResponse(
    s.FejlSerializer, description="Findes ikke, eller er ikke tilgængelig for dig."
)
BAD_REQUEST = OpenApiResponse(
    OpenApiTypes.OBJECT, description="Ugyldige data; felt → liste af danske fejlbeskeder."
)


SAG_PK = OpenApiParameter("sag_pk", int, OpenApiParameter.PATH, description="Sagens id.")


class AuditedListMixin:
    """A paginated list that writes one LIST audit event per row shown, in one INSERT.

    Only the page actually returned is audited: that is what the user has seen.
    """

    audit_list_summary = ""

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        view: Any = self  # the mixin sits on a GenericViewSet
        queryset = view.filter_queryset(view.get_queryset())
        page = view.paginate_queryset(queryset)
        rows = list_page(
            user=request_user(request),
            rows=page if page is not None else queryset,
            summary=self.audit_list_summary,
        )
        data = view.get_serializer(rows, many=True).data
        return view.get_paginated_response(data) if page is not None else Response(data)


class SagChildViewSet(viewsets.GenericViewSet[Any]):
    """Base for resources under sager/{sag_pk}/: the case is looked up in the user's scope."""

    lookup_value_converter = "int"
    list_audit_summary = ""
    _sag: Sag | None = None

    def get_sag(self) -> Sag:
        if self._sag is None:
            self._sag = get_sag_or_404(self.request.user, self.kwargs["sag_pk"])
        return self._sag

    def sag_for(self, action: Action) -> Sag:
        """The case, if the user may take `action` on it (404 otherwise)."""
        sag = self.get_sag()
        require(self.request.user, action, sag)
        return sag

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not getattr(self, "swagger_fake_view", False):
            context["sag"] = self.get_sag()
        return context

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sag = self.get_sag()
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        rows = sag_list_page(
            user=request_user(request),
            sag=sag,
            rows=page if page is not None else queryset,
            summary=self.list_audit_summary,
        )
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)
