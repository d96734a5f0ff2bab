"""The role mapping: from the job-function roles an identity provider asserts to vum's role,
teams and provider organisation, through the `Rolletilknytning` rows the administrator keeps."""

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException, ElementTree

from vum.accounts.federation.refusals import LoginRefused
from vum.accounts.models import Organisation, Role, Rolletilknytning, Team

# The OIOSAML Basic Privilege Profile (1.2): the roles and their data constraints, grouped by
# the organisation (CVR number) that granted them.
PRIVILEGE_NAMESPACE = "http://digst.dk/oiosaml/basic_privilege_profile"
CVR_SCOPE_PREFIX = "urn:dk:gov:saml:cvrNumberIdentifier:"


@dataclass(frozen=True)
class Privilege:
    """One job-function role (brugersystemrolle) with the values of its data constraints."""

    rolle: str
    afgraensninger: tuple[str, ...] = ()
    cvr: str = ""


@dataclass(frozen=True)
class RoleGrant:
    rolle: Role
    teams: list[Team] = field(default_factory=list)
    organisation: Organisation | None = None


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def privileges_from_oiosaml(encoded: str) -> list[Privilege]:
    """The privileges in an OIOSAML privilege list, as the attribute carries it (base64)."""
    try:
        root = ElementTree.fromstring(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ElementTree.ParseError, DefusedXmlException) as error:
        raise LoginRefused(
            "privilegier_ulaeselige",
            "Rollerne fra kommunens login kunne ikke læses. Kontakt din systemadministrator.",
        ) from error
    privileges: list[Privilege] = []
    for group in root:
        if _local_name(group.tag) != "PrivilegeGroup":
            continue
        scope = group.get("Scope", "")
        cvr = scope.removeprefix(CVR_SCOPE_PREFIX) if scope.startswith(CVR_SCOPE_PREFIX) else ""
        roles = [
            (child.text or "").strip()
            for child in group
            if _local_name(child.tag) == "Privilege" and (child.text or "").strip()
        ]
        constraints = tuple(
            (child.text or "").strip()
            for child in group
            if _local_name(child.tag) == "Constraint" and (child.text or "").strip()
        )
        privileges.extend(Privilege(rolle=r, afgraensninger=constraints, cvr=cvr) for r in roles)
    return privileges


def _matching_rules(privileges: Iterable[Privilege]) -> list[tuple[Rolletilknytning, Privilege]]:
    privileges = list(privileges)
    rules = Rolletilknytning.objects.filter(
        brugersystemrolle__in={p.rolle for p in privileges}
    ).prefetch_related("teams")
    matches = []
    for rule in rules:
        for privilege in privileges:
            if privilege.rolle == rule.brugersystemrolle and (
                not rule.afgraensning or rule.afgraensning in privilege.afgraensninger
            ):
                matches.append((rule, privilege))
    return matches


def _provider_organisation(privilege: Privilege) -> Organisation | None:
    """A provider's organisation from its role's constraint (a P-number) or its CVR number."""
    by_p_number = Organisation.objects.filter(
        p_nummer__in=[v for v in privilege.afgraensninger if v]
    ).first()
    if by_p_number is not None or not privilege.cvr:
        return by_p_number
    return Organisation.objects.filter(cvr=privilege.cvr).first()


def roles_resolve(privileges: Iterable[Privilege]) -> RoleGrant:
    """The vum role the privileges give, with its teams or provider organisation. Refused when
    they give none, or more than one role (a user has one role in vum; the mapping decides)."""
    matches = _matching_rules(privileges)
    roles = {Role(rule.rolle) for rule, _ in matches}
    if not roles:
        raise LoginRefused(
            "ingen_rolle",
            "Din bruger har ingen rolle, der giver adgang til vum. Bed din leder om at få "
            "tildelt en vum-rolle i kommunens brugerstyring.",
        )
    if len(roles) > 1:
        names = ", ".join(sorted(role.label for role in roles))
        raise LoginRefused(
            "flere_roller",
            f"Din bruger har roller, der giver flere forskellige vum-roller ({names}). En "
            "bruger har én rolle i vum: bed din systemadministrator om at rette rolletildelingen.",
        )
    rolle = roles.pop()
    teams = {team.pk: team for rule, _ in matches for team in rule.teams.all()}
    organisation = None
    if rolle == Role.UDFOERER:
        organisations = {
            org.pk: org
            for org in (
                rule.organisation or _provider_organisation(privilege)
                for rule, privilege in matches
            )
            if org is not None
        }
        if len(organisations) != 1:
            raise LoginRefused(
                "ingen_organisation" if not organisations else "flere_organisationer",
                "Din udførerrolle peger ikke på netop én udførerorganisation i vum. Kontakt "
                "kommunens systemadministrator.",
            )
        organisation = next(iter(organisations.values()))
    return RoleGrant(
        rolle=rolle,
        teams=sorted(teams.values(), key=lambda team: team.navn),
        organisation=organisation,
    )
