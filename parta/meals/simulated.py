"""The simulated payment provider of the demo and of a developer's machine.

A parent's top-up opens the provider's page; here that page is Parta's own (``/meals/pay/<ref>/``),
shown only when ``PARTA_MEALS_SIMULATED_PROVIDER`` is on (by default when ``PARTA_DEBUG`` is, as
in the demo; production has neither). Its "Pay" does what a real provider does after taking the
money: it sends Parta's callback in Parta's own format (docs/meals.md), signed with its signing
secret, to ``POST /api/v1/payments/parta/callback`` — the real endpoint's view, run in this process,
with its scope and signature checks and the same service. Only the credential is not sent: the
simulated provider is a machine client whose secret nobody keeps, so the request is authenticated
as that client directly (DRF's forced authentication), as if its credential had been read.
"""

from __future__ import annotations

import io
import json

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponseBase
from django.urls import resolve, reverse
from django.utils import timezone

from parta.accounts.models import MachineClient
from parta.accounts.signatures import SIGNATURE_HEADER, sign
from parta.meals.models import TopUp
from parta.meals.providers import PARTA
from parta.schools.services import machine_client_for_school_create

NAME = "Simulated payment provider (demo)"


def enabled() -> bool:
    return bool(getattr(settings, "PARTA_MEALS_SIMULATED_PROVIDER", settings.DEBUG))


def provider_client() -> MachineClient:
    """The simulated provider's machine client (made the first time it is needed)."""
    client = MachineClient.objects.filter(
        kind=MachineClient.Kind.PAYMENT_PROVIDER, name=NAME, school_id__isnull=True, is_active=True
    ).first()
    if client is None:
        client, _secret = machine_client_for_school_create(
            actor=None, school_id=None, kind=MachineClient.Kind.PAYMENT_PROVIDER, name=NAME
        )
    return client


def callback_body(top_up: TopUp, *, paid: bool) -> bytes:
    """The body a provider sends for this top-up, in Parta's format."""
    body = {
        "payment_id": f"sim-{top_up.reference}",
        "status": "succeeded" if paid else "failed",
        "amount": top_up.amount,
        "currency": "RUB",
        "order": top_up.reference,
        "paid_at": timezone.now().isoformat(),
    }
    return json.dumps(body, separators=(",", ":")).encode()


def send(top_up: TopUp, *, paid: bool) -> HttpResponseBase:
    """Post the provider's signed callback for ``top_up`` to the callback endpoint's view; its answer."""
    client = provider_client()
    body = callback_body(top_up, paid=paid)
    path = reverse("api-payments-callback", args=[PARTA])
    request = WSGIRequest(
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_ACCEPT": "application/json",
            f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}": sign(body, client.signing_secret),
        }
    )
    # DRF's authentication as this client (rest_framework.request.Request reads it); the scope and
    # the signature are checked by the view's permissions as for any provider.
    request._force_auth_user = client  # type: ignore[attr-defined]
    match = resolve(path)
    response: HttpResponseBase = match.func(request, *match.args, **match.kwargs)
    if hasattr(response, "render"):
        response.render()
    return response
