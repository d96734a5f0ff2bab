"""The orders API: the bestilling (the provider's inbox, the frozen content and the answer), the
provider's delivery records (delmål with handlinger and notes, notes, use of force, requests),
the caseworker's orders and answers, and the handleplan.

As in cases.api and assessment.api: the views only translate HTTP to calls of the access policy,
the selectors and the services. Anything outside the user's scope, and a write the user may not
make, answers 404; a missing object and one outside the scope get the same answer. Reads of
citizen data are audited by the selectors; writes by the services.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assessment.api.views import JsonErrorsNegotiation
from cases.api.views import BAD_REQUEST, NOT_FOUND, SAG_PK, actor
from cases.models import Borger
from orders.api import serializers as s
from orders.content import latest_grant
from orders.models import Anmodning, Bestilling, Delmaal, Leveringsnotat, Magtanvendelse
from orders.selectors import (
    anmodning_get,
    bestilling_anmodninger,
    bestilling_delmaal,
    bestilling_get,
    bestilling_leveringsnotater,
    bestilling_magtanvendelser,
    bestilling_pdf,
    delmaal_get,
    handleplan_version_pdf,
    handleplan_view,
    sag_bestillinger,
    udfoerer_bestillinger,
)
from orders.services import (
    anmodning_answer,
    anmodning_create,
    bestilling_accept,
    bestilling_receive,
    bestilling_reject,
    bestillinger_send,
    delmaal_create,
    delmaal_set_status,
    delmaalsnotat_add,
    handleplan_finalise,
    handleplan_update,
    handling_add,
    leveringsnotat_add,
    magtanvendelse_report,
)
from vum.access import (
    Action,
    bestillinger_visible_to,
    get_bestilling_or_404,
    get_borger_or_404,
    get_sag_or_404,
    require,
)

BESTILLING_NOT_FOUND = "Bestillingen findes ikke eller er ikke tilgængelig for dig."
DELMAAL_NOT_FOUND = "Delmålet findes ikke eller er ikke tilgængeligt for dig."
ANMODNING_NOT_FOUND = "Anmodningen findes ikke eller er ikke tilgængelig for dig."
HANDLEPLAN_NOT_FOUND = "Handleplanen findes ikke eller er ikke tilgængelig for dig."
DOKUMENT_NOT_FOUND = "Dokumentet findes ikke eller er ikke tilgængeligt for dig."

BESTILLING_PK = OpenApiParameter(
    "bestilling_pk", int, OpenApiParameter.PATH, description="Bestillingens id."
)
BORGER_PK = OpenApiParameter("borger_pk", int, OpenApiParameter.PATH, description="Borgerens id.")
PDF_RESPONSE = OpenApiResponse(OpenApiTypes.BINARY, description="Dokumentet som PDF.")


@contextmanager
def _not_found(message: str, *caught: type[Exception]) -> Iterator[None]:
    """Missing, outside the user's scope or not theirs to change: one 404 with one message, so
    the answer does not tell whether the object exists."""
    missing: tuple[type[Exception], ...] = caught or (Http404, ObjectDoesNotExist)
    try:
        yield
    except missing as exc:
        raise NotFound(message) from exc


def _bestilling(request: Request, pk: object) -> Bestilling:
    """The bestilling, if it is in the user's scope (a provider: its organisation's current,
    active orders only)."""
    with _not_found(BESTILLING_NOT_FOUND):
        bestilling: Bestilling = get_bestilling_or_404(actor(request), pk)
    return bestilling


def _delivered_by(request: Request, bestilling: Bestilling) -> Bestilling:
    """The bestilling, if the user is on its provider's staff: only they answer it and write
    the delivery records (404 for case staff, as for any write they may not make)."""
    with _not_found(BESTILLING_NOT_FOUND, Http404):
        require(actor(request), Action.DELIVER, bestilling)
    return bestilling


def _pdf_response(content: bytes, filename: str, sha256: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if sha256:
        response["X-Content-SHA256"] = sha256
    return response


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
        responses={200: s.BestillingDetailSerializer, 404: NOT_FOUND},
    ),
    modtag=extend_schema(
        summary="Kvittér for modtagelsen",
        description="Udføreren kvitterer for, at bestillingen er modtaget.",
        request=None,
        responses={200: s.BestillingDetailSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    accepter=extend_schema(
        summary="Acceptér bestillingen",
        description=(
            "Udføreren påtager sig opgaven. Når alle sagens bestillinger er accepteret, går "
            "sagen i levering."
        ),
        request=None,
        responses={200: s.BestillingDetailSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    afvis=extend_schema(
        summary="Afvis bestillingen",
        description=(
            "Udføreren afviser med en begrundelse, som går tilbage til sagsbehandleren. En afvist "
            "bestilling er derefter ikke længere tilgængelig for udføreren."
        ),
        request=s.BestillingAfvisSerializer,
        responses={200: s.BestillingDetailSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class BestillingViewSet(viewsets.GenericViewSet[Bestilling]):
    lookup_value_converter = "int"
    pagination_class = None
    serializer_class = s.BestillingListSerializer

    def get_queryset(self) -> QuerySet[Bestilling]:
        if getattr(self, "swagger_fake_view", False):
            return Bestilling.objects.none()
        return bestillinger_visible_to(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = udfoerer_bestillinger(user=actor(request))
        return Response(s.BestillingListSerializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with _not_found(BESTILLING_NOT_FOUND):
            bestilling = bestilling_get(user=actor(request), pk=kwargs["pk"])
        return Response(s.BestillingDetailSerializer(bestilling).data)

    def _answerable(self, request: Request, pk: object) -> Bestilling:
        """The bestilling, if the user is its provider (404 otherwise). One already answered
        is a 400 that says so, where the policy alone would answer 404."""
        bestilling = _delivered_by(request, _bestilling(request, pk))
        if not bestilling.awaits_answer:
            raise ValidationError(
                f"Bestillingen er allerede {bestilling.get_status_display().lower()}."
            )
        return bestilling

    def _answered(self, bestilling: Bestilling) -> Response:
        return Response(s.BestillingDetailSerializer(bestilling).data)

    @action(detail=True, methods=["post"], url_path="modtag")
    def modtag(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        bestilling = self._answerable(request, kwargs["pk"])
        return self._answered(bestilling_receive(actor=actor(request), bestilling=bestilling))

    @action(detail=True, methods=["post"], url_path="accepter")
    def accepter(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        bestilling = self._answerable(request, kwargs["pk"])
        return self._answered(bestilling_accept(actor=actor(request), bestilling=bestilling))

    @action(detail=True, methods=["post"], url_path="afvis")
    def afvis(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        bestilling = self._answerable(request, kwargs["pk"])
        body = s.BestillingAfvisSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rejected = bestilling_reject(
            actor=actor(request),
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
        _bestilling(request, pk)
        with _not_found(DOKUMENT_NOT_FOUND):
            bestilling, content = bestilling_pdf(user=actor(request), pk=pk)
        return _pdf_response(content, f"bestilling-{bestilling.pk}.pdf", bestilling.sha256)


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
        _bestilling(request, pk)
        with _not_found(DOKUMENT_NOT_FOUND):
            bestilling, content = bestilling_pdf(user=actor(request), pk=pk, bilag=True)
        return _pdf_response(content, f"bestilling-{bestilling.pk}-handleplan.pdf", "")


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
            self._bestilling = _bestilling(self.request, self.kwargs["bestilling_pk"])
        return self._bestilling

    def bestilling_for_delivery(self) -> Bestilling:
        """The bestilling, if the user may write delivery records on it (404 otherwise)."""
        return _delivered_by(self.request, self.get_bestilling())

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not getattr(self, "swagger_fake_view", False):
            context["bestilling"] = self.get_bestilling()
        return context


def _created(data: Any) -> Response:
    return Response(data, status=status.HTTP_201_CREATED)


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
        rows = type(self).read(user=actor(request), bestilling=self.get_bestilling())
        return Response(self.output_serializer_class(rows, many=True).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        bestilling = self.bestilling_for_delivery()
        body = self.create_serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        row = type(self).write(actor=actor(request), bestilling=bestilling, **body.validated_data)
        return _created(self.output_serializer_class(row).data)


@extend_schema_view(
    list=extend_schema(
        summary="Delmål",
        description=(
            "Udførerens delmål på bestillingens sag med handlinger og notater. Registreres i "
            "revisionssporet."
        ),
        parameters=[BESTILLING_PK],
        responses={200: s.DelmaalSerializer(many=True), 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Opret et delmål",
        description=(
            "Et SMART delmål skrevet med borgeren, knyttet til et eller flere af bestillingens "
            "indsatsmål (id'erne står i bestillingens `indhold.maal`)."
        ),
        parameters=[BESTILLING_PK],
        request=s.DelmaalCreateSerializer,
        responses={201: s.DelmaalSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    notater=extend_schema(
        summary="Skriv et notat til delmålet",
        description=(
            "En dateret observation; den kan ikke ændres bagefter. Kan ikke dateres frem i tiden."
        ),
        parameters=[BESTILLING_PK],
        request=s.DelmaalsnotatCreateSerializer,
        responses={201: s.DelmaalsnotatSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    handlinger=extend_schema(
        summary="Tilføj en handling",
        description="En metode eller tilgang, udføreren bruger for at nå delmålet.",
        parameters=[BESTILLING_PK],
        request=s.HandlingCreateSerializer,
        responses={201: s.HandlingSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    status=extend_schema(
        summary="Sæt delmålets status",
        description="Aktivt, nået eller opgivet.",
        parameters=[BESTILLING_PK],
        request=s.DelmaalStatusSerializer,
        responses={200: s.DelmaalSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class DelmaalViewSet(BestillingChildViewSet):
    serializer_class = s.DelmaalSerializer

    def get_queryset(self) -> QuerySet[Delmaal]:
        # Only for the schema: every read goes through the audited selectors.
        return Delmaal.objects.none()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = bestilling_delmaal(user=actor(request), bestilling=self.get_bestilling())
        return Response(s.DelmaalSerializer(rows, many=True).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        bestilling = self.bestilling_for_delivery()
        body = s.DelmaalCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        delmaal = delmaal_create(actor=actor(request), bestilling=bestilling, **body.validated_data)
        return _created(s.DelmaalSerializer(delmaal).data)

    def _delmaal(self) -> Delmaal:
        bestilling = self.bestilling_for_delivery()
        with _not_found(DELMAAL_NOT_FOUND):
            delmaal = delmaal_get(bestilling=bestilling, pk=self.kwargs["pk"])
        return delmaal

    @action(detail=True, methods=["post"], url_path="notater")
    def notater(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        delmaal = self._delmaal()
        body = s.DelmaalsnotatCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        notat = delmaalsnotat_add(
            actor=actor(request),
            bestilling=self.get_bestilling(),
            delmaal=delmaal,
            **body.validated_data,
        )
        return _created(s.DelmaalsnotatSerializer(notat).data)

    @action(detail=True, methods=["post"], url_path="handlinger")
    def handlinger(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        delmaal = self._delmaal()
        body = s.HandlingCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        handling = handling_add(
            actor=actor(request),
            bestilling=self.get_bestilling(),
            delmaal=delmaal,
            beskrivelse=body.validated_data["beskrivelse"],
        )
        return _created(s.HandlingSerializer(handling).data)

    @action(detail=True, methods=["post"], url_path="status")
    def status(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        delmaal = self._delmaal()
        body = s.DelmaalStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        changed = delmaal_set_status(
            actor=actor(request),
            bestilling=self.get_bestilling(),
            delmaal=delmaal,
            status=body.validated_data["status"],
        )
        return Response(s.DelmaalSerializer(changed).data)


@extend_schema_view(
    list=extend_schema(
        summary="Notater",
        description=(
            "Udførerens notater på bestillingens sag, der ikke hører til et delmål, nyeste "
            "først. Registreres i revisionssporet."
        ),
        parameters=[BESTILLING_PK],
        responses={200: s.LeveringsnotatSerializer(many=True), 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Skriv et notat",
        description=(
            "Et pædagogisk eller andet notat, mærket med FFB-undertemaer. Det kan ikke ændres "
            "bagefter og kan ikke dateres frem i tiden."
        ),
        parameters=[BESTILLING_PK],
        request=s.LeveringsnotatCreateSerializer,
        responses={201: s.LeveringsnotatSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class LeveringsnotatViewSet(ProviderRecordViewSet):
    model = Leveringsnotat
    serializer_class = output_serializer_class = s.LeveringsnotatSerializer
    create_serializer_class = s.LeveringsnotatCreateSerializer
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
        responses={200: s.MagtanvendelseSerializer(many=True), 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Indberet en magtanvendelse",
        description=(
            "Sagsbehandleren får besked med det samme og gennemgår indberetningen ved næste "
            "opfølgning. Tidspunktet kan ikke ligge i fremtiden."
        ),
        parameters=[BESTILLING_PK],
        request=s.MagtanvendelseCreateSerializer,
        responses={201: s.MagtanvendelseSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class MagtanvendelseViewSet(ProviderRecordViewSet):
    model = Magtanvendelse
    serializer_class = output_serializer_class = s.MagtanvendelseSerializer
    create_serializer_class = s.MagtanvendelseCreateSerializer
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
        responses={200: s.AnmodningSerializer(many=True), 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Anmod om revisitation eller ændrede mål",
        description=(
            "Udføreren ændrer aldrig selv målene: anmodningen bliver en opgave med en frist for "
            "sagsbehandleren, som får besked med det samme."
        ),
        parameters=[BESTILLING_PK],
        request=s.AnmodningCreateSerializer,
        responses={201: s.AnmodningSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class AnmodningViewSet(ProviderRecordViewSet):
    model = Anmodning
    serializer_class = output_serializer_class = s.AnmodningSerializer
    create_serializer_class = s.AnmodningCreateSerializer
    read = staticmethod(bestilling_anmodninger)
    write = staticmethod(anmodning_create)


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
        responses={200: s.SagensBestillingerSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, sag_pk: int) -> Response:
        user = actor(request)
        view = sag_bestillinger(user=user, sag=get_sag_or_404(user, sag_pk))
        return Response(s.SagensBestillingerSerializer(view).data)


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
            201: s.SagBestillingSerializer(many=True),
            400: BAD_REQUEST,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, sag_pk: int) -> Response:
        user = actor(request)
        sag = get_sag_or_404(user, sag_pk)
        require(user, Action.EDIT, sag)
        afgoerelse = latest_grant(sag)
        if afgoerelse is None:
            raise ValidationError(
                "Sagen har ingen afgørelse, der bevilger en indsats; der er intet at bestille."
            )
        sent = bestillinger_send(actor=user, afgoerelse=afgoerelse)
        return _created(s.SagBestillingSerializer(sent, many=True).data)


class AnmodningSvarView(APIView):
    @extend_schema(
        summary="Besvar en anmodning",
        description=(
            "Sagsbehandlerens svar på udførerens anmodning; udførerens medarbejdere får besked, "
            "og fristen er overholdt. En anmodning besvares én gang."
        ),
        parameters=[SAG_PK],
        request=s.AnmodningSvarSerializer,
        responses={200: s.AnmodningSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, sag_pk: int, pk: int) -> Response:
        user = actor(request)
        sag = get_sag_or_404(user, sag_pk)
        with _not_found(ANMODNING_NOT_FOUND):
            anmodning = anmodning_get(user=user, sag=sag, pk=pk)
        body = s.AnmodningSvarSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with _not_found(ANMODNING_NOT_FOUND, Http404):
            answered = anmodning_answer(
                actor=user, anmodning=anmodning, svar=body.validated_data["svar"]
            )
        shown = Anmodning.objects.select_related(
            "udfoerer", "frist", "oprettet_af", "besvaret_af"
        ).get(pk=answered.pk)
        return Response(s.AnmodningSerializer(shown).data)


# The handleplan


def _plan_borger(request: Request, borger_pk: int) -> Borger:
    with _not_found(HANDLEPLAN_NOT_FOUND):
        borger = get_borger_or_404(actor(request), borger_pk)
    return borger


def _plan_response(request: Request, borger_pk: int) -> Response:
    """The plan as GET shows it (read through the audited selector)."""
    with _not_found(HANDLEPLAN_NOT_FOUND):
        view = handleplan_view(user=actor(request), borger_pk=borger_pk)
    return Response(s.HandleplanViewSerializer(view).data)


class HandleplanAPIView(APIView):
    @extend_schema(
        summary="Borgerens handleplan",
        description=(
            "Den samlede handleplan (SEL § 141): sagsbehandlerens tekster, målene og indsatserne "
            "fra borgerens bevillinger (uden økonomi) og de færdiggjorte versioner. Kun for "
            "medarbejdere med adgang til en af borgerens sager. Registreres i revisionssporet."
        ),
        parameters=[BORGER_PK],
        responses={200: s.HandleplanViewSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, borger_pk: int) -> Response:
        return _plan_response(request, borger_pk)

    @extend_schema(
        summary="Ret handleplanen",
        description=(
            "Ændrer de felter, der sendes; andre bevarer deres værdi. En borger, der ikke er "
            "tilbudt en handleplan, kræver en begrundelse."
        ),
        parameters=[BORGER_PK],
        request=s.HandleplanUpdateSerializer,
        responses={200: s.HandleplanViewSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def patch(self, request: Request, borger_pk: int) -> Response:
        borger = _plan_borger(request, borger_pk)
        body = s.HandleplanUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        with _not_found(HANDLEPLAN_NOT_FOUND, Http404):
            handleplan_update(actor=actor(request), borger=borger, **body.validated_data)
        return _plan_response(request, borger_pk)


class HandleplanVersionView(APIView):
    @extend_schema(
        summary="Færdiggør en version",
        description=(
            "Fryser handleplanen, som den er nu, som en ny version med PDF og SHA-256 til "
            "borgeren. Kræver, at borgeren ønsker en handleplan, at der er truffet afgørelse, og "
            "at formålet er skrevet (400 med årsagerne ellers). PDF'en hentes på "
            "versioner/{nummer}/handleplan.pdf."
        ),
        parameters=[BORGER_PK],
        request=None,
        responses={201: s.HandleplanVersionSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, borger_pk: int) -> Response:
        borger = _plan_borger(request, borger_pk)
        with _not_found(HANDLEPLAN_NOT_FOUND, Http404):
            version = handleplan_finalise(actor=actor(request), borger=borger)
        return _created(s.HandleplanVersionSerializer(version).data)


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
        ],
        responses={(200, "application/pdf"): PDF_RESPONSE, 404: NOT_FOUND},
    )
    def get(self, request: Request, borger_pk: int, nummer: int) -> HttpResponse:
        with _not_found(DOKUMENT_NOT_FOUND):
            version = handleplan_version_pdf(
                user=actor(request), borger_pk=borger_pk, nummer=nummer
            )
        return _pdf_response(
            bytes(version.pdf), f"handleplan-{borger_pk}-v{version.nummer}.pdf", version.sha256
        )
