"""The transactional outbox (docs/decisions/0002-journal-versions-and-outbox.md).

A service that must tell others writes an :class:`OutboxEvent` in its own transaction; a
worker delivers it afterwards. If the broker is down the row simply waits: nothing is lost.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    id = models.BigAutoField(_("id"), primary_key=True)
    kind = models.CharField(_("kind"), max_length=60)
    # A plain integer, not a foreign key: the outbox sits below every app and outlives what it names.
    school_id = models.IntegerField(_("school"), null=True, blank=True)
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        indexes = [
            models.Index(fields=["id"], condition=models.Q(delivered_at__isnull=True), name="outbox_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.id}"
