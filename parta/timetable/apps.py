from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.timetable"
    label = "timetable"
    verbose_name = _("Timetable")

    def ready(self) -> None:
        # The timetable's notification kind and the handler of its outbox event (registered when the
        # module is imported).
        from parta.curriculum.services import PLAN_CHANGED
        from parta.outbox import handlers
        from parta.timetable import freshness, notifications
        from parta.timetable.services import lessons_follow_plans

        freshness.register()
        notifications.register_kinds()
        handlers.register(PLAN_CHANGED)(lessons_follow_plans)
