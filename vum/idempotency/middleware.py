"""Doing a write once, however often it is sent.

A POST that carries a key (an API client's `Idempotency-Key` header; a page form's one-time
token, `{% form_token %}`) is run inside one transaction that also records the key and the
response. A repeat with the same key (a retry after a timeout, a double-click) waits for the
first to finish and gets its response back, marked `Idempotent-Replayed: true`, without running
the view again; the same key on another request is refused (422 from the API, 409 on a page).
Only a success is kept (`_storable`): after an error the key is free, so a corrected request
with it is done. A key is kept for KEEP (`idempotent_requests_purge`).

It runs as `process_view`, after the CSRF check and the session's authentication; an API
client's token is checked by the view, and its key belongs to a digest of its credentials.
"""

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from knox.auth import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from vum.idempotency.models import IdempotentRequest

HEADER = "Idempotency-Key"
FORM_FIELD = "vum_form_token"
MAX_KEY_LENGTH = 255
REPLAYED_HEADER = "Idempotent-Replayed"
# A response larger than this is not kept (nothing the API creates answers with that much).
MAX_STORED_BODY = 1_000_000
STORED_HEADERS = ("Content-Type", "Location", "ETag")


def _principal(request: HttpRequest) -> str | None:
    """Whose keys these are: the signed-in user's, or the API token's user. Tokens change at
    every login, so a retry sent with a newer token of the same user is still the same request."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    credentials = request.headers.get("Authorization", "").split()
    if len(credentials) == 2 and credentials[0] == "Token":
        try:
            token_user, _ = TokenAuthentication().authenticate_credentials(credentials[1].encode())
        except AuthenticationFailed:
            return None  # the view refuses it
        return f"user:{token_user.pk}"
    return None


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    """A success is kept: from the API any 2xx or 3xx; from a page its redirect (a page answers
    a write it has done with a redirect, and a 200 is a form shown again with its errors, or a
    preview, which a changed resubmission with the same token must be able to redo)."""
    lowest = 200 if _is_api(request) else 300
    return (
        lowest <= response.status_code < 400
        and not response.streaming
        and len(response.content) <= MAX_STORED_BODY
    )


def _claim(principal: str, key: str, fingerprint: str) -> IdempotentRequest | None:
    """Record the key in the current transaction, or return the request that holds it. A
    request holding it that has not committed yet is waited for (the unique index)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {IdempotentRequest._meta.db_table} "  # noqa: S608 (the model's table)
            "(principal, key, fingerprint, headers, body, oprettet) "
            "VALUES (%s, %s, %s, '{}', '', %s) "
            "ON CONFLICT (principal, key) DO NOTHING RETURNING id",
            [principal, key, fingerprint, timezone.now()],
        )
        if cursor.fetchone() is not None:
            return None
    return IdempotentRequest.objects.get(principal=principal, key=key)


def _replay(earlier: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(bytes(earlier.body), status=earlier.status or 200)
    for name, value in earlier.headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _key_reused(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {"detail": f"{HEADER} er allerede brugt til en anden anmodning."}, status=422
        )
    return render(request, "idempotency/already_sent.html", status=409)


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., HttpResponse],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if request.method != "POST":
            return None
        try:
            body = request.body
        except RequestDataTooBig:
            return None  # the view answers it (413)
        if request.path == reverse("api-token"):
            # A login's answer is a fresh token: it is never stored, nor given twice.
            return None
        key = request.headers.get(HEADER)
        if key is None and not _is_api(request):
            key = request.POST.get(FORM_FIELD)
        if key is None:
            return None
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            return JsonResponse(
                {"detail": f"{HEADER} skal være 1-{MAX_KEY_LENGTH} tegn."}, status=400
            )
        principal = _principal(request)
        if principal is None:
            return None  # not signed in: the view refuses it
        digest = hashlib.sha256(f"{request.method}\n{request.path}\n".encode())
        digest.update(body)
        fingerprint = digest.hexdigest()
        with transaction.atomic():
            earlier = _claim(principal, key, fingerprint)
            if earlier is not None:
                return (
                    _replay(earlier) if earlier.fingerprint == fingerprint else _key_reused(request)
                )
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            stored = IdempotentRequest.objects.filter(principal=principal, key=key)
            if _storable(request, response):
                stored.update(
                    status=response.status_code,
                    headers={h: response[h] for h in STORED_HEADERS if h in response},
                    body=response.content,
                )
            else:
                stored.delete()  # an error: the key is free for a corrected request
        return response
