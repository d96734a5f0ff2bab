"""The access policy: the one place that answers "may this user see / do this?".

Pages and the API both ask it. Objects outside a user's scope are reported as not found (404),
never as forbidden, so that their existence is not disclosed.

Scope by role:
- sagsbehandler: the cases of their teams; the citizen register (to find or register a citizen).
- leder: the cases and citizens of their area (their teams), read-only.
- visitationsudvalg: the cases on the agendas of their committees' meetings, read-only; they
  record the outcome of their own committee's agenda items.
- udfører: only citizens with an active bestilling to their organisation, and of them only what
  the bestilling carries (its frozen content) and what the provider itself writes; no case pages.
- økonomifunktion: the payment facts of sent bestillinger (no case data).
- administrator: users, reference data and the audit log; no case data.

This module sits below the phase apps (it may not import them), so it reaches their models by
name through the app registry.
"""

from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.auth.models import Permission
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.http import Http404, HttpRequest
from django.utils import timezone
from rest_framework.request import Request

from vum.accounts.models import Role, Team, User

if TYPE_CHECKING:
    from cases.models import Borger, Henvendelse, Sag


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"
    TRANSITION = "transition"
    OPEN_CASE = "open_case"
    SEARCH_BORGER = "search_borger"
    CREATE_BORGER = "create_borger"
    EDIT_BORGER = "edit_borger"
    # Register an enquiry about a citizen outside the user's teams: only one the user has just
    # found by a search with a stated purpose (the register is reached by search, not by id).
    REGISTER_HENVENDELSE = "register_henvendelse"
    VIEW_AUDIT_LOG = "view_audit_log"
    # Send again an e-mail whose sending was interrupted (in doubt): the administrator's call.
    RESEND_EMAIL = "resend_email"
    RECORD_COMMITTEE_OUTCOME = "record_committee_outcome"
    ANSWER_BESTILLING = "answer_bestilling"
    DELIVER = "deliver"
    VIEW_FINANCE = "view_finance"
    # The manager's dashboard: aggregates over the leader's area, and drill-down to its cases.
    VIEW_DASHBOARD = "view_dashboard"
    # KL's FFB data set: its deliveries and the cases refused by its validation, by case number
    # and rule only (no citizen's data), for the leaders and the system's administrators.
    VIEW_FFB_DELIVERIES = "view_ffb_deliveries"
    # The register's live data (full CPR, address, relations); a provider reads only what its
    # bestilling carries, so it has no register access even for the citizens it serves.
    READ_REGISTER = "read_register"


def request_user(request: HttpRequest | Request) -> User:
    """The signed-in user a page or an API call acts as. Pages are behind login_required and the
    API behind IsAuthenticated, so there is one; this narrows the type for the policy."""
    user = request.user
    assert isinstance(user, User), "Only authenticated users reach the pages and the API."
    return user


class NotFoundForUser(Http404):
    """Raised for objects outside the user's scope, and for actions they may not take on them."""


def _model(label: str) -> Any:
    return apps.get_model(label)


def _active_user(user: Any) -> User | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user if isinstance(user, User) else None


def sager_visible_to(user: Any) -> "QuerySet[Sag]":
    Sag = _model("cases.Sag")
    qs: QuerySet[Any] = Sag.objects.all()
    actor = _active_user(user)
    if actor is None:
        return qs.none()
    if actor.role in (Role.SAGSBEHANDLER, Role.LEDER):
        return qs.filter(team__in=teams_visible_to(actor))
    if actor.role == Role.VISITATIONSUDVALG:
        agenda = _model("assessment.Dagsordenspunkt").objects.filter(moede__udvalg__medlemmer=actor)
        return qs.filter(pk__in=agenda.values("sag_id"))
    return qs.none()


def teams_visible_to(user: Any) -> QuerySet[Team]:
    """The teams whose figures the user may see: a leader's (and a caseworker's) own."""
    actor = _active_user(user)
    if actor is None or actor.role not in (Role.SAGSBEHANDLER, Role.LEDER):
        return Team.objects.none()
    return actor.teams.all()


def borgere_visible_to(user: Any) -> "QuerySet[Borger]":
    Borger = _model("cases.Borger")
    qs: QuerySet[Any] = Borger.objects.all()
    actor = _active_user(user)
    if actor is None:
        return qs.none()
    if actor.role == Role.SAGSBEHANDLER:
        # The citizens of the team's cases and enquiries, and those the user registered: the
        # rest of the register is reached by a search that shows identification only.
        teams = actor.teams.all()
        enquiries = _model("cases.Henvendelse").objects.filter(team__in=teams)
        return qs.filter(
            Q(pk__in=sager_visible_to(actor).values("borger_id"))
            | Q(pk__in=enquiries.values("borger_id"))
            | Q(oprettet_af=actor)
        )
    if actor.role in (Role.LEDER, Role.VISITATIONSUDVALG):
        return qs.filter(pk__in=sager_visible_to(actor).values("borger_id"))
    if actor.role == Role.UDFOERER and actor.organisation_id is not None:
        orders = (
            _model("orders.Bestilling").objects.active().filter(udfoerer_id=actor.organisation_id)
        )
        return qs.filter(pk__in=orders.values("sag__borger_id"))
    return qs.none()


# How long a citizen found by a search stays reachable for registering an enquiry.
FOUND_BY_SEARCH_FOR = timedelta(hours=24)


def borgere_reachable_by(user: Any) -> "QuerySet[Borger]":
    """The citizens a caseworker may register an enquiry about: those in scope, and those the
    user found by a search lately. The search audited each citizen it showed
    (cases/selectors.py: borger_search), so the log itself answers."""
    actor = _active_user(user)
    if actor is None or actor.role != Role.SAGSBEHANDLER:
        return _model("cases.Borger").objects.none()
    found = _model("audit.AuditEvent").objects.filter(
        actor=actor,
        action="list",
        summary=SEARCH_RESULT_SUMMARY,
        occurred_at__gte=timezone.now() - FOUND_BY_SEARCH_FOR,
    )
    return _model("cases.Borger").objects.filter(
        Q(pk__in=borgere_visible_to(actor).values("pk")) | Q(pk__in=found.values("borger_id"))
    )


# The summary borger_search writes for each citizen it showed.
SEARCH_RESULT_SUMMARY = "Søgeresultat"


def bestillinger_visible_to(user: Any) -> QuerySet[Any]:
    """A provider's staff see their organisation's active orders, latest version only; case
    staff see the orders of the cases they see."""
    Bestilling = _model("orders.Bestilling")
    actor = _active_user(user)
    if actor is None:
        return Bestilling.objects.none()
    if actor.role == Role.UDFOERER:
        if actor.organisation_id is None:
            return Bestilling.objects.none()
        return Bestilling.objects.active().filter(udfoerer_id=actor.organisation_id)
    return Bestilling.objects.filter(sag__in=sager_visible_to(actor))


def henvendelser_visible_to(user: Any) -> "QuerySet[Henvendelse]":
    """Enquiries about a visible citizen that opened a case in the user's scope; a caseworker, who
    triages, also sees the enquiries that opened no case (advice, referrals)."""
    Henvendelse = _model("cases.Henvendelse")
    in_scope = Q(sag__in=sager_visible_to(user))
    if may(user, Action.OPEN_CASE):
        # A caseworker's citizens are the whole register, so filtering on them would only
        # join every enquiry with every citizen.
        return Henvendelse.objects.filter(in_scope | Q(sag__isnull=True))
    return Henvendelse.objects.filter(in_scope, borger__in=borgere_visible_to(user))


def _in_own_teams(actor: User, sag: Any) -> bool:
    """Is the case in one of the actor's teams (the scope of `sager_visible_to` for caseworkers
    and leaders)? The team ids are read once per user object, i.e. once per request: a page asks
    this for every action it offers; not at all for a case `get_sag_or_404` just found through
    them."""
    if sag.team_id in getattr(actor, "_vum_teams_seen", ()):
        return True
    team_ids: set[int] | None = getattr(actor, "_vum_team_ids", None)
    if team_ids is None:
        team_ids = set(actor.teams.values_list("pk", flat=True))
        actor._vum_team_ids = team_ids  # type: ignore[attr-defined]
    return sag.team_id in team_ids


@receiver(m2m_changed, sender=User.teams.through)
def _forget_team_ids(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A user's teams changed: the cached ids of `_in_own_teams` are stale. (Changed from the
    team's side, the users are not at hand; they are new objects in the next request.)"""
    if isinstance(instance, User):
        instance.__dict__.pop("_vum_team_ids", None)
        instance.__dict__.pop("_vum_teams_seen", None)


def may(user: Any, action: Action, obj: Model | None = None, *, as_loaded: bool = False) -> bool:
    """May `user` take `action` on `obj`: a Sag, a Borger, or None for actions without one?

    `as_loaded` decides EDIT on a case from the case as the request loaded it rather than from
    the database's latest state: for which forms a page offers. The write itself asks without
    it. (The other rules read nothing that could have changed since, and ignore it.)"""
    actor = _active_user(user)
    if actor is None:
        return False
    if action in (Action.VIEW_AUDIT_LOG, Action.RESEND_EMAIL):
        return actor.role == Role.ADMINISTRATOR
    if action == Action.VIEW_DASHBOARD:
        return actor.role == Role.LEDER
    if action == Action.VIEW_FFB_DELIVERIES:
        return actor.role in (Role.LEDER, Role.ADMINISTRATOR)
    if action == Action.VIEW_FINANCE:
        return actor.role == Role.OEKONOMI
    if action in (Action.SEARCH_BORGER, Action.CREATE_BORGER, Action.OPEN_CASE):
        return actor.role == Role.SAGSBEHANDLER
    if obj is None:
        return False
    label = obj._meta.label
    if label == "cases.Borger":
        if action == Action.VIEW:
            return borgere_visible_to(actor).filter(pk=obj.pk).exists()
        if action == Action.EDIT_BORGER:
            return (
                actor.role == Role.SAGSBEHANDLER
                and borgere_visible_to(actor).filter(pk=obj.pk).exists()
            )
        if action == Action.REGISTER_HENVENDELSE:
            return borgere_reachable_by(actor).filter(pk=obj.pk).exists()
        if action == Action.READ_REGISTER:
            return (
                actor.role != Role.UDFOERER and borgere_visible_to(actor).filter(pk=obj.pk).exists()
            )
        return False
    if label == "cases.Sag":
        if action == Action.VIEW:
            if actor.role in (Role.SAGSBEHANDLER, Role.LEDER):
                return _in_own_teams(actor, obj)
            return sager_visible_to(actor).filter(pk=obj.pk).exists()
        if action in (Action.EDIT, Action.TRANSITION):
            if actor.role != Role.SAGSBEHANDLER or not _in_own_teams(actor, obj):
                return False
            # A closed case is a record: it is read, never written (new needs open a new
            # case). Transitions stay, so a move racing the close is told of the conflict.
            if action == Action.TRANSITION:
                return True
            if as_loaded:
                return obj.fase != "afsluttet"  # type: ignore[attr-defined]
            # Read from the database, not the object: a case closed since it was loaded must
            # refuse the write (the record services rely on this check).
            return _model("cases.Sag").objects.filter(pk=obj.pk).exclude(fase="afsluttet").exists()
        return False
    if label == "orders.Bestilling":
        visible = bestillinger_visible_to(actor).filter(pk=obj.pk)
        if action == Action.VIEW:
            return visible.exists()
        # The provider's staff answer and document on their organisation's orders; whether an
        # order still awaits an answer is the service's check, under its row lock.
        if action in (Action.ANSWER_BESTILLING, Action.DELIVER):
            return actor.role == Role.UDFOERER and visible.exists()
        return False
    if label == "orders.Handleplan":
        # The plan is case content: seen through a case of the citizen, not the register.
        plan: Any = obj
        cases = sager_visible_to(actor).filter(borger_id=plan.borger_id)
        if action == Action.VIEW:
            return cases.exists()
        if action == Action.EDIT:
            return actor.role == Role.SAGSBEHANDLER and cases.exclude(fase="afsluttet").exists()
        return False
    if label in ("assessment.Dagsordenspunkt", "assessment.Udvalgsmoede"):
        # Only the members of the committee whose meeting it is record its outcomes and close it.
        if action != Action.RECORD_COMMITTEE_OUTCOME or actor.role != Role.VISITATIONSUDVALG:
            return False
        meetings = _model("assessment.Udvalgsmoede").objects.filter(udvalg__medlemmer=actor)
        if label == "assessment.Udvalgsmoede":
            return meetings.filter(pk=obj.pk).exists()
        return meetings.filter(punkter=obj.pk).exists()
    raise ValueError(f"The access policy has no rule for {label}.")


def require(user: Any, action: Action, obj: Model | None = None) -> None:
    if not may(user, action, obj):
        raise NotFoundForUser("Findes ikke eller er ikke tilgængelig for dig.")


_SAG_NOT_FOUND = "Sagen findes ikke eller er ikke tilgængelig for dig."
_IN_USER_TEAMS = "in_user_teams"


def get_sag_or_404(user: Any, pk: Any, **annotations: Any) -> "Sag":
    """The case `pk` if the user may see it, with its citizen, team, caseworker and sagsåbning
    (every case page shows them) and any `annotations` a page asks for."""
    if _IN_USER_TEAMS in annotations:
        raise TypeError(f"{_IN_USER_TEAMS} is the access policy's own column.")
    actor = _active_user(user)
    member = actor if actor is not None and actor.role in (Role.SAGSBEHANDLER, Role.LEDER) else None
    if member is not None:
        # The team rule of `sager_visible_to` as a column rather than a filter: as a filter it
        # is one more join for the planner to order with the four related rows, and planning
        # took more than half of the statement's time. A case outside the teams is refused
        # below all the same.
        in_teams = Exists(teams_visible_to(member).filter(pk=OuterRef("team_id")))
        qs = _model("cases.Sag").objects.annotate(**{_IN_USER_TEAMS: in_teams})
    else:
        qs = sager_visible_to(user)
    qs = qs.select_related("borger", "team", "sagsbehandler", "sagsaabning").annotate(**annotations)
    try:
        sag = qs.get(pk=pk)
    except (_model("cases.Sag").DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundForUser(_SAG_NOT_FOUND) from exc
    if member is not None:
        if not getattr(sag, _IN_USER_TEAMS):
            raise NotFoundForUser(_SAG_NOT_FOUND)
        # Found through the user's teams just now: the case's team is one of them, so the
        # request's further checks on it need not look the teams up. Kept on the user, and
        # forgotten with the rest when their teams change.
        seen: set[int] = getattr(member, "_vum_teams_seen", set())
        seen.add(sag.team_id)
        member._vum_teams_seen = seen  # type: ignore[attr-defined]
    return sag


def get_bestilling_or_404(user: Any, pk: Any) -> Any:
    try:
        return (
            bestillinger_visible_to(user)
            .select_related("sag__borger", "sag__team", "sag__sagsbehandler", "udfoerer")
            .get(pk=pk)
        )
    except (_model("orders.Bestilling").DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundForUser(
            "Bestillingen findes ikke eller er ikke tilgængelig for dig."
        ) from exc


def get_borger_or_404(user: Any, pk: Any) -> "Borger":
    try:
        return borgere_visible_to(user).get(pk=pk)
    except (_model("cases.Borger").DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundForUser("Borgeren findes ikke eller er ikke tilgængelig for dig.") from exc


# What the administrator may do in the admin site: users, teams, organisations and the role
# mapping; the committees; reference data (vum.catalog: kept, never deleted, as cases point at
# its rows); and read the audit log and the outgoing e-mail. Case data is deliberately not here.
ADMINISTRATOR_PERMISSIONS = (
    (
        Q(content_type__app_label="accounts")
        & ~Q(content_type__app_label="accounts", codename__startswith="delete_")
    )
    | Q(
        content_type__app_label="assessment",
        content_type__model__in=["visitationsudvalg", "udvalgsmoede", "dagsordenspunkt"],
    )
    | Q(content_type__app_label="catalog", codename__regex=r"^(view|add|change)_")
    | Q(content_type__app_label="audit", codename="view_auditevent")
    | Q(content_type__app_label="notifications", codename="view_udgaaendeemail")
)


def administrator_permissions() -> QuerySet[Permission]:
    return Permission.objects.filter(ADMINISTRATOR_PERMISSIONS)
