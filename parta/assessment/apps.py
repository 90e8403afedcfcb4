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
        # Each student's attempts at a homework's tests show on the homework's pages, and a test
        # given with homework opens for it (its attempts count for the homework).
        from parta.assessment.pages import homework_work_lines, test_for_homework
        from parta.homework.parts import register_opener, register_work_lines
        from parta.library.models import Kind

        register_work_lines(homework_work_lines)
        register_opener(Kind.TEST, test_for_homework)
        authoring.register()
