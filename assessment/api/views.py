"""The sagsoplysning API: the udredning on the FFB structure, scores with history, requests for
information (with consent) and partshøring.

As in cases.api: the views only translate HTTP to calls of the access policy, the selectors and
the services. A case outside the user's scope, and a write the user may not make, answer 404.
Reads of citizen data are audited by the selectors; writes by the services.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assessment.api import serializers as s
from assessment.models import Funktionsevnevurdering, Indhentning, Partshoering, Udredning
from assessment.selectors import (
    partshoering_brev,
    partshoering_get,
    sag_funktionsevnevurderinger,
    sag_indhentninger,
    sag_partshoeringer,
    udredning_overview,
)
from assessment.services import (
    delanalyse_save,
    funktionsevne_score,
    indhentning_request,
    kilde_add,
    partshoering_answer,
    partshoering_send,
    tema_oplysning_save,
    udredning_current,
    udredning_start,
)
from cases.api.views import BAD_REQUEST, NOT_FOUND, SAG_PK, SagChildViewSet, actor
from cases.models import Sag
from vum.access import Action, get_sag_or_404, require
from vum.catalog.models import Kategori, Tema

TEMA_ID = OpenApiParameter("tema_id", int, OpenApiParameter.PATH, description="Temaets id.")
KATEGORI_ID = OpenApiParameter(
    "kategori_id", int, OpenApiParameter.PATH, description="Kategoriens id."
)


def _editable_sag(request: Request, sag_pk: int) -> Sag:
    """The case, if the user may edit it (404 otherwise, as in cases.api)."""
    user = actor(request)
    sag = get_sag_or_404(user, sag_pk)
    require(user, Action.EDIT, sag)
    return sag


def _current_udredning(sag: Sag) -> Udredning:
    udredning = udredning_current(sag=sag)
    if udredning is None:
        raise ValidationError("Sagen har ingen udredning endnu; start en først.")
    return udredning


def _current_tema(tema_id: int) -> Tema:
    tema = Tema.objects.current().filter(pk=tema_id).first()
    if tema is None:
        raise NotFound("Temaet findes ikke i det gældende FFB-katalog.")
    return tema


# The udredning


class UdredningView(APIView):
    @extend_schema(
        summary="Udredningen",
        description=(
            "Sagens aktuelle udredning på FFB-strukturen: kategorier → temaer → det oplyste, "
            "kilder, fremhævede undertemaer og den aktuelle score for hvert undertema, der "
            "scores. `udredning` er null, hvis ingen er startet. Registreres i revisionssporet."
        ),
        parameters=[SAG_PK],
        responses={200: s.UdredningOversigtSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, sag_pk: int) -> Response:
        user = actor(request)
        sag = get_sag_or_404(user, sag_pk)
        overview = udredning_overview(user=user, sag=sag)
        context = {"request": request}
        return Response(s.UdredningOversigtSerializer(overview, context=context).data)

    @extend_schema(
        summary="Start en udredning",
        description=(
            "Starter en ny udredning, mens sagen er i sagsoplysning. Med `forrige` bygger den på "
            "en tidligere udredning af borgeren; det kræver borgerens samtykke til genbrug."
        ),
        parameters=[SAG_PK],
        request=s.UdredningStartSerializer,
        responses={201: s.UdredningSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, sag_pk: int) -> Response:
        sag = _editable_sag(request, sag_pk)
        body = s.UdredningStartSerializer(data=request.data, context={"sag": sag})
        body.is_valid(raise_exception=True)
        udredning = udredning_start(actor=actor(request), sag=sag, **body.validated_data)
        return Response(s.UdredningSerializer(udredning).data, status=status.HTTP_201_CREATED)


class TemaOplysningView(APIView):
    @extend_schema(
        summary="Gem et tema",
        description=(
            "Skriver det, der er oplyst i ét tema i den aktuelle udredning. Hele temaet "
            "erstattes: felter, der ikke sendes, bliver tomme. Kun i sagsoplysningen."
        ),
        parameters=[SAG_PK, TEMA_ID],
        request=s.TemaOplysningInputSerializer,
        responses={200: s.TemaOplysningSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def put(self, request: Request, sag_pk: int, tema_id: int) -> Response:
        sag = _editable_sag(request, sag_pk)
        tema = _current_tema(tema_id)
        body = s.TemaOplysningInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = tema_oplysning_save(
            actor=actor(request),
            udredning=_current_udredning(sag),
            tema=tema,
            **body.validated_data,
        )
        return Response(s.TemaOplysningSerializer(row).data)


class KildeView(APIView):
    @extend_schema(
        summary="Tilføj en kilde",
        description=(
            "En kildehenvisning til oplysninger fra andre i temaet: titel, dato, journalnummer "
            "og hvem der har udtalt det. Temaet skal være gemt først."
        ),
        parameters=[SAG_PK, TEMA_ID],
        request=s.KildehenvisningSerializer,
        responses={201: s.KildehenvisningSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, sag_pk: int, tema_id: int) -> Response:
        sag = _editable_sag(request, sag_pk)
        tema = _current_tema(tema_id)
        body = s.KildehenvisningSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        oplysning = _current_udredning(sag).temaer.filter(tema=tema).first()
        if oplysning is None:
            raise ValidationError("Temaet er ikke gemt i udredningen; gem temaet først.")
        kilde = kilde_add(actor=actor(request), tema_oplysning=oplysning, **body.validated_data)
        return Response(s.KildehenvisningSerializer(kilde).data, status=status.HTTP_201_CREATED)


class DelanalyseView(APIView):
    @extend_schema(
        summary="Gem en delanalyse",
        description="Delanalysen for én FFB-kategori i den aktuelle udredning.",
        parameters=[SAG_PK, KATEGORI_ID],
        request=s.DelanalyseInputSerializer,
        responses={200: s.DelanalyseSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def put(self, request: Request, sag_pk: int, kategori_id: int) -> Response:
        sag = _editable_sag(request, sag_pk)
        kategori = Kategori.objects.current().filter(pk=kategori_id).first()
        if kategori is None:
            raise NotFound("Kategorien findes ikke i det gældende FFB-katalog.")
        body = s.DelanalyseInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = delanalyse_save(
            actor=actor(request),
            udredning=_current_udredning(sag),
            kategori=kategori,
            tekst=body.validated_data["tekst"],
        )
        return Response(s.DelanalyseSerializer(row).data)


# Scores


UNDERTEMA_FILTER = OpenApiParameter(
    "undertema", int, description="Kun vurderinger af dette undertema (id)."
)


@extend_schema_view(
    list=extend_schema(
        summary="Vurderinger af funktionsevne",
        description=(
            "Alle scoringer i sagens udredninger, nyeste først; den aktuelle score for et "
            "undertema er den første. Registreres i revisionssporet."
        ),
        parameters=[SAG_PK, UNDERTEMA_FILTER],
    ),
    create=extend_schema(
        summary="Scor et undertema",
        description=(
            "En dateret score 0-4 af et undertema under Aktivitet og deltagelse i den aktuelle "
            "udredning. Tidligere scoringer bevares som historik. Andre kategorier scores ikke."
        ),
        parameters=[SAG_PK],
        request=s.FunktionsevnevurderingCreateSerializer,
        responses={201: s.FunktionsevnevurderingSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class FunktionsevnevurderingViewSet(mixins.CreateModelMixin, SagChildViewSet):
    serializer_class = s.FunktionsevnevurderingSerializer
    list_audit_summary = "Vurderinger af funktionsevne vist"

    def get_queryset(self) -> QuerySet[Funktionsevnevurdering]:
        if getattr(self, "swagger_fake_view", False):
            return Funktionsevnevurdering.objects.none()
        undertema = self.request.query_params.get("undertema")
        undertema_id: int | None = None
        if undertema:
            try:
                undertema_id = int(undertema)
            except ValueError as exc:
                raise ValidationError({"undertema": "Angiv undertemaets id som et tal."}) from exc
        return sag_funktionsevnevurderinger(sag=self.get_sag(), undertema_id=undertema_id)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sag = self.sag_for(Action.EDIT)
        body = s.FunktionsevnevurderingCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        score = funktionsevne_score(
            actor=actor(request), udredning=_current_udredning(sag), **body.validated_data
        )
        return Response(
            s.FunktionsevnevurderingSerializer(score).data, status=status.HTTP_201_CREATED
        )


# Obtaining information


@extend_schema_view(
    list=extend_schema(summary="Indhentninger af oplysninger", parameters=[SAG_PK]),
    create=extend_schema(
        summary="Indhent oplysninger",
        description=(
            "Registrerer en anmodning om oplysninger hos en ekstern part. Afvises (400, med "
            "begrundelsen under `part`), medmindre borgeren har givet et gældende samtykke til "
            "indhentelse fra parten (RSL §§ 11a-11c)."
        ),
        parameters=[SAG_PK],
        request=s.IndhentningCreateSerializer,
        responses={201: s.IndhentningSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class IndhentningViewSet(mixins.CreateModelMixin, SagChildViewSet):
    serializer_class = s.IndhentningSerializer
    list_audit_summary = "Indhentninger vist"

    def get_queryset(self) -> QuerySet[Indhentning]:
        if getattr(self, "swagger_fake_view", False):
            return Indhentning.objects.none()
        return sag_indhentninger(sag=self.get_sag())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sag = self.sag_for(Action.EDIT)
        body = s.IndhentningCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        indhentning = indhentning_request(actor=actor(request), sag=sag, **body.validated_data)
        return Response(s.IndhentningSerializer(indhentning).data, status=status.HTTP_201_CREATED)


# Partshøring


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
        request=s.PartshoeringCreateSerializer,
        responses={201: s.PartshoeringSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    svar=extend_schema(
        summary="Registrér svaret på en partshøring",
        description="Svaret opfylder fristen og ophæver blokeringen af afgørelsen.",
        parameters=[SAG_PK],
        request=s.PartshoeringSvarSerializer,
        responses={200: s.PartshoeringSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class PartshoeringViewSet(mixins.CreateModelMixin, SagChildViewSet):
    serializer_class = s.PartshoeringSerializer
    list_audit_summary = "Partshøringer vist"

    def get_queryset(self) -> QuerySet[Partshoering]:
        if getattr(self, "swagger_fake_view", False):
            return Partshoering.objects.none()
        return sag_partshoeringer(sag=self.get_sag())

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        hoering = partshoering_get(user=actor(request), sag=self.get_sag(), pk=kwargs["pk"])
        return Response(self.get_serializer(hoering).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sag = self.sag_for(Action.EDIT)
        body = s.PartshoeringCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        hoering = partshoering_send(actor=actor(request), sag=sag, **body.validated_data)
        return Response(self.get_serializer(hoering).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="svar")
    def svar(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.sag_for(Action.EDIT)
        hoering = self.get_object()
        body = s.PartshoeringSvarSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        hoering = partshoering_answer(
            actor=actor(request),
            partshoering=hoering,
            svar=body.validated_data["svar"],
            modtaget=body.validated_data["modtaget"] or timezone.localdate(),
        )
        return Response(self.get_serializer(hoering).data)


class JsonErrorsNegotiation(BaseContentNegotiation):
    """The letter is sent as a plain HttpResponse whatever the client accepts; the only bodies
    DRF renders here are errors, and those are JSON (a client asking for application/pdf gets
    its 404 in JSON rather than a 406)."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


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
        parameters=[SAG_PK],
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="Brevet som PDF."
            ),
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, sag_pk: int, pk: int) -> HttpResponse:
        user = actor(request)
        sag = get_sag_or_404(user, sag_pk)
        hoering = partshoering_brev(user=user, sag=sag, pk=pk)
        response = HttpResponse(bytes(hoering.brev_pdf), content_type="application/pdf")
        filename = f"partshoering-{sag.pk}-{hoering.pk}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["X-Content-SHA256"] = hoering.brev_sha256
        return response
