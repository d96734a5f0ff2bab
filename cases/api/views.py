"""The case API: citizens, cases, enquiries, consent, journal notes and phase changes.

The views only translate HTTP to calls of the access policy, the selectors and the services.
Objects outside the user's scope, and writes the user may not make, answer 404 (never 403), as
the access policy prescribes. Every read of a citizen's data leaves an audit event; writes are
audited by the services.
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api import serializers as s
from cases.api.filters import HenvendelseFilter, SagFilter
from cases.models import Borger, Henvendelse, Journalnotat, Sag, Samtykke
from cases.selectors import (
    Soegeformaal,
    borger_get,
    borger_relationer,
    borger_search,
    formaal_versioner,
    henvendelse_get,
    journalnotat_get,
    list_page,
    sag_get,
    sag_journalnotater,
    sag_list_page,
    sag_overgange,
    sag_samtykker,
    sagsaabning_get,
    samtykke_get,
)
from cases.services.borger import borger_create, borger_update, relation_create
from cases.services.henvendelse import henvendelse_register
from cases.services.sag import (
    TransitionBlocked,
    TransitionConflict,
    UnknownTransition,
    journalnotat_create,
    sag_transition,
    transition_names,
)
from cases.services.sagsaabning import (
    formaal_set,
    sag_ansoegning_set,
    sagsaabning_update,
    samtykke_register,
    samtykke_withdraw,
)
from vum.access import (
    Action,
    borgere_visible_to,
    get_borger_or_404,
    get_sag_or_404,
    henvendelser_visible_to,
    may,
    request_user,
    require,
    sager_visible_to,
)
from vum.api import IF_MATCH, IF_MATCH_DESCRIPTION, PRECONDITIONS, if_match_version, versioned

NOT_FOUND = OpenApiResponse(
    s.FejlSerializer, description="Findes ikke, eller er ikke tilgængelig for dig."
)
BAD_REQUEST = OpenApiResponse(
    OpenApiTypes.OBJECT, description="Ugyldige data; felt → liste af danske fejlbeskeder."
)


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


# Citizens


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

    def _detail(self, borger: Borger) -> dict[str, Any]:
        context = self.get_serializer_context()
        return dict(s.BorgerDetailSerializer(borger, context=context).data)


# Cases


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


SAG_PK = OpenApiParameter("sag_pk", int, OpenApiParameter.PATH, description="Sagens id.")


@extend_schema_view(
    list=extend_schema(summary="Sagens samtykker", parameters=[SAG_PK]),
    retrieve=extend_schema(summary="Samtykke", parameters=[SAG_PK]),
    create=extend_schema(
        summary="Registrér et samtykke",
        parameters=[SAG_PK],
        request=s.SamtykkeCreateSerializer,
        responses={201: s.SamtykkeSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    tilbagekald=extend_schema(
        summary="Tilbagekald et samtykke",
        parameters=[SAG_PK],
        request=s.SamtykkeWithdrawSerializer,
        responses={200: s.SamtykkeSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class SamtykkeViewSet(SagChildViewSet):
    """Samtykker til indhentelse og videregivelse af oplysninger (RSL §§ 11a-11c)."""

    serializer_class = s.SamtykkeSerializer
    list_audit_summary = "Samtykker vist"

    def get_queryset(self) -> QuerySet[Samtykke]:
        if getattr(self, "swagger_fake_view", False):
            return Samtykke.objects.none()
        return sag_samtykker(sag=self.get_sag())

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        samtykke = samtykke_get(user=request_user(request), sag=self.get_sag(), pk=kwargs["pk"])
        return Response(self.get_serializer(samtykke).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sag = self.sag_for(Action.EDIT)
        body = s.SamtykkeCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        samtykke = samtykke_register(actor=request_user(request), sag=sag, **body.validated_data)
        return Response(s.SamtykkeSerializer(samtykke).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="tilbagekald")
    def tilbagekald(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.sag_for(Action.EDIT)
        samtykke = self.get_object()
        body = s.SamtykkeWithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        samtykke = samtykke_withdraw(
            actor=request_user(request),
            samtykke=samtykke,
            tilbagekaldt=body.validated_data["tilbagekaldt"],
            begrundelse=body.validated_data["begrundelse"],
        )
        return Response(s.SamtykkeSerializer(samtykke).data)


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


# Phase changes

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


# Enquiries


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
