from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.messaging"
    label = "messaging"
    verbose_name = _("Messages and notifications")

    def ready(self) -> None:
        # Register messaging's own notification kinds and turn its outbox events into
        # notifications (importing the module registers the handler), as every app does for its own.
        from parta.messaging import handlers

        handlers.register_kinds()
