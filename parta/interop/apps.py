from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.interop"
    label = "interop"
    verbose_name = _("Interoperability")
