from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.journal"
    label = "journal"
    verbose_name = _("Journal")

    def ready(self) -> None:
        # The journal's notification kinds and the handlers of its outbox events (registered
        # when the module is imported): messaging below knows neither.
        from parta.journal import freshness, notifications

        notifications.register_kinds()
        freshness.register()
