from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.messaging"
    label = "messaging"
    verbose_name = _("Messages and notifications")
