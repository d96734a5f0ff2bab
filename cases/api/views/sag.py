"""Cases over the API: the list, a case with its sagsåbning, the application and the purpose of
the assessment; journal notes; and the phase changes (the lifecycle's transitions)."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api import serializers as s
from cases.api.filters import SagFilter
from cases.api.views.common import BAD_REQUEST, NOT_FOUND, SAG_PK, AuditedListMixin, SagChildViewSet
from cases.models import Journalnotat, Sag
from cases.selectors import (
    formaal_versioner,
    journalnotat_get,
    sag_get,
    sag_journalnotater,
    sag_overgange,
    sagsaabning_get,
)
from cases.services.sag import (
    TransitionBlocked,
    TransitionConflict,
    UnknownTransition,
    journalnotat_create,
    sag_transition,
    transition_names,
)
from cases.services.sagsaabning import formaal_set, sag_ansoegning_set, sagsaabning_update
from vum.access import Action, get_sag_or_404, request_user, require, sager_visible_to
from vum.api import IF_MATCH, IF_MATCH_DESCRIPTION, PRECONDITIONS, if_match_version, versioned


@extend_schema_view(
    list=extend_schema(
        summary="Sager",
        description="Sager, du har adgang til. Hver vist sag registreres i revisionssporet.",
    ),
    retrieve=extend_schema(
        summary="Sag",
        description=(
            "Sagen med sagsåbningen, det gældende formål og de overgange, du kan udføre, med "
            "det der blokerer dem."
        ),
        responses={200: s.SagDetailSerializer, 404: NOT_FOUND},
    ),
)
class SagViewSet(AuditedListMixin, viewsets.GenericViewSet[Sag]):
    lookup_value_converter = "int"
    filterset_class = SagFilter
    audit_list_summary = "Sagsliste (API)"

    def get_queryset(self) -> QuerySet[Sag]:
        return sager_visible_to(self.request.user).select_related("borger", "team", "sagsbehandler")

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "list":
            return s.SagListSerializer
        if self.action == "sagsaabning":
            return s.SagsaabningSerializer
        if self.action == "formaal":
            return s.FormaalSerializer
        return s.SagDetailSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sag = sag_get(user=request_user(request), pk=kwargs["pk"])
        return Response(s.SagDetailSerializer(sag, context=self.get_serializer_context()).data)

    @extend_schema(
        methods=["GET"],
        summary="Sagsåbningen",
        responses={200: s.SagsaabningSerializer, 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["PATCH"],
        summary="Opdatér sagsåbningen",
        description=(
            "Kun de felter, der sendes, ændres. Ændringer registreres i revisionssporet. "
            + IF_MATCH_DESCRIPTION
        ),
        request=s.SagsaabningSerializer,
        parameters=[IF_MATCH],
        responses={200: s.SagsaabningSerializer, 400: BAD_REQUEST, 404: NOT_FOUND, **PRECONDITIONS},
    )
    @action(detail=True, methods=["get", "patch"], url_path="sagsaabning")
    def sagsaabning(self, request: Request, pk: str) -> Response:
        user = request_user(request)
        sag = get_sag_or_404(user, pk)
        if request.method == "PATCH":
            require(user, Action.EDIT, sag)
            read_version = if_match_version(request)
            body = s.SagsaabningSerializer(data=request.data, partial=True)
            body.is_valid(raise_exception=True)
            updated = sagsaabning_update(
                actor=user, sag=sag, expected_version=read_version, **body.validated_data
            )
            return versioned(Response(s.SagsaabningSerializer(updated).data), updated)
        aabning = sagsaabning_get(user=user, sag=sag)
        return versioned(Response(s.SagsaabningSerializer(aabning).data), aabning)

    @extend_schema(
        summary="Registrér hvad der søges om",
        description=(
            "Den ansøgte ydelse fra kommunens katalog og ansøgningstypen. Sagsbehandlingsfristen "
            "oprettes, flyttes eller annulleres efter kommunens regel, regnet fra den første "
            "henvendelse."
        ),
        request=s.AnsoegningSerializer,
        responses={200: s.SagDetailSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["put"], url_path="ansoegning")
    def ansoegning(self, request: Request, pk: str) -> Response:
        user = request_user(request)
        sag = get_sag_or_404(user, pk)
        require(user, Action.EDIT, sag)
        body = s.AnsoegningSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        updated = sag_ansoegning_set(actor=user, sag=sag, **body.validated_data)
        return Response(s.SagDetailSerializer(updated, context={"request": request}).data)

    @extend_schema(
        methods=["GET"],
        summary="Formålets versioner",
        description="Alle versioner af formålet med udredningen, den gældende først.",
        responses={200: s.FormaalSerializer(many=True), 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary="Fastlæg formålet (ny version)",
        description="Formålet rettes aldrig: en ændring er en ny version, de gamle bevares.",
        request=s.FormaalCreateSerializer,
        responses={201: s.FormaalSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get", "post"], url_path="formaal", pagination_class=None)
    def formaal(self, request: Request, pk: str) -> Response:
        user = request_user(request)
        sag = get_sag_or_404(user, pk)
        if request.method == "POST":
            require(user, Action.EDIT, sag)
            body = s.FormaalCreateSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            version = formaal_set(actor=user, sag=sag, **body.validated_data)
            return Response(s.FormaalSerializer(version).data, status=status.HTTP_201_CREATED)
        versions = formaal_versioner(user=user, sag=sag)
        return Response(s.FormaalSerializer(versions, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Sagens journalnotater", parameters=[SAG_PK]),
    retrieve=extend_schema(summary="Journalnotat", parameters=[SAG_PK]),
    create=extend_schema(
        summary="Skriv et journalnotat",
        description=(
            "Et notat underskrives og kan aldrig ændres eller slettes. En rettelse er et nyt "
            "notat med `retter` = id på det notat, det retter."
        ),
        parameters=[SAG_PK],
        request=s.JournalnotatCreateSerializer,
        responses={201: s.JournalnotatSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class JournalnotatViewSet(SagChildViewSet):
    """Journalnotater (notatpligt). There is deliberately no update or delete: 405."""

    serializer_class = s.JournalnotatSerializer
    list_audit_summary = "Journalnotater vist"

    def get_queryset(self) -> QuerySet[Journalnotat]:
        if getattr(self, "swagger_fake_view", False):
            return Journalnotat.objects.none()
        return sag_journalnotater(sag=self.get_sag())

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        notat = journalnotat_get(user=request_user(request), sag=self.get_sag(), pk=kwargs["pk"])
        return Response(self.get_serializer(notat).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sag = self.sag_for(Action.EDIT)
        body = s.JournalnotatCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        notat = journalnotat_create(actor=request_user(request), sag=sag, **body.validated_data)
        return Response(s.JournalnotatSerializer(notat).data, status=status.HTTP_201_CREATED)


TRANSITION_NAME = OpenApiParameter(
    "name",
    str,
    OpenApiParameter.PATH,
    enum=transition_names(),
    description="Overgangens navn (se GET sager/{sag_pk}/transitions/).",
)


class SagTransitionListView(APIView):
    @extend_schema(
        summary="Mulige overgange",
        description=(
            "Overgange fra sagens nuværende fase, som du må udføre, hver med det, der "
            "blokerer den. Tom for brugere, der kun må læse sagen."
        ),
        parameters=[SAG_PK],
        responses={200: s.TransitionOptionSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, sag_pk: int) -> Response:
        user = request_user(request)
        sag = get_sag_or_404(user, sag_pk)
        options = sag_overgange(user=user, sag=sag)
        return Response(s.TransitionOptionSerializer(options, many=True).data)


class SagTransitionView(APIView):
    @extend_schema(
        summary="Udfør en overgang",
        description=(
            "Flytter sagen til en anden fase. 409 hvis overgangen er blokeret (med `reasons`), "
            "ikke mulig i sagens fase, eller hvis sagen er flyttet siden `expected_fase`."
        ),
        parameters=[SAG_PK, TRANSITION_NAME],
        request=s.TransitionRequestSerializer,
        responses={
            200: s.SagDetailSerializer,
            400: BAD_REQUEST,
            404: NOT_FOUND,
            409: s.TransitionErrorSerializer,
        },
    )
    def post(self, request: Request, sag_pk: int, name: str) -> Response:
        user = request_user(request)
        sag = get_sag_or_404(user, sag_pk)
        require(user, Action.TRANSITION, sag)
        body = s.TransitionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            sag = sag_transition(
                actor=user,
                sag=sag,
                name=name,
                begrundelse=body.validated_data["begrundelse"],
                expected_fase=body.validated_data["expected_fase"],
            )
        except UnknownTransition as exc:
            raise NotFound(exc.message) from exc
        except TransitionBlocked as exc:
            return Response(
                {"detail": exc.message, "reasons": exc.reasons}, status=status.HTTP_409_CONFLICT
            )
        except TransitionConflict as exc:
            return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
        sag = get_sag_or_404(user, sag.pk)
        return Response(s.SagDetailSerializer(sag, context={"request": request}).data)
