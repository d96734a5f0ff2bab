"""The citizen register over the API: the list of one's own teams' citizens, the search with a
stated purpose, a citizen's details and contact information, and their relations."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases.api import serializers as s
from cases.api.views.common import BAD_REQUEST, NOT_FOUND, AuditedListMixin
from cases.models import Borger
from cases.selectors import Soegeformaal, borger_get, borger_relationer, borger_search
from cases.services.borger import (
    borger_cpr_refresh,
    borger_create,
    borger_create_from_cpr,
    borger_update,
    relation_create,
)
from vum.access import (
    Action,
    borgere_visible_to,
    get_borger_or_404,
    may,
    request_user,
    require,
    sager_visible_to,
)
from vum.api import IF_MATCH, IF_MATCH_DESCRIPTION, PRECONDITIONS, if_match_version, versioned
from vum.serviceplatformen.client import ServiceplatformenError
from vum.serviceplatformen.cpr import PersonIkkeFundet, lookup_enabled

CPR_UNAVAILABLE = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="CPR kunne ikke svare; `detail` siger hvorfor. Intet er gemt.",
)
# With the lookup off (the demo) the CPR endpoints are not there.
LOOKUP_OFF = {"detail": "Opslag i CPR er ikke slået til i denne installation."}


def _cpr_failed(error: ServiceplatformenError) -> Response:
    if isinstance(error, PersonIkkeFundet):
        return Response({"cpr": [error.reason]}, status=status.HTTP_400_BAD_REQUEST)
    return Response({"detail": error.reason}, status=status.HTTP_503_SERVICE_UNAVAILABLE)


@extend_schema_view(
    list=extend_schema(
        summary="Borgere",
        description=(
            "Borgerne i dine teams' sager, som identifikation: navn, fødselsdato og maskeret "
            "CPR-nummer. Med `q` og `formaal` søges der i hele registret: et helt CPR-nummer "
            "finder den ene borger, anden tekst søger i navne. `adgang` siger, om du må se "
            "borgerens oplysninger; ellers registreres en henvendelse først. Søgning, formål og "
            "visning registreres i revisionssporet."
        ),
        parameters=[
            OpenApiParameter(
                "q", str, description="CPR-nummer eller navn (kun sagsbehandlere må søge)."
            ),
            OpenApiParameter(
                "formaal",
                str,
                enum=Soegeformaal.values,
                description="Formålet med søgningen; skal angives sammen med `q`.",
            ),
        ],
    ),
    retrieve=extend_schema(
        summary="Borger",
        description="Svaret har borgerens ETag (til If-Match, når kontaktoplysningerne rettes).",
        responses={200: s.BorgerDetailSerializer},
    ),
    create=extend_schema(
        summary="Opret borger",
        request=s.BorgerCreateSerializer,
        responses={201: s.BorgerDetailSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary="Ret borgerens kontaktoplysninger",
        description=IF_MATCH_DESCRIPTION,
        request=s.BorgerUpdateSerializer,
        parameters=[IF_MATCH],
        responses={
            200: s.BorgerDetailSerializer,
            400: BAD_REQUEST,
            404: NOT_FOUND,
            **PRECONDITIONS,
        },
    ),
)
class BorgerViewSet(AuditedListMixin, viewsets.GenericViewSet[Borger]):
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "head", "options"]
    audit_list_summary = "Borgerliste (API)"

    def get_queryset(self) -> QuerySet[Borger]:
        visible = borgere_visible_to(self.request.user)
        if self.action == "list" and may(self.request.user, Action.SEARCH_BORGER):
            # A caseworker may look anyone up by search (`?q=`), but a plain list is not the
            # whole citizen register: it is the citizens of the cases in their teams.
            return visible.filter(pk__in=sager_visible_to(self.request.user).values("borger_id"))
        return visible

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "list":
            return s.BorgerListSerializer
        if self.action == "create":
            return s.BorgerCreateSerializer
        if self.action == "partial_update":
            return s.BorgerUpdateSerializer
        if self.action == "fra_cpr":
            return s.BorgerCprSerializer
        if self.action == "relationer":
            return s.RelationSerializer
        return s.BorgerDetailSerializer

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = request.query_params.get("q")
        if query is None:
            return super().list(request, *args, **kwargs)
        # borger_search audits the search and every citizen it finds.
        hits = borger_search(
            user=request_user(request),
            query=query,
            formaal=request.query_params.get("formaal", ""),
        )
        page = self.paginate_queryset(hits)
        rows = page if page is not None else hits
        context = {"adgang": {hit.borger.pk for hit in rows if hit.adgang}}
        data = s.BorgerListSerializer([hit.borger for hit in rows], many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        borger = borger_get(user=request_user(request), pk=kwargs["pk"])
        return versioned(Response(self._detail(borger)), borger)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = request_user(request)
        require(user, Action.CREATE_BORGER)
        body = s.BorgerCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        borger = borger_create(actor=user, **body.validated_data)
        return Response(self._detail(borger), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = request_user(request)
        borger = get_borger_or_404(user, kwargs["pk"])
        require(user, Action.EDIT_BORGER, borger)
        read_version = if_match_version(request)
        body = s.BorgerUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        borger = borger_update(
            actor=user, borger=borger, expected_version=read_version, **body.validated_data
        )
        return versioned(Response(self._detail(borger)), borger)

    @extend_schema(
        methods=["GET"],
        summary="Borgerens relationer",
        description="Pårørende, værger, partsrepræsentanter og bisiddere.",
        responses={200: s.RelationSerializer(many=True), 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary="Registrér en relation",
        request=s.RelationSerializer,
        responses={201: s.RelationSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    # A citizen's relations and a case's purpose versions are few: the whole list, not pages.
    @action(detail=True, methods=["get", "post"], url_path="relationer", pagination_class=None)
    def relationer(self, request: Request, pk: str) -> Response:
        user = request_user(request)
        borger = get_borger_or_404(user, pk)
        if request.method == "POST":
            require(user, Action.EDIT_BORGER, borger)
            body = s.RelationSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            relation = relation_create(actor=user, borger=borger, **body.validated_data)
            return Response(s.RelationSerializer(relation).data, status=status.HTTP_201_CREATED)
        relationer = borger_relationer(user=user, borger=borger)
        return Response(s.RelationSerializer(relationer, many=True).data)

    @extend_schema(
        summary="Opret borger fra CPR",
        description=(
            "Borgeren med oplysningerne fra CPR (SF1520): navn, adresse, civilstand, dødsdato, "
            "navne- og adressebeskyttelse og en værge, CPR kender. Kan CPR ikke svare: 503, og "
            "borgeren kan oprettes med POST /borgere/ (ikke verificeret i CPR). 404, når "
            "opslag i CPR ikke er slået til."
        ),
        request=s.BorgerCprSerializer,
        responses={
            201: s.BorgerDetailSerializer,
            400: BAD_REQUEST,
            404: NOT_FOUND,
            503: CPR_UNAVAILABLE,
        },
    )
    @action(detail=False, methods=["post"], url_path="fra-cpr")
    def fra_cpr(self, request: Request) -> Response:
        user = request_user(request)
        require(user, Action.CREATE_BORGER)
        if not lookup_enabled():
            return Response(LOOKUP_OFF, status=status.HTTP_404_NOT_FOUND)
        body = s.BorgerCprSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            borger = borger_create_from_cpr(actor=user, cpr=body.validated_data["cpr"])
        except ServiceplatformenError as error:
            return _cpr_failed(error)
        return Response(self._detail(borger), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Hent borgeren fra CPR igen",
        description="CPR's oplysninger erstatter de gemte; 404, når opslag i CPR ikke er slået "
        "til. " + IF_MATCH_DESCRIPTION,
        request=None,
        parameters=[IF_MATCH],
        responses={
            200: s.BorgerDetailSerializer,
            404: NOT_FOUND,
            503: CPR_UNAVAILABLE,
            **PRECONDITIONS,
        },
    )
    @action(detail=True, methods=["post"], url_path="cpr")
    def cpr(self, request: Request, pk: str) -> Response:
        user = request_user(request)
        borger = get_borger_or_404(user, pk)
        require(user, Action.EDIT_BORGER, borger)
        if not lookup_enabled():
            return Response(LOOKUP_OFF, status=status.HTTP_404_NOT_FOUND)
        read_version = if_match_version(request)
        try:
            borger = borger_cpr_refresh(actor=user, borger=borger, expected_version=read_version)
        except ServiceplatformenError as error:
            return _cpr_failed(error)
        return versioned(Response(self._detail(borger)), borger)

    def _detail(self, borger: Borger) -> dict[str, Any]:
        context = self.get_serializer_context()
        return dict(s.BorgerDetailSerializer(borger, context=context).data)
