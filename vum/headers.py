"""Headers every response gets that Django has no setting for: Permissions-Policy and
Cache-Control. The Content-Security-Policy is django-csp's (`CONTENT_SECURITY_POLICY` in the
settings); this middleware sits inside it, so what it marks on a response is seen there.

Static files never reach it: WhiteNoise answers them before the middleware below it runs, with
its own caching headers.
"""

from collections.abc import Callable

from csp.constants import SELF, UNSAFE_INLINE
from django.http import HttpRequest, HttpResponseBase

# No page uses these browser features; a script that got in could not use them either.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# The API's Swagger UI (/api/docs/, drf-spectacular's split view, whose set-up script is a file
# of its own): the inline <style> of drf_spectacular/swagger_ui.html, allowed by its hash. An
# upgrade that changes it fails tests/web/test_security_headers.py.
SWAGGER_UI_CSP = {"style-src": ["'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"]}

# DRF's browsable API (an API URL opened in a browser) styles with style="" attributes and, with
# Pygments installed, an inline <style>: its styles may be inline. Its scripts are files, so
# script-src stays as strict as everywhere else.
BROWSABLE_API_CSP = {"style-src": [SELF, UNSAFE_INLINE]}

# Nearly every page, fragment, PDF and API answer carries a citizen's data, so no browser or
# proxy may keep a copy (the back button then asks the server again, which also logs the view).
CACHE_CONTROL = "no-store"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # A view that sets Cache-Control itself has decided, and is left alone: /healthz and the
        # admin (`never_cache`, which includes no-store) and the letters (no-store). A future view
        # that lets non-personal content be cached says so with its own header.
        response.headers.setdefault("Cache-Control", CACHE_CONTROL)
        if response.headers.get("Content-Type", "").startswith("application/pdf"):
            # A letter shown in the browser is drawn by its PDF viewer, which a page's policy
            # (object-src 'none') can block; a PDF runs none of our scripts or styles, so the
            # policy protects nothing there. The same mark django-csp's `csp_exempt` sets.
            setattr(response, "_csp_exempt", True)  # noqa: B010
        elif getattr(getattr(response, "accepted_renderer", None), "format", None) == "api":
            # The same mark django-csp's `csp_replace` sets (no nonce there: it would switch
            # 'unsafe-inline' off).
            setattr(response, "_csp_replace", BROWSABLE_API_CSP)  # noqa: B010
        return response
