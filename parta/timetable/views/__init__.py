"""Timetable pages: the week of a person or a class group (``weeks``), the bell schedule
(``bells``) and the administrator's weekly timetable (``template``)."""

from parta.timetable.views.bells import bell_create, bell_edit, bell_list, bell_remove
from parta.timetable.views.changes import (
    lesson_change_page,
    lesson_hand_back_view,
    lesson_restore_view,
    substitutions_page,
)
from parta.timetable.views.template import (
    publication_page,
    publish_page,
    slot_create,
    slot_edit,
    slot_remove,
    template_draft,
    template_page,
    unavailability_page,
)
from parta.timetable.views.weeks import (
    calendar_reset,
    child_tabs,
    parse_week,
    timetable_class,
    timetable_mine,
    timetable_student,
    timetable_teacher,
)

__all__ = [
    "bell_create",
    "bell_edit",
    "bell_list",
    "bell_remove",
    "calendar_reset",
    "child_tabs",
    "lesson_change_page",
    "lesson_hand_back_view",
    "lesson_restore_view",
    "parse_week",
    "publication_page",
    "publish_page",
    "slot_create",
    "slot_edit",
    "slot_remove",
    "substitutions_page",
    "template_draft",
    "template_page",
    "timetable_class",
    "timetable_mine",
    "timetable_student",
    "timetable_teacher",
    "unavailability_page",
]
