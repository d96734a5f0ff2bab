"""The handleplan over the API: reading and editing it, its versions and their PDFs."""

from django.http import Http404, HttpResponse
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.views.common import BAD_REQUEST, NOT_FOUND
from cases.models import Borger
from orders.api.serializers.handleplan import (
    HandleplanUpdateSerializer,
    HandleplanVersionSerializer,
    HandleplanViewSerializer,
)
from orders.api.views.common import (
    BORGER_PK,
    DOKUMENT_NOT_FOUND,
    HANDLEPLAN_NOT_FOUND,
    created,
    not_found,
)
from orders.selectors.handleplan import handleplan_version_pdf, handleplan_view
from orders.services.handleplan import handleplan_finalise, handleplan_for, handleplan_update
from vum.access import (
    Action,
    get_borger_or_404,
    request_user,
    require,
)
from vum.api import (
    ADDRESS_CONFIRMATION,
    ADDRESS_NOT_CONFIRMED,
    IF_MATCH,
    IF_MATCH_DESCRIPTION,
    PDF_RESPONSE,
    PRECONDITIONS,
    JsonErrorsNegotiation,
    if_match_version,
    pdf_response,
    versioned,
)
from vum.protected_documents import api_confirmed

# The handleplan


def _plan_borger(request: Request, borger_pk: int) -> Borger:
    with not_found(HANDLEPLAN_NOT_FOUND):
        borger = get_borger_or_404(request_user(request), borger_pk)
    return borger


def _plan_response(request: Request, borger_pk: int) -> Response:
    """The plan as GET shows it (read through the audited selector), with its ETag."""
    with not_found(HANDLEPLAN_NOT_FOUND):
        view = handleplan_view(user=request_user(request), borger_pk=borger_pk)
    return versioned(Response(HandleplanViewSerializer(view).data), view.plan)


class HandleplanAPIView(APIView):
    @extend_schema(
        summary="Borgerens handleplan",
        description=(
            "Den samlede handleplan (SEL § 141): sagsbehandlerens tekster, målene og indsatserne "
            "fra borgerens bevillinger (uden økonomi) og de færdiggjorte versioner. Kun for "
            "medarbejdere med adgang til en af borgerens sager. Registreres i revisionssporet. "
            "Svaret har planens ETag (til If-Match, når planen rettes)."
        ),
        parameters=[BORGER_PK],
        responses={200: HandleplanViewSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, borger_pk: int) -> Response:
        return _plan_response(request, borger_pk)

    @extend_schema(
        summary="Ret handleplanen",
        description=(
            "Ændrer de felter, der sendes; andre bevarer deres værdi. En borger, der ikke er "
            "tilbudt en handleplan, kræver en begrundelse. " + IF_MATCH_DESCRIPTION
        ),
        parameters=[BORGER_PK, IF_MATCH],
        request=HandleplanUpdateSerializer,
        responses={
            200: HandleplanViewSerializer,
            400: BAD_REQUEST,
            404: NOT_FOUND,
            **PRECONDITIONS,
        },
    )
    def patch(self, request: Request, borger_pk: int) -> Response:
        user = request_user(request)
        borger = _plan_borger(request, borger_pk)
        with not_found(HANDLEPLAN_NOT_FOUND, Http404):
            require(user, Action.EDIT, handleplan_for(borger))
        read_version = if_match_version(request)
        body = HandleplanUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        with not_found(HANDLEPLAN_NOT_FOUND, Http404):
            handleplan_update(
                actor=user, borger=borger, expected_version=read_version, **body.validated_data
            )
        return _plan_response(request, borger_pk)


class HandleplanVersionView(APIView):
    @extend_schema(
        summary="Færdiggør en version",
        description=(
            "Fryser handleplanen, som den er nu, som en ny version med PDF og SHA-256 til "
            "borgeren. Kræver, at borgeren ønsker en handleplan, at der er truffet afgørelse, og "
            "at formålet er skrevet (400 med årsagerne ellers). PDF'en hentes på "
            "versioner/{nummer}/handleplan.pdf. Uden If-Match: versionen er planen, som den er "
            "gemt, når den færdiggøres, og en ændring gemt samtidig kommer enten med eller efter."
        ),
        parameters=[BORGER_PK],
        request=None,
        responses={201: HandleplanVersionSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, borger_pk: int) -> Response:
        borger = _plan_borger(request, borger_pk)
        with not_found(HANDLEPLAN_NOT_FOUND, Http404):
            version = handleplan_finalise(actor=request_user(request), borger=borger)
        return created(HandleplanVersionSerializer(version).data)


class HandleplanPdfView(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(
        operation_id="borgere_handleplan_versioner_pdf_retrieve",
        summary="En version af handleplanen (PDF)",
        description=(
            "Versionen, præcis som den blev frosset. Registreres i revisionssporet som en udskrift."
        ),
        parameters=[
            BORGER_PK,
            OpenApiParameter(
                "nummer", int, OpenApiParameter.PATH, description="Versionens nummer."
            ),
            ADDRESS_CONFIRMATION,
        ],
        responses={
            (200, "application/pdf"): PDF_RESPONSE,
            404: NOT_FOUND,
            409: ADDRESS_NOT_CONFIRMED,
        },
    )
    def get(self, request: Request, borger_pk: int, nummer: int) -> HttpResponse:
        with not_found(DOKUMENT_NOT_FOUND):
            version = handleplan_version_pdf(
                user=request_user(request),
                borger_pk=borger_pk,
                nummer=nummer,
                confirmed=api_confirmed(request),
            )
        return pdf_response(
            bytes(version.pdf), f"handleplan-{borger_pk}-v{version.nummer}.pdf", version.sha256
        )
