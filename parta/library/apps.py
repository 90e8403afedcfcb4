from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.library"
    label = "library"
    verbose_name = _("Library")

    def ready(self) -> None:
        # The library's notification kinds and the handlers of its outbox events, the lesson page's
        # section, the freshness of the catalogue and of the given materials (registered when the
        # modules are imported): messaging, core and the journal below know none of them.
        from parta.library import freshness, lesson, notifications  # noqa: F401

        notifications.register_kinds()
