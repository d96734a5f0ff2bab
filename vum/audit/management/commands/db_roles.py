"""`manage.py db_roles`: the two PostgreSQL roles vum runs as, and what each may do.

The owner role (DB_OWNER_ROLE, default vum_owner) runs the migrations: it owns the schema and
every table, sequence and function in it. The app role (DB_APP_ROLE, default vum_app) is what
web, worker and beat connect as: it may read and write rows and nothing more. It owns nothing, so
it cannot TRUNCATE, ALTER or DROP a table, disable a trigger or change a grant; it is no
superuser, so it cannot `SET session_replication_role = replica` (which skips every trigger); and
on the audit trail it may only INSERT and SELECT. The other append-only tables (`vum.db`) keep
UPDATE in the grants, because the app locks their rows with SELECT ... FOR UPDATE (a letter
being sent, a journal note being corrected), which needs it; their trigger, which the app role
cannot drop or disable, refuses the change itself.

Run it as a superuser, before `migrate`, at every deploy (docs/deployment.md, "Database roles").
It is idempotent, and it hands the owner role whatever another role created (a database from
before the two roles, or a migration run as the superuser by mistake). Passwords come from
DB_OWNER_PASSWORD and DB_APP_PASSWORD when set, and reach the server only as SCRAM verifiers.
`--sql` prints the same statements, without passwords, for a DBA to run with psql instead.
"""

# ruff: noqa: S608 (the SQL is built from names checked against IDENTIFIER; no value goes in)

import os
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection, transaction

from vum.audit.models import AuditEvent

# Names go into the SQL as they are, so only plain lower-case identifiers are accepted: nothing
# that needs quoting, and nothing in PostgreSQL's reserved pg_ prefix.
IDENTIFIER = re.compile(r"(?!pg_)[a-z_][a-z0-9_]{0,62}")

DEFAULT_OWNER = "vum_owner"
DEFAULT_APP = "vum_app"

# What the app role may do: rows only. Never TRUNCATE, REFERENCES or TRIGGER.
TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"
SEQUENCE_RIGHTS = "USAGE, SELECT, UPDATE"
APPEND_ONLY_RIGHTS = "SELECT, INSERT"


def append_only_tables() -> list[str]:
    """The tables the app role may only add to and read (those that do not exist yet are left
    to their migration: audit 0004)."""
    return [AuditEvent._meta.db_table]


def statements(owner: str, app: str, schema: str, append_only: list[str]) -> list[str]:
    """The idempotent SQL that makes the roles and grants, one statement per item."""
    for name in (owner, app, schema, *append_only):
        if not IDENTIFIER.fullmatch(name):
            raise CommandError(f"Ugyldigt navn i databasen: {name!r} (brug a-z, 0-9 og _).")
    if owner == app:
        raise CommandError("Ejer-rollen og app-rollen skal være to forskellige roller.")
    named_tables = ", ".join(f"'{schema}.{table}'" for table in append_only)
    return [
        f"""-- Both roles exist, may log in, and have no power beyond their grants. An existing
-- superuser, or the role running this, is refused rather than demoted.
DO $roles$
DECLARE
    name text;
    r record;
BEGIN
    FOREACH name IN ARRAY ARRAY['{owner}', '{app}'] LOOP
        IF name IN (current_user, session_user) THEN
            RAISE EXCEPTION 'db_roles: % er rollen, der kører dette; vælg andre navne', name;
        END IF;
        SELECT * INTO r FROM pg_roles WHERE rolname = name;
        IF NOT FOUND THEN
            EXECUTE format('CREATE ROLE %I LOGIN', name);
        ELSIF r.rolsuper THEN
            RAISE EXCEPTION 'db_roles: % er superbruger; vælg andre navne', name;
        ELSE
            -- One attribute at a time, and only when wrong: a managed server's administrator
            -- (CREATEROLE, no superuser) may not name some of them at all.
            IF NOT r.rolcanlogin THEN EXECUTE format('ALTER ROLE %I LOGIN', name); END IF;
            IF r.rolcreatedb THEN EXECUTE format('ALTER ROLE %I NOCREATEDB', name); END IF;
            IF r.rolcreaterole THEN EXECUTE format('ALTER ROLE %I NOCREATEROLE', name); END IF;
            IF r.rolreplication THEN EXECUTE format('ALTER ROLE %I NOREPLICATION', name); END IF;
            IF r.rolbypassrls THEN EXECUTE format('ALTER ROLE %I NOBYPASSRLS', name); END IF;
        END IF;
    END LOOP;
END
$roles$""",
        f"""-- The app role is a member of no role (not the owner, not pg_write_all_data): it has
-- exactly the grants below.
DO $members$
DECLARE
    granted text;
BEGIN
    FOR granted IN
        SELECT g.rolname FROM pg_auth_members m
        JOIN pg_roles g ON g.oid = m.roleid
        WHERE m.member = '{app}'::regrole
    LOOP
        EXECUTE format('REVOKE %I FROM {app}', granted);
    END LOOP;
END
$members$""",
        f"""DO $database$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO {owner}, {app}', current_database());
    EXECUTE format('REVOKE CREATE ON DATABASE %I FROM {app}', current_database());
END
$database$""",
        f"""-- The owner owns the schema; nobody else may create in it.
ALTER SCHEMA {schema} OWNER TO {owner}""",
        f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC",
        f"REVOKE ALL ON SCHEMA {schema} FROM {app}",
        f"GRANT USAGE ON SCHEMA {schema} TO {app}",
        f"""-- The owner owns every table, view, sequence and function in the schema, whoever made
-- it. Indexes and a column's own sequence follow their table; extensions' objects stay theirs.
DO $ownership$
DECLARE
    obj record;
BEGIN
    FOR obj IN
        SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
        WHERE c.relnamespace = '{schema}'::regnamespace
          AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND c.relowner <> '{owner}'::regrole
          AND NOT EXISTS (
              SELECT FROM pg_depend d
              WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                AND d.deptype IN ('a', 'i', 'e'))
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO {owner}', CASE obj.relkind
            WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
            WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, obj.name);
    END LOOP;
    FOR obj IN
        SELECT p.oid::regprocedure AS name FROM pg_proc p
        WHERE p.pronamespace = '{schema}'::regnamespace
          AND p.prokind IN ('f', 'p')
          AND p.proowner <> '{owner}'::regrole
          AND NOT EXISTS (
              SELECT FROM pg_depend d
              WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO {owner}', obj.name);
    END LOOP;
END
$ownership$""",
        f"""-- The app role reads and writes rows, and nothing else, on what exists now ...
REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {app}""",
        f"GRANT {TABLE_RIGHTS} ON ALL TABLES IN SCHEMA {schema} TO {app}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {app}",
        f"GRANT {SEQUENCE_RIGHTS} ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
        f"""-- ... and on what later migrations, run as the owner, create.
ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} REVOKE ALL ON TABLES FROM {app}""",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} "
        f"GRANT {TABLE_RIGHTS} ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} "
        f"REVOKE ALL ON SEQUENCES FROM {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} "
        f"GRANT {SEQUENCE_RIGHTS} ON SEQUENCES TO {app}",
        f"""-- The audit trail: the app role may only add and read rows, and may not move the id
-- sequence (setval). On a fresh database the table does not exist yet; the migration that
-- follows its creation narrows it the same way (audit 0004).
DO $append_only$
DECLARE
    tbl regclass;
    seq regclass;
BEGIN
    FOR tbl IN
        SELECT to_regclass(named) FROM unnest(ARRAY[{named_tables}]) AS named
        WHERE to_regclass(named) IS NOT NULL
    LOOP
        EXECUTE format('REVOKE ALL ON TABLE %s FROM PUBLIC, {app}', tbl);
        EXECUTE format('GRANT {APPEND_ONLY_RIGHTS} ON TABLE %s TO {app}', tbl);
        FOR seq IN
            SELECT d.objid::regclass FROM pg_depend d
            JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
            WHERE d.classid = 'pg_class'::regclass AND d.refobjid = tbl
              AND d.deptype IN ('a', 'i')
        LOOP
            EXECUTE format('REVOKE UPDATE ON SEQUENCE %s FROM {app}', seq);
        END LOOP;
    END LOOP;
END
$append_only$""",
    ]


def script(owner: str, app: str, schema: str, append_only: list[str]) -> str:
    """The statements as one psql script, in one transaction."""
    body = ";\n\n".join(statements(owner, app, schema, append_only))
    return (
        f"-- vum's database roles: {owner} owns the schema and runs the migrations; {app} is\n"
        "-- what web, worker and beat connect as. From `manage.py db_roles --sql`. Run it as a\n"
        "-- superuser in vum's database at every deploy, before migrate (idempotent):\n"
        "--   psql -v ON_ERROR_STOP=1 -d vum -f roles.sql\n"
        f"-- then set the passwords once with psql's \\password {owner} and \\password {app}.\n"
        f"BEGIN;\n\n{body};\n\nCOMMIT;\n"
    )


class Command(BaseCommand):
    help = (
        "Opretter eller opdaterer databasens to roller: ejer-rollen, der kører migreringerne og "
        "ejer tabellerne, og app-rollen, som web, worker og beat forbinder som, og som kun må "
        "læse og skrive rækker (og kun tilføje til revisionssporet). Køres som superbruger før "
        "migrate ved hver udrulning; kan køres igen. --sql udskriver SQL'en i stedet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--owner",
            default=os.environ.get("DB_OWNER_ROLE", DEFAULT_OWNER),
            help=f"Ejer-rollen (DB_OWNER_ROLE, ellers {DEFAULT_OWNER}).",
        )
        parser.add_argument(
            "--app",
            default=os.environ.get("DB_APP_ROLE", DEFAULT_APP),
            help=f"App-rollen (DB_APP_ROLE, ellers {DEFAULT_APP}).",
        )
        parser.add_argument("--schema", default="public", help="Skemaet (public).")
        parser.add_argument(
            "--sql",
            action="store_true",
            help="Udskriv SQL'en (uden adgangskoder) i stedet for at køre den.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        owner, app, schema = options["owner"], options["app"], options["schema"]
        tables = append_only_tables()
        if options["sql"]:
            self.stdout.write(script(owner, app, schema, tables), ending="")
            return
        sql = statements(owner, app, schema, tables)
        if connection.vendor != "postgresql":
            raise CommandError("db_roles kræver PostgreSQL (DATABASE_URL).")
        passwords = {
            owner: os.environ.get("DB_OWNER_PASSWORD", ""),
            app: os.environ.get("DB_APP_PASSWORD", ""),
        }
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for statement in sql:
                    cursor.execute(statement)
                for role, password in passwords.items():
                    if password:
                        cursor.execute(
                            f"ALTER ROLE {role} PASSWORD %s", [_verifier(role, password)]
                        )
        except DatabaseError as exc:
            raise CommandError(f"db_roles: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{owner} ejer skemaet {schema}; {app} må læse og skrive rækker og kun tilføje "
                f"til {', '.join(tables)}."
            )
        )


def _verifier(role: str, password: str) -> str:
    """The password as a SCRAM verifier, made by libpq here (as psql's \\password does), so the
    password itself is never sent to the server nor written to its statement log."""
    pgconn = connection.connection.pgconn
    verifier: bytes = pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256")
    return verifier.decode()
