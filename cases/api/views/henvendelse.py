"""Enquiries over the API: the list, one enquiry, and registering one with its triage (which
may open a case)."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from cases.api import serializers as s
from cases.api.filters import HenvendelseFilter
from cases.api.views.common import BAD_REQUEST, NOT_FOUND, AuditedListMixin
from cases.models import Henvendelse
from cases.selectors import henvendelse_get
from cases.services.henvendelse import henvendelse_register
from vum.access import Action, henvendelser_visible_to, request_user, require


@extend_schema_view(
    list=extend_schema(
        summary="Henvendelser",
        description="Henvendelser om borgere, du har adgang til. Registreres i revisionssporet.",
    ),
    retrieve=extend_schema(summary="Henvendelse", responses={200: s.HenvendelseSerializer}),
    create=extend_schema(
        summary="Registrér en henvendelse",
        description=(
            "Registrerer henvendelsen og dens udfald (triage). Ved 'sag' eller 'klar_sag' "
            "oprettes en sag, og dens id står i svarets felt `sag`."
        ),
        request=s.HenvendelseCreateSerializer,
        responses={201: s.HenvendelseSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class HenvendelseViewSet(
    AuditedListMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Henvendelse]
):
    lookup_value_converter = "int"
    filterset_class = HenvendelseFilter
    audit_list_summary = "Henvendelser (API)"

    def get_queryset(self) -> QuerySet[Henvendelse]:
        return henvendelser_visible_to(self.request.user).select_related("borger", "team")

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "create":
            return s.HenvendelseCreateSerializer
        return s.HenvendelseSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        henvendelse = henvendelse_get(
            user=request_user(request),
            pk=kwargs["pk"],
            within=self.filter_queryset(self.get_queryset()),
        )
        return Response(s.HenvendelseSerializer(henvendelse).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = request_user(request)
        require(user, Action.OPEN_CASE)
        body = s.HenvendelseCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        henvendelse = henvendelse_register(actor=user, **body.validated_data)
        return Response(s.HenvendelseSerializer(henvendelse).data, status=status.HTTP_201_CREATED)
