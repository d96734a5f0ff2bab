"""The bestilling over the API: the provider's inbox and answer, the frozen PDF and its
attachment, and the caseworker's orders."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.views.common import BAD_REQUEST, NOT_FOUND, SAG_PK
from orders.api.serializers.bestilling import (
    BestillingAfvisSerializer,
    BestillingDetailSerializer,
    BestillingListSerializer,
    SagBestillingSerializer,
    SagensBestillingerSerializer,
)
from orders.api.views.common import (
    BESTILLING_NOT_FOUND,
    DOKUMENT_NOT_FOUND,
    bestilling_in_scope,
    created,
    delivered_by,
    not_found,
)
from orders.content import latest_grant
from orders.fhir import FHIR_JSON, OrderMessageError, fhir_response, order_message
from orders.models import Bestilling
from orders.selectors.bestilling import (
    bestilling_get,
    bestilling_pdf,
    sag_bestillinger,
    udfoerer_bestillinger,
)
from orders.services.bestilling import (
    bestilling_accept,
    bestilling_receive,
    bestilling_reject,
    bestillinger_send,
)
from vum.access import (
    Action,
    bestillinger_visible_to,
    get_sag_or_404,
    request_user,
    require,
)
from vum.api import PDF_RESPONSE, JsonErrorsNegotiation, pdf_response

# The bestilling: the provider's inbox and answer


@extend_schema_view(
    list=extend_schema(
        summary="Bestillinger",
        description=(
            "For en udfører: organisationens aktuelle, aktive bestillinger (seneste version), "
            "dem der venter på svar først; borgerens CPR-nummer er maskeret. For sagsbehandlere "
            "og ledere: bestillingerne på de sager, de har adgang til. Ikke pagineret. Hver vist "
            "bestilling registreres i revisionssporet."
        ),
    ),
    retrieve=extend_schema(
        summary="Bestilling",
        description=(
            "Bestillingen med det indhold, den blev sendt med (frosset): baggrund, koordinering, "
            "centrale fund, borgerens ønsker, udførerens egne mål og indsatser, opfølgning og "
            "betaling, og hvad der er ændret siden forrige version. Registreres i "
            "revisionssporet."
        ),
        responses={200: BestillingDetailSerializer, 404: NOT_FOUND},
    ),
    modtag=extend_schema(
        summary="Kvittér for modtagelsen",
        description="Udføreren kvitterer for, at bestillingen er modtaget.",
        request=None,
        responses={200: BestillingDetailSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    accepter=extend_schema(
        summary="Acceptér bestillingen",
        description=(
            "Udføreren påtager sig opgaven. Når alle sagens bestillinger er accepteret, går "
            "sagen i levering."
        ),
        request=None,
        responses={200: BestillingDetailSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    afvis=extend_schema(
        summary="Afvis bestillingen",
        description=(
            "Udføreren afviser med en begrundelse, som går tilbage til sagsbehandleren. En afvist "
            "bestilling er derefter ikke længere tilgængelig for udføreren."
        ),
        request=BestillingAfvisSerializer,
        responses={200: BestillingDetailSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class BestillingViewSet(viewsets.GenericViewSet[Bestilling]):
    lookup_value_converter = "int"
    pagination_class = None
    serializer_class = BestillingListSerializer

    def get_queryset(self) -> QuerySet[Bestilling]:
        if getattr(self, "swagger_fake_view", False):
            return Bestilling.objects.none()
        return bestillinger_visible_to(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = udfoerer_bestillinger(user=request_user(request))
        return Response(BestillingListSerializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with not_found(BESTILLING_NOT_FOUND):
            bestilling = bestilling_get(user=request_user(request), pk=kwargs["pk"])
        return Response(BestillingDetailSerializer(bestilling).data)

    def _answerable(self, request: Request, pk: object) -> Bestilling:
        """The bestilling, if the user is its provider (404 otherwise). One already answered
        is a 400 that says so, where the policy alone would answer 404."""
        bestilling = delivered_by(request, bestilling_in_scope(request, pk))
        if not bestilling.awaits_answer:
            raise ValidationError(
                f"Bestillingen er allerede {bestilling.get_status_display().lower()}."
            )
        return bestilling

    def _answered(self, bestilling: Bestilling) -> Response:
        return Response(BestillingDetailSerializer(bestilling).data)

    @action(detail=True, methods=["post"], url_path="modtag")
    def modtag(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        bestilling = self._answerable(request, kwargs["pk"])
        return self._answered(
            bestilling_receive(actor=request_user(request), bestilling=bestilling)
        )

    @action(detail=True, methods=["post"], url_path="accepter")
    def accepter(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        bestilling = self._answerable(request, kwargs["pk"])
        return self._answered(bestilling_accept(actor=request_user(request), bestilling=bestilling))

    @action(detail=True, methods=["post"], url_path="afvis")
    def afvis(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        bestilling = self._answerable(request, kwargs["pk"])
        body = BestillingAfvisSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rejected = bestilling_reject(
            actor=request_user(request),
            bestilling=bestilling,
            begrundelse=body.validated_data["begrundelse"],
        )
        return self._answered(rejected)


class BestillingPdfView(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(
        operation_id="bestillinger_pdf_retrieve",
        summary="Bestillingen (PDF)",
        description=(
            "Bestillingen, præcis som den blev frosset og sendt. Registreres i revisionssporet."
        ),
        responses={(200, "application/pdf"): PDF_RESPONSE, 404: NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        bestilling_in_scope(request, pk)
        with not_found(DOKUMENT_NOT_FOUND):
            bestilling, pdf = bestilling_pdf(user=request_user(request), pk=pk)
        return pdf_response(pdf.content, f"bestilling-{bestilling.pk}.pdf", pdf.sha256)


class BestillingFhirView(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(
        operation_id="bestillinger_fhir_retrieve",
        summary="Bestillingen som FHIR OrderMessage",
        description=(
            "Bestillingens frosne indhold som KL's FHIR OrderMessage (kl-ffb-messaging, FHIR R4 "
            "message-bundt) med FFB-koder (urn:oid:1.2.208.176.2.22), valideret før den "
            "udleveres. 409 med årsagen, hvis indholdet ikke kan blive en gyldig besked. "
            "Registreres i revisionssporet."
        ),
        responses={
            (200, FHIR_JSON): OpenApiResponse(
                OpenApiTypes.OBJECT, description="FHIR R4 Bundle (type message)."
            ),
            404: NOT_FOUND,
            409: OpenApiResponse(
                OpenApiTypes.OBJECT, description="Indholdet kan ikke blive en gyldig besked."
            ),
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        bestilling_in_scope(request, pk)
        base_url = request.build_absolute_uri("/").rstrip("/")
        try:
            with not_found(BESTILLING_NOT_FOUND):
                bestilling, message = order_message(
                    user=request_user(request), pk=pk, base_url=base_url
                )
        except OrderMessageError as exc:
            return Response(
                {"detail": f"Bestillingen kan ikke gives som FHIR-besked: {exc}"},
                status=status.HTTP_409_CONFLICT,
            )
        return fhir_response(message, f"bestilling-{bestilling.pk}-version-{bestilling.version}")


class BestillingBilagView(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(
        operation_id="bestillinger_bilag_retrieve",
        summary="Den vedlagte handleplan (PDF)",
        description=(
            "Handleplanen (eller de relevante dele af den), som den blev vedlagt bestillingen; "
            "404 hvis intet er vedlagt. Registreres i revisionssporet."
        ),
        responses={(200, "application/pdf"): PDF_RESPONSE, 404: NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        bestilling_in_scope(request, pk)
        with not_found(DOKUMENT_NOT_FOUND):
            bestilling, pdf = bestilling_pdf(user=request_user(request), pk=pk, bilag=True)
        return pdf_response(pdf.content, f"bestilling-{bestilling.pk}-handleplan.pdf", pdf.sha256)


# The caseworker's side


class SagBestillingerView(APIView):
    @extend_schema(
        summary="Sagens bestillinger",
        description=(
            "Alle sagens bestillinger med versioner og udførernes svar, hvad den seneste "
            "bevilgende afgørelse vil bestille hos hver udfører, hvad der forhindrer at sende, og "
            "hvad udførerne melder tilbage (delmål og notater, magtanvendelser, anmodninger). "
            "Registreres i revisionssporet."
        ),
        parameters=[SAG_PK],
        responses={200: SagensBestillingerSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, sag_pk: int) -> Response:
        user = request_user(request)
        view = sag_bestillinger(user=user, sag=get_sag_or_404(user, sag_pk))
        return Response(SagensBestillingerSerializer(view).data)


class BestillingerSendView(APIView):
    @extend_schema(
        summary="Send bestillingerne",
        description=(
            "Bestiller den seneste bevilgende afgørelses indsatser: én bestilling pr. udfører med "
            "kun dens egne mål og indsatser. En udfører, der allerede har en bestilling, får en "
            "ny version med det, der er ændret; en uændret bestilling sendes ikke igen (svaret "
            "er da en tom liste). 400 med årsagerne, hvis der ikke kan bestilles."
        ),
        parameters=[SAG_PK],
        request=None,
        responses={
            201: SagBestillingSerializer(many=True),
            400: BAD_REQUEST,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, sag_pk: int) -> Response:
        user = request_user(request)
        sag = get_sag_or_404(user, sag_pk)
        require(user, Action.EDIT, sag)
        afgoerelse = latest_grant(sag)
        if afgoerelse is None:
            raise ValidationError(
                "Sagen har ingen afgørelse, der bevilger en indsats; der er intet at bestille."
            )
        sent = bestillinger_send(actor=user, afgoerelse=afgoerelse)
        return created(SagBestillingSerializer(sent, many=True).data)
