"""No lost updates: a record two people can edit carries a version.

Whoever edits it sends back the version they read (a page form's hidden field, an API client's
If-Match with the record's ETag); the service that saves it locks the row, compares, and raises
StaleVersion if someone saved in between, or saves and counts the version up. A page shows the
form again with the user's input and, beside each field, what the other person saved; the API
answers 412 with the current ETag. A caller without a version (a service acting on the record
itself) passes None.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django import forms
from django.db import models
from django.http import QueryDict
from django.utils import formats, timezone

from vum.audit.models import AuditAction, AuditEvent


class Versioned(models.Model):
    version = models.PositiveIntegerField("version", default=1, editable=False)

    class Meta:
        abstract = True


class StaleVersion(Exception):
    """The record was saved by someone else after the editor read it."""

    def __init__(self, current: Versioned, expected: int) -> None:
        self.current = current
        self.expected = expected
        super().__init__(
            f"{str(current._meta.verbose_name).capitalize()} er ændret af en anden, efter du "
            f"hentede den (du havde version {expected}, nu er den version {current.version}). "
            "Dine ændringer er ikke gemt."
        )


def version_check(record: Versioned, expected: int | None) -> None:
    """In the service, with the row locked: refuse a save based on an older version."""
    if expected is not None and expected != record.version:
        raise StaleVersion(record, expected)


def version_next(record: Versioned) -> list[str]:
    """Count the version up; returns the field to add to `save(update_fields=...)`."""
    record.version += 1
    return ["version"]


def last_change(record: models.Model) -> tuple[str, datetime] | None:
    """Who saved the record last, and when (from the audit trail)."""
    event = (
        AuditEvent.objects.filter(
            object_type=record._meta.label,
            object_id=str(record.pk),
            action__in=[AuditAction.UPDATE, AuditAction.CREATE],
        )
        .select_related("actor")
        .order_by("-occurred_at", "-id")
        .first()
    )
    if event is None:
        return None
    who = event.actor.get_full_name() or event.actor.username if event.actor else "systemet"
    return who, event.occurred_at


class VersionField(forms.IntegerField):
    """The version a page form was filled in from, sent back with it."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        messages = {"required": "Siden er forældet: genindlæs den, før du gemmer."}
        super().__init__(min_value=1, error_messages=messages, **kwargs)


def _shown(form: forms.BaseForm, name: str, value: Any) -> str:
    field = form.fields[name]
    if value in (None, ""):
        return "(tomt)"
    choices = dict(getattr(field, "choices", []) or [])
    if isinstance(value, list | tuple):
        return ", ".join(_shown(form, name, v) for v in value) or "(tomt)"
    if value in choices:
        return str(choices[value])
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "d.m.Y H:i")
    if hasattr(value, "isoformat"):
        return formats.date_format(value, "d.m.Y")
    text = str(value)
    return text if len(text) <= 200 else text[:200] + " …"


def show_conflict(
    form: forms.BaseForm, error: StaleVersion, *, saved: Mapping[str, Any] | None = None
) -> None:
    """Turn a bound, valid form into one that shows the conflict: the user's input stays in the
    fields, each field where the saved record now differs says what was saved, and the version
    becomes the current one, so that saving again (after a look) is a deliberate choice. The
    saved values are the record's attributes of the fields' names, or `saved` for a form whose
    fields are not (a choice of related rows, say)."""
    current = error.current
    changed = last_change(current)
    by = (
        f" af {changed[0]} {formats.date_format(timezone.localtime(changed[1]), 'd.m.Y H:i')}"
        if changed
        else ""
    )
    data = QueryDict(mutable=True)
    data.update(form.data)
    data[form.add_prefix("version")] = str(current.version)
    form.data = data
    submitted = dict(form.cleaned_data)
    differing = []
    for name, value in submitted.items():
        if saved is not None and name in saved:
            now = saved[name]
        elif name != "version" and hasattr(current, name):
            now = getattr(current, name)
        else:
            continue
        if now != value:
            differing.append(name)
            form.add_error(name, f"Gemt{by}: {_shown(form, name, now)}")
    summary = (
        f"{str(current._meta.verbose_name).capitalize()} er gemt{by}, efter du åbnede den. "
        "Dine ændringer er ikke gemt endnu: felterne viser din indtastning"
    )
    summary += (
        ", og under de felter, hvor den gemte udgave er anderledes, står det gemte. "
        if differing
        else "; den gemte udgave er ikke anderledes i de felter, du har ændret. "
    )
    form.add_error(None, summary + "Gem igen for at gemme din udgave.")
