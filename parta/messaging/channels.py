"""Sending a notification out of the app: by e-mail (Django's mail, ``EMAIL_BACKEND``) and by push,
a JSON POST to the person's own address (``PushEndpoint``) signed with its secret.

The signature is ``X-Parta-Signature: sha256=<hex>``, the HMAC-SHA256 of the exact request body
keyed with the endpoint's secret; a receiver recomputes it and compares in constant time.

Each send is recorded on its ``Delivery``: attempts, the last error, sent_at. No database
transaction is held open while the network is waited on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parta.messaging.models import Delivery, Notification, PushEndpoint
from parta.messaging.notifications import link_of, render

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Parta-Signature"
_ERROR_CHARS = 2000


class DeliveryError(Exception):
    """The channel refused or could not be reached; the delivery is tried again later."""


def signature(secret: str, body: bytes) -> str:
    """The value of the signature header for ``body``: ``sha256=`` and the hex HMAC-SHA256."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, body: bytes, header: str) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` (what a receiver does), in constant time."""
    return hmac.compare_digest(signature(secret, body), header or "")


def _absolute(link: str) -> str:
    base = str(getattr(settings, "PARTA_SITE_URL", "")).rstrip("/")
    return f"{base}{link}" if link and base else link


def webhook_body(notification: Notification) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        text = render(notification.kind, notification.payload, notification.recipient_id)
        link = _absolute(notification.link or link_of(notification.kind, notification.payload))
    data = {
        "id": notification.pk,
        "kind": notification.kind,
        "text": text,
        "link": link,
        "created_at": notification.created_at.isoformat(),
        "payload": notification.payload,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A push address answers for itself: a redirect is not followed (it is a failure).
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def post_webhook(endpoint: PushEndpoint, body: bytes) -> int:
    """POST ``body`` to the endpoint, signed; the HTTP status. DeliveryError unless 2xx."""
    request = urllib.request.Request(  # noqa: S310 - the address was checked to be http(s) when it was saved
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Parta-Notifications/1",
            SIGNATURE_HEADER: signature(endpoint.secret, body),
        },
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=settings.PARTA_WEBHOOK_TIMEOUT) as response:
            status = int(response.status)
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        raise DeliveryError(str(getattr(error, "reason", error))) from error
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}")
    return status


def send_email(notification: Notification) -> None:
    recipient = notification.recipient
    if not recipient.email:
        raise DeliveryError("no e-mail address")
    with translation.override(settings.LANGUAGE_CODE):
        text = render(notification.kind, notification.payload, notification.recipient_id)
        link = _absolute(notification.link or link_of(notification.kind, notification.payload))
        subject = _("Parta: %(text)s") % {"text": text}
        body = "\n\n".join(
            part
            for part in (
                text,
                link,
                _("You can choose what reaches you by e-mail in your notification settings."),
            )
            if part
        )
    send_mail(subject[:200], body, None, [recipient.email])


def send(delivery_id: int) -> bool:
    """Send one pending delivery; True when it is sent (now or before) or no longer wanted, False when
    it failed (recorded; it stays pending until it has failed PARTA_DELIVERY_MAX_ATTEMPTS times)."""
    delivery = Delivery.objects.select_related("notification__recipient").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Delivery.Status.PENDING:
        return True
    notification = delivery.notification
    try:
        if delivery.channel == Delivery.Channel.EMAIL:
            send_email(notification)
        else:
            endpoint = PushEndpoint.objects.filter(user_id=notification.recipient_id).first()
            if endpoint is None:
                # The person removed their push address since: nothing to send any more.
                Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING).update(
                    status=Delivery.Status.FAILED, last_error="no push address"
                )
                return True
            post_webhook(endpoint, webhook_body(notification))
    except Exception as error:
        attempts = delivery.attempts + 1
        gave_up = attempts >= settings.PARTA_DELIVERY_MAX_ATTEMPTS
        logger.warning("notification delivery %s (%s) failed: %s", delivery.pk, delivery.channel, error)
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING).update(
            attempts=F("attempts") + 1,
            last_error=f"{type(error).__name__}: {error}"[:_ERROR_CHARS],
            status=Delivery.Status.FAILED if gave_up else Delivery.Status.PENDING,
        )
        return False
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=F("attempts") + 1, status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def pending_delivery_ids(*, limit: int = 200, older_than_seconds: float = 0) -> list[int]:
    """Deliveries still waiting, oldest first (the partial index ``delivery_pending``)."""
    rows = Delivery.objects.filter(status=Delivery.Status.PENDING)
    if older_than_seconds:
        rows = rows.filter(
            notification__created_at__lte=timezone.now() - dt.timedelta(seconds=older_than_seconds)
        )
    return list(rows.order_by("id").values_list("id", flat=True)[:limit])
