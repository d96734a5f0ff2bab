"""The caseworker's follow-ups over the API: the case's follow-ups with their timelines, one
follow-up as the caseworker sees it, planning the next one and cancelling the meeting."""

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases.api.views.common import BAD_REQUEST, NOT_FOUND, SAG_PK
from followup import selectors
from followup.api.serializers.opfoelgning import (
    AflysSerializer,
    OpfoelgningDetailSerializer,
    OpfoelgningSerializer,
    PlanlaegSerializer,
)
from followup.api.views.common import DETAIL_RESPONSES, created, not_found, opfoelgning_detail
from followup.api.views.skema import SkemaActions
from followup.api.views.udfald import UdfaldActions
from followup.services.opfoelgning import open_follow_up, opfoelgning_cancel, opfoelgning_plan
from vum.access import request_user


@extend_schema_view(
    list=extend_schema(
        summary="Sagens opfølgninger",
        description=(
            "Alle sagens opfølgninger, nyeste først, hver med sin tidslinje af frister "
            "(statusnotat, gennemgang, møde, opfølgningsskema). Registreres i revisionssporet."
        ),
        parameters=[SAG_PK],
        responses={200: OpfoelgningSerializer(many=True), 404: NOT_FOUND},
    ),
    retrieve=extend_schema(
        summary="Opfølgning",
        description=(
            "Opfølgningen med tidslinjen, udførerens statusnotat (når det er sendt), "
            "opfølgningsskemaet med en række pr. mål og hvad det mangler, udførernes "
            "delmålsnotater og magtanvendelser i perioden. Registreres i revisionssporet."
        ),
        parameters=[SAG_PK],
        responses={200: OpfoelgningDetailSerializer, 404: NOT_FOUND},
    ),
    planlaeg=extend_schema(
        summary="Planlæg næste opfølgning",
        description=(
            "Planlægger opfølgningen ud fra målene og kommunens katalog (senest 2 år efter "
            "den forrige; § 100 årligt) med tidslinjen af frister; udføreren får besked. Har "
            "sagen allerede en åben opfølgning, returneres den (200). 400 hvis sagen ikke er i "
            "levering med en bevilget indsats."
        ),
        parameters=[SAG_PK],
        request=PlanlaegSerializer,
        responses={
            201: OpfoelgningDetailSerializer,
            200: OpfoelgningDetailSerializer,
            400: BAD_REQUEST,
            404: NOT_FOUND,
        },
    ),
    aflys=extend_schema(
        summary="Aflys mødet",
        description=(
            "Sagsbehandleren aflyser opfølgningen med en begrundelse, fx når statusnotatet er "
            "utilstrækkeligt; de åbne frister annulleres. Planlæg derefter en ny."
        ),
        parameters=[SAG_PK],
        request=AflysSerializer,
        responses=DETAIL_RESPONSES,
    ),
)
class OpfoelgningViewSet(SkemaActions, UdfaldActions):
    """The caseworker's follow-ups of a case: the list, one follow-up, planning and cancelling;
    the form (`skema.py`) and the outcome (`udfald.py`) are its actions too."""

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = selectors.sag_opfoelgninger(user=request_user(request), sag=self._sag())
        return Response(OpfoelgningSerializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(opfoelgning_detail(request, self._sag(), kwargs["pk"]))

    @action(detail=False, methods=["post"], url_path="planlaeg")
    def planlaeg(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sag = self._sag()
        body = PlanlaegSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        existing = open_follow_up(sag)
        with not_found(Http404):
            planned = opfoelgning_plan(
                actor=request_user(request), sag=sag, agreed=body.validated_data["aftalt"]
            )
        data = opfoelgning_detail(request, sag, planned.pk)
        return Response(data) if existing is not None else created(data)

    @action(detail=True, methods=["post"], url_path="aflys")
    def aflys(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sag = self._sag()
        opfoelgning = self._opfoelgning(sag)
        body = AflysSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with not_found(Http404):
            opfoelgning_cancel(
                actor=request_user(request),
                opfoelgning=opfoelgning,
                begrundelse=body.validated_data["begrundelse"],
            )
        return Response(opfoelgning_detail(request, sag, opfoelgning.pk))
