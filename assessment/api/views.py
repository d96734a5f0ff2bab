"""The assessment API: the udredning on the FFB structure, scores with history, requests for
information (with consent), partshøring, the sagsvurdering, indstillinger and the
visitationsudvalg.

As in cases.api: the views only translate HTTP to calls of the access policy, the selectors and
the services. A case outside the user's scope, and a write the user may not make, answer 404.
Reads of citizen data are audited by the selectors; writes by the services.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assessment.api import serializers as s
from assessment.models import (
    Afgoerelse,
    Brev,
    Funktionsevnevurdering,
    Indhentning,
    Indsats,
    Indsatsmaal,
    Indstilling,
    Klage,
    Partshoering,
    Sagsvurdering,
    Udredning,
    Udvalgsmoede,
)
from assessment.selectors import (
    SagsvurderingView,
    afgoerelse_get,
    afgoerelse_letter_defaults,
    afgoerelse_letter_preview,
    brev_get,
    brev_pdf,
    dagsorden,
    dagsordenspunkt_get,
    indstilling_get,
    indstilling_pdf,
    indstilling_shown,
    klage_get,
    kommende_moeder,
    partshoering_brev,
    partshoering_get,
    referat_pdf,
    sag_afgoerelser,
    sag_afgoerelser_qs,
    sag_breve_qs,
    sag_funktionsevnevurderinger,
    sag_indhentninger,
    sag_indstillinger,
    sag_klager,
    sag_klager_qs,
    sag_partshoeringer,
    sagsvurdering_overview,
    udredning_overview,
    udvalgsmoede_get,
    udvalgsmoeder_visible_to,
)
from assessment.services import (
    Resultatlinje,
    afgoerelse_create,
    afgoerelse_send,
    decision_route,
    delanalyse_save,
    funktionsevne_score,
    indhentning_request,
    indsats_add,
    indstilling_create,
    indstilling_send_to_committee,
    kilde_add,
    klage_ankestyrelsens_afgoerelse,
    klage_genvurder,
    klage_register,
    klage_send_to_ankestyrelsen,
    maal_add,
    maalgrupper_set,
    partshoering_answer,
    partshoering_send,
    prislinje_add,
    sagsvurdering_current,
    sagsvurdering_start,
    sagsvurdering_update,
    stoettebehov_set,
    tema_oplysning_save,
    tilbud_add,
    udredning_current,
    udredning_start,
    udvalg_outcome_record,
    udvalgsmoede_close,
    yearly_cost,
)
from cases.api.views import BAD_REQUEST, NOT_FOUND, SAG_PK, SagChildViewSet, actor
from cases.lifecycle import blockers
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


# Sagsvurdering


def _oversigt(sag: Sag, view: SagsvurderingView) -> s.SagsvurderingOversigt:
    """The assessment with what follows from it: the guards on the decision (read on the case
    as stored now), who decides and the yearly cost."""
    vurdering = view.vurdering
    assert vurdering is not None
    return s.SagsvurderingOversigt(
        view=view,
        afgoerelse_blokeringer=blockers(Sag.objects.get(pk=sag.pk), "start_afgoerelse"),
        afgoerelseskompetence=decision_route(vurdering=vurdering),
        aarlig_udgift=yearly_cost(vurdering=vurdering),
    )


def _vurdering_response(request: Request, sag: Sag, status_code: int = 200) -> Response:
    """The whole assessment, as GET shows it (read through the audited selector)."""
    view = sagsvurdering_overview(user=actor(request), sag=sag)
    if view.vurdering is None:
        raise NotFound("Sagen har ingen sagsvurdering endnu.")
    data = s.SagsvurderingOversigtSerializer(_oversigt(sag, view)).data
    return Response(data, status=status_code)


def _current_vurdering(sag: Sag) -> Sagsvurdering:
    vurdering = sagsvurdering_current(sag=sag)
    if vurdering is None:
        raise ValidationError("Sagen har ingen sagsvurdering endnu; start en først.")
    return vurdering


VURDERING_RESPONSES: dict[int, Any] = {
    200: s.SagsvurderingOversigtSerializer,
    400: BAD_REQUEST,
    404: NOT_FOUND,
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
        responses={200: s.SagsvurderingOversigtSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, sag_pk: int) -> Response:
        return _vurdering_response(request, get_sag_or_404(actor(request), sag_pk))

    @extend_schema(
        summary="Start sagsvurderingen",
        description="Starter en sagsvurdering på grundlag af den aktuelle udredning. Kun i "
        "sagsvurdering.",
        parameters=[SAG_PK],
        request=None,
        responses={201: s.SagsvurderingOversigtSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, sag_pk: int) -> Response:
        sag = _editable_sag(request, sag_pk)
        sagsvurdering_start(actor=actor(request), sag=sag)
        return _vurdering_response(request, sag, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Ret sagsvurderingen",
        description=(
            "Ændrer de felter, der sendes; andre bevarer deres værdi. Et afslag (`berettiget` "
            "false) kræver en grundig begrundelse og en vurdering af det behov, borgeren selv "
            "oplever; en henvisning til kvalitetsstandarden alene er ikke nok."
        ),
        parameters=[SAG_PK],
        request=s.SagsvurderingUpdateSerializer,
        responses=VURDERING_RESPONSES,
    )
    def patch(self, request: Request, sag_pk: int) -> Response:
        sag = _editable_sag(request, sag_pk)
        body = s.SagsvurderingUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        sagsvurdering_update(
            actor=actor(request), vurdering=_current_vurdering(sag), **body.validated_data
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
        request=s.IndsatsmaalCreateSerializer,
        responses={201: s.IndsatsmaalSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, sag_pk: int) -> Response:
        sag = _editable_sag(request, sag_pk)
        body = s.IndsatsmaalCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        maal = maal_add(
            actor=actor(request), vurdering=_current_vurdering(sag), **body.validated_data
        )
        shown = Indsatsmaal.objects.select_related(
            "maaltype", "primaert_undertema", "aktuel_vurdering__niveau", "udfoerer"
        ).get(pk=maal.pk)
        return Response(s.IndsatsmaalSerializer(shown).data, status=status.HTTP_201_CREATED)


class StoettebehovView(APIView):
    @extend_schema(
        summary="Fastsæt støttebehovet",
        description=(
            "Det aktuelle støttebehov (0-4). Indsatsmålene sættes før støttebehovet, medmindre "
            "sagsvurderingen giver afslag."
        ),
        parameters=[SAG_PK],
        request=s.StoettebehovInputSerializer,
        responses=VURDERING_RESPONSES,
    )
    def put(self, request: Request, sag_pk: int) -> Response:
        sag = _editable_sag(request, sag_pk)
        body = s.StoettebehovInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        stoettebehov_set(
            actor=actor(request),
            vurdering=_current_vurdering(sag),
            vaerdi=body.validated_data["vaerdi"],
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
        request=s.IndsatsCreateSerializer,
        responses={201: s.IndsatsSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, sag_pk: int) -> Response:
        sag = _editable_sag(request, sag_pk)
        body = s.IndsatsCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        indsats = indsats_add(
            actor=actor(request), vurdering=_current_vurdering(sag), **body.validated_data
        )
        return Response(
            s.IndsatsSerializer(_indsats_shown(indsats.pk)).data, status=status.HTTP_201_CREATED
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
        request=s.PrislinjeCreateSerializer,
        responses={201: s.PrislinjeSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, sag_pk: int, indsats_id: int) -> Response:
        sag = _editable_sag(request, sag_pk)
        indsats = (
            Indsats.objects.filter(vurdering=sagsvurdering_current(sag=sag), pk=indsats_id)
            .select_related("vurdering__sag")
            .first()
        )
        if indsats is None:
            raise NotFound("Indsatsen findes ikke i sagens sagsvurdering.")
        body = s.PrislinjeCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        line = prislinje_add(actor=actor(request), indsats=indsats, **body.validated_data)
        return Response(s.PrislinjeSerializer(line).data, status=status.HTTP_201_CREATED)


class MaalgrupperView(APIView):
    @extend_schema(
        summary="Vælg målgrupper",
        description=(
            "Præcis én primær målgruppe og eventuelt andre; erstatter det tidligere valg. Et "
            "udkast, indtil afgørelsen bekræfter det."
        ),
        parameters=[SAG_PK],
        request=s.MaalgrupperInputSerializer,
        responses=VURDERING_RESPONSES,
    )
    def put(self, request: Request, sag_pk: int) -> Response:
        sag = _editable_sag(request, sag_pk)
        body = s.MaalgrupperInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        maalgrupper_set(
            actor=actor(request), vurdering=_current_vurdering(sag), **body.validated_data
        )
        return _vurdering_response(request, sag)


# Indstilling


@extend_schema_view(
    list=extend_schema(summary="Indstillinger", parameters=[SAG_PK]),
    retrieve=extend_schema(summary="Indstilling", parameters=[SAG_PK]),
    create=extend_schema(
        summary="Opret en indstilling",
        description="En kladde til indstilling på grundlag af sagens aktuelle sagsvurdering.",
        parameters=[SAG_PK],
        request=s.IndstillingCreateSerializer,
        responses={201: s.IndstillingSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    tilbud=extend_schema(
        summary="Registrér et indhentet tilbud",
        description=(
            "Et relevant tilbud, der er spurgt om optagelse, borgerprofil og pris. En "
            "indstilling til botilbud kræver tre, før den kan sendes til visitationsudvalget."
        ),
        parameters=[SAG_PK],
        request=s.IndhentetTilbudSerializer,
        responses={201: s.IndhentetTilbudSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    send=extend_schema(
        summary="Send indstillingen til visitationsudvalget",
        description=(
            "Sætter indstillingen på et kommende mødes dagsorden og fryser den som PDF. En "
            "returneret indstilling kan sendes til et senere møde."
        ),
        parameters=[SAG_PK],
        request=s.IndstillingSendSerializer,
        responses={200: s.IndstillingSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    moeder=extend_schema(
        summary="Kommende udvalgsmøder",
        description="Møder, en indstilling kan sendes til: ikke afsluttede, fra i dag.",
        parameters=[SAG_PK],
        responses={200: s.KommendeMoedeSerializer(many=True), 404: NOT_FOUND},
    ),
)
class IndstillingViewSet(mixins.CreateModelMixin, SagChildViewSet):
    """A case has few indstillinger: the list is not paginated."""

    serializer_class = s.IndstillingSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Indstilling]:
        if getattr(self, "swagger_fake_view", False):
            return Indstilling.objects.none()
        return Indstilling.objects.filter(sag=self.get_sag()).defer("pdf")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = sag_indstillinger(user=actor(request), sag=self.get_sag())
        return Response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        indstilling = indstilling_get(user=actor(request), sag=self.get_sag(), pk=kwargs["pk"])
        return Response(self.get_serializer(indstilling).data)

    def _shown(self, pk: int) -> Indstilling:
        return indstilling_shown(sag=self.get_sag(), pk=pk)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sag = self.sag_for(Action.EDIT)
        body = s.IndstillingCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = indstilling_create(
            actor=actor(request), sag=sag, indstilling=body.validated_data["indstilling"]
        )
        data = self.get_serializer(self._shown(created.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="tilbud")
    def tilbud(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.sag_for(Action.EDIT)
        indstilling = self.get_object()
        body = s.IndhentetTilbudSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = tilbud_add(actor=actor(request), indstilling=indstilling, **body.validated_data)
        return Response(s.IndhentetTilbudSerializer(row).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="send")
    def send(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.sag_for(Action.EDIT)
        indstilling = self.get_object()
        body = s.IndstillingSendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        indstilling_send_to_committee(
            actor=actor(request), indstilling=indstilling, moede=body.validated_data["moede"]
        )
        return Response(self.get_serializer(self._shown(indstilling.pk)).data)

    @action(detail=False, methods=["get"], url_path="moeder")
    def moeder(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.get_sag()
        return Response(s.KommendeMoedeSerializer(kommende_moeder(), many=True).data)


def _pdf_response(content: bytes | memoryview | None, filename: str, sha256: str) -> HttpResponse:
    if content is None:  # the selectors only return frozen documents
        raise NotFound("Dokumentet findes ikke.")
    response = HttpResponse(bytes(content), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-SHA256"] = sha256
    return response


PDF_RESPONSE = OpenApiResponse(OpenApiTypes.BINARY, description="Dokumentet som PDF.")


class IndstillingPdfView(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(
        operation_id="sager_indstillinger_pdf_retrieve",
        summary="Indstillingen (PDF)",
        description=(
            "Indstillingen, som den blev frosset, da den blev sat på visitationsudvalgets "
            "dagsorden; 404 før den er sendt. Registreres i revisionssporet som en eksport."
        ),
        parameters=[SAG_PK],
        responses={(200, "application/pdf"): PDF_RESPONSE, 404: NOT_FOUND},
    )
    def get(self, request: Request, sag_pk: int, pk: int) -> HttpResponse:
        user = actor(request)
        sag = get_sag_or_404(user, sag_pk)
        indstilling_shown(sag=sag, pk=pk)  # 404 unless it is this case's
        indstilling = indstilling_pdf(user=user, indstilling_id=pk)
        return _pdf_response(
            indstilling.pdf,
            f"indstilling-{sag.pk}-{indstilling.pk}.pdf",
            indstilling.pdf_sha256,
        )


# The visitationsudvalg


@extend_schema_view(
    list=extend_schema(
        summary="Mine udvalgsmøder",
        description=(
            "Møderne i de visitationsudvalg, du er medlem af, nyeste først. Tom for andre brugere."
        ),
    ),
    retrieve=extend_schema(
        summary="Udvalgsmøde med dagsorden",
        description=(
            "Mødet og dets dagsorden: sagerne med indstilling og udfald. Kun for udvalgets "
            "medlemmer (404 for andre). Registreres i revisionssporet for hver sag på "
            "dagsordenen."
        ),
        responses={200: s.UdvalgsmoedeDetailSerializer, 404: NOT_FOUND},
    ),
    afslut=extend_schema(
        summary="Afslut mødet",
        description=(
            "Afslutter mødet, når alle punkter har et udfald, og fryser referatet som PDF."
        ),
        request=None,
        responses={200: s.UdvalgsmoedeSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class UdvalgsmoedeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Udvalgsmoede]):
    serializer_class = s.UdvalgsmoedeSerializer
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[Udvalgsmoede]:
        if getattr(self, "swagger_fake_view", False):
            return Udvalgsmoede.objects.none()
        return (
            udvalgsmoeder_visible_to(actor(self.request))
            .select_related("udvalg")
            .annotate(antal_punkter=Count("punkter"))
            .order_by("-dato", "-id")
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = actor(request)
        moede = udvalgsmoede_get(user=user, pk=kwargs["pk"])
        context = {**self.get_serializer_context(), "punkter": dagsorden(user=user, moede=moede)}
        return Response(s.UdvalgsmoedeDetailSerializer(moede, context=context).data)

    @action(detail=True, methods=["post"], url_path="afslut")
    def afslut(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = actor(request)
        moede = udvalgsmoede_get(user=user, pk=kwargs["pk"])
        closed = udvalgsmoede_close(actor=user, moede=moede)
        return Response(self.get_serializer(closed).data)


class UdfaldView(APIView):
    @extend_schema(
        summary="Registrér udvalgets udfald",
        description=(
            "Godkendt (med eller uden ændringer) og afvist flytter sagen til afgørelse med en "
            "frist for den skriftlige afgørelse, hvor kommunen har en; en returneret sag bliver "
            "hos sagsbehandleren, som får besked. 'Godkendes med ændringer' kræver "
            "`aendringer`; returnering og afvisning kræver `begrundelse`. Kun for udvalgets "
            "medlemmer (404 for andre). 400 med årsagerne under `udfald`, hvis sagen ikke kan gå "
            "til afgørelse (fx en partshøring, der afventer svar)."
        ),
        request=s.UdfaldInputSerializer,
        responses={200: s.DagsordenspunktSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, moede_pk: int, pk: int) -> Response:
        user = actor(request)
        moede = udvalgsmoede_get(user=user, pk=moede_pk)
        punkt = dagsordenspunkt_get(moede=moede, pk=pk)
        body = s.UdfaldInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        udvalg_outcome_record(actor=user, punkt=punkt, **body.validated_data)
        recorded = dagsordenspunkt_get(moede=moede, pk=pk)
        return Response(s.DagsordenspunktSerializer(recorded, context={"request": request}).data)


class ReferatPdfView(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(
        operation_id="udvalg_moeder_referat_retrieve",
        summary="Referatet (PDF)",
        description=(
            "Referatet af et afsluttet møde, som det blev frosset ved afslutningen; 404 før. Kun "
            "for udvalgets medlemmer. Registreres i revisionssporet som en eksport for hver sag "
            "på dagsordenen."
        ),
        responses={(200, "application/pdf"): PDF_RESPONSE, 404: NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        user = actor(request)
        udvalgsmoede_get(user=user, pk=pk)  # 404 for anyone not on the committee
        moede = referat_pdf(user=user, moede_id=pk)
        return _pdf_response(moede.referat_pdf, f"referat-{moede.pk}.pdf", moede.referat_sha256)


# Afgørelse, letters and complaints


@extend_schema_view(
    list=extend_schema(
        summary="Afgørelser",
        description="Sagens afgørelser, nyeste først. Registreres i revisionssporet.",
        parameters=[SAG_PK],
    ),
    retrieve=extend_schema(summary="Afgørelse", parameters=[SAG_PK]),
    create=extend_schema(
        summary="Træf en afgørelse",
        description=(
            "Registrerer afgørelsen med et resultat for hver indsats, mens sagen er i fasen "
            "afgørelse. Uden fuldt medhold kræves den konkrete vurdering og de juridiske krav "
            "(FVL §§ 22, 24). En nedsættelse efter §§ 95, 96, 98 kan tidligst få virkning 14 "
            "uger efter, borgeren er orienteret. En mundtlig afgørelse kræver `meddelt`."
        ),
        parameters=[SAG_PK],
        request=s.AfgoerelseCreateSerializer,
        responses={201: s.AfgoerelseSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    brevtekster=extend_schema(
        summary="Afgørelsesbrevets tekster",
        description=(
            "Brevets fritekster, udfyldt fra sagen: udgangspunktet for forhåndsvisning og "
            "afsendelse. Registreres i revisionssporet."
        ),
        parameters=[SAG_PK],
        responses={200: s.BrevteksterSerializer, 404: NOT_FOUND},
    ),
    send=extend_schema(
        summary="Send afgørelsesbrevet",
        description=(
            "Fryser brevet (PDF og SHA-256) med de sendte tekster (afsnit, der udelades, får "
            "standardteksten) og sender det. Et sendt brev ændres aldrig: en rettelse er et nyt "
            "brev med `retter`, ellers 400."
        ),
        parameters=[SAG_PK],
        request=s.AfgoerelseSendSerializer,
        responses={201: s.BrevSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class AfgoerelseViewSet(mixins.CreateModelMixin, SagChildViewSet):
    """A case has few decisions: the list is not paginated."""

    serializer_class = s.AfgoerelseSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Afgoerelse]:
        if getattr(self, "swagger_fake_view", False):
            return Afgoerelse.objects.none()
        return sag_afgoerelser_qs(sag=self.get_sag())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = sag_afgoerelser(user=actor(request), sag=self.get_sag())
        return Response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        afgoerelse = afgoerelse_get(user=actor(request), sag=self.get_sag(), pk=kwargs["pk"])
        return Response(self.get_serializer(afgoerelse).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sag = self.sag_for(Action.EDIT)
        body = s.AfgoerelseCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        lines = [Resultatlinje(**line) for line in fields.pop("resultater")]
        created = afgoerelse_create(actor=actor(request), sag=sag, resultater=lines, **fields)
        shown = sag_afgoerelser_qs(sag=sag).get(pk=created.pk)
        return Response(self.get_serializer(shown).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"], url_path="brevtekster")
    def brevtekster(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        texts = afgoerelse_letter_defaults(user=actor(request), sag=self.get_sag(), pk=kwargs["pk"])
        return Response(texts)

    @action(detail=True, methods=["post"], url_path="send")
    def send(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.sag_for(Action.EDIT)
        afgoerelse = self.get_object()
        context = {**self.get_serializer_context(), "afgoerelse": afgoerelse}
        body = s.AfgoerelseSendSerializer(data=request.data, context=context)
        body.is_valid(raise_exception=True)
        brev = afgoerelse_send(
            actor=actor(request),
            afgoerelse=afgoerelse,
            tekster=body.validated_data["tekster"],
            retter=body.validated_data["retter"],
        )
        shown = sag_breve_qs(sag=self.get_sag()).get(pk=brev.pk)
        data = s.BrevSerializer(shown, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


class AfgoerelseForhaandsvisningView(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(
        operation_id="sager_afgoerelser_forhaandsvisning_create",
        summary="Forhåndsvis afgørelsesbrevet (PDF)",
        description=(
            "Brevet, som det ville blive sendt med disse tekster; intet gemmes. Registreres i "
            "revisionssporet som en visning."
        ),
        parameters=[SAG_PK],
        request=s.AfgoerelseForhaandsvisningSerializer,
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="Brevet som PDF."
            ),
            400: BAD_REQUEST,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, sag_pk: int, pk: int) -> HttpResponse:
        sag = _editable_sag(request, sag_pk)
        afgoerelse = get_object_or_404(sag_afgoerelser_qs(sag=sag), pk=pk)
        body = s.AfgoerelseForhaandsvisningSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pdf = afgoerelse_letter_preview(
            user=actor(request), afgoerelse=afgoerelse, tekster=body.validated_data["tekster"]
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="afgoerelse-{sag.pk}-{pk}.pdf"'
        return response


@extend_schema_view(
    list=extend_schema(
        summary="Breve",
        description="Sagens breve med forsendelsen, nyeste først. Registreres i revisionssporet.",
        parameters=[SAG_PK],
    ),
    retrieve=extend_schema(
        summary="Brev",
        description="Brevet og dets forsendelse (null, indtil det er sendt).",
        parameters=[SAG_PK],
    ),
)
class BrevViewSet(SagChildViewSet):
    serializer_class = s.BrevSerializer
    list_audit_summary = "Breve vist"

    def get_queryset(self) -> QuerySet[Brev]:
        if getattr(self, "swagger_fake_view", False):
            return Brev.objects.none()
        return sag_breve_qs(sag=self.get_sag())

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        brev = brev_get(user=actor(request), sag=self.get_sag(), pk=kwargs["pk"])
        return Response(self.get_serializer(brev).data)


class BrevPdfView(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(
        operation_id="sager_breve_pdf_retrieve",
        summary="Brevet (PDF)",
        description=(
            "Brevet, præcis som det blev frosset og sendt. Registreres i revisionssporet som en "
            "eksport."
        ),
        parameters=[SAG_PK],
        responses={(200, "application/pdf"): PDF_RESPONSE, 404: NOT_FOUND},
    )
    def get(self, request: Request, sag_pk: int, pk: int) -> HttpResponse:
        user = actor(request)
        sag = get_sag_or_404(user, sag_pk)
        brev = brev_pdf(user=user, sag=sag, pk=pk)
        return _pdf_response(brev.pdf, f"brev-{sag.pk}-{brev.pk}.pdf", brev.sha256)


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
        request=s.KlageCreateSerializer,
        responses={201: s.KlageSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    genvurdering=extend_schema(
        summary="Registrér genvurderingen",
        description=(
            "Kommunens genvurdering. (Delvist) medhold kræver `ny_afgoerelse`: en ny afgørelse, "
            "der erstatter den påklagede. En fastholdt afgørelse sendes til Ankestyrelsen."
        ),
        parameters=[SAG_PK],
        request=s.KlageGenvurderingSerializer,
        responses={200: s.KlageSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    ankestyrelsen=extend_schema(
        summary="Send klagen til Ankestyrelsen",
        description="Registrerer, hvornår en helt eller delvist fastholdt klage blev sendt.",
        parameters=[SAG_PK],
        request=s.KlageAnkestyrelsenSerializer,
        responses={200: s.KlageSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    ankestyrelsens_afgoerelse=extend_schema(
        summary="Registrér Ankestyrelsens afgørelse",
        parameters=[SAG_PK],
        request=s.KlageAnkestyrelsensAfgoerelseSerializer,
        responses={200: s.KlageSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class KlageViewSet(mixins.CreateModelMixin, SagChildViewSet):
    """A case has few complaints: the list is not paginated."""

    serializer_class = s.KlageSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Klage]:
        if getattr(self, "swagger_fake_view", False):
            return Klage.objects.none()
        return sag_klager_qs(sag=self.get_sag())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = sag_klager(user=actor(request), sag=self.get_sag())
        return Response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        klage = klage_get(user=actor(request), sag=self.get_sag(), pk=kwargs["pk"])
        return Response(self.get_serializer(klage).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.sag_for(Action.EDIT)
        body = s.KlageCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        klage = klage_register(
            actor=actor(request),
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
        body = s.KlageGenvurderingSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        done = klage_genvurder(actor=actor(request), klage=klage, **body.validated_data)
        return self._answer(done)

    @action(detail=True, methods=["post"], url_path="ankestyrelsen")
    def ankestyrelsen(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.sag_for(Action.EDIT)
        klage = self.get_object()
        body = s.KlageAnkestyrelsenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = klage_send_to_ankestyrelsen(
            actor=actor(request), klage=klage, dato=body.validated_data["dato"]
        )
        return self._answer(done)

    @action(detail=True, methods=["post"], url_path="ankestyrelsens-afgoerelse")
    def ankestyrelsens_afgoerelse(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.sag_for(Action.EDIT)
        klage = self.get_object()
        body = s.KlageAnkestyrelsensAfgoerelseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = klage_ankestyrelsens_afgoerelse(
            actor=actor(request), klage=klage, **body.validated_data
        )
        return self._answer(done)
