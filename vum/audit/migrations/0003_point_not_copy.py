"""Existing audit events copied content into `changes` (free text, names, CPR numbers,
diagnoses). This migration replaces that content with markers, as new events have it
(vum/audit/redaction.py). It is the one sanctioned exception to append-only: run by the
migration (owner) role, with the table's refusal lifted only inside this transaction, and
itself recorded as an event."""

import json

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from vum.audit.redaction import redact
from vum.db import append_only_suspended

TABLE = "audit_auditevent"


def point_not_copy(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    audit_event = apps.get_model("audit", "AuditEvent")
    alias = schema_editor.connection.alias
    events = audit_event.objects.using(alias).exclude(changes={}).only("pk", "changes")
    rewritten: list[tuple[int, dict]] = []
    for pk, changes in events.values_list("pk", "changes").iterator():
        pointed = redact(changes)
        if pointed != changes:
            rewritten.append((pk, pointed))
    if not rewritten:
        return
    with append_only_suspended(schema_editor, TABLE):
        # Plain SQL: the model and its queryset refuse updates, as they should everywhere else.
        for pk, pointed in rewritten:
            schema_editor.execute(
                f"UPDATE {TABLE} SET changes = %s WHERE id = %s", [json.dumps(pointed), pk]
            )
    audit_event.objects.using(alias).create(
        actor=None,
        actor_label="migration",
        action="update",
        object_type="audit.AuditEvent",
        summary=(
            f"Indhold i {len(rewritten)} hændelsers ændringer erstattet af markører "
            "(migration audit 0003)"
        ),
        changes={"haendelser": len(rewritten)},
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [migrations.RunPython(point_not_copy, migrations.RunPython.noop)]
