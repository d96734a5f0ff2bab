"""The session's warning in every signed-in page (templates/accounts/session_warning.html)."""

from typing import Any

from django import template

from vum.accounts.middleware import session_times

register = template.Library()


@register.inclusion_tag("accounts/session_warning.html", takes_context=True)
def session_warning(context: template.Context) -> dict[str, Any]:
    """The times vum/static/vum/session.js counts down from, as this request leaves them."""
    request = context.get("request")
    times = session_times(request) if request is not None else None
    return {"times": times, "request": request}
