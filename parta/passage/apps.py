from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.passage"
    label = "passage"
    verbose_name = _("Passage")

    def ready(self) -> None:
        # The family's notification kinds and the handler of the turnstiles' outbox events, and
        # the home page's panel of today's passages: messaging, outbox and core know none of them.
        from parta.passage import home, notifications

        notifications.register_kinds()
        home.register()
