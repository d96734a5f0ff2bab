"""Database-level guarantees that the application cannot bypass."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def append_only(table: str) -> migrations.RunPython:
    """A migration operation that makes the database refuse UPDATE and DELETE on `table`."""

    def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
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

    def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        elif vendor == "sqlite":
            for event in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_{event};")

    return migrations.RunPython(forwards, backwards)
