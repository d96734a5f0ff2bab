"""Logging in and out of the API: `POST /api/v1/auth/token/` gives a new token (django-rest-knox)
for a username and password, `DELETE` on it revokes the token the call is made with, and
`DELETE /api/v1/auth/token/alle/` revokes all of the caller's tokens.

The password is checked by `authenticate()`, so django-axes counts failures and locks a username
and address out here as on the login page.
"""

import math
from datetime import timedelta
from typing import Any

from axes.helpers import get_cool_off
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in, user_logged_out
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.auth import TokenAuthentication
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from vum.accounts.models import User
from vum.accounts.services import api_token_issue, api_token_revoke, api_tokens_revoke_all
from vum.accounts.two_factor import two_factor_mandatory


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token's security scheme in the schema, under the name DRF's authtoken gave it, so
    that clients generated from the schema keep their configuration."""

    target_class = "knox.auth.TokenAuthentication"
    name = "tokenAuth"
    priority = 1  # over drf-spectacular's own knox scheme (`knoxApiToken`)

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Authorization: Token <token>` med et token fra POST /api/v1/auth/token/. Det "
                "udløber på det tidspunkt, login-svaret angiver (`udloeber`)."
            ),
        }


class LoginLockedOut(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self, *, wait: timedelta | None) -> None:
        if wait is None:  # axes without a cool-off: locked until an administrator lifts it
            detail = "For mange mislykkede loginforsøg. Kontakt en administrator."
        else:
            minutes = max(1, math.ceil(wait.total_seconds() / 60))
            detail = f"For mange mislykkede loginforsøg. Prøv igen om {minutes} minutter."
            # DRF's exception handler sends it as Retry-After.
            self.wait = math.ceil(wait.total_seconds())
        super().__init__(detail, self.default_code)


class ApiTokenLoginSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(label="brugernavn", write_only=True)
    password = serializers.CharField(
        label="adgangskode",
        write_only=True,
        trim_whitespace=False,
        style={"input_type": "password"},
    )


class ApiTokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(
        read_only=True,
        help_text="Sendes som `Authorization: Token <token>`. Vises kun her; gem det sikkert.",
    )
    udloeber = serializers.DateTimeField(
        read_only=True,
        help_text="Hvornår tokenet holder op med at virke; log ind igen derefter.",
    )


ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description="`detail`: en dansk fejlbesked.")


class ApiTokenView(APIView):
    def get_authenticators(self) -> list[BaseAuthentication]:
        # Login reads no credentials but the password: a client whose token has expired comes
        # back with the stale header still set, and must not be refused for it. (The request is
        # None while drf-spectacular builds its mock one.)
        if self.request is not None and self.request.method == "POST":
            return []
        return [TokenAuthentication()]

    def get_permissions(self) -> list[BasePermission]:
        if self.request is not None and self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    @extend_schema(
        summary="Log ind: nyt API-token",
        description=(
            "Giver et nyt token for brugernavn og adgangskode ved hvert login; det udløber efter "
            "`udloeber`. Efter for mange forkerte adgangskoder er brugernavnet spærret fra din "
            "adresse en tid (429). Brugere med to-trins-login (administratorer) får intet token "
            "(403)."
        ),
        request=ApiTokenLoginSerializer,
        responses={
            200: ApiTokenSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Brugernavn eller adgangskode mangler, eller de passer ikke.",
            ),
            403: ERROR,
            429: ERROR,
        },
    )
    def post(self, request: Request) -> Response:
        given = ApiTokenLoginSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        # The DRF request, as DRF's own login view passed it: axes marks a lockout on it.
        user = authenticate(
            request=request,
            username=given.validated_data["username"],
            password=given.validated_data["password"],
        )
        if user is None:
            if getattr(request, "axes_locked_out", False):
                raise LoginLockedOut(wait=get_cool_off(request))
            raise ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: ["Forkert brugernavn eller adgangskode."]},
                code="authorization",
            )
        assert isinstance(user, User)
        if two_factor_mandatory(user):
            # A password alone is not enough for those who need a second factor on the pages;
            # administrators have no case data to fetch over the API anyway.
            raise PermissionDenied(
                "Brugere med to-trins-login (administratorer) kan ikke få et API-token."
            )
        issued = api_token_issue(user=user)
        # Django's signal of a login: axes logs it and forgets the failures, and last_login is set.
        user_logged_in.send(sender=User, request=request, user=user)
        return Response(ApiTokenSerializer(issued).data)

    @extend_schema(
        summary="Log ud: tilbagekald dette token",
        description="Tokenet, kaldet sendes med, holder op med at virke.",
        responses={204: None, 401: ERROR},
    )
    def delete(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        api_token_revoke(token=request.auth, actor=request.user, reason="log ud")
        user_logged_out.send(sender=User, request=request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenRevokeAllView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Log ud overalt: tilbagekald alle dine tokens",
        description=(
            "Alle dine tokens holder op med at virke, også det, kaldet sendes med, fx når en "
            "klient med et token er mistet."
        ),
        responses={204: None, 401: ERROR},
    )
    def delete(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        api_tokens_revoke_all(user=request.user, actor=request.user, reason="log ud overalt")
        user_logged_out.send(sender=User, request=request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
