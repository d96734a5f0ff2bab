"""Complaints over the API: registering, reconsidering and Ankestyrelsen's part."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from assessment.api.serializers.klage import (
    KlageAnkestyrelsensAfgoerelseSerializer,
    KlageAnkestyrelsenSerializer,
    KlageCreateSerializer,
    KlageGenvurderingSerializer,
    KlageSerializer,
)
from assessment.models import Klage
from assessment.selectors.klage import klage_get, sag_klager, sag_klager_qs
from assessment.services.klage import (
    klage_ankestyrelsens_afgoerelse,
    klage_genvurder,
    klage_register,
    klage_send_to_ankestyrelsen,
)
from cases.api.views.common import BAD_REQUEST, NOT_FOUND, SAG_PK, SagChildViewSet
from vum.access import Action, request_user


@extend_schema_view(
    list=extend_schema(
        summary="Klager",
        description="Klager over sagens afgørelser. Registreres i revisionssporet.",
        parameters=[SAG_PK],
    ),
    retrieve=extend_schema(summary="Klage", parameters=[SAG_PK]),
    create=extend_schema(
        summary="Registrér en klage",
        description=(
            "En klage modtaget over en af sagens afgørelser. En klage efter klagefristen "
            "markeres (`for_sent`), men afvises ikke. Opretter fristen for genvurdering (4 uger)."
        ),
        parameters=[SAG_PK],
        request=KlageCreateSerializer,
        responses={201: KlageSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    genvurdering=extend_schema(
        summary="Registrér genvurderingen",
        description=(
            "Kommunens genvurdering. (Delvist) medhold kræver `ny_afgoerelse`: en ny afgørelse, "
            "der erstatter den påklagede. En fastholdt afgørelse sendes til Ankestyrelsen."
        ),
        parameters=[SAG_PK],
        request=KlageGenvurderingSerializer,
        responses={200: KlageSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    ankestyrelsen=extend_schema(
        summary="Send klagen til Ankestyrelsen",
        description="Registrerer, hvornår en helt eller delvist fastholdt klage blev sendt.",
        parameters=[SAG_PK],
        request=KlageAnkestyrelsenSerializer,
        responses={200: KlageSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    ankestyrelsens_afgoerelse=extend_schema(
        summary="Registrér Ankestyrelsens afgørelse",
        parameters=[SAG_PK],
        request=KlageAnkestyrelsensAfgoerelseSerializer,
        responses={200: KlageSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class KlageViewSet(mixins.CreateModelMixin, SagChildViewSet):
    """A case has few complaints: the list is not paginated."""

    serializer_class = KlageSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Klage]:
        if getattr(self, "swagger_fake_view", False):
            return Klage.objects.none()
        return sag_klager_qs(sag=self.get_sag())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = sag_klager(user=request_user(request), sag=self.get_sag())
        return Response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        klage = klage_get(user=request_user(request), sag=self.get_sag(), pk=kwargs["pk"])
        return Response(self.get_serializer(klage).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.sag_for(Action.EDIT)
        body = KlageCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        klage = klage_register(
            actor=request_user(request),
            afgoerelse=data["afgoerelse"],
            modtaget=data["modtaget"] or timezone.now(),
            kanal=data["kanal"],
            tekst=data["tekst"],
        )
        return Response(self.get_serializer(klage).data, status=status.HTTP_201_CREATED)

    def _answer(self, klage: Klage) -> Response:
        return Response(
            self.get_serializer(sag_klager_qs(sag=self.get_sag()).get(pk=klage.pk)).data
        )

    @action(detail=True, methods=["post"], url_path="genvurdering")
    def genvurdering(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.sag_for(Action.EDIT)
        klage = self.get_object()
        body = KlageGenvurderingSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        done = klage_genvurder(actor=request_user(request), klage=klage, **body.validated_data)
        return self._answer(done)

    @action(detail=True, methods=["post"], url_path="ankestyrelsen")
    def ankestyrelsen(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.sag_for(Action.EDIT)
        klage = self.get_object()
        body = KlageAnkestyrelsenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = klage_send_to_ankestyrelsen(
            actor=request_user(request), klage=klage, dato=body.validated_data["dato"]
        )
        return self._answer(done)

    @action(detail=True, methods=["post"], url_path="ankestyrelsens-afgoerelse")
    def ankestyrelsens_afgoerelse(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.sag_for(Action.EDIT)
        klage = self.get_object()
        body = KlageAnkestyrelsensAfgoerelseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = klage_ankestyrelsens_afgoerelse(
            actor=request_user(request), klage=klage, **body.validated_data
        )
        return self._answer(done)
