"""The indstilling and the visitationsudvalg over the API: the frozen PDF, meetings, outcomes
and the minutes."""

from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assessment.api.serializers.udvalg import (
    DagsordenspunktSerializer,
    IndhentetTilbudSerializer,
    IndstillingCreateSerializer,
    IndstillingSendSerializer,
    IndstillingSerializer,
    KommendeMoedeSerializer,
    UdfaldInputSerializer,
    UdvalgsmoedeDetailSerializer,
    UdvalgsmoedeSerializer,
)
from assessment.models import Indstilling, Udvalgsmoede
from assessment.selectors.udvalg import (
    dagsorden,
    dagsordenspunkt_get,
    indstilling_get,
    indstilling_pdf,
    indstilling_shown,
    kommende_moeder,
    referat_pdf,
    sag_indstillinger,
    udvalgsmoede_get,
    udvalgsmoeder_visible_to,
)
from assessment.services.udvalg import (
    indstilling_create,
    indstilling_send_to_committee,
    tilbud_add,
    udvalg_outcome_record,
    udvalgsmoede_close,
)
from cases.api.views.common import BAD_REQUEST, NOT_FOUND, SAG_PK, SagChildViewSet
from vum.access import Action, get_sag_or_404, request_user
from vum.api import PDF_RESPONSE, JsonErrorsNegotiation, pdf_response


@extend_schema_view(
    list=extend_schema(summary="Indstillinger", parameters=[SAG_PK]),
    retrieve=extend_schema(summary="Indstilling", parameters=[SAG_PK]),
    create=extend_schema(
        summary="Opret en indstilling",
        description="En kladde til indstilling på grundlag af sagens aktuelle sagsvurdering.",
        parameters=[SAG_PK],
        request=IndstillingCreateSerializer,
        responses={201: IndstillingSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    tilbud=extend_schema(
        summary="Registrér et indhentet tilbud",
        description=(
            "Et relevant tilbud, der er spurgt om optagelse, borgerprofil og pris. En "
            "indstilling til botilbud kræver tre, før den kan sendes til visitationsudvalget."
        ),
        parameters=[SAG_PK],
        request=IndhentetTilbudSerializer,
        responses={201: IndhentetTilbudSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    send=extend_schema(
        summary="Send indstillingen til visitationsudvalget",
        description=(
            "Sætter indstillingen på et kommende mødes dagsorden og fryser den som PDF. En "
            "returneret indstilling kan sendes til et senere møde."
        ),
        parameters=[SAG_PK],
        request=IndstillingSendSerializer,
        responses={200: IndstillingSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
    moeder=extend_schema(
        summary="Kommende udvalgsmøder",
        description="Møder, en indstilling kan sendes til: ikke afsluttede, fra i dag.",
        parameters=[SAG_PK],
        responses={200: KommendeMoedeSerializer(many=True), 404: NOT_FOUND},
    ),
)
class IndstillingViewSet(mixins.CreateModelMixin, SagChildViewSet):
    """A case has few indstillinger: the list is not paginated."""

    serializer_class = IndstillingSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Indstilling]:
        if getattr(self, "swagger_fake_view", False):
            return Indstilling.objects.none()
        return Indstilling.objects.filter(sag=self.get_sag()).defer("pdf")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = sag_indstillinger(user=request_user(request), sag=self.get_sag())
        return Response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        indstilling = indstilling_get(
            user=request_user(request), sag=self.get_sag(), pk=kwargs["pk"]
        )
        return Response(self.get_serializer(indstilling).data)

    def _shown(self, pk: int) -> Indstilling:
        return indstilling_shown(sag=self.get_sag(), pk=pk)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sag = self.sag_for(Action.EDIT)
        body = IndstillingCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = indstilling_create(
            actor=request_user(request), sag=sag, indstilling=body.validated_data["indstilling"]
        )
        data = self.get_serializer(self._shown(created.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="tilbud")
    def tilbud(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.sag_for(Action.EDIT)
        indstilling = self.get_object()
        body = IndhentetTilbudSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = tilbud_add(
            actor=request_user(request), indstilling=indstilling, **body.validated_data
        )
        return Response(IndhentetTilbudSerializer(row).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="send")
    def send(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.sag_for(Action.EDIT)
        indstilling = self.get_object()
        body = IndstillingSendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        indstilling_send_to_committee(
            actor=request_user(request), indstilling=indstilling, moede=body.validated_data["moede"]
        )
        return Response(self.get_serializer(self._shown(indstilling.pk)).data)

    @action(detail=False, methods=["get"], url_path="moeder")
    def moeder(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.get_sag()
        return Response(KommendeMoedeSerializer(kommende_moeder(), many=True).data)


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
        user = request_user(request)
        sag = get_sag_or_404(user, sag_pk)
        indstilling_shown(sag=sag, pk=pk)  # 404 unless it is this case's
        indstilling = indstilling_pdf(user=user, indstilling_id=pk)
        return pdf_response(
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
        responses={200: UdvalgsmoedeDetailSerializer, 404: NOT_FOUND},
    ),
    afslut=extend_schema(
        summary="Afslut mødet",
        description=(
            "Afslutter mødet, når alle punkter har et udfald, og fryser referatet som PDF."
        ),
        request=None,
        responses={200: UdvalgsmoedeSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class UdvalgsmoedeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Udvalgsmoede]):
    serializer_class = UdvalgsmoedeSerializer
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[Udvalgsmoede]:
        if getattr(self, "swagger_fake_view", False):
            return Udvalgsmoede.objects.none()
        return (
            udvalgsmoeder_visible_to(request_user(self.request))
            .select_related("udvalg")
            .annotate(antal_punkter=Count("punkter"))
            .order_by("-dato", "-id")
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = request_user(request)
        moede = udvalgsmoede_get(user=user, pk=kwargs["pk"])
        context = {**self.get_serializer_context(), "punkter": dagsorden(user=user, moede=moede)}
        return Response(UdvalgsmoedeDetailSerializer(moede, context=context).data)

    @action(detail=True, methods=["post"], url_path="afslut")
    def afslut(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = request_user(request)
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
        request=UdfaldInputSerializer,
        responses={200: DagsordenspunktSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, moede_pk: int, pk: int) -> Response:
        user = request_user(request)
        moede = udvalgsmoede_get(user=user, pk=moede_pk)
        punkt = dagsordenspunkt_get(moede=moede, pk=pk)
        body = UdfaldInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        udvalg_outcome_record(actor=user, punkt=punkt, **body.validated_data)
        recorded = dagsordenspunkt_get(moede=moede, pk=pk)
        return Response(DagsordenspunktSerializer(recorded, context={"request": request}).data)


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
        user = request_user(request)
        udvalgsmoede_get(user=user, pk=pk)  # 404 for anyone not on the committee
        moede = referat_pdf(user=user, moede_id=pk)
        return pdf_response(moede.referat_pdf, f"referat-{moede.pk}.pdf", moede.referat_sha256)
