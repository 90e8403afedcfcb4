from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.schools"
    label = "schools"
    verbose_name = _("Schools")

    def ready(self) -> None:
        from parta.accounts.authentication import register_user_rows
        from parta.schools import freshness
        from parta.schools.access import remember_roles, roles_sql

        freshness.register()

        # Every API request reads the user's roles in the same statement as its token.
        register_user_rows(sql=roles_sql, remember=remember_roles)
