"""The provider's side of a follow-up over the API: the follow-up of a case it serves (what its
order carries and what it wrote), the meeting it calls and its statusnotat. Only the provider's
staff, and only while the order is active."""

from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases.api.views.common import BAD_REQUEST, NOT_FOUND
from followup import selectors
from followup.api.serializers.statusnotat import (
    IndkaldSerializer,
    StatusnotatInputSerializer,
    UdfoererOpfoelgningSerializer,
    UdfoererVisning,
)
from followup.api.views.common import not_found
from followup.models import Opfoelgning, StatusnotatMaal
from followup.services.opfoelgning import opfoelgning_call, statusnotat_save
from vum.access import request_user
from vum.deadlines.models import Frist

# The deadlines of the timeline the provider answers for or takes part in.
PROVIDER_DEADLINES = (Frist.Art.STATUSNOTAT, Frist.Art.OPFOELGNING)


def _udfoerer_visning(request: Request, pk: int) -> UdfoererVisning:
    """The follow-up as the provider sees it: what its order carries and what it wrote. With
    several providers on the case, only the one that calls the meeting writes the statusnotat,
    and no provider sees another's."""
    with not_found():
        opfoelgning, order = selectors.udfoerer_opfoelgning(user=request_user(request), pk=pk)
    note = getattr(opfoelgning, "statusnotat", None)
    if note is not None and note.udfoerer_id != order.udfoerer_id:
        note = None
    if note is not None:
        prefetch_related_objects(
            [note],
            Prefetch("maal", queryset=StatusnotatMaal.objects.select_related("indsatsmaal")),
        )
    return UdfoererVisning(
        opfoelgning=opfoelgning,
        bestilling=order,
        ansvarlig=opfoelgning.udfoerer_id in (None, order.udfoerer_id),
        frister=[f for f in opfoelgning.frister.all() if f.art in PROVIDER_DEADLINES],
        statusnotat=note,
        maal=list((order.indhold or {}).get("maal", [])),
        notater=selectors.period_notes(opfoelgning, udfoerer_id=order.udfoerer_id),
    )


def _udfoerer_response(request: Request, pk: int) -> Response:
    return Response(UdfoererOpfoelgningSerializer(_udfoerer_visning(request, pk)).data)


PROVIDER_RESPONSES: dict[int, Any] = {
    200: UdfoererOpfoelgningSerializer,
    400: BAD_REQUEST,
    404: NOT_FOUND,
}


@extend_schema_view(
    retrieve=extend_schema(
        summary="Opfølgning (udfører)",
        description=(
            "En opfølgning på en sag, udføreren har en aktiv bestilling på: datoen og hvorfor, "
            "statusnotatets frist og mødet, bestillingens mål, jeres statusnotat og jeres "
            "delmålsnotater i perioden. Kun for udførerens medarbejdere; adgangen slutter med "
            "bestillingen. Registreres i revisionssporet."
        ),
        responses={200: UdfoererOpfoelgningSerializer, 404: NOT_FOUND},
    ),
    indkald=extend_schema(
        summary="Indkald til mødet",
        description=(
            "Udføreren indkalder til opfølgningsmødet: tidspunkt, form (møde, telefon, video, "
            "andet), sted (påkrævet for et møde) og deltagere. Kan rettes, indtil opfølgningen "
            "er holdt. Sagsbehandleren får besked."
        ),
        request=IndkaldSerializer,
        responses=PROVIDER_RESPONSES,
    ),
    statusnotat=extend_schema(
        summary="Gem eller send statusnotatet",
        description=(
            "Pr. bestilt mål: vurdering af arbejdet, målopfyldelse og ændring i niveau; "
            "væsentlige ændringer og bemærkninger. Med `indsend` sendes det til "
            "sagsbehandleren (alle mål skal have en vurdering af arbejdet), fristen er "
            "overholdt, og notatet kan derefter ikke ændres."
        ),
        request=StatusnotatInputSerializer,
        responses=PROVIDER_RESPONSES,
    ),
)
class UdfoererOpfoelgningViewSet(viewsets.GenericViewSet[Any]):
    lookup_value_converter = "int"
    pagination_class = None
    serializer_class = UdfoererOpfoelgningSerializer

    def get_queryset(self) -> QuerySet[Opfoelgning]:
        return Opfoelgning.objects.none()

    def _opfoelgning(self) -> Opfoelgning:
        with not_found():
            found, _order = selectors.udfoerer_opfoelgning(
                user=request_user(self.request), pk=self.kwargs["pk"]
            )
        return found

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _udfoerer_response(request, kwargs["pk"])

    @action(detail=True, methods=["post"], url_path="indkald")
    def indkald(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        opfoelgning = self._opfoelgning()
        body = IndkaldSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with not_found(Http404):
            opfoelgning_call(
                actor=request_user(request), opfoelgning=opfoelgning, **body.validated_data
            )
        return _udfoerer_response(request, opfoelgning.pk)

    @action(detail=True, methods=["put", "post"], url_path="statusnotat")
    def statusnotat(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        opfoelgning = self._opfoelgning()
        body = StatusnotatInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with not_found(Http404):
            statusnotat_save(
                actor=request_user(request),
                opfoelgning=opfoelgning,
                maal=body.goals(),
                vaesentlige_aendringer=body.validated_data["vaesentlige_aendringer"],
                bemaerkninger=body.validated_data["bemaerkninger"],
                indsend=body.validated_data["indsend"],
            )
        return _udfoerer_response(request, opfoelgning.pk)
