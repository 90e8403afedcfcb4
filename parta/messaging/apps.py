from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.messaging"
    label = "messaging"
    verbose_name = _("Messages and notifications")

    def ready(self) -> None:
        # Turn outbox events into notifications: the outbox sits below and never imports us.
        from parta.messaging import handlers  # noqa: F401
