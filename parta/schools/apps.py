from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.schools"
    label = "schools"
    verbose_name = _("Schools")

    def ready(self) -> None:
        from parta.schools import freshness

        freshness.register()
