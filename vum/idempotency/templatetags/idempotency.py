import uuid

from django import template
from django.utils.html import format_html

from vum.idempotency.middleware import FORM_FIELD

register = template.Library()


@register.simple_tag
def form_token() -> str:
    """A hidden one-time token for a form that creates or sends something: a double-click or a
    resubmission after a timeout then does it once (vum.idempotency.middleware)."""
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, uuid.uuid4())
