"""API plumbing shared by every app: errors (an oversized or too deeply nested body among
them) become 4xx answers with a Danish message; a content negotiation that answers errors in
JSON beside binary bodies; a field for a row of a reference table valid today; and a frozen PDF
as a download."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import pagination, parsers, serializers, status
from rest_framework.exceptions import APIException, NotFound, ParseError, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from vum.catalog.models import VersionedRow
from vum.catalog.selectors import CatalogNotLoaded
from vum.protected_documents import CONFIRM_HEADER, CONFIRMED, AddressNotConfirmed
from vum.versions import StaleVersion, Versioned


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "Send headeren If-Match med den ETag, du fik, da du hentede det, du vil ændre, så en "
        "andens ændring ikke bliver overskrevet."
    )
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = 'If-Match skal være én ETag, som den API\'et sender (fx "3"), eller *.'
    default_code = "precondition_failed"


IF_MATCH_DESCRIPTION = (
    "Send If-Match med den ETag, du fik ved GET (eller ved den forrige ændring), så en andens "
    "ændring i mellemtiden ikke overskrives: 412, hvis den ikke passer længere (svaret har den "
    "aktuelle ETag), og 428 uden If-Match. Svaret har den nye ETag."
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='ETag for den version, ændringen bygger på, fx "3"; * for en hvilken som helst.',
)
PRECONDITIONS = {
    412: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Ændret af en anden siden din ETag: hent igen, og gentag din ændring.",
    ),
    428: OpenApiResponse(OpenApiTypes.OBJECT, description="If-Match mangler."),
}


def etag(record: Versioned) -> str:
    return f'"{record.version}"'


def if_match_version(request: Request) -> int | None:
    """The version an update is based on, from If-Match (required: 428 without it). `*` means
    any version (the client accepts overwriting whatever is there): None."""
    header = request.headers.get("If-Match")
    if header is None:
        raise PreconditionRequired()
    value = header.strip()
    if value == "*":
        return None
    if len(value) < 3 or not (value[0] == value[-1] == '"') or not value[1:-1].isdigit():
        raise PreconditionFailed()
    return int(value[1:-1])


def versioned(response: Response, record: Versioned) -> Response:
    """The response with the record's ETag, for the client's next If-Match."""
    response["ETag"] = etag(record)
    return response


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    # Imported here: DRF's settings name this module's parser, paginator and handler, and
    # rest_framework.views reads those settings when it is imported. Importing it at the top made a
    # cycle whenever this module was the first to load DRF's views (a Celery worker's start).
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, StaleVersion):
        answer = Response(
            {"detail": str(exc), "version": exc.current.version},
            status=status.HTTP_412_PRECONDITION_FAILED,
        )
        return versioned(answer, exc.current)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": "Forespørgslen er for stor til at blive behandlet."},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, TooManyFieldsSent):
        return Response({"detail": "Forespørgslen har for mange felter."}, status=400)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = ValidationError(detail)
    if isinstance(exc, PermissionError):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, AddressNotConfirmed):
        return Response(
            {"detail": str(exc), "header": CONFIRM_HEADER}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, CatalogNotLoaded):
        return Response({"detail": str(exc)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    return drf_exception_handler(exc, context)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with a body nested deeper than the decoder can follow answered as a
    400 like any other malformed body, not a 500 (the decoder recurses per level)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON-dokumentet er indlejret for dybt.") from exc


class JsonErrorsNegotiation(BaseContentNegotiation):
    """For views that send a binary body (a letter's PDF) as a plain HttpResponse whatever the
    client accepts: the only bodies DRF renders there are errors, and those are JSON (a client
    asking for application/pdf gets its 404 in JSON rather than a 406)."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's pages, with a page number that is not a whole number from 1 answered 400 with a
    message: DRF answers 404 "Invalid page", as if the list were missing. A page past the last
    is still 404."""

    def get_page_number(self, request: Any, paginator: Any) -> Any:
        raw = request.query_params.get(self.page_query_param) or 1
        if raw in self.last_page_strings:
            return paginator.num_pages
        try:
            number = int(raw)
        except ValueError:
            number = 0
        if number < 1:
            raise ValidationError(
                {self.page_query_param: ["Angiv sidetallet som et heltal fra 1."]}
            )
        return number


class OptionalEmailField(serializers.EmailField):
    """An e-mail address that may be unknown: sent as null when none is recorded, as "" is not an
    address and the schema's `format: email` must hold for every string sent. Null or "" from a
    client both store no address."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_null=True, allow_blank=True, **kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        value = super().run_validation(data)
        return value or ""

    def to_representation(self, value: str) -> str | None:  # type: ignore[override]
        return value or None


@extend_schema_field(OpenApiTypes.INT)
class CurrentCatalogField(serializers.PrimaryKeyRelatedField[VersionedRow]):
    """An id of a row of a reference table valid today (looked up when the request comes, so a
    catalog version that starts or ends is respected without a restart)."""

    def __init__(self, model: type[VersionedRow], **kwargs: Any) -> None:
        self.catalog_model = model
        super().__init__(**kwargs)

    def get_queryset(self) -> models.QuerySet[VersionedRow]:
        return self.catalog_model.objects.current()


PDF_RESPONSE = OpenApiResponse(OpenApiTypes.BINARY, description="Dokumentet som PDF.")
# A frozen document addressed to the citizen (vum/protected_documents.py).
ADDRESS_CONFIRMATION = OpenApiParameter(
    CONFIRM_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    enum=[CONFIRMED],
    description=(
        f"{CONFIRMED}, når du ved, at dokumentet kan vise en adresse, som CPR har beskyttet siden: "
        "det blev låst, før vum fik beskyttelsen at vide. Adressen må ikke gives videre; "
        "hentningen registreres i revisionssporet. Uden: 409, hvis dokumentet kan vise adressen."
    ),
)
ADDRESS_NOT_CONFIRMED = OpenApiResponse(
    inline_serializer(
        "AdressebeskyttelseIkkeBekraeftet",
        {"detail": serializers.CharField(), "header": serializers.CharField()},
    ),
    description=(
        f"Dokumentet kan vise en beskyttet adresse: hent det med headeren {CONFIRM_HEADER}: "
        f"{CONFIRMED}, hvis du har brug for det i dit arbejde."
    ),
)


def pdf_response(content: bytes | memoryview | None, filename: str, sha256: str) -> HttpResponse:
    """A frozen document as a PDF download, with its SHA-256 when it has one."""
    if content is None:  # the selectors only return frozen documents
        raise NotFound("Dokumentet findes ikke.")
    response = HttpResponse(bytes(content), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if sha256:
        response["X-Content-SHA256"] = sha256
    return response
