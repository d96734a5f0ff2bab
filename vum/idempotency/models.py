from django.db import models


class IdempotentRequest(models.Model):
    """A write request that carried a key (an API client's `Idempotency-Key`, a page's one-time
    form token), with the response it got. The row is written in the transaction of the request
    it records, so it exists exactly when the request's changes do; a repeat with the same key
    gets this response instead of doing the work again."""

    # Who sent it: the signed-in user, or a digest of the API credentials (never the credentials).
    principal = models.CharField("afsender", max_length=100)
    key = models.CharField("nøgle", max_length=255)
    # A digest of the method, path and body, so that a key reused for another request is refused.
    fingerprint = models.CharField("fingeraftryk", max_length=64)
    status = models.PositiveSmallIntegerField("status", null=True)
    headers = models.JSONField("headere", default=dict)
    body = models.BinaryField("indhold", default=b"")
    oprettet = models.DateTimeField("oprettet", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "gentagelsessikret anmodning"
        verbose_name_plural = "gentagelsessikrede anmodninger"
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="one_request_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
