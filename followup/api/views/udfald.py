"""The outcomes that close a follow-up over the API: continue, revise the goals (a new order
version), re-assessment, end (a decision) or moving away (the case handed over). An action of the
caseworker's follow-up view (`opfoelgning.OpfoelgningViewSet`)."""

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases.api.views.common import BAD_REQUEST, NOT_FOUND, SAG_PK
from cases.models import Sag
from followup import selectors
from followup.api.serializers.udfald import UdfaldResultatSerializer, UdfaldSerializer
from followup.api.views.common import OpfoelgningBase, not_found
from followup.models import Opfoelgningsskema
from followup.services.opfoelgning import open_follow_up
from followup.services.udfald import (
    opfoelgning_continue,
    opfoelgning_end,
    opfoelgning_move_away,
    opfoelgning_revise_goals,
    opfoelgning_revisitation,
)
from vum.access import request_user


class UdfaldActions(OpfoelgningBase):
    """The outcome that closes the follow-up (the caseworker)."""

    @extend_schema(
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
        request=UdfaldSerializer,
        responses={200: UdfaldResultatSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="udfald")
    def udfald(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sag = self._sag()
        opfoelgning = self._opfoelgning(sag)
        body = UdfaldSerializer(data=request.data)
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
        with not_found(Http404):
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
        with not_found():
            result["opfoelgning"] = selectors.opfoelgning_get(user=user, sag=sag, pk=opfoelgning.pk)
        result["naeste_opfoelgning"] = open_follow_up(sag)
        if result["naeste_opfoelgning"] is not None:
            result["naeste_opfoelgning"] = selectors.opfoelgning_get(
                user=user, sag=sag, pk=result["naeste_opfoelgning"].pk
            )
        result["sag_fase"] = sag.fase
        return Response(UdfaldResultatSerializer(result).data)
