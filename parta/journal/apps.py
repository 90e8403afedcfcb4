from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.journal"
    label = "journal"
    verbose_name = _("Journal")

    def ready(self) -> None:
        from parta.journal import freshness

        freshness.register()
