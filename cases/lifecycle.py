"""The case lifecycle's phases and the guard registry.

The lifecycle knows the phases by name only. Each phase registers the checks that must hold before
a named transition may run (`register_guard`); the checks are side-effect-free and return the
reasons, in Danish, why the move is blocked. They serve both as django-fsm conditions (so only
permitted buttons are offered) and as the explanation shown when a move is refused.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, cast

from django.db import models

if TYPE_CHECKING:
    from cases.models import Sag
    from vum.accounts.models import User


class Fase(models.TextChoices):
    SAGSAABNING = "sagsaabning", "Sagsåbning"
    SAGSOPLYSNING = "sagsoplysning", "Sagsoplysning"
    SAGSVURDERING = "sagsvurdering", "Sagsvurdering"
    AFGOERELSE = "afgoerelse", "Afgørelse"
    BESTILLING = "bestilling", "Bestilling"
    LEVERING = "levering", "Levering"
    OPFOELGNING = "opfoelgning", "Opfølgning"
    AFSLUTTET = "afsluttet", "Afsluttet"


# The phases a case is in once its application has been decided on.
DECIDED_PHASES = frozenset({Fase.BESTILLING, Fase.LEVERING, Fase.OPFOELGNING, Fase.AFSLUTTET})


class Blocker(str):
    """A reason a move is blocked, as said to the user, and where on the phase's page it is put
    right (`where`: an element id, e.g. the missing field), so that the page can link to it.
    A str, so that it is joined into messages and stored as any reason is."""

    where: str

    def __new__(cls, text: str, where: str = "") -> "Blocker":
        reason = super().__new__(cls, text)
        reason.where = where
        return reason


Guard = Callable[["Sag"], Iterable[str]]

_guards: dict[str, list[Guard]] = defaultdict(list)


def register_guard(transition_name: str) -> Callable[[Guard], Guard]:
    def decorator(check: Guard) -> Guard:
        _guards[transition_name].append(check)
        return check

    return decorator


def blockers(sag: "Sag", transition_name: str) -> list[str]:
    return [reason for check in _guards[transition_name] for reason in check(sag)]


# Entering a phase from its page begins its work: the app that owns the phase registers what that
# means (starting the udredning, the sagsvurdering) and which page the phase's work is done on.
EnterHook = Callable[["Sag", "User"], None]

_on_enter: dict[str, list[EnterHook]] = defaultdict(list)
_phase_pages: dict[str, str] = {}


def register_on_enter(fase: str) -> Callable[[EnterHook], EnterHook]:
    def decorator(hook: EnterHook) -> EnterHook:
        _on_enter[fase].append(hook)
        return hook

    return decorator


def begin_phase_work(sag: "Sag", actor: "User") -> None:
    for hook in _on_enter[sag.fase]:
        hook(sag, actor)


def register_phase_page(fase: str, url_name: str) -> None:
    """The page (a URL name taking the case's pk) where the phase's work is done."""
    _phase_pages[fase] = url_name


def phase_page(fase: str) -> str | None:
    return _phase_pages.get(fase)


def phase_guard(transition_name: str) -> Callable[[models.Model], bool]:
    """A django-fsm condition that holds when no registered guard blocks the transition."""

    def condition(sag: models.Model) -> bool:
        return not blockers(cast("Sag", sag), transition_name)

    condition.__name__ = f"guard_{transition_name}"
    return condition
