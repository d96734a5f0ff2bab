"""Login through the municipality's identity provider: SAML (KOMBIT's Context Handler, OIOSAML
3; `saml`) and OpenID Connect (direct federation, e.g. Microsoft Entra ID; `oidc`).

Both protocols end in the same place: a `FederatedIdentity` (who, how surely, with which
job-function roles), which `services.federated_user_sync` turns into a vum user through the
role mapping (`roles`), refusing a login below the required assurance level or without a vum
role. See docs/login.md.
"""
