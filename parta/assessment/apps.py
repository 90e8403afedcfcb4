from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "parta.assessment"
    label = "assessment"
    verbose_name = _("Tests and digital homework")

    def ready(self) -> None:
        # A test's questions are a part of the library's test materials that only their author,
        # staff and methodologists see whole (parta.library.content): the library knows no test.
        # Its questions are built on the assessment's own page, where the library leads authors.
        from parta.assessment import authoring, definition

        definition.register()
        authoring.register()
