"""The letters of a case, on the case page: each with its dispatch, or "Afventer afsendelse"
while its dispatch is not recorded (the broker was down, say, and the sweep has not sent it)."""

from typing import Any

from assessment.selectors.afgoerelse import sag_breve_qs
from cases.models import Sag
from cases.panels import case_panels
from vum.accounts.models import User


@case_panels.register(template="assessment/_sag_breve.html", position=10)
def letters_panel(user: User, sag: Sag) -> dict[str, Any] | None:
    breve = list(sag_breve_qs(sag=sag))
    return {"breve": breve} if breve else None
