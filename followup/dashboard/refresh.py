"""Rebuilding the dashboard's figures from the case tables (the collectors' first half)."""

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from followup.dashboard.collectors import collect_all
from followup.models import (
    Noegletal,
    NoegletalOpgoerelse,
)

# The dashboard's figures


def noegletal_refresh(*, now: datetime | None = None) -> NoegletalOpgoerelse:
    """Rebuild every dashboard figure from the case tables, in one transaction: a leader sees the
    old figures or the new ones, never a mix. The one status row is locked first, so a second
    run waits and then rebuilds again rather than interleaving. Derived numbers only: nothing
    about a citizen is written, so no audit event."""
    now = now or timezone.now()
    started = timezone.now()
    with transaction.atomic():
        status, _ = NoegletalOpgoerelse.objects.select_for_update().get_or_create(pk=1)
        Noegletal.objects.all().delete()
        count = 0
        batch: list[Noegletal] = []
        for row in collect_all(now):
            batch.append(row)
            if len(batch) >= 5000:
                Noegletal.objects.bulk_create(batch)
                count += len(batch)
                batch = []
        Noegletal.objects.bulk_create(batch)
        if connection.vendor == "postgresql":
            # Fresh statistics for the planner: the table was just replaced wholesale.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Noegletal._meta.db_table}")
        status.opgjort = now
        status.varighed = timezone.now() - started
        status.grupper = count + len(batch)
        status.save()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # The old figures are dead rows now; left to autovacuum (or none), the table would
        # grow by its own size every rebuild and index-only scans would visit the heap.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {Noegletal._meta.db_table}")
    return status
