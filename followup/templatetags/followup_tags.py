"""Template helpers of the follow-up for pages of other apps: the provider's workspace (orders)
shows the open follow-ups of a bestilling's case without orders importing followup."""

from typing import Any

from django import template

from followup.models import Opfoelgning
from followup.selectors import udfoerer_opfoelgninger
from orders.models import Bestilling
from vum.access import NotFoundForUser

register = template.Library()


@register.simple_tag(takes_context=True)
def opfoelgninger_for(context: dict[str, Any], bestilling: Bestilling) -> list[Opfoelgning]:
    """`{% opfoelgninger_for bestilling as rows %}`: the open follow-ups of the case the
    signed-in provider's order is on; none for anyone who may not deliver on it."""
    request = context.get("request")
    user = getattr(request, "user", None)
    try:
        return udfoerer_opfoelgninger(user=user, bestilling=bestilling)  # type: ignore[arg-type]
    except NotFoundForUser:
        return []
