"""The platform's own bookkeeping tables (no school records live here)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnrenewedToken(models.Model):
    """A read-cache version token that a committed write could not renew because the cache server
    was unreachable: every new cache connection, and the beat, renew it before it can be trusted
    (``parta.core.versions``, docs/decisions/0006-cache-failures.md). Bookkeeping, never shown."""

    key = models.CharField(max_length=100, unique=True)
    # New at every recording of the key: a renewal deletes only the recordings it has renewed.
    attempt = models.CharField(max_length=16)
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key


class IdempotencyKey(models.Model):
    """The answer a create request gave, kept under the ``Idempotency-Key`` its caller sent, so
    that a retry is answered the same and writes nothing (``parta.core.idempotency``).

    Kept in the database, not the cache: a retry must be recognised after Redis is lost. A row is
    claimed in the transaction of the write it guards; the answer is stored before that commits.
    """

    principal = models.CharField(_("principal"), max_length=64)  # principals.principal_key
    key = models.CharField(_("key"), max_length=255)
    # sha256 of the method, the path and the canonical body: the same key with another request is refused.
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    status = models.PositiveSmallIntegerField(_("status"), null=True)
    body = models.BinaryField(_("body"), default=b"")
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="idempotency_key_per_principal"),
        ]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"
