from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.library"
    label = "library"
    verbose_name = _("Library")
