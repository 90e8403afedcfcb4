from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.accounts"
    label = "accounts"
    verbose_name = _("People and accounts")

    def ready(self) -> None:
        from parta.accounts import freshness

        freshness.register()
