"""What the two credential commands share: calling the service and printing the secret once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from parta.schools.services import machine_client_for_school_create


def create_and_print(command: BaseCommand, **arguments: object) -> None:
    """Create the client and print its secret on a line of its own (the only time it is shown)."""
    try:
        client, secret = machine_client_for_school_create(actor=None, **arguments)  # type: ignore[arg-type]
    except ValidationError as error:
        raise CommandError(
            "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
        ) from error
    command.stderr.write(
        f"Machine client {client.pk} ({client.kind}, scopes: {' '.join(sorted(client.scopes))}). "
        "Its credential follows; it is not shown again. The device sends it as "
        "'Authorization: Bearer <credential>'."
    )
    command.stdout.write(secret)
    if client.signing_secret:
        command.stderr.write("It signs each body (X-Parta-Signature: sha256=<HMAC-SHA256>) with this secret:")
        command.stdout.write(client.signing_secret)
