"""The platform's own bookkeeping tables (no school records live here)."""

from django.db import models


class UnrenewedToken(models.Model):
    """A read-cache version token that a committed write could not renew because the cache server
    was unreachable: every new cache connection, and the beat, renew it before it can be trusted
    (``parta.core.versions``, docs/decisions/0012-cache-failures.md). Bookkeeping, never shown."""

    key = models.CharField(max_length=100, unique=True)
    # New at every recording of the key: a renewal deletes only the recordings it has renewed.
    attempt = models.CharField(max_length=16)
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key
