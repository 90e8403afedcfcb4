from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.accounts"
    label = "accounts"
    verbose_name = _("People and accounts")

    def ready(self) -> None:
        from parta.accounts import freshness, schema  # noqa: F401 (schema registers the Bearer scheme)
        from parta.accounts.scopes import register_scope

        # The scopes of the machine endpoints already planned; an app serving another scope
        # registers it in its own ready().
        register_scope("passage:write", _("Report passages through a turnstile."))
        register_scope("meals:write", _("Report meals sold at a cash desk."))
        register_scope("payments:callback", _("Confirm payments (a payment provider)."))
        register_scope("attendance:clinic", _("Report absences for illness (a clinic)."))
        register_scope("attendance:turnstile", _("Mark attendance from passages (a turnstile)."))
        freshness.register()
