from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.library"
    label = "library"
    verbose_name = _("Library")

    def ready(self) -> None:
        # The library's notification kinds and the handlers of its outbox events (registered when
        # the module is imported): messaging below knows neither.
        from parta.library import notifications

        notifications.register_kinds()
