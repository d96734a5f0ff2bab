from datetime import datetime, timedelta

from vum.idempotency.models import IdempotentRequest

# How long a key answers a repeat: longer than any client's retries or a user's reload.
KEEP = timedelta(hours=24)


def idempotent_requests_purge(*, now: datetime) -> int:
    """Forget keys older than KEEP. Returns how many were removed."""
    deleted, _ = IdempotentRequest.objects.filter(oprettet__lt=now - KEEP).delete()
    return deleted
