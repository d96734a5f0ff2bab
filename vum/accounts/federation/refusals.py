"""A login the identity provider vouched for but vum refuses, and the page that says why."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class LoginRefused(Exception):
    """The reason is shown to the user (Danish); the code goes to the audit trail, where only
    codes with a separator (or a model's choice values) are kept as they are (vum.audit.redaction),
    so every code has one."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


UNTRUSTED_ANSWER = "ugyldigt_svar"

# Set on the request by the backends and the views of both protocols: the refusal, for the page
# that explains it, and the identity, for the audit of the login.
REFUSAL = "vum_login_refusal"
IDENTITY = "vum_federated_identity"


def refusal_page(request: HttpRequest, refusal: LoginRefused) -> HttpResponse:
    return render(request, "accounts/login_afvist.html", {"refusal": refusal}, status=403)
