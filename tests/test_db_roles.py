"""The app's database role cannot alter history: `manage.py db_roles` against the real PostgreSQL.

Each test makes its own owner and app roles (roles belong to the whole cluster, so their names
carry a random suffix, and they are dropped afterwards) and connects as the app role exactly as
web, worker and beat do. Two paths to production are covered: an existing database, whose tables
another role owns, handed to the owner by the command; and a fresh one, where the DBA runs the
`--sql` script first and the migrations then run as the owner role (docs/deployment.md).
"""

# ruff: noqa: S608 (the SQL names only the model's table; the values go as parameters)

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Model
from django.db.models.sql import InsertQuery
from psycopg import errors, sql

from cases.models import Sag
from tests.factories import SagFactory, UserFactory
from vum.audit.models import AuditAction, AuditEvent
from vum.audit.services import audit_record

ROOT = Path(__file__).resolve().parent.parent
AUDIT = AuditEvent._meta.db_table

# What the app role must not be able to do to the audit trail: each answers "permission denied"
# (or "must be owner"), SQLSTATE 42501, not the trigger's refusal, which only a role that may
# write reaches.
FORBIDDEN_ON_AUDIT = [
    f"UPDATE {AUDIT} SET summary = 'omskrevet'",
    f"DELETE FROM {AUDIT}",
    f"TRUNCATE {AUDIT}",
    f"ALTER TABLE {AUDIT} DISABLE TRIGGER ALL",
    f"DROP TRIGGER {AUDIT}_append_only ON {AUDIT}",
    "SET session_replication_role = replica",
    "CREATE TABLE vum_roles_probe (id int)",
]


@dataclass(frozen=True)
class Roles:
    owner: str
    app: str
    password: str


def roles_of(roles: Roles) -> tuple[str, str]:
    return roles.owner, roles.app


def _new_roles() -> Roles:
    suffix = secrets.token_hex(4)
    return Roles(f"vum_test_owner_{suffix}", f"vum_test_app_{suffix}", secrets.token_urlsafe(16))


def _connect(dbname: str, user: str, password: str = "") -> psycopg.Connection[Any]:
    """A connection to the test cluster, as `user` (trust on 127.0.0.1 in CI and on the project's
    machines; the password counts where the cluster asks for one)."""
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        dbname=dbname,
        user=user,
        password=password or settings["PASSWORD"],
        autocommit=True,
    )


def _orm_insert(obj: Model) -> tuple[str, tuple[Any, ...]]:
    """The INSERT the ORM sends for `obj` (so it stays right when the model gains a field)."""
    query = InsertQuery(type(obj))
    fields = [f for f in obj._meta.concrete_fields if not f.primary_key]
    query.insert_values(fields, [obj])
    ((statement, params),) = query.get_compiler(connection=connection).as_sql()
    return statement, tuple(params)


def _assert_app_role_is_confined(conn: psycopg.Connection[Any]) -> None:
    for statement in FORBIDDEN_ON_AUDIT:
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute(statement)
    # It may add to the trail and read it, but not move its id sequence.
    before = conn.execute(f"SELECT count(*) FROM {AUDIT}").fetchone()
    conn.execute(*_orm_insert(AuditEvent(actor_label="app", action=AuditAction.VIEW)))
    assert conn.execute(f"SELECT count(*) FROM {AUDIT}").fetchone() == (before[0] + 1,)
    with pytest.raises(errors.InsufficientPrivilege):
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{AUDIT}', 'id'), 1)")


def _assert_role_flags(conn: psycopg.Connection[Any], roles: Roles) -> None:
    flags = conn.execute(
        "SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, rolbypassrls, rolreplication, "
        "rolcanlogin FROM pg_roles WHERE rolname IN (%s, %s) ORDER BY rolname",
        [roles.app, roles.owner],
    ).fetchall()
    assert flags == [
        (roles.app, False, False, False, False, False, True),
        (roles.owner, False, False, False, False, False, True),
    ]
    # The app role is in no role, owns nothing anywhere, and has no TRUNCATE on any table.
    assert conn.execute(
        "SELECT count(*) FROM pg_auth_members WHERE member = %s::regrole", [roles.app]
    ).fetchone() == (0,)
    assert conn.execute(
        "SELECT count(*) FROM pg_shdepend WHERE refobjid = %s::regrole AND deptype = 'o'",
        [roles.app],
    ).fetchone() == (0,)
    assert conn.execute(
        "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace "
        "AND relkind IN ('r', 'p') AND has_table_privilege(%s, oid, 'TRUNCATE')",
        [roles.app],
    ).fetchone() == (0,)


@pytest.fixture
def roles_on_test_database(transactional_db: None) -> Iterator[Roles]:
    """Roles for the test database, whose tables are owned by the test runner's superuser; on
    teardown the runner gets them back, and the public schema its first owner."""
    roles = _new_roles()
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'public'")
        (schema_owner,) = cursor.fetchone()
    yield roles
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
        cursor.execute("SELECT rolname FROM pg_roles WHERE rolname IN (%s, %s)", [*roles_of(roles)])
        existing = [name for (name,) in cursor.fetchall()]
        if roles.owner in existing:
            cursor.execute(f"REASSIGN OWNED BY {roles.owner} TO CURRENT_USER")
        cursor.execute(f"ALTER SCHEMA public OWNER TO {schema_owner}")
        for name in existing:
            cursor.execute(f"DROP OWNED BY {name}")
            cursor.execute(f"DROP ROLE {name}")


@pytest.mark.django_db(transaction=True)
def test_on_an_existing_database_the_app_role_only_adds_to_the_audit_trail(
    roles_on_test_database: Roles, monkeypatch: pytest.MonkeyPatch
) -> None:
    roles = roles_on_test_database
    sag = SagFactory()
    audit_record(actor=None, action=AuditAction.VIEW, obj=sag, summary="før rollerne")
    monkeypatch.setenv("DB_OWNER_PASSWORD", roles.password)
    monkeypatch.setenv("DB_APP_PASSWORD", roles.password)

    call_command("db_roles", owner=roles.owner, app=roles.app, stdout=StringIO())
    # A superuser (here the one running it) is refused, not demoted; nothing is changed.
    with pytest.raises(CommandError, match="kører dette"):
        call_command("db_roles", owner=connection.settings_dict["USER"], app=roles.app)

    dbname = connection.settings_dict["NAME"]
    with _connect(dbname, connection.settings_dict["USER"]) as admin:
        _assert_role_flags(admin, roles)
        # The owner owns every table, sequence and function, including the trigger's.
        assert admin.execute(
            "SELECT DISTINCT relowner::regrole::text FROM pg_class "
            "WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S', 'v', 'm')"
        ).fetchall() == [(roles.owner,)]
        assert admin.execute(
            "SELECT proowner::regrole::text FROM pg_proc WHERE proname = 'vum_refuse_change'"
        ).fetchall() == [(roles.owner,)]
        # Passwords reach the server only as SCRAM verifiers.
        verifiers = admin.execute(
            "SELECT rolpassword FROM pg_authid WHERE rolname IN (%s, %s)", [*roles_of(roles)]
        ).fetchall()
        assert [v.startswith("SCRAM-SHA-256$") for (v,) in verifiers] == [True, True]

    with _connect(dbname, roles.app, roles.password) as app:
        _assert_app_role_is_confined(app)
        # Everything else it reads and writes as before.
        (aarsag,) = app.execute("SELECT aarsag FROM cases_sag WHERE id = %s", [sag.pk]).fetchone()
        assert aarsag == sag.aarsag
        app.execute("UPDATE cases_sag SET aarsag = 'Ny årsag' WHERE id = %s", [sag.pk])
        app.execute(*_orm_insert(Sag(borger=sag.borger, team=sag.team, aarsag="Kopi")))
        assert app.execute(
            "SELECT count(*) FROM cases_sag WHERE borger_id = %s", [sag.borger_id]
        ).fetchone() == (2,)
    # Even the owner, a plain role, cannot switch the triggers off for its session.
    with (
        _connect(dbname, roles.owner, roles.password) as owner,
        pytest.raises(errors.InsufficientPrivilege),
    ):
        owner.execute("SET session_replication_role = replica")

    # The application's own writes need nothing more: as the app role, open a case and log it.
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {roles.app}")
    try:
        other = SagFactory(sagsbehandler=UserFactory())
        audit_record(actor=other.sagsbehandler, action=AuditAction.CREATE, obj=other)
        assert Sag.objects.filter(aarsag="Ny årsag").exists()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@pytest.fixture
def fresh_database() -> Iterator[tuple[str, Roles]]:
    """An empty database of its own, and roles for it; both dropped afterwards."""
    roles = _new_roles()
    dbname = f"test_vum_roles_{secrets.token_hex(4)}"
    superuser = connection.settings_dict["USER"]
    with _connect("postgres", superuser) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    try:
        yield dbname, roles
    finally:
        with _connect("postgres", superuser) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
            )
            for name in roles_of(roles):
                admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


@pytest.mark.django_db
def test_a_fresh_database_migrated_as_the_owner_ends_as_narrow(
    fresh_database: tuple[str, Roles],
) -> None:
    dbname, roles = fresh_database
    out = StringIO()
    call_command("db_roles", owner=roles.owner, app=roles.app, sql=True, stdout=out)
    script = out.getvalue()
    assert "PASSWORD" not in script

    # The DBA's part, before the tables exist: the script (twice: it is idempotent) and the
    # passwords.
    with _connect(dbname, connection.settings_dict["USER"]) as admin:
        admin.execute(script)
        admin.execute(script)
        for name in roles_of(roles):
            admin.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(name), sql.Literal(roles.password)
                )
            )
        _assert_role_flags(admin, roles)

    # The deploy's: migrate as the owner (the audit trail and what it depends on).
    settings = connection.settings_dict
    url = (
        f"postgres://{roles.owner}:{roles.password}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{dbname}"
    )
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "audit", "--noinput", "-v0"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "vum.settings.test", "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr

    with _connect(dbname, roles.app, roles.password) as app:
        # The migrations made the tables as the owner, so the app role got the default grants
        # on every one of them, and audit 0004 took back all but INSERT and SELECT on the trail.
        _assert_app_role_is_confined(app)
        # (django_content_type: a table whose columns are the same at every migration.)
        app.execute("INSERT INTO django_content_type (app_label, model) VALUES ('x', 'y')")
        app.execute("UPDATE django_content_type SET model = 'z' WHERE app_label = 'x'")
        assert app.execute("DELETE FROM django_content_type WHERE app_label = 'x'").rowcount == 1
        with pytest.raises(errors.InsufficientPrivilege):
            app.execute("TRUNCATE django_content_type")
