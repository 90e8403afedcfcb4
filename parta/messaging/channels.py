"""Sending a notification out of the app: by e-mail (Django's mail, ``EMAIL_BACKEND``) and by Web
Push to each of the person's devices (``PushSubscription``), encrypted to the device's keys
(RFC 8291) and signed with the platform's VAPID key (RFC 8292) by pywebpush.

Before each push the device's address is checked again and the request goes only to the address
that was checked (``parta.core.outbound``): no private address, no redirect. A device whose push
service answers 404 or 410 is gone and is removed.

Each send is recorded on its ``Delivery``: attempts, the last error, sent_at. No database
transaction is held open while the network is waited on.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pywebpush import WebPushException, webpush

from parta.core import outbound
from parta.messaging import push
from parta.messaging.models import Delivery, Notification, PushSubscription
from parta.messaging.notifications import link_of, render

logger = logging.getLogger(__name__)

_ERROR_CHARS = 2000
# How long a push service keeps a push for a device that is offline (the TTL header), in seconds.
PUSH_TTL = 24 * 60 * 60


class DeliveryError(Exception):
    """The channel refused or could not be reached; the delivery is tried again later."""


class NothingToSend(Exception):
    """The delivery can no longer be made (no device, no key): it fails without a retry."""


def _absolute(link: str) -> str:
    base = str(getattr(settings, "PARTA_SITE_URL", "")).rstrip("/")
    return f"{base}{link}" if link and base else link


def push_payload(notification: Notification) -> bytes:
    """What a device's service worker gets: the text, the absolute link and the id (to drop repeats)."""
    with translation.override(settings.LANGUAGE_CODE):
        text = render(notification.kind, notification.payload, notification.recipient_id)
        link = _absolute(notification.link or link_of(notification.kind, notification.payload))
    data = {"id": notification.pk, "kind": notification.kind, "text": text, "link": link}
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode()


def push_to_device(subscription: PushSubscription, payload: bytes) -> None:
    """Push ``payload`` to one device. RefusedAddress when its address may not be contacted now,
    WebPushException when the push service refused it (``status_code`` says why), a requests
    error when it could not be reached."""
    key = push.vapid()
    if key is None:
        raise NothingToSend("push is not set up: no VAPID key")
    session = outbound.pinned_session(
        subscription.endpoint, allow_loopback=settings.PARTA_PUSH_ALLOW_LOOPBACK
    )
    with session:
        webpush(
            {
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            payload.decode(),
            vapid_private_key=key,
            vapid_claims={"sub": push.subject()},
            timeout=settings.PARTA_PUSH_TIMEOUT,
            ttl=PUSH_TTL,
            requests_session=session,
        )


def send_push(notification: Notification) -> None:
    """Push the notification to every device of its recipient. Sent when one device took it;
    DeliveryError (tried again) when none did; NothingToSend when no device is left."""
    devices = list(PushSubscription.objects.filter(user_id=notification.recipient_id))
    payload = push_payload(notification)
    errors: list[str] = []
    delivered = False
    for device in devices:
        try:
            push_to_device(device, payload)
        except WebPushException as error:
            if error.status_code in (404, 410):
                # The browser unsubscribed or the service forgot the device: it will not come back.
                PushSubscription.objects.filter(pk=device.pk).delete()
                continue
            errors.append(f"{device.pk}: HTTP {error.status_code}")
        except NothingToSend:
            raise
        except Exception as error:
            errors.append(f"{device.pk}: {type(error).__name__}: {error}")
        else:
            delivered = True
            PushSubscription.objects.filter(pk=device.pk).update(last_success_at=timezone.now(), failures=0)
            continue
        PushSubscription.objects.filter(pk=device.pk).update(failures=F("failures") + 1)
    if errors and not delivered:
        raise DeliveryError("; ".join(errors))
    if not delivered:
        raise NothingToSend("no push device")


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
    """Send one pending delivery; True when it is sent (now or before), no longer wanted or held
    back for the recipient's quiet hours (the sweeper sends it when they end), False when
    it failed (recorded; it stays pending until it has failed PARTA_DELIVERY_MAX_ATTEMPTS times)."""
    delivery = Delivery.objects.select_related("notification__recipient").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Delivery.Status.PENDING:
        return True
    if delivery.not_before is not None and delivery.not_before > timezone.now():
        # The recipient's quiet hours: the sweeper sends it once they end.
        return True
    notification = delivery.notification
    try:
        if delivery.channel == Delivery.Channel.EMAIL:
            send_email(notification)
        else:
            send_push(notification)
    except NothingToSend as reason:
        # The person removed their devices since, or push was switched off: nothing to retry.
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING).update(
            attempts=F("attempts") + 1, status=Delivery.Status.FAILED, last_error=str(reason)[:_ERROR_CHARS]
        )
        return True
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
    """Deliveries still waiting, oldest first (the partial index ``delivery_pending``), but for
    those held back until the recipient's quiet hours end."""
    rows = Delivery.objects.filter(status=Delivery.Status.PENDING).filter(
        Q(not_before__isnull=True) | Q(not_before__lte=timezone.now())
    )
    if older_than_seconds:
        rows = rows.filter(
            notification__created_at__lte=timezone.now() - dt.timedelta(seconds=older_than_seconds)
        )
    return list(rows.order_by("id").values_list("id", flat=True)[:limit])
