from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.library"
    label = "library"
    verbose_name = _("Library")

    def ready(self) -> None:
        from parta.library import lesson  # noqa: F401  (the lesson page's section, given materials' freshness)
