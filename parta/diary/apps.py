from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.diary"
    label = "diary"
    verbose_name = _("Diary")

    def ready(self) -> None:
        # A family's mark or absence leads to the diary: the journal's kinds get their link here.
        from parta.diary.notifications import register_links

        register_links()
