from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.meals"
    label = "meals"
    verbose_name = _("Meals")

    def ready(self) -> None:
        # Meals' notification kinds and the handlers of its outbox events (registered when the
        # module is imported), and its panel on the home page: the apps below know none of them.
        from parta.meals import home, notifications

        notifications.register_kinds()
        home.register_panel()
