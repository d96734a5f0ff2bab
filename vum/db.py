"""Database-level guarantees that the application cannot bypass."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def _refuse_changes(schema_editor: BaseDatabaseSchemaEditor, table: str) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION vum_refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'Tabellen %% kan kun tilføjes rækker', TG_TABLE_NAME;
            END;
            $$ LANGUAGE plpgsql;
            """
        )
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION vum_refuse_change();"
        )
    elif vendor == "sqlite":
        for event in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'Tabellen {table} kan kun tilføjes rækker'); END;"
            )


def _allow_changes(schema_editor: BaseDatabaseSchemaEditor, table: str) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    elif vendor == "sqlite":
        for event in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_{event};")


def append_only(table: str) -> migrations.RunPython:
    """A migration operation that makes the database refuse UPDATE and DELETE on `table`."""

    def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        _refuse_changes(schema_editor, table)

    def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        _allow_changes(schema_editor, table)

    return migrations.RunPython(forwards, backwards)


@contextmanager
def append_only_suspended(schema_editor: BaseDatabaseSchemaEditor, table: str) -> Iterator[None]:
    """Within a migration only: lift the refusal on `table` for a sanctioned rewrite, and restore
    it in the same transaction. The app's own database role cannot do this (it owns nothing)."""
    _allow_changes(schema_editor, table)
    yield
    _refuse_changes(schema_editor, table)
