"""Template helpers: the access policy for buttons, and accessible form fields."""

from typing import Any

from django import forms, template
from django.db.models import Model
from django.forms.boundfield import BoundField
from django.http import HttpRequest

from cases.selectors import transition_options
from vum.access import Action, may
from vum.accounts.middleware import return_path
from vum.audit.redaction import is_marker

register = template.Library()


@register.simple_tag
def may_do(user: Any, action: str, obj: Model | None = None) -> bool:
    """`{% may_do request.user "edit" sag as kan_redigere %}`: decides which buttons to show."""
    return may(user, Action(action), obj)


@register.filter
def ja_nej(value: bool | None) -> str:
    if value is None:
        return "Ikke besvaret"
    return "Ja" if value else "Nej"


@register.inclusion_tag("includes/field.html")
def field(bound: BoundField, **extra_attrs: Any) -> dict[str, Any]:
    """One form field with its label, hint and errors, the hint and errors tied to the input by
    aria-describedby so that a screen reader announces them with the field."""
    widget = bound.field.widget
    help_id = f"{bound.auto_id}_hjaelp"
    error_id = f"{bound.auto_id}_fejl"
    pairs = ((help_id, bound.help_text), (error_id, bound.errors))
    described = [element_id for element_id, present in pairs if present]
    attrs: dict[str, Any] = dict(extra_attrs)
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if bound.errors:
        attrs["aria-invalid"] = "true"
    is_group = isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
    return {
        "field": bound,
        "widget": bound.as_widget(attrs=attrs),
        "help_id": help_id,
        "error_id": error_id,
        "is_hidden": bound.is_hidden,
        "is_group": is_group,
        "is_checkbox": isinstance(widget, forms.CheckboxInput),
    }


@register.filter
def change_rows(changes: Any) -> list[dict[str, Any]]:
    """An audit event's `changes` as rows: {field: {"old", "new"}} or a plain value."""
    if not isinstance(changes, dict):
        return []
    rows = []
    for name, change in changes.items():
        if isinstance(change, dict) and set(change) <= {"old", "new"}:
            old, new = change.get("old"), change.get("new")
            rows.append({"name": name, "old": _shown(old), "new": _shown(new)})
        else:
            rows.append({"name": name, "value": _shown(change), "plain": True})
    return rows


def _shown(value: Any) -> Any:
    """A value as the log shows it: content the event only points to is shown by its length."""
    if is_marker(value):
        return f"tekst, {value['tegn']} tegn"
    if isinstance(value, list):
        return ", ".join(str(_shown(item)) for item in value)
    return value


@register.filter
def form_page(request: HttpRequest) -> str:
    """The page a posted form was on (its Referer, on this site), or the posted address."""
    return return_path(request) or request.path


@register.filter
def field_errors_exist(visible_fields: list[BoundField]) -> bool:
    return any(bound.errors for bound in visible_fields)


@register.filter
def hidden_errors(hidden_fields: list[BoundField]) -> list[str]:
    """The errors of a form's hidden fields (its version, say): shown with the form's own
    errors, since there is no field to show them at."""
    return [str(error) for bound in hidden_fields for error in bound.errors]


@register.inclusion_tag("cases/_phase_forward.html", takes_context=True)
def phase_forward(
    context: template.Context, sag: Any, fase: str, options: list[Any] | None = None
) -> dict[str, Any]:
    """The button that moves the case on, at the end of the page where the work of `fase` is
    done, with what still blocks it (`cases.lifecycle.register_guard`); none on the page of a
    phase the case is not in. `options`: the forward moves, when the page has read them
    already (`cases.views.sag.forward_options`)."""
    if sag.fase != fase:
        return {"options": []}
    if options is None:
        user = context["request"].user
        options = [o for o in transition_options(user=user, sag=sag) if not o.reason_required]
    return {"sag": sag, "options": options, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("includes/sort_th.html", takes_context=True)
def sort_th(context: template.Context, label: str, key: str, default: str = "") -> dict[str, Any]:
    """A sortable column's header in a filtered list: a link that sorts by the column, or
    reverses it when it is the current order; the rest of the query string (the filter) is
    kept and the list starts at its first page. `default` is the order with no `sorter`."""
    query = context["request"].GET.copy()
    current = query.get("sorter") or default
    if current == key:
        sort, next_key = "ascending", f"-{key}"
    elif current == f"-{key}":
        sort, next_key = "descending", key
    else:
        sort, next_key = "", key
    query["sorter"] = next_key
    query.pop("side", None)
    return {"label": label, "sort": sort, "href": f"?{query.urlencode()}"}
