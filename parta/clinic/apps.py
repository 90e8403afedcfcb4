from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.clinic"
    label = "clinic"
    verbose_name = _("Sick notes")

    def ready(self) -> None:
        # The kind and its outbox handler ("clinic.note"); messaging names no app's kinds.
        from parta.clinic import notifications

        notifications.register_kinds()
