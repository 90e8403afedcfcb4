"""``manage.py vapid_keys``: make the platform's VAPID key for Web Push unless there is one.

The private key goes to ``vapid-private.pem`` in ``PARTA_DATA_DIR`` (readable by its owner only);
the public key, which browsers subscribe with, is printed. A key set in ``PARTA_VAPID_PRIVATE_KEY``
takes precedence and no file is made. Changing the key later ends every device's subscription
(browsers subscribed with the old one), so the file is never overwritten.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from parta.messaging import push


class Command(BaseCommand):
    help = "Make the VAPID key for Web Push in PARTA_DATA_DIR unless one exists; print the public key."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PARTA_VAPID_PRIVATE_KEY:
            said = "PARTA_VAPID_PRIVATE_KEY is set; no key file is needed."
        elif push.make_key_file():
            said = f"Made {push.key_file()}"
        else:
            said = f"Kept {push.key_file()}"
        if options["verbosity"] >= 1:
            self.stdout.write(f"{said}\nPublic key: {push.public_key()}")
