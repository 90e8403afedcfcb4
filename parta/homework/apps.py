from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.homework"
    label = "homework"
    verbose_name = _("Homework")

    def ready(self) -> None:
        # Homework's notification kind and the handler of its outbox event (registered when the
        # module is imported): messaging below knows neither.
        from parta.homework import freshness, notifications

        notifications.register_kinds()
        freshness.register()
