"""Timetable writes, by use-case: the weekly template and its edits (``template``), the year's
lessons made from it and their topics (``lessons``), publishing from the administrator's page
(``publishing``), substitutions and cancellations (``changes``), the bell schedule (``bells``)."""

from parta.timetable.services.bells import MAX_BELL, MIN_BELL, bell_delete, bell_save
from parta.timetable.services.changes import (
    LESSON_CHANGE_EVENT,
    lesson_cancel,
    lesson_hand_back,
    lesson_restore,
    lesson_substitute,
)
from parta.timetable.services.lessons import (
    BATCH_SIZE,
    PublishResult,
    lessons_assign_topics,
    lessons_assign_topics_for_year,
    lessons_follow_plans,
    lessons_with_records,
    school_days,
    timetable_publish,
)
from parta.timetable.services.publishing import publication_execute, publication_progress, publication_start
from parta.timetable.services.template import (
    SUBJECT_ROOM_KINDS,
    WEEKDAYS,
    blocked_times,
    slot_clashes,
    template_build,
    template_slot_delete,
    template_slot_save,
    template_units,
    unavailability_set,
)

__all__ = [
    "BATCH_SIZE",
    "LESSON_CHANGE_EVENT",
    "MAX_BELL",
    "MIN_BELL",
    "SUBJECT_ROOM_KINDS",
    "WEEKDAYS",
    "PublishResult",
    "bell_delete",
    "bell_save",
    "blocked_times",
    "lesson_cancel",
    "lesson_hand_back",
    "lesson_restore",
    "lesson_substitute",
    "lessons_assign_topics",
    "lessons_assign_topics_for_year",
    "lessons_follow_plans",
    "lessons_with_records",
    "publication_execute",
    "publication_progress",
    "publication_start",
    "school_days",
    "slot_clashes",
    "template_build",
    "template_slot_delete",
    "template_slot_save",
    "template_units",
    "timetable_publish",
    "unavailability_set",
]
