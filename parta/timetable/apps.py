from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.timetable"
    label = "timetable"
    verbose_name = _("Timetable")

    def ready(self) -> None:
        from parta.timetable import freshness

        freshness.register()
