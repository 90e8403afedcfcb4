"""Web Push: the devices a person gets push on (services, reads, access) and the platform's VAPID
key that signs every push (RFC 8292).

A device is what a browser's ``PushManager.subscribe()`` gives: the push service's address and the
keys the payload is encrypted to (RFC 8291). The address is checked by ``parta.core.outbound``
when it is saved, and again before each send (``parta.messaging.channels``).

The VAPID key comes from ``PARTA_VAPID_PRIVATE_KEY`` or else from the file ``vapid-private.pem``
in ``PARTA_DATA_DIR`` (``manage.py vapid_keys`` makes it); the public key is derived from it, so
the two cannot disagree. Without a key push cannot be turned on.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from py_vapid import Vapid

from parta.core import outbound
from parta.messaging.models import PushSubscription

KEY_FILE_NAME = "vapid-private.pem"
# Each notification goes to every device: a ceiling keeps one account from making the worker send
# thousands of requests per notification.
MAX_DEVICES = 20


# --- the VAPID key -------------------------------------------------------------------------


def key_file() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE_NAME


@functools.cache
def _vapid_of(text: str) -> Vapid:
    if "-----BEGIN" in text:
        return Vapid.from_pem(text.strip().encode())
    return Vapid.from_string(text.strip())


def vapid() -> Vapid | None:
    """The platform's VAPID key, or None when none is configured."""
    text = str(getattr(settings, "PARTA_VAPID_PRIVATE_KEY", "") or "")
    if not text:
        path = key_file()
        if not path.is_file():
            return None
        text = path.read_text()
    return _vapid_of(text)


def public_key() -> str:
    """The VAPID public key as a browser's ``applicationServerKey`` wants it (base64url of the
    uncompressed point), or "" when push is not configured."""
    key = vapid()
    if key is None:
        return ""
    raw = key.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def make_key_file() -> bool:
    """Write a new private key to ``key_file()`` unless one is there (readable by its owner only);
    whether one was written."""
    path = key_file()
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Vapid()
    key.generate_keys()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key.private_pem())
    return True


def subject() -> str:
    """Who the push services may contact about our pushes (the VAPID ``sub`` claim)."""
    return str(getattr(settings, "PARTA_VAPID_SUBJECT", "") or f"mailto:{settings.DEFAULT_FROM_EMAIL}")


# --- devices -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Device:
    id: int
    label: str
    user_agent: str
    created_at: Any
    last_success_at: Any
    failures: int


def device_of(row: PushSubscription) -> Device:
    return Device(
        id=row.pk,
        label=row.label or _("Unnamed device"),
        user_agent=row.user_agent,
        created_at=row.created_at,
        last_success_at=row.last_success_at,
        failures=row.failures,
    )


def devices_of(user: Any) -> list[Device]:
    """The user's push devices, oldest first. One query."""
    return [device_of(row) for row in PushSubscription.objects.filter(user_id=user.pk)]


def access_push_subscription(user: Any, subscription_id: int) -> PushSubscription:
    """The user's own device, or 404 (another person's too)."""
    row = PushSubscription.objects.filter(user_id=user.pk, pk=subscription_id).first()
    if row is None:
        raise Http404
    return row


def _key(raw: str, length: int) -> bytes | None:
    try:
        data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except (binascii.Error, ValueError):
        return None
    return data if len(data) == length else None


def _label_of(user_agent: str) -> str:
    """A short name for a device from its browser's User-Agent: "Chrome on Android"."""
    browsers = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"))
    systems = (
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    )
    browser = next((name for mark, name in browsers if mark in user_agent), "")
    if not browser and "Safari/" in user_agent:
        browser = "Safari"
    system = next((name for mark, name in systems if mark in user_agent), "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system


def push_subscribe(
    *, user: Any, endpoint: str, p256dh: str, auth: str, label: str = "", user_agent: str = ""
) -> tuple[PushSubscription, bool]:
    """Add the device a browser subscribed (or update it: the same endpoint is one row, and it
    pushes for the person who posted it last); the row and whether it is new. The endpoint must be
    a public https address (``parta.core.outbound``), the keys a P-256 point and a 16-byte
    secret; otherwise ValidationError and nothing is saved."""
    errors: dict[str, list[str]] = {}
    if not public_key():
        errors["endpoint"] = [_("Push notifications are not set up on this server.")]
    else:
        try:
            outbound.check_url(endpoint, allow_loopback=settings.PARTA_PUSH_ALLOW_LOOPBACK)
        except outbound.RefusedAddress as error:
            errors["endpoint"] = [str(error)]
    point = _key(p256dh, 65)
    try:
        if point is None:
            raise ValueError
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        errors["p256dh"] = [_("Give the browser's P-256 public key (base64url).")]
    if _key(auth, 16) is None:
        errors["auth"] = [_("Give the browser's 16-byte authentication secret (base64url).")]
    others = PushSubscription.objects.filter(user_id=user.pk).exclude(endpoint=endpoint)
    if not errors and others.count() >= MAX_DEVICES:
        errors["endpoint"] = [
            _("Push is on for %(count)d devices already; remove one first.") % {"count": MAX_DEVICES}
        ]
    if errors:
        raise ValidationError(errors)
    user_agent = user_agent[:300]
    label = label.strip()[:100]
    values: dict[str, Any] = {"user_id": user.pk, "p256dh": p256dh, "auth": auth, "failures": 0}
    # Posting a known device again keeps its name unless a new one is given.
    values |= {"label": label} if label else {}
    values |= {"user_agent": user_agent} if user_agent else {}
    made = values | {"label": (label or _label_of(user_agent))[:100], "user_agent": user_agent}
    try:
        with transaction.atomic():
            return PushSubscription.objects.update_or_create(
                endpoint=endpoint, defaults=values, create_defaults=made
            )
    except IntegrityError:
        # The same device posted twice at once: the other request made the row; update it.
        PushSubscription.objects.filter(endpoint=endpoint).update(**values)
        return PushSubscription.objects.get(endpoint=endpoint), False


def push_rename(*, user: Any, subscription_id: int, label: str) -> PushSubscription:
    """Rename one of the user's devices (404 for anyone else's); an empty name is a 400."""
    row = access_push_subscription(user, subscription_id)
    label = label.strip()
    if not label:
        raise ValidationError({"name": [_("Give the device a name.")]})
    row.label = label[:100]
    row.save(update_fields=["label"])
    return row


def push_unsubscribe(*, user: Any, subscription_id: int) -> None:
    """Remove one of the user's devices (404 for anyone else's)."""
    access_push_subscription(user, subscription_id).delete()
