from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The ground floor: what every app shares and that knows no domain (registries, the read
    cache, request bookkeeping). Its models serve the platform, never a school's records."""

    name = "parta.core"
    label = "core"
    verbose_name = _("Platform")
