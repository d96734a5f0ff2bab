"""The ledsageordning (serviceloven § 97) over the API: the grant's months with their balance,
and the hours used in a month."""

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.views.common import BAD_REQUEST, NOT_FOUND, SAG_PK
from orders.api.serializers.ledsagelse import LedsagelseSerializer, LedsagetimerInputSerializer
from orders.api.views.common import created
from orders.selectors.ledsagelse import Ledsagelse, ledsagelse
from orders.services.ledsagelse import ledsagetimer_register
from vum.access import get_sag_or_404, request_user

NO_GRANT = "Sagen har ingen bevilling af ledsagelse efter servicelovens § 97."


class LedsagelseView(APIView):
    """The case's § 97 grant: read by those who may see the case, written by its caseworkers
    (the service asks the access policy)."""

    def _shown(self, request: Request, sag_pk: int) -> Ledsagelse:
        found = ledsagelse(
            user=request_user(request), sag=get_sag_or_404(request_user(request), sag_pk)
        )
        if found is None:
            raise NotFound(NO_GRANT)
        return found

    @extend_schema(
        summary="Ledsageordning",
        description=(
            "Sagens bevilling efter servicelovens § 97 og dens måneder: timer til rådighed "
            "(15 om måneden og de opsparede), brugt og opsparet efter måneden. 404, hvis sagen "
            "ingen sådan bevilling har. Registreres i revisionssporet."
        ),
        parameters=[SAG_PK],
        responses={200: LedsagelseSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, sag_pk: int) -> Response:
        return Response(LedsagelseSerializer(self._shown(request, sag_pk)).data)

    @extend_schema(
        summary="Registrér timer til ledsagelse",
        description=(
            "Timerne brugt i en måned (en ny registrering for samme måned retter den). Afvises, "
            "hvis måneden ville bruge mere end sine 15 timer og de opsparede, eller en senere "
            "måned derved ville mangle opsparede timer."
        ),
        parameters=[SAG_PK],
        request=LedsagetimerInputSerializer,
        responses={201: LedsagelseSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, sag_pk: int) -> Response:
        user = request_user(request)
        sag = get_sag_or_404(user, sag_pk)
        body = LedsagetimerInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ledsagetimer_register(actor=user, sag=sag, **body.validated_data)
        return created(LedsagelseSerializer(self._shown(request, sag_pk)).data)
