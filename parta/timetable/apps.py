from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.timetable"
    label = "timetable"
    verbose_name = _("Timetable")

    def ready(self) -> None:
        # The timetable's notification kind and the handler of its outbox event (registered when the
        # module is imported).
        from parta.timetable import freshness, notifications

        freshness.register()
        notifications.register_kinds()
