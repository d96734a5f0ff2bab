from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from vum.audit.context import RequestOrigin, current_origin
from vum.client_ip import client_ip


class AuditContextMiddleware:
    """Makes the client address and user agent available to services that write audit events."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        origin = RequestOrigin(
            # The same address django-axes locks out by (see vum.client_ip).
            ip_address=client_ip(request) or None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        )
        token = current_origin.set(origin)
        try:
            return self.get_response(request)
        finally:
            current_origin.reset(token)
