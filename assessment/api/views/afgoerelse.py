"""The afgørelse over the API: decisions, the letter's preview, sending and the frozen letters."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assessment.api.serializers.afgoerelse import (
    AfgoerelseCreateSerializer,
    AfgoerelseForhaandsvisningSerializer,
    AfgoerelseSendSerializer,
    AfgoerelseSerializer,
    BrevSerializer,
    BrevteksterSerializer,
)
from assessment.api.views.common import editable_sag
from assessment.models import Afgoerelse, Brev
from assessment.selectors.afgoerelse import (
    afgoerelse_get,
    afgoerelse_letter_defaults,
    afgoerelse_letter_preview,
    brev_get,
    brev_pdf,
    sag_afgoerelser,
    sag_afgoerelser_qs,
    sag_breve_qs,
)
from assessment.services.afgoerelse import Resultatlinje, afgoerelse_create, afgoerelse_send
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
    list=extend_schema(
        summary="Afgørelser",
        description="Sagens afgørelser, nyeste først. Registreres i revisionssporet.",
        parameters=[SAG_PK],
    ),
    retrieve=extend_schema(summary="Afgørelse", parameters=[SAG_PK]),
    create=extend_schema(
        summary="Træf en afgørelse",
        description=(
            "Registrerer afgørelsen med et resultat for hver indsats, mens sagen er i fasen "
            "afgørelse. Uden fuldt medhold kræves den konkrete vurdering og de juridiske krav "
            "(FVL §§ 22, 24). En nedsættelse efter §§ 95, 96, 98 kan tidligst få virkning 14 "
            "uger efter, borgeren er orienteret. En mundtlig afgørelse kræver `meddelt`."
        ),
        parameters=[SAG_PK],
        request=AfgoerelseCreateSerializer,
        responses={201: AfgoerelseSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    brevtekster=extend_schema(
        summary="Afgørelsesbrevets tekster",
        description=(
            "Brevets fritekster, udfyldt fra sagen: udgangspunktet for forhåndsvisning og "
            "afsendelse. Registreres i revisionssporet."
        ),
        parameters=[SAG_PK],
        responses={200: BrevteksterSerializer, 404: NOT_FOUND},
    ),
    send=extend_schema(
        summary="Send afgørelsesbrevet",
        description=(
            "Fryser brevet (PDF og SHA-256) med de sendte tekster (afsnit, der udelades, får "
            "standardteksten) og sender det. Et sendt brev ændres aldrig: en rettelse er et nyt "
            "brev med `retter`, ellers 400."
        ),
        parameters=[SAG_PK],
        request=AfgoerelseSendSerializer,
        responses={201: BrevSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class AfgoerelseViewSet(mixins.CreateModelMixin, SagChildViewSet):
    """A case has few decisions: the list is not paginated."""

    serializer_class = AfgoerelseSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Afgoerelse]:
        if getattr(self, "swagger_fake_view", False):
            return Afgoerelse.objects.none()
        return sag_afgoerelser_qs(sag=self.get_sag())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = sag_afgoerelser(user=request_user(request), sag=self.get_sag())
        return Response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        afgoerelse = afgoerelse_get(user=request_user(request), sag=self.get_sag(), pk=kwargs["pk"])
        return Response(self.get_serializer(afgoerelse).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sag = self.sag_for(Action.EDIT)
        body = AfgoerelseCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        lines = [Resultatlinje(**line) for line in fields.pop("resultater")]
        created = afgoerelse_create(
            actor=request_user(request), sag=sag, resultater=lines, **fields
        )
        shown = sag_afgoerelser_qs(sag=sag).get(pk=created.pk)
        return Response(self.get_serializer(shown).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"], url_path="brevtekster")
    def brevtekster(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        texts = afgoerelse_letter_defaults(
            user=request_user(request), sag=self.get_sag(), pk=kwargs["pk"]
        )
        return Response(texts)

    @action(detail=True, methods=["post"], url_path="send")
    def send(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.sag_for(Action.EDIT)
        afgoerelse = self.get_object()
        context = {**self.get_serializer_context(), "afgoerelse": afgoerelse}
        body = AfgoerelseSendSerializer(data=request.data, context=context)
        body.is_valid(raise_exception=True)
        brev = afgoerelse_send(
            actor=request_user(request),
            afgoerelse=afgoerelse,
            tekster=body.validated_data["tekster"],
            retter=body.validated_data["retter"],
        )
        shown = sag_breve_qs(sag=self.get_sag()).get(pk=brev.pk)
        data = BrevSerializer(shown, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


class AfgoerelseForhaandsvisningView(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(
        operation_id="sager_afgoerelser_forhaandsvisning_create",
        summary="Forhåndsvis afgørelsesbrevet (PDF)",
        description=(
            "Brevet, som det ville blive sendt med disse tekster; intet gemmes. Registreres i "
            "revisionssporet som en visning."
        ),
        parameters=[SAG_PK],
        request=AfgoerelseForhaandsvisningSerializer,
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="Brevet som PDF."
            ),
            400: BAD_REQUEST,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, sag_pk: int, pk: int) -> HttpResponse:
        sag = editable_sag(request, sag_pk)
        afgoerelse = get_object_or_404(sag_afgoerelser_qs(sag=sag), pk=pk)
        body = AfgoerelseForhaandsvisningSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pdf = afgoerelse_letter_preview(
            user=request_user(request),
            afgoerelse=afgoerelse,
            tekster=body.validated_data["tekster"],
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="afgoerelse-{sag.pk}-{pk}.pdf"'
        return response


@extend_schema_view(
    list=extend_schema(
        summary="Breve",
        description="Sagens breve med forsendelsen, nyeste først. Registreres i revisionssporet.",
        parameters=[SAG_PK],
    ),
    retrieve=extend_schema(
        summary="Brev",
        description="Brevet og dets forsendelse (null, indtil det er sendt).",
        parameters=[SAG_PK],
    ),
)
class BrevViewSet(SagChildViewSet):
    serializer_class = BrevSerializer
    list_audit_summary = "Breve vist"

    def get_queryset(self) -> QuerySet[Brev]:
        if getattr(self, "swagger_fake_view", False):
            return Brev.objects.none()
        return sag_breve_qs(sag=self.get_sag())

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        brev = brev_get(user=request_user(request), sag=self.get_sag(), pk=kwargs["pk"])
        return Response(self.get_serializer(brev).data)


class BrevPdfView(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(
        operation_id="sager_breve_pdf_retrieve",
        summary="Brevet (PDF)",
        description=(
            "Brevet, præcis som det blev frosset og sendt. Registreres i revisionssporet som en "
            "eksport."
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
        brev = brev_pdf(user=user, sag=sag, pk=pk, confirmed=api_confirmed(request))
        return pdf_response(brev.pdf, f"brev-{sag.pk}-{brev.pk}.pdf", brev.sha256)
