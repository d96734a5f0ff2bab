"""The reference catalogs (fixtures/catalog/) in a test's database, as `manage.py load_catalog`
leaves them, in a fraction of the command's time.

Most test modules start each test with the catalogs loaded. The command reads, checks and
validates every row of the files and inserts them: about half a second per test on two busy
cores, for some 700 tests. Loaded into empty catalog tables it always gives the same rows, so in
each test process it runs once, in the first test that needs it, and its rows are copied out
(PostgreSQL COPY); every later test whose catalog tables are empty gets those rows copied back
in its own transaction, with the load's timestamp (`Katalogversion.indlaest`) set to the test's
"now", as the command would have. A test whose catalog tables are not empty gets the command
itself. The command, its checks and its idempotence are tested on their own
(tests/catalog/test_catalog.py), always through the command.
"""

from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from vum.catalog.models import Katalogversion

# table -> its rows in COPY's text format, from the first load in this process
_rows: dict[str, bytes] = {}


def _tables() -> dict[str, str]:
    """The catalog app's tables, each with its primary key's column."""
    models = apps.get_app_config("catalog").get_models(include_auto_created=True)
    return {
        m._meta.db_table: m._meta.pk.column
        for m in sorted(models, key=lambda m: m._meta.db_table)
        if m._meta.managed and not m._meta.proxy
    }


def _empty(tables: dict[str, str]) -> bool:
    # The tables' names come from the models, never from input.
    probe = " UNION ALL ".join(
        f'SELECT 1 FROM (SELECT 1 FROM "{t}" LIMIT 1) AS x'  # noqa: S608
        for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(probe)
        return cursor.fetchone() is None


def load_catalog() -> None:
    """`manage.py load_catalog`, with its result copied in where the catalogs are empty."""
    tables = _tables()
    if not _empty(tables):
        call_command("load_catalog", verbosity=0)
        return
    if not _rows:
        call_command("load_catalog", verbosity=0)
        with connection.cursor() as cursor:
            for table in tables:
                with cursor.cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                    _rows[table] = b"".join(bytes(chunk) for chunk in copy)
        return
    # The foreign keys are deferred to the end of the transaction: tables in any order.
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            with cursor.cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                copy.write(_rows[table])
        # Rows copied in keep their ids: each id sequence must stay past them.
        for table, pk in tables.items():
            cursor.execute(
                "SELECT setval(s, GREATEST(nextval(s), "  # noqa: S608 (names from the models)
                f'(SELECT coalesce(max("{pk}"), 0) FROM "{table}"))) '
                "FROM pg_get_serial_sequence(%s, %s) AS s WHERE s IS NOT NULL",
                [f'"{table}"', pk],
            )
        Katalogversion.objects.update(indlaest=timezone.now())
