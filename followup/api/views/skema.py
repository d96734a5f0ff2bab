"""The caseworker's follow-up form over the API: starting it (the case moves to opfølgning) and
filling it in, with the goal rows and the personrettet tilsyn. An action of the caseworker's
follow-up view (`opfoelgning.OpfoelgningViewSet`)."""

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases.api.views.common import BAD_REQUEST, NOT_FOUND, SAG_PK
from followup.api.serializers.opfoelgning import OpfoelgningDetailSerializer
from followup.api.serializers.skema import SkemaUpdateSerializer
from followup.api.views.common import (
    DETAIL_RESPONSES,
    OpfoelgningBase,
    created,
    not_found,
    opfoelgning_detail,
)
from followup.services.skema import skema_start, skema_update
from vum.access import request_user


class SkemaActions(OpfoelgningBase):
    """The follow-up form: starting it and filling it in (the caseworker)."""

    @extend_schema(
        methods=["POST"],
        summary="Start opfølgningsskemaet",
        description=(
            "Åbner skemaet med en række pr. mål (overført aktuelt og forventet niveau) og "
            "støttebehovet før; sagen går i opfølgning. Er skemaet startet, returneres det (200)."
        ),
        parameters=[SAG_PK],
        request=None,
        responses={
            201: OpfoelgningDetailSerializer,
            200: OpfoelgningDetailSerializer,
            400: BAD_REQUEST,
            404: NOT_FOUND,
        },
    )
    @extend_schema(
        methods=["PATCH"],
        summary="Udfyld opfølgningsskemaet",
        description=(
            "Ændrer de felter, der sendes (praktisk, samlet vurdering, status på indsats, "
            "støttebehov efter, personrettet tilsyn); `maal` ændrer de nævnte målrækker: "
            "vurderinger, nyt aktuelt niveau (dateres i dag) og fremadrettet. 400 hvis skemaet "
            "ikke er startet eller er afsluttet."
        ),
        parameters=[SAG_PK],
        request=SkemaUpdateSerializer,
        responses=DETAIL_RESPONSES,
    )
    @action(detail=True, methods=["post", "patch"], url_path="skema")
    def skema(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sag = self._sag()
        opfoelgning = self._opfoelgning(sag)
        user = request_user(request)
        if request.method == "POST":
            started = getattr(opfoelgning, "skema", None) is not None
            with not_found(Http404):
                skema_start(actor=user, opfoelgning=opfoelgning)
            data = opfoelgning_detail(request, sag, opfoelgning.pk)
            return Response(data) if started else created(data)
        body = SkemaUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with not_found(Http404):
            skema_update(
                actor=user,
                skema=self._skema(opfoelgning),
                maal=body.goals(),
                **body.fields_changed(),
            )
        return Response(opfoelgning_detail(request, sag, opfoelgning.pk))
