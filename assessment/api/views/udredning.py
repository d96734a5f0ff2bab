"""The sagsoplysning over the API: the udredning on the FFB structure, themes, sources,
delanalyser, scores and requests for information."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assessment.api.serializers.udredning import (
    DelanalyseInputSerializer,
    DelanalyseSerializer,
    FunktionsevnevurderingCreateSerializer,
    FunktionsevnevurderingSerializer,
    IndhentningCreateSerializer,
    IndhentningSerializer,
    KildehenvisningSerializer,
    TemaOplysningInputSerializer,
    TemaOplysningSerializer,
    UdredningOversigtSerializer,
    UdredningSerializer,
    UdredningStartSerializer,
)
from assessment.api.views.common import editable_sag
from assessment.models import Funktionsevnevurdering, Indhentning, Udredning
from assessment.selectors.udredning import (
    sag_funktionsevnevurderinger,
    sag_indhentninger,
    udredning_overview,
)
from assessment.services.udredning import (
    delanalyse_save,
    funktionsevne_score,
    indhentning_request,
    kilde_add,
    tema_oplysning_save,
    udredning_current,
    udredning_start,
)
from cases.api.views.common import BAD_REQUEST, NOT_FOUND, SAG_PK, SagChildViewSet
from cases.models import Sag
from vum.access import Action, get_sag_or_404, request_user
from vum.catalog.models import Kategori, Tema

TEMA_ID = OpenApiParameter("tema_id", int, OpenApiParameter.PATH, description="Temaets id.")

KATEGORI_ID = OpenApiParameter(
    "kategori_id", int, OpenApiParameter.PATH, description="Kategoriens id."
)


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


class UdredningView(APIView):
    @extend_schema(
        summary="Udredningen",
        description=(
            "Sagens aktuelle udredning på FFB-strukturen: kategorier → temaer → det oplyste, "
            "kilder, fremhævede undertemaer og den aktuelle score for hvert undertema, der "
            "scores. `udredning` er null, hvis ingen er startet. Registreres i revisionssporet."
        ),
        parameters=[SAG_PK],
        responses={200: UdredningOversigtSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, sag_pk: int) -> Response:
        user = request_user(request)
        sag = get_sag_or_404(user, sag_pk)
        overview = udredning_overview(user=user, sag=sag)
        context = {"request": request}
        return Response(UdredningOversigtSerializer(overview, context=context).data)

    @extend_schema(
        summary="Start en udredning",
        description=(
            "Starter en ny udredning, mens sagen er i sagsoplysning. Med `forrige` bygger den på "
            "en tidligere udredning af borgeren; det kræver borgerens samtykke til genbrug."
        ),
        parameters=[SAG_PK],
        request=UdredningStartSerializer,
        responses={201: UdredningSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, sag_pk: int) -> Response:
        sag = editable_sag(request, sag_pk)
        body = UdredningStartSerializer(data=request.data, context={"sag": sag})
        body.is_valid(raise_exception=True)
        udredning = udredning_start(actor=request_user(request), sag=sag, **body.validated_data)
        return Response(UdredningSerializer(udredning).data, status=status.HTTP_201_CREATED)


class TemaOplysningView(APIView):
    @extend_schema(
        summary="Gem et tema",
        description=(
            "Skriver det, der er oplyst i ét tema i den aktuelle udredning. Hele temaet "
            "erstattes: felter, der ikke sendes, bliver tomme. Kun i sagsoplysningen."
        ),
        parameters=[SAG_PK, TEMA_ID],
        request=TemaOplysningInputSerializer,
        responses={200: TemaOplysningSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def put(self, request: Request, sag_pk: int, tema_id: int) -> Response:
        sag = editable_sag(request, sag_pk)
        tema = _current_tema(tema_id)
        body = TemaOplysningInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = tema_oplysning_save(
            actor=request_user(request),
            udredning=_current_udredning(sag),
            tema=tema,
            **body.validated_data,
        )
        return Response(TemaOplysningSerializer(row).data)


class KildeView(APIView):
    @extend_schema(
        summary="Tilføj en kilde",
        description=(
            "En kildehenvisning til oplysninger fra andre i temaet: titel, dato, journalnummer "
            "og hvem der har udtalt det. Temaet skal være gemt først."
        ),
        parameters=[SAG_PK, TEMA_ID],
        request=KildehenvisningSerializer,
        responses={201: KildehenvisningSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, sag_pk: int, tema_id: int) -> Response:
        sag = editable_sag(request, sag_pk)
        tema = _current_tema(tema_id)
        body = KildehenvisningSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        oplysning = _current_udredning(sag).temaer.filter(tema=tema).first()
        if oplysning is None:
            raise ValidationError("Temaet er ikke gemt i udredningen; gem temaet først.")
        kilde = kilde_add(
            actor=request_user(request), tema_oplysning=oplysning, **body.validated_data
        )
        return Response(KildehenvisningSerializer(kilde).data, status=status.HTTP_201_CREATED)


class DelanalyseView(APIView):
    @extend_schema(
        summary="Gem en delanalyse",
        description="Delanalysen for én FFB-kategori i den aktuelle udredning.",
        parameters=[SAG_PK, KATEGORI_ID],
        request=DelanalyseInputSerializer,
        responses={200: DelanalyseSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def put(self, request: Request, sag_pk: int, kategori_id: int) -> Response:
        sag = editable_sag(request, sag_pk)
        kategori = Kategori.objects.current().filter(pk=kategori_id).first()
        if kategori is None:
            raise NotFound("Kategorien findes ikke i det gældende FFB-katalog.")
        body = DelanalyseInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = delanalyse_save(
            actor=request_user(request),
            udredning=_current_udredning(sag),
            kategori=kategori,
            tekst=body.validated_data["tekst"],
        )
        return Response(DelanalyseSerializer(row).data)


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
        request=FunktionsevnevurderingCreateSerializer,
        responses={201: FunktionsevnevurderingSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class FunktionsevnevurderingViewSet(mixins.CreateModelMixin, SagChildViewSet):
    serializer_class = FunktionsevnevurderingSerializer
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
        body = FunktionsevnevurderingCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        score = funktionsevne_score(
            actor=request_user(request), udredning=_current_udredning(sag), **body.validated_data
        )
        return Response(
            FunktionsevnevurderingSerializer(score).data, status=status.HTTP_201_CREATED
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
        request=IndhentningCreateSerializer,
        responses={201: IndhentningSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class IndhentningViewSet(mixins.CreateModelMixin, SagChildViewSet):
    serializer_class = IndhentningSerializer
    list_audit_summary = "Indhentninger vist"

    def get_queryset(self) -> QuerySet[Indhentning]:
        if getattr(self, "swagger_fake_view", False):
            return Indhentning.objects.none()
        return sag_indhentninger(sag=self.get_sag())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sag = self.sag_for(Action.EDIT)
        body = IndhentningCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        indhentning = indhentning_request(
            actor=request_user(request), sag=sag, **body.validated_data
        )
        return Response(IndhentningSerializer(indhentning).data, status=status.HTTP_201_CREATED)
