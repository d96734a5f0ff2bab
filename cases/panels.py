"""Sections a later phase adds to a page of `cases`: the case page and the citizen's page.

Those pages belong to `cases`, which may not import the phases after it. A phase that has
something to show there (the letters sent, the services in force) registers a panel: a template
and a function that gives the template its context, or None when the panel has nothing to show.
A page renders its panels in the order of `position`.

- `case_panels`: for the user and the case.
- `borger_panels`: for the user, the citizen and the citizen's cases the user may see. The page
  reads those cases once, within the access policy, and hands every panel the same list, so no
  panel shows a case the page would not.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, ParamSpec

if TYPE_CHECKING:
    from cases.models import Borger, Sag
    from vum.accounts.models import User

P = ParamSpec("P")
PanelContext = Callable[P, dict[str, Any] | None]


@dataclass(frozen=True)
class RenderedPanel:
    template: str
    context: dict[str, Any]


class Panels(Generic[P]):
    """The panels of one page, each called with the page's arguments (P)."""

    def __init__(self) -> None:
        self._panels: list[tuple[int, str, PanelContext[P]]] = []

    def register(
        self, *, template: str, position: int
    ) -> Callable[[PanelContext[P]], PanelContext[P]]:
        def decorator(context: PanelContext[P]) -> PanelContext[P]:
            self._panels.append((position, template, context))
            self._panels.sort(key=lambda panel: panel[0])
            return context

        return decorator

    def render(self, *args: P.args, **kwargs: P.kwargs) -> list[RenderedPanel]:
        rendered = []
        for _position, template, panel in self._panels:
            context = panel(*args, **kwargs)
            if context is not None:
                rendered.append(RenderedPanel(template=template, context=context))
        return rendered


case_panels: "Panels[[User, Sag]]" = Panels()
borger_panels: "Panels[[User, Borger, Sequence[Sag]]]" = Panels()
