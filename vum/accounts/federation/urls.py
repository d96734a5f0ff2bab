from django.urls import URLPattern, path

from vum.accounts.federation import oidc, saml

# The names are the ones djangosaml2 and mozilla-django-oidc reverse.
urlpatterns: list[URLPattern] = [
    path("saml2/login/", saml.SamlLoginView.as_view(), name="saml2_login"),
    path("saml2/acs/", saml.SamlAcsView.as_view(), name="saml2_acs"),
    path("saml2/logout/", saml.SamlLogoutView.as_view(), name="saml2_logout"),
    path("saml2/ls/", saml.SamlLogoutServiceView.as_view(), name="saml2_ls"),
    path("saml2/ls/post/", saml.SamlLogoutServiceView.as_view(), name="saml2_ls_post"),
    path("saml2/metadata/", saml.SamlMetadataView.as_view(), name="saml2_metadata"),
    path("oidc/authenticate/", oidc.OidcLoginView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", oidc.OidcCallbackView.as_view(), name="oidc_authentication_callback"),
    path("oidc/backchannel-logout/", oidc.backchannel_logout, name="oidc_backchannel_logout"),
]
