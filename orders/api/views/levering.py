"""The provider's delivery records over the API: delmål with handlinger and notes, other notes,
use of force, requests, and the caseworker's answer to a request."""

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.views.common import BAD_REQUEST, NOT_FOUND, SAG_PK
from orders.api.serializers.levering import (
    AnmodningCreateSerializer,
    AnmodningSerializer,
    AnmodningSvarSerializer,
    DelmaalCreateSerializer,
    DelmaalSerializer,
    DelmaalsnotatCreateSerializer,
    DelmaalsnotatSerializer,
    DelmaalStatusSerializer,
    HandlingCreateSerializer,
    HandlingSerializer,
    LeveringsnotatCreateSerializer,
    LeveringsnotatSerializer,
    MagtanvendelseCreateSerializer,
    MagtanvendelseSerializer,
)
from orders.api.views.common import (
    ANMODNING_NOT_FOUND,
    BESTILLING_PK,
    DELMAAL_NOT_FOUND,
    bestilling_in_scope,
    created,
    delivered_by,
    not_found,
)
from orders.models import Anmodning, Bestilling, Delmaal, Leveringsnotat, Magtanvendelse
from orders.selectors.levering import (
    anmodning_get,
    bestilling_anmodninger,
    bestilling_delmaal,
    bestilling_leveringsnotater,
    bestilling_magtanvendelser,
    delmaal_get,
)
from orders.services.levering import (
    anmodning_answer,
    anmodning_create,
    delmaal_create,
    delmaal_set_status,
    delmaalsnotat_add,
    handling_add,
    leveringsnotat_add,
    magtanvendelse_report,
)
from vum.access import (
    get_sag_or_404,
    request_user,
)

# Levering: what the provider writes, always through the bestilling


class BestillingChildViewSet(viewsets.GenericViewSet[Any]):
    """Base for resources under bestillinger/{bestilling_pk}/: the bestilling is looked up in the
    user's scope. Only the bestilling's own organisation may write (the services ask the
    policy); case staff may read what the provider wrote."""

    lookup_value_converter = "int"
    pagination_class = None
    _bestilling: Bestilling | None = None

    def get_bestilling(self) -> Bestilling:
        if self._bestilling is None:
            self._bestilling = bestilling_in_scope(self.request, self.kwargs["bestilling_pk"])
        return self._bestilling

    def bestilling_for_delivery(self) -> Bestilling:
        """The bestilling, if the user may write delivery records on it (404 otherwise)."""
        return delivered_by(self.request, self.get_bestilling())

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not getattr(self, "swagger_fake_view", False):
            context["bestilling"] = self.get_bestilling()
        return context


class ProviderRecordViewSet(BestillingChildViewSet):
    """One kind of record the provider writes on the order's case: listed through its audited
    selector (`read`), added through its service (`write`)."""

    model: type[Model]
    output_serializer_class: type[serializers.Serializer[Any]]
    create_serializer_class: type[serializers.Serializer[Any]]
    read: Callable[..., Any]
    write: Callable[..., Any]

    def get_queryset(self) -> QuerySet[Any]:
        return self.model._default_manager.none()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = type(self).read(user=request_user(request), bestilling=self.get_bestilling())
        return Response(self.output_serializer_class(rows, many=True).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        bestilling = self.bestilling_for_delivery()
        body = self.create_serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        row = type(self).write(
            actor=request_user(request), bestilling=bestilling, **body.validated_data
        )
        return created(self.output_serializer_class(row).data)


@extend_schema_view(
    list=extend_schema(
        summary="Delmål",
        description=(
            "Udførerens delmål på bestillingens sag med handlinger og notater. Registreres i "
            "revisionssporet."
        ),
        parameters=[BESTILLING_PK],
        responses={200: DelmaalSerializer(many=True), 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Opret et delmål",
        description=(
            "Et SMART delmål skrevet med borgeren, knyttet til et eller flere af bestillingens "
            "indsatsmål (id'erne står i bestillingens `indhold.maal`)."
        ),
        parameters=[BESTILLING_PK],
        request=DelmaalCreateSerializer,
        responses={201: DelmaalSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    notater=extend_schema(
        summary="Skriv et notat til delmålet",
        description=(
            "En dateret observation; den kan ikke ændres bagefter. Kan ikke dateres frem i tiden."
        ),
        parameters=[BESTILLING_PK],
        request=DelmaalsnotatCreateSerializer,
        responses={201: DelmaalsnotatSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    handlinger=extend_schema(
        summary="Tilføj en handling",
        description="En metode eller tilgang, udføreren bruger for at nå delmålet.",
        parameters=[BESTILLING_PK],
        request=HandlingCreateSerializer,
        responses={201: HandlingSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    status=extend_schema(
        summary="Sæt delmålets status",
        description="Aktivt, nået eller opgivet.",
        parameters=[BESTILLING_PK],
        request=DelmaalStatusSerializer,
        responses={200: DelmaalSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class DelmaalViewSet(BestillingChildViewSet):
    serializer_class = DelmaalSerializer

    def get_queryset(self) -> QuerySet[Delmaal]:
        # Only for the schema: every read goes through the audited selectors.
        return Delmaal.objects.none()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = bestilling_delmaal(user=request_user(request), bestilling=self.get_bestilling())
        return Response(DelmaalSerializer(rows, many=True).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        bestilling = self.bestilling_for_delivery()
        body = DelmaalCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        delmaal = delmaal_create(
            actor=request_user(request), bestilling=bestilling, **body.validated_data
        )
        return created(DelmaalSerializer(delmaal).data)

    def _delmaal(self) -> Delmaal:
        bestilling = self.bestilling_for_delivery()
        with not_found(DELMAAL_NOT_FOUND):
            delmaal = delmaal_get(bestilling=bestilling, pk=self.kwargs["pk"])
        return delmaal

    @action(detail=True, methods=["post"], url_path="notater")
    def notater(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        delmaal = self._delmaal()
        body = DelmaalsnotatCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        notat = delmaalsnotat_add(
            actor=request_user(request),
            bestilling=self.get_bestilling(),
            delmaal=delmaal,
            **body.validated_data,
        )
        return created(DelmaalsnotatSerializer(notat).data)

    @action(detail=True, methods=["post"], url_path="handlinger")
    def handlinger(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        delmaal = self._delmaal()
        body = HandlingCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        handling = handling_add(
            actor=request_user(request),
            bestilling=self.get_bestilling(),
            delmaal=delmaal,
            beskrivelse=body.validated_data["beskrivelse"],
        )
        return created(HandlingSerializer(handling).data)

    @action(detail=True, methods=["post"], url_path="status")
    def status(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        delmaal = self._delmaal()
        body = DelmaalStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        changed = delmaal_set_status(
            actor=request_user(request),
            bestilling=self.get_bestilling(),
            delmaal=delmaal,
            status=body.validated_data["status"],
        )
        return Response(DelmaalSerializer(changed).data)


@extend_schema_view(
    list=extend_schema(
        summary="Notater",
        description=(
            "Udførerens notater på bestillingens sag, der ikke hører til et delmål, nyeste "
            "først. Registreres i revisionssporet."
        ),
        parameters=[BESTILLING_PK],
        responses={200: LeveringsnotatSerializer(many=True), 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Skriv et notat",
        description=(
            "Et pædagogisk eller andet notat, mærket med FFB-undertemaer. Det kan ikke ændres "
            "bagefter og kan ikke dateres frem i tiden."
        ),
        parameters=[BESTILLING_PK],
        request=LeveringsnotatCreateSerializer,
        responses={201: LeveringsnotatSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class LeveringsnotatViewSet(ProviderRecordViewSet):
    model = Leveringsnotat
    serializer_class = output_serializer_class = LeveringsnotatSerializer
    create_serializer_class = LeveringsnotatCreateSerializer
    read = staticmethod(bestilling_leveringsnotater)
    write = staticmethod(leveringsnotat_add)


@extend_schema_view(
    list=extend_schema(
        summary="Magtanvendelser",
        description=(
            "Udførerens indberetninger af magtanvendelse på bestillingens sag, nyeste først. "
            "Registreres i revisionssporet."
        ),
        parameters=[BESTILLING_PK],
        responses={200: MagtanvendelseSerializer(many=True), 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Indberet en magtanvendelse",
        description=(
            "Sagsbehandleren får besked med det samme og gennemgår indberetningen ved næste "
            "opfølgning. Tidspunktet kan ikke ligge i fremtiden."
        ),
        parameters=[BESTILLING_PK],
        request=MagtanvendelseCreateSerializer,
        responses={201: MagtanvendelseSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class MagtanvendelseViewSet(ProviderRecordViewSet):
    model = Magtanvendelse
    serializer_class = output_serializer_class = MagtanvendelseSerializer
    create_serializer_class = MagtanvendelseCreateSerializer
    read = staticmethod(bestilling_magtanvendelser)
    write = staticmethod(magtanvendelse_report)


@extend_schema_view(
    list=extend_schema(
        summary="Anmodninger",
        description=(
            "Udførerens anmodninger om revisitation eller ændrede mål på bestillingens sag, med "
            "sagsbehandlerens svar. Registreres i revisionssporet."
        ),
        parameters=[BESTILLING_PK],
        responses={200: AnmodningSerializer(many=True), 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Anmod om revisitation eller ændrede mål",
        description=(
            "Udføreren ændrer aldrig selv målene: anmodningen bliver en opgave med en frist for "
            "sagsbehandleren, som får besked med det samme."
        ),
        parameters=[BESTILLING_PK],
        request=AnmodningCreateSerializer,
        responses={201: AnmodningSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class AnmodningViewSet(ProviderRecordViewSet):
    model = Anmodning
    serializer_class = output_serializer_class = AnmodningSerializer
    create_serializer_class = AnmodningCreateSerializer
    read = staticmethod(bestilling_anmodninger)
    write = staticmethod(anmodning_create)


class AnmodningSvarView(APIView):
    @extend_schema(
        summary="Besvar en anmodning",
        description=(
            "Sagsbehandlerens svar på udførerens anmodning; udførerens medarbejdere får besked, "
            "og fristen er overholdt. En anmodning besvares én gang."
        ),
        parameters=[SAG_PK],
        request=AnmodningSvarSerializer,
        responses={200: AnmodningSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, sag_pk: int, pk: int) -> Response:
        user = request_user(request)
        sag = get_sag_or_404(user, sag_pk)
        with not_found(ANMODNING_NOT_FOUND):
            anmodning = anmodning_get(user=user, sag=sag, pk=pk)
        body = AnmodningSvarSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with not_found(ANMODNING_NOT_FOUND, Http404):
            answered = anmodning_answer(
                actor=user, anmodning=anmodning, svar=body.validated_data["svar"]
            )
        shown = Anmodning.objects.select_related(
            "udfoerer", "frist", "oprettet_af", "besvaret_af"
        ).get(pk=answered.pk)
        return Response(AnmodningSerializer(shown).data)
