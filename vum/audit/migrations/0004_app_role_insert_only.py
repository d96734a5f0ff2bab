"""The app's database role may only add and read audit events (docs/deployment.md, "Database
roles"). On a fresh database, `manage.py db_roles` runs before the tables exist, and the audit
table, created by a migration that runs as the owner role, gets the owner's default grants for
the app role, UPDATE and DELETE included. This takes back from every role but the table's owner
whatever exceeds SELECT and INSERT, and the right to move the id sequence. Idempotent: on an
existing database `db_roles` has narrowed the table already, and in development and the tests
nobody but the owner holds rights on it, so there it changes nothing."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLE = "audit_auditevent"
BEYOND_APPEND = "UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER"


def insert_only(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        # Every grantee but the owner; PUBLIC is grantee 0.
        cursor.execute(
            """
            SELECT DISTINCT coalesce(quote_ident(r.rolname), 'PUBLIC')
            FROM pg_class c
            CROSS JOIN LATERAL aclexplode(c.relacl) AS a
            LEFT JOIN pg_roles r ON r.oid = a.grantee
            WHERE c.oid = %s::regclass AND a.grantee <> c.relowner
            ORDER BY 1
            """,
            [TABLE],
        )
        grantees = [grantee for (grantee,) in cursor.fetchall()]
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        (sequence,) = cursor.fetchone()
    for grantee in grantees:
        schema_editor.execute(f"REVOKE {BEYOND_APPEND} ON TABLE {TABLE} FROM {grantee}")
        if sequence:
            schema_editor.execute(f"REVOKE UPDATE ON SEQUENCE {sequence} FROM {grantee}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_point_not_copy")]

    operations = [migrations.RunPython(insert_only, migrations.RunPython.noop)]
