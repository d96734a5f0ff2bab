"""Consent over the API (samtykker, retssikkerhedslovens §§ 11 a-11 c): registering and
withdrawing it. The sagsåbning itself, the application and the purpose are actions of the case
(`sag.py`, under sager/{sag_pk}/)."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases.api import serializers as s
from cases.api.views.common import BAD_REQUEST, NOT_FOUND, SAG_PK, SagChildViewSet
from cases.models import Samtykke
from cases.selectors import sag_samtykker, samtykke_get
from cases.services.sagsaabning import samtykke_register, samtykke_withdraw
from vum.access import Action, request_user


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
