"""The follow-up API: the caseworker's follow-ups of a case (plan, cancel, the follow-up form with
the personrettet tilsyn, and the outcome that closes the VUM loop) and the provider's side (the
follow-up of a case it serves, the meeting it calls and its statusnotat).

As in cases.api, assessment.api and orders.api: the views only translate HTTP to calls of the
access policy, the selectors and the services. Anything outside the user's scope, and a write the
user may not make, answers 404; a missing object and one outside the scope get the same answer.
Reads of citizen data are audited by the selectors; writes by the services. A service's Danish
ValidationError is a 400 (the project's exception handler), e.g. the list of what the follow-up
form lacks before it can be completed.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from cases.api.views import BAD_REQUEST, NOT_FOUND, SAG_PK
from cases.models import Sag
from followup import selectors
from followup.api import serializers as s
from followup.models import Opfoelgning, Opfoelgningsskema, SkemaMaal, StatusnotatMaal
from followup.services.opfoelgning import (
    open_follow_up,
    opfoelgning_call,
    opfoelgning_cancel,
    opfoelgning_plan,
    statusnotat_save,
)
from followup.services.skema import skema_start, skema_update
from followup.services.udfald import (
    opfoelgning_continue,
    opfoelgning_end,
    opfoelgning_move_away,
    opfoelgning_revise_goals,
    opfoelgning_revisitation,
)
from vum.access import get_sag_or_404, request_user
from vum.deadlines.models import Frist

OPFOELGNING_NOT_FOUND = "Opfølgningen findes ikke eller er ikke tilgængelig for dig."
NO_SKEMA = "Start opfølgningsskemaet først."
# The deadlines of the timeline the provider answers for or takes part in.
PROVIDER_DEADLINES = (Frist.Art.STATUSNOTAT, Frist.Art.OPFOELGNING)


@contextmanager
def _not_found(*caught: type[Exception]) -> Iterator[None]:
    """Missing, outside the user's scope or not theirs to change: one 404 with one message, so
    the answer does not tell whether the follow-up exists."""
    missing: tuple[type[Exception], ...] = caught or (Http404, ObjectDoesNotExist)
    try:
        yield
    except missing as exc:
        raise NotFound(OPFOELGNING_NOT_FOUND) from exc


def _created(data: Any) -> Response:
    return Response(data, status=status.HTTP_201_CREATED)


# The caseworker


def _detail(request: Request, sag: Sag, pk: int) -> dict[str, Any]:
    """The follow-up as GET shows it (read through the audited selector)."""
    with _not_found():
        view = selectors.opfoelgning_view(user=request_user(request), sag=sag, pk=pk)
    if view.skema is not None:
        prefetch_related_objects(
            [view.skema],
            Prefetch(
                "maal",
                queryset=SkemaMaal.objects.select_related("indsatsmaal", "fremadrettet"),
            ),
        )
    if view.statusnotat is not None:
        prefetch_related_objects(
            [view.statusnotat],
            Prefetch("maal", queryset=StatusnotatMaal.objects.select_related("indsatsmaal")),
        )
    prefetch_related_objects(view.magtanvendelser, "oprettet_af")
    return dict(s.OpfoelgningDetailSerializer(view).data)


DETAIL_RESPONSES: dict[int, Any] = {
    200: s.OpfoelgningDetailSerializer,
    400: BAD_REQUEST,
    404: NOT_FOUND,
}


@extend_schema_view(
    list=extend_schema(
        summary="Sagens opfølgninger",
        description=(
            "Alle sagens opfølgninger, nyeste først, hver med sin tidslinje af frister "
            "(statusnotat, gennemgang, møde, opfølgningsskema). Registreres i revisionssporet."
        ),
        parameters=[SAG_PK],
        responses={200: s.OpfoelgningSerializer(many=True), 404: NOT_FOUND},
    ),
    retrieve=extend_schema(
        summary="Opfølgning",
        description=(
            "Opfølgningen med tidslinjen, udførerens statusnotat (når det er sendt), "
            "opfølgningsskemaet med en række pr. mål og hvad det mangler, udførernes "
            "delmålsnotater og magtanvendelser i perioden. Registreres i revisionssporet."
        ),
        parameters=[SAG_PK],
        responses={200: s.OpfoelgningDetailSerializer, 404: NOT_FOUND},
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
        request=s.PlanlaegSerializer,
        responses={
            201: s.OpfoelgningDetailSerializer,
            200: s.OpfoelgningDetailSerializer,
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
        request=s.AflysSerializer,
        responses=DETAIL_RESPONSES,
    ),
    udfald=extend_schema(
        summary="Afslut opfølgningen med et udfald",
        description=(
            "fortsaet: indsatsen fortsætter uændret (borgeren er enig; noteres som afgørelse i "
            "journalen) og næste opfølgning planlægges. revider: målene markeret 'Mål skal "
            "revideres' ændres, og en ny bestillingsversion sendes. revisitation: sagen går "
            "tilbage til sagsoplysning (`begrundelse`). ophoer: afgørelse om ophør "
            "(`virkningsdato` og begrundelser); bestillingerne slutter. fraflytning: sagen "
            "udleveres til den nye handlekommune (`modtager`, kræver samtykke) og afsluttes. "
            "400 med listen over det, skemaet mangler (fx det personrettede tilsyn)."
        ),
        parameters=[SAG_PK],
        request=s.UdfaldSerializer,
        responses={200: s.UdfaldResultatSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class OpfoelgningViewSet(viewsets.GenericViewSet[Opfoelgning]):
    lookup_value_converter = "int"
    pagination_class = None
    serializer_class = s.OpfoelgningSerializer

    def get_queryset(self) -> QuerySet[Opfoelgning]:
        # Only for the schema: every read goes through the audited selectors.
        return Opfoelgning.objects.none()

    def _sag(self) -> Sag:
        return get_sag_or_404(request_user(self.request), self.kwargs["sag_pk"])

    def _opfoelgning(self, sag: Sag) -> Opfoelgning:
        with _not_found():
            return selectors.opfoelgning_get(
                user=request_user(self.request), sag=sag, pk=self.kwargs["pk"]
            )

    def _skema(self, opfoelgning: Opfoelgning) -> Opfoelgningsskema:
        skema = getattr(opfoelgning, "skema", None)
        if skema is None:
            raise ValidationError(NO_SKEMA)
        return skema

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = selectors.sag_opfoelgninger(user=request_user(request), sag=self._sag())
        return Response(s.OpfoelgningSerializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(_detail(request, self._sag(), kwargs["pk"]))

    @action(detail=False, methods=["post"], url_path="planlaeg")
    def planlaeg(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sag = self._sag()
        body = s.PlanlaegSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        existing = open_follow_up(sag)
        with _not_found(Http404):
            planned = opfoelgning_plan(
                actor=request_user(request), sag=sag, agreed=body.validated_data["aftalt"]
            )
        data = _detail(request, sag, planned.pk)
        return Response(data) if existing is not None else _created(data)

    @action(detail=True, methods=["post"], url_path="aflys")
    def aflys(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sag = self._sag()
        opfoelgning = self._opfoelgning(sag)
        body = s.AflysSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with _not_found(Http404):
            opfoelgning_cancel(
                actor=request_user(request),
                opfoelgning=opfoelgning,
                begrundelse=body.validated_data["begrundelse"],
            )
        return Response(_detail(request, sag, opfoelgning.pk))

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
            201: s.OpfoelgningDetailSerializer,
            200: s.OpfoelgningDetailSerializer,
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
        request=s.SkemaUpdateSerializer,
        responses=DETAIL_RESPONSES,
    )
    @action(detail=True, methods=["post", "patch"], url_path="skema")
    def skema(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sag = self._sag()
        opfoelgning = self._opfoelgning(sag)
        user = request_user(request)
        if request.method == "POST":
            started = getattr(opfoelgning, "skema", None) is not None
            with _not_found(Http404):
                skema_start(actor=user, opfoelgning=opfoelgning)
            data = _detail(request, sag, opfoelgning.pk)
            return Response(data) if started else _created(data)
        body = s.SkemaUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with _not_found(Http404):
            skema_update(
                actor=user,
                skema=self._skema(opfoelgning),
                maal=body.goals(),
                **body.fields_changed(),
            )
        return Response(_detail(request, sag, opfoelgning.pk))

    @action(detail=True, methods=["post"], url_path="udfald")
    def udfald(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sag = self._sag()
        opfoelgning = self._opfoelgning(sag)
        body = s.UdfaldSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        user = request_user(request)
        skema = self._skema(opfoelgning)
        result: dict[str, Any] = {
            "udfald": data["udfald"],
            "naeste_opfoelgning": None,
            "bestillinger": [],
            "afgoerelse": None,
            "udlevering": None,
        }
        with _not_found(Http404):
            if data["udfald"] == Opfoelgningsskema.Udfald.FORTSAET:
                opfoelgning_continue(actor=user, skema=skema)
            elif data["udfald"] == Opfoelgningsskema.Udfald.REVIDER:
                sent = opfoelgning_revise_goals(actor=user, skema=skema, maal=body.goals())
                result["bestillinger"] = [b.pk for b in sent]
            elif data["udfald"] == Opfoelgningsskema.Udfald.REVISITATION:
                opfoelgning_revisitation(actor=user, skema=skema, begrundelse=data["begrundelse"])
            elif data["udfald"] == Opfoelgningsskema.Udfald.OPHOER:
                decision = opfoelgning_end(
                    actor=user,
                    skema=skema,
                    virkningsdato=data["virkningsdato"],
                    begrundelse_vurdering=data["begrundelse_vurdering"],
                    begrundelse_regler=data["begrundelse_regler"],
                    begrundelse_oplysninger=data["begrundelse_oplysninger"],
                )
                result["afgoerelse"] = decision.pk
            else:
                udlevering = opfoelgning_move_away(
                    actor=user, skema=skema, modtager=data["modtager"]
                )
                result["udlevering"] = udlevering.pk
        sag = Sag.objects.get(pk=sag.pk)
        with _not_found():
            result["opfoelgning"] = selectors.opfoelgning_get(user=user, sag=sag, pk=opfoelgning.pk)
        result["naeste_opfoelgning"] = open_follow_up(sag)
        if result["naeste_opfoelgning"] is not None:
            result["naeste_opfoelgning"] = selectors.opfoelgning_get(
                user=user, sag=sag, pk=result["naeste_opfoelgning"].pk
            )
        result["sag_fase"] = sag.fase
        return Response(s.UdfaldResultatSerializer(result).data)


# The provider (udfører)


def _udfoerer_visning(request: Request, pk: int) -> s.UdfoererVisning:
    """The follow-up as the provider sees it: what its order carries and what it wrote. With
    several providers on the case, only the one that calls the meeting writes the statusnotat,
    and no provider sees another's."""
    with _not_found():
        opfoelgning, order = selectors.udfoerer_opfoelgning(user=request_user(request), pk=pk)
    note = getattr(opfoelgning, "statusnotat", None)
    if note is not None and note.udfoerer_id != order.udfoerer_id:
        note = None
    if note is not None:
        prefetch_related_objects(
            [note],
            Prefetch("maal", queryset=StatusnotatMaal.objects.select_related("indsatsmaal")),
        )
    return s.UdfoererVisning(
        opfoelgning=opfoelgning,
        bestilling=order,
        ansvarlig=opfoelgning.udfoerer_id in (None, order.udfoerer_id),
        frister=[f for f in opfoelgning.frister.all() if f.art in PROVIDER_DEADLINES],
        statusnotat=note,
        maal=list((order.indhold or {}).get("maal", [])),
        notater=selectors.period_notes(opfoelgning, udfoerer_id=order.udfoerer_id),
    )


def _udfoerer_response(request: Request, pk: int) -> Response:
    return Response(s.UdfoererOpfoelgningSerializer(_udfoerer_visning(request, pk)).data)


PROVIDER_RESPONSES: dict[int, Any] = {
    200: s.UdfoererOpfoelgningSerializer,
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
        responses={200: s.UdfoererOpfoelgningSerializer, 404: NOT_FOUND},
    ),
    indkald=extend_schema(
        summary="Indkald til mødet",
        description=(
            "Udføreren indkalder til opfølgningsmødet: tidspunkt, form (møde, telefon, video, "
            "andet), sted (påkrævet for et møde) og deltagere. Kan rettes, indtil opfølgningen "
            "er holdt. Sagsbehandleren får besked."
        ),
        request=s.IndkaldSerializer,
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
        request=s.StatusnotatInputSerializer,
        responses=PROVIDER_RESPONSES,
    ),
)
class UdfoererOpfoelgningViewSet(viewsets.GenericViewSet[Any]):
    lookup_value_converter = "int"
    pagination_class = None
    serializer_class = s.UdfoererOpfoelgningSerializer

    def get_queryset(self) -> QuerySet[Opfoelgning]:
        return Opfoelgning.objects.none()

    def _opfoelgning(self) -> Opfoelgning:
        with _not_found():
            found, _order = selectors.udfoerer_opfoelgning(
                user=request_user(self.request), pk=self.kwargs["pk"]
            )
        return found

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _udfoerer_response(request, kwargs["pk"])

    @action(detail=True, methods=["post"], url_path="indkald")
    def indkald(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        opfoelgning = self._opfoelgning()
        body = s.IndkaldSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with _not_found(Http404):
            opfoelgning_call(
                actor=request_user(request), opfoelgning=opfoelgning, **body.validated_data
            )
        return _udfoerer_response(request, opfoelgning.pk)

    @action(detail=True, methods=["put", "post"], url_path="statusnotat")
    def statusnotat(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        opfoelgning = self._opfoelgning()
        body = s.StatusnotatInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with _not_found(Http404):
            statusnotat_save(
                actor=request_user(request),
                opfoelgning=opfoelgning,
                maal=body.goals(),
                vaesentlige_aendringer=body.validated_data["vaesentlige_aendringer"],
                bemaerkninger=body.validated_data["bemaerkninger"],
                indsend=body.validated_data["indsend"],
            )
        return _udfoerer_response(request, opfoelgning.pk)
