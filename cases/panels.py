"""Sections a later phase adds to the case page.

The case page belongs to `cases`, which may not import the phases after it. A phase that has
something to show on every case (the letters sent, say) registers a panel: a template and a
function that gives the template its context for the user and case, or None when the panel has
nothing to show. The page renders the panels in the order of `position`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cases.models import Sag
    from vum.accounts.models import User

PanelContext = Callable[["User", "Sag"], dict[str, Any] | None]


@dataclass(frozen=True)
class CasePanel:
    template: str
    context: PanelContext
    position: int


@dataclass(frozen=True)
class RenderedPanel:
    template: str
    context: dict[str, Any]


_panels: list[CasePanel] = []


def register_case_panel(*, template: str, position: int) -> Callable[[PanelContext], PanelContext]:
    def decorator(context: PanelContext) -> PanelContext:
        _panels.append(CasePanel(template=template, context=context, position=position))
        _panels.sort(key=lambda panel: panel.position)
        return context

    return decorator


def case_panels(user: "User", sag: "Sag") -> list[RenderedPanel]:
    rendered = []
    for panel in _panels:
        context = panel.context(user, sag)
        if context is not None:
            rendered.append(RenderedPanel(template=panel.template, context=context))
    return rendered
