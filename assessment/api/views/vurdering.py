"""The sagsvurdering over the API: its sections, goals, support need, indsatser with prices
and target groups."""

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assessment.api.serializers.vurdering import (
    IndsatsCreateSerializer,
    IndsatsmaalCreateSerializer,
    IndsatsmaalSerializer,
    IndsatsSerializer,
    MaalgrupperInputSerializer,
    PrislinjeCreateSerializer,
    PrislinjeSerializer,
    SagsvurderingOversigt,
    SagsvurderingOversigtSerializer,
    SagsvurderingUpdateSerializer,
    StoettebehovInputSerializer,
)
from assessment.api.views.common import editable_sag
from assessment.models import Indsats, Indsatsmaal, Sagsvurdering
from assessment.selectors.vurdering import SagsvurderingView, sagsvurdering_overview
from assessment.services.vurdering import (
    decision_route,
    indsats_add,
    maal_add,
    maalgrupper_set,
    prislinje_add,
    sagsvurdering_current,
    sagsvurdering_start,
    sagsvurdering_update,
    stoettebehov_set,
    yearly_cost,
)
from cases.api.views.common import BAD_REQUEST, NOT_FOUND, SAG_PK
from cases.lifecycle import blockers
from cases.models import Sag
from vum.access import get_sag_or_404, request_user
from vum.api import IF_MATCH, IF_MATCH_DESCRIPTION, PRECONDITIONS, if_match_version, versioned


def _oversigt(sag: Sag, view: SagsvurderingView) -> SagsvurderingOversigt:
    """The assessment with what follows from it: the guards on the decision (read on the case
    as stored now), who decides and the yearly cost."""
    vurdering = view.vurdering
    assert vurdering is not None
    return SagsvurderingOversigt(
        view=view,
        afgoerelse_blokeringer=blockers(Sag.objects.get(pk=sag.pk), "start_afgoerelse"),
        afgoerelseskompetence=decision_route(vurdering=vurdering),
        aarlig_udgift=yearly_cost(vurdering=vurdering),
    )


def _vurdering_response(request: Request, sag: Sag, status_code: int = 200) -> Response:
    """The whole assessment, as GET shows it (read through the audited selector)."""
    view = sagsvurdering_overview(user=request_user(request), sag=sag)
    if view.vurdering is None:
        raise NotFound("Sagen har ingen sagsvurdering endnu.")
    data = SagsvurderingOversigtSerializer(_oversigt(sag, view)).data
    return versioned(Response(data, status=status_code), view.vurdering)


def _current_vurdering(sag: Sag) -> Sagsvurdering:
    vurdering = sagsvurdering_current(sag=sag)
    if vurdering is None:
        raise ValidationError("Sagen har ingen sagsvurdering endnu; start en først.")
    return vurdering


VURDERING_RESPONSES: dict[int, Any] = {
    200: SagsvurderingOversigtSerializer,
    400: BAD_REQUEST,
    404: NOT_FOUND,
    **PRECONDITIONS,
}


class SagsvurderingAPIView(APIView):
    @extend_schema(
        summary="Sagsvurderingen",
        description=(
            "Sagens aktuelle sagsvurdering: felterne, indsatsmålene med det overførte aktuelle "
            "funktionsevneniveau og timer, indsatserne med ydelser og prislinjer, beløb i alt og "
            "pr. år, målgrupperne, hvad der blokerer afgørelsen (`start_afgoerelse`) og hvem der "
            "træffer den. 404 hvis ingen sagsvurdering er startet. Registreres i revisionssporet."
        ),
        parameters=[SAG_PK],
        responses={200: SagsvurderingOversigtSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, sag_pk: int) -> Response:
        return _vurdering_response(request, get_sag_or_404(request_user(request), sag_pk))

    @extend_schema(
        summary="Start sagsvurderingen",
        description="Starter en sagsvurdering på grundlag af den aktuelle udredning. Kun i "
        "sagsvurdering.",
        parameters=[SAG_PK],
        request=None,
        responses={201: SagsvurderingOversigtSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, sag_pk: int) -> Response:
        sag = editable_sag(request, sag_pk)
        sagsvurdering_start(actor=request_user(request), sag=sag)
        return _vurdering_response(request, sag, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Ret sagsvurderingen",
        description=(
            "Ændrer de felter, der sendes; andre bevarer deres værdi. Et afslag (`berettiget` "
            "false) kræver en grundig begrundelse og en vurdering af det behov, borgeren selv "
            "oplever; en henvisning til kvalitetsstandarden alene er ikke nok. "
            + IF_MATCH_DESCRIPTION
        ),
        parameters=[SAG_PK, IF_MATCH],
        request=SagsvurderingUpdateSerializer,
        responses=VURDERING_RESPONSES,
    )
    def patch(self, request: Request, sag_pk: int) -> Response:
        sag = editable_sag(request, sag_pk)
        read_version = if_match_version(request)
        body = SagsvurderingUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        sagsvurdering_update(
            actor=request_user(request),
            vurdering=_current_vurdering(sag),
            expected_version=read_version,
            **body.validated_data,
        )
        return _vurdering_response(request, sag)


class IndsatsmaalView(APIView):
    @extend_schema(
        summary="Tilføj et indsatsmål",
        description=(
            "Et mål på præcis ét undertema under Aktivitet og deltagelse. Det aktuelle "
            "funktionsevneniveau overføres fra udredningens seneste score af undertemaet."
        ),
        parameters=[SAG_PK],
        request=IndsatsmaalCreateSerializer,
        responses={201: IndsatsmaalSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, sag_pk: int) -> Response:
        sag = editable_sag(request, sag_pk)
        body = IndsatsmaalCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        maal = maal_add(
            actor=request_user(request), vurdering=_current_vurdering(sag), **body.validated_data
        )
        shown = Indsatsmaal.objects.select_related(
            "maaltype", "primaert_undertema", "aktuel_vurdering__niveau", "udfoerer"
        ).get(pk=maal.pk)
        return Response(IndsatsmaalSerializer(shown).data, status=status.HTTP_201_CREATED)


class StoettebehovView(APIView):
    @extend_schema(
        summary="Fastsæt støttebehovet",
        description=(
            "Det aktuelle støttebehov (0-4). Indsatsmålene sættes før støttebehovet, medmindre "
            "sagsvurderingen giver afslag. " + IF_MATCH_DESCRIPTION
        ),
        parameters=[SAG_PK, IF_MATCH],
        request=StoettebehovInputSerializer,
        responses=VURDERING_RESPONSES,
    )
    def put(self, request: Request, sag_pk: int) -> Response:
        sag = editable_sag(request, sag_pk)
        read_version = if_match_version(request)
        body = StoettebehovInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        stoettebehov_set(
            actor=request_user(request),
            vurdering=_current_vurdering(sag),
            vaerdi=body.validated_data["vaerdi"],
            expected_version=read_version,
        )
        return _vurdering_response(request, sag)


def _indsats_shown(pk: int) -> Indsats:
    return (
        Indsats.objects.select_related("kommunal_ydelse", "tilbudstype", "udfoerer")
        .prefetch_related("ydelser", "prislinjer__ydelse")
        .get(pk=pk)
    )


class IndsatsView(APIView):
    @extend_schema(
        summary="Tilføj en indsats",
        description=(
            "Ydelser fra kataloget, tilbud, udfører, konto og forventet start. Kun indsatser "
            "efter §§ 82 a, 82 b og 82 d kan have en fast slutdato; andre er uden slutdato."
        ),
        parameters=[SAG_PK],
        request=IndsatsCreateSerializer,
        responses={201: IndsatsSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, sag_pk: int) -> Response:
        sag = editable_sag(request, sag_pk)
        body = IndsatsCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        indsats = indsats_add(
            actor=request_user(request), vurdering=_current_vurdering(sag), **body.validated_data
        )
        return Response(
            IndsatsSerializer(_indsats_shown(indsats.pk)).data, status=status.HTTP_201_CREATED
        )


INDSATS_ID = OpenApiParameter(
    "indsats_id", int, OpenApiParameter.PATH, description="Indsatsens id."
)


class PrislinjeView(APIView):
    @extend_schema(
        summary="Tilføj en prislinje",
        description=(
            "Beløb = antal i hver periode * antal gentagelser * enhedspris. Prislinjen skal "
            "gælde en af indsatsens ydelser."
        ),
        parameters=[SAG_PK, INDSATS_ID],
        request=PrislinjeCreateSerializer,
        responses={201: PrislinjeSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, sag_pk: int, indsats_id: int) -> Response:
        sag = editable_sag(request, sag_pk)
        indsats = (
            Indsats.objects.filter(vurdering=sagsvurdering_current(sag=sag), pk=indsats_id)
            .select_related("vurdering__sag")
            .first()
        )
        if indsats is None:
            raise NotFound("Indsatsen findes ikke i sagens sagsvurdering.")
        body = PrislinjeCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        line = prislinje_add(actor=request_user(request), indsats=indsats, **body.validated_data)
        return Response(PrislinjeSerializer(line).data, status=status.HTTP_201_CREATED)


class MaalgrupperView(APIView):
    @extend_schema(
        summary="Vælg målgrupper",
        description=(
            "Præcis én primær målgruppe og eventuelt andre; erstatter det tidligere valg. Et "
            "udkast, indtil afgørelsen bekræfter det. " + IF_MATCH_DESCRIPTION
        ),
        parameters=[SAG_PK, IF_MATCH],
        request=MaalgrupperInputSerializer,
        responses=VURDERING_RESPONSES,
    )
    def put(self, request: Request, sag_pk: int) -> Response:
        sag = editable_sag(request, sag_pk)
        read_version = if_match_version(request)
        body = MaalgrupperInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        maalgrupper_set(
            actor=request_user(request),
            vurdering=_current_vurdering(sag),
            expected_version=read_version,
            **body.validated_data,
        )
        return _vurdering_response(request, sag)
