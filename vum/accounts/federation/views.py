"""The login page and "Log ud", whichever way the user logged in."""

from typing import Any

from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_POST

from vum.accounts.federation.config import (
    identity_provider_configured,
    oidc_enabled,
    saml_enabled,
)
from vum.accounts.federation.oidc import oidc_logout_url
from vum.accounts.federation.saml import SamlLogoutView, saml_session_subject


class LoginPage(auth_views.LoginView):
    """With an identity provider, the page offers its login; vum's own password form is then
    only for the break-glass users (vum.accounts.backends.UserBackend refuses anyone else)."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["saml_enabled"] = saml_enabled()
        context["oidc_enabled"] = oidc_enabled()
        context["identity_provider"] = identity_provider_configured()
        return context


login_page = LoginPage.as_view()


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Ends the vum session, and the identity provider's too where the login came from one: a
    SAML single logout, or the OIDC provider's end-session page."""
    if saml_enabled() and saml_session_subject(request) is not None:
        return SamlLogoutView.as_view()(request)
    id_token = request.session.get("oidc_id_token")
    if oidc_enabled() and id_token:
        auth.logout(request)
        target = oidc_logout_url(request, id_token)
        if target is not None:
            return HttpResponseRedirect(target)
    return auth_views.LogoutView.as_view()(request)
