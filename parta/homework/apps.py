from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.homework"
    label = "homework"
    verbose_name = _("Homework")

    def ready(self) -> None:
        from parta.homework import freshness

        freshness.register()
