"""Writes of a login through an identity provider: the user created or updated from what the
provider asserts (just in time), the session remembered so that a logout there ends it here,
the proofs already used (replay protection), and the audit of logins, refusals and logouts.

The audit names the provider, the subject and the assurance level, never the user's attributes.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from vum.access import administrator_permissions
from vum.accounts.federation.refusals import LoginRefused
from vum.accounts.federation.roles import Privilege, roles_resolve
from vum.accounts.models import FoederetSession, Loginbevis, Role, Sikringsniveau, User
from vum.accounts.two_factor import SECOND_FACTOR_AT_IDP
from vum.audit.models import AuditAction
from vum.audit.services import audit_record


@dataclass(frozen=True)
class FederatedIdentity:
    """Who the identity provider says logged in, how surely, and with which roles."""

    protocol: str  # "SAML" or "OIDC"
    udsteder: str
    subjekt: str
    sikringsniveau: str
    privileges: list[Privilege] = field(default_factory=list)
    fornavn: str = ""
    efternavn: str = ""
    email: str = ""
    sid: str = ""

    def describe(self) -> str:
        """For the audit trail: the provider, the subject and the level, no attributes."""
        return (
            f"{self.protocol}: udbyder {self.udsteder}, subjekt {self.subjekt}, "
            f"sikringsniveau {self.sikringsniveau or 'ikke oplyst'}"
        )


def assurance_check(*, identity: FederatedIdentity) -> None:
    """Refuse a login below the required NSIS level (health and social data: Substantial)."""
    required = Sikringsniveau(settings.VUM_LOGIN_MIN_ASSURANCE)
    if Sikringsniveau.rank(identity.sikringsniveau) < Sikringsniveau.rank(required):
        given = (
            Sikringsniveau(identity.sikringsniveau).label.lower()
            if identity.sikringsniveau in Sikringsniveau.values
            else "ikke oplyst"
        )
        raise LoginRefused(
            "for_lavt_sikringsniveau",
            f"Dit login har sikringsniveau {given}, men vum kræver mindst "
            f"{required.label.lower()} (NSIS), fordi vum rummer helbreds- og sociale "
            "oplysninger. Log ind igen med MitID eller en anden løsning på mindst det niveau.",
        )


def _username(identity: FederatedIdentity) -> str:
    """A stable, unique username for a user known by their provider's subject."""
    digest = hashlib.sha256(f"{identity.udsteder}\n{identity.subjekt}".encode()).hexdigest()
    return f"{identity.protocol.lower()}-{digest[:24]}"


def federated_user_sync(*, identity: FederatedIdentity) -> User:
    """The vum user for `identity`, created or brought up to date with what the provider asserts
    now: name, e-mail, and the role, teams and organisation the role mapping gives. A role the
    assertion no longer carries is gone after this. Refused (LoginRefused) below the assurance
    level, without a vum role, or for a deactivated user."""
    assurance_check(identity=identity)
    grant = roles_resolve(identity.privileges)
    with transaction.atomic():
        user = (
            User.objects.select_for_update()
            .filter(idp_udsteder=identity.udsteder, idp_subjekt=identity.subjekt)
            .first()
        )
        created = user is None
        if user is None:
            user = User(
                username=_username(identity),
                idp_udsteder=identity.udsteder,
                idp_subjekt=identity.subjekt,
            )
            user.set_unusable_password()
        elif not user.is_active:
            raise LoginRefused(
                "bruger_deaktiveret",
                "Din bruger i vum er deaktiveret. Kontakt kommunens systemadministrator.",
            )
        before = {
            "role": user.role,
            "is_staff": user.is_staff,
            "organisation": user.organisation_id,
            "teams": sorted(user.teams.values_list("pk", flat=True)) if not created else [],
        }
        user.first_name = identity.fornavn[:150]
        user.last_name = identity.efternavn[:150]
        user.email = identity.email[:254]
        user.role = grant.rolle
        # The admin site is the administrator's tool (vum.access); nobody else gets it from a
        # login, whatever they had before.
        user.is_staff = grant.rolle == Role.ADMINISTRATOR
        user.organisation = grant.organisation
        user.save()
        user.teams.set(grant.teams)
        user.user_permissions.set(
            administrator_permissions() if grant.rolle == Role.ADMINISTRATOR else []
        )
        after = {
            "role": user.role,
            "is_staff": user.is_staff,
            "organisation": user.organisation_id,
            "teams": sorted(team.pk for team in grant.teams),
        }
        changed = {key: after[key] for key in after if before[key] != after[key]}
        if created or changed:
            audit_record(
                actor=user,
                action=AuditAction.CREATE if created else AuditAction.UPDATE,
                obj=user,
                summary=(
                    "Bruger oprettet ved login"
                    if created
                    else "Rolle og tilhør opdateret ved login"
                )
                + f" ({identity.describe()})",
                changes=changed,
            )
    return user


def federated_login_record(
    *, request: HttpRequest, user: User, identity: FederatedIdentity
) -> None:
    """After the session login: remember which provider session it came from, so that a logout
    there ends it here; the provider has given the second factor (vum.accounts.two_factor); and
    the audit."""
    assert request.session.session_key is not None
    request.session[SECOND_FACTOR_AT_IDP] = user.pk
    with transaction.atomic():
        FoederetSession.objects.update_or_create(
            session_key=request.session.session_key,
            defaults={
                "user": user,
                "udsteder": identity.udsteder,
                "subjekt": identity.subjekt,
                "sid": identity.sid,
                "sikringsniveau": identity.sikringsniveau
                if identity.sikringsniveau in Sikringsniveau.values
                else "",
                "oprettet": timezone.now(),
            },
        )
        audit_record(
            actor=user,
            action=AuditAction.LOGIN,
            obj=user,
            summary=f"Logget ind ({identity.describe()})",
            changes={"sikringsniveau": identity.sikringsniveau},
        )


def login_refusal_record(
    *, refusal: LoginRefused, identity: FederatedIdentity | None, protocol: str
) -> None:
    """A refused login in the audit trail: the reason's code, and who it was when the answer was
    good enough to say (a bad signature says nothing trustworthy about anyone)."""
    user = None
    if identity is not None:
        user = User.objects.filter(
            idp_udsteder=identity.udsteder, idp_subjekt=identity.subjekt
        ).first()
    audit_record(
        actor=user,
        action=AuditAction.LOGIN_REFUSED,
        obj=user,
        summary=(
            f"Login afvist: {refusal.code} ("
            + (identity.describe() if identity is not None else f"{protocol}: ukendt afsender")
            + ")"
        ),
        changes={"aarsag": refusal.code},
    )


def login_proof_use(*, udsteder: str, bevis_id: str, udloeber: datetime) -> bool:
    """Mark a proof (a SAML assertion's id, an OIDC logout token's jti) as used. False if it
    was used before: a replay. Ids are kept until the proof expires; expired ones go now."""
    now = timezone.now()
    Loginbevis.objects.filter(udloeber__lt=now).delete()
    try:
        with transaction.atomic():
            Loginbevis.objects.create(udsteder=udsteder, bevis_id=bevis_id, udloeber=udloeber)
    except IntegrityError:
        return False
    return True


def federated_sessions_end(*, udsteder: str, subjekt: str = "", sid: str = "") -> int:
    """End the vum sessions opened from the provider's session `sid`, or, without one, all of
    the subject's sessions from that provider (OIDC back-channel logout). How many ended."""
    if not sid and not subjekt:
        return 0
    sessions = FoederetSession.objects.filter(udsteder=udsteder)
    sessions = sessions.filter(sid=sid) if sid else sessions.filter(subjekt=subjekt)
    with transaction.atomic():
        ended = list(sessions.select_for_update().select_related("user"))
        Session.objects.filter(session_key__in=[s.session_key for s in ended]).delete()
        FoederetSession.objects.filter(pk__in=[s.pk for s in ended]).delete()
        for session in ended:
            audit_record(
                actor=session.user,
                action=AuditAction.LOGOUT,
                obj=session.user,
                summary=f"Logget ud af identitetsudbyderen (udbyder {udsteder}, "
                f"subjekt {session.subjekt})",
            )
    return len(ended)


def federated_logout_record(*, request: HttpRequest, user: User) -> None:
    """A federated session ends in the browser (vum's "Log ud", or the provider's single
    logout through the browser): audited, and forgotten."""
    key = request.session.session_key
    session = FoederetSession.objects.filter(session_key=key).first() if key else None
    if session is None:
        return
    with transaction.atomic():
        session.delete()
        audit_record(
            actor=user,
            action=AuditAction.LOGOUT,
            obj=user,
            summary=f"Logget ud (udbyder {session.udsteder}, subjekt {session.subjekt})",
        )
