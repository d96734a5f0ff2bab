"""The partshøring over the API: sending, answering, and the frozen letter."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assessment.api.serializers.partshoering import (
    PartshoeringCreateSerializer,
    PartshoeringSerializer,
    PartshoeringSvarSerializer,
)
from assessment.models import Partshoering
from assessment.selectors.partshoering import (
    partshoering_brev,
    partshoering_get,
    sag_partshoeringer,
)
from assessment.services.partshoering import partshoering_answer, partshoering_send
from cases.api.views.common import BAD_REQUEST, NOT_FOUND, SAG_PK, SagChildViewSet
from vum.access import Action, get_sag_or_404, request_user
from vum.api import (
    ADDRESS_CONFIRMATION,
    ADDRESS_NOT_CONFIRMED,
    PDF_RESPONSE,
    JsonErrorsNegotiation,
    pdf_response,
)
from vum.protected_documents import api_confirmed


@extend_schema_view(
    list=extend_schema(summary="Partshøringer", parameters=[SAG_PK]),
    retrieve=extend_schema(summary="Partshøring", parameters=[SAG_PK]),
    create=extend_schema(
        summary="Send en partshøring",
        description=(
            "Danner partshøringsbrevet (PDF), gemmer det og opretter fristen for svar. "
            "Svarfristen skal være mindst 14 dage. Mens høringen afventer svar inden for "
            "fristen, kan der ikke træffes afgørelse i sagen (FVL §§ 19-20)."
        ),
        parameters=[SAG_PK],
        request=PartshoeringCreateSerializer,
        responses={201: PartshoeringSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    svar=extend_schema(
        summary="Registrér svaret på en partshøring",
        description="Svaret opfylder fristen og ophæver blokeringen af afgørelsen.",
        parameters=[SAG_PK],
        request=PartshoeringSvarSerializer,
        responses={200: PartshoeringSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class PartshoeringViewSet(mixins.CreateModelMixin, SagChildViewSet):
    serializer_class = PartshoeringSerializer
    list_audit_summary = "Partshøringer vist"

    def get_queryset(self) -> QuerySet[Partshoering]:
        if getattr(self, "swagger_fake_view", False):
            return Partshoering.objects.none()
        return sag_partshoeringer(sag=self.get_sag())

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        hoering = partshoering_get(user=request_user(request), sag=self.get_sag(), pk=kwargs["pk"])
        return Response(self.get_serializer(hoering).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sag = self.sag_for(Action.EDIT)
        body = PartshoeringCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        hoering = partshoering_send(actor=request_user(request), sag=sag, **body.validated_data)
        return Response(self.get_serializer(hoering).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="svar")
    def svar(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.sag_for(Action.EDIT)
        hoering = self.get_object()
        body = PartshoeringSvarSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        hoering = partshoering_answer(
            actor=request_user(request),
            partshoering=hoering,
            svar=body.validated_data["svar"],
            modtaget=body.validated_data["modtaget"] or timezone.localdate(),
        )
        return Response(self.get_serializer(hoering).data)


class PartshoeringBrevView(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(
        operation_id="sager_partshoeringer_brev_retrieve",
        summary="Partshøringsbrevet (PDF)",
        description=(
            "Det gemte partshøringsbrev, præcis som det blev sendt. Registreres i "
            "revisionssporet som en eksport."
        ),
        parameters=[SAG_PK, ADDRESS_CONFIRMATION],
        responses={
            (200, "application/pdf"): PDF_RESPONSE,
            404: NOT_FOUND,
            409: ADDRESS_NOT_CONFIRMED,
        },
    )
    def get(self, request: Request, sag_pk: int, pk: int) -> HttpResponse:
        user = request_user(request)
        sag = get_sag_or_404(user, sag_pk)
        hoering = partshoering_brev(user=user, sag=sag, pk=pk, confirmed=api_confirmed(request))
        return pdf_response(
            hoering.brev_pdf, f"partshoering-{sag.pk}-{hoering.pk}.pdf", hoering.brev_sha256
        )
