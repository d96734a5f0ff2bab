"""Which identity providers this deployment logs in through (settings in vum/settings/base.py)."""

from django.conf import settings


def saml_enabled() -> bool:
    return bool(settings.VUM_SAML_IDP_METADATA_FILE or settings.VUM_SAML_IDP_METADATA_URL)


def oidc_enabled() -> bool:
    return bool(settings.VUM_OIDC_ISSUER and settings.VUM_OIDC_CLIENT_ID)


def identity_provider_configured() -> bool:
    return saml_enabled() or oidc_enabled()
