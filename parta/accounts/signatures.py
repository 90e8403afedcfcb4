"""Signed requests from partners: a payment provider's callback, a clinic's sick note.

Besides its credential (``Authorization: Bearer pm_…``, which says who calls), a signing partner
sends ``X-Parta-Signature: sha256=<hex>``, the HMAC-SHA256 of the request's exact body under the
client's ``signing_secret``. The credential alone would let anyone who reads it off a proxy's log
replay a changed body; the signature ties each body to the secret, which never travels.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

SIGNATURE_HEADER = "X-Parta-Signature"
_SCHEME = "sha256="


def sign(body: bytes, secret: str) -> str:
    """The header's value for ``body`` under ``secret`` (what a partner computes)."""
    return _SCHEME + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(body: bytes, header: str | None, client: Any) -> bool:
    """The header is the body's HMAC under the client's signing secret (constant-time compare);
    a client without a signing secret never passes."""
    secret = getattr(client, "signing_secret", "")
    if not secret or not header or not header.startswith(_SCHEME):
        return False
    return hmac.compare_digest(sign(body, secret), header.strip())
