"""Which writes make which cached reads stale: every save and delete of a model that a cached
read shows renews the version tokens it concerns (``parta.core.versions``).

Attached to the models' own save and delete signals rather than called from each service: this is
the cache's bookkeeping, not a business rule, and a write path that forgot to call it (a service,
the Django admin, a management command) would show a family yesterday's diary. Writes that send
no signals — ``bulk_create``, ``QuerySet.update`` — call ``versions.touch`` themselves.

Nothing here reads more than one small row, and only for a link, file or membership whose class
group is one step away.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.db.models.signals import post_delete, post_save

from parta.core import versions

# Saves of a user that change nothing a cached read shows (every sign-in writes last_login).
_SIGN_IN_FIELDS = frozenset({"last_login", "password"})


def _lesson_class_group(lesson_id: int) -> list[str]:
    lesson = apps.get_model("timetable", "Lesson")
    row = lesson.objects.filter(pk=lesson_id).values_list("class_group_id", flat=True).first()
    return [] if row is None else [versions.class_marks(row)]


def _homework_class_group(homework_id: int) -> list[str]:
    homework = apps.get_model("homework", "Homework")
    row = homework.objects.filter(pk=homework_id).values_list("class_group_id", flat=True).first()
    return [] if row is None else [versions.class_group(row)]


def _subgroup_class_group(subgroup_id: int) -> list[str]:
    subgroup = apps.get_model("schools", "Subgroup")
    row = subgroup.objects.filter(pk=subgroup_id).values_list("class_group_id", flat=True).first()
    return [] if row is None else [versions.class_group(row)]


def _cell(obj: Any) -> list[str]:
    """A mark or attendance: the student's diary and the class's journal cells."""
    if obj.__class__.lesson.is_cached(obj):
        return [versions.student(obj.student_id), versions.class_marks(obj.lesson.class_group_id)]
    return [versions.student(obj.student_id), *_lesson_class_group(obj.lesson_id)]


def _lesson(obj: Any) -> list[str]:
    """A lesson: its class group's timetable and diaries, and the timetables of the teachers it
    names. A teacher it named before the save needs nothing more: their cached timetable showed
    the lesson, so it depends on the lesson's class group token too."""
    teachers = {obj.teacher_id, obj.replaced_teacher_id} - {None}
    return [versions.class_group(obj.class_group_id), *(versions.teacher(pk) for pk in sorted(teachers))]


def _school(obj: Any) -> list[str]:
    return [versions.school(obj.school_id)]


# model label → the tokens a save or delete of one of its rows renews
RULES: dict[str, Callable[[Any], Iterable[str]]] = {
    "journal.Mark": _cell,
    "journal.Attendance": _cell,
    "journal.PeriodMark": lambda o: [versions.student(o.student_id), versions.class_marks(o.class_group_id)],
    "journal.AbsenceNotice": lambda o: [versions.student(o.student_id)],
    "journal.ControlForm": _school,
    "journal.GradingScheme": _school,
    "homework.Homework": lambda o: [versions.class_group(o.class_group_id)],
    "homework.HomeworkLink": lambda o: _homework_class_group(o.homework_id),
    "homework.HomeworkFile": lambda o: _homework_class_group(o.homework_id),
    "homework.HomeworkCompletion": lambda o: [versions.student(o.student_id)],
    "timetable.Lesson": _lesson,
    "timetable.Bell": _school,
    "timetable.TemplateSlot": _school,
    "schools.Enrolment": lambda o: [versions.student(o.student_id), versions.class_group(o.class_group_id)],
    "schools.SubgroupMembership": lambda o: [
        versions.student(o.student_id),
        *_subgroup_class_group(o.subgroup_id),
    ],
    "schools.Subgroup": lambda o: [versions.class_group(o.class_group_id)],
    "schools.ClassGroup": lambda o: [versions.class_group(o.pk), versions.school(o.school_id)],
    "schools.TeachingAssignment": _school,
    "schools.AcademicYear": _school,
    "schools.StudyPeriod": _school,
    "schools.Holiday": _school,
    "schools.Room": _school,
    "schools.Building": _school,
    "schools.School": lambda o: [versions.school(o.pk)],
    # Names shown everywhere in the city: a subject, a topic, a district, a person.
    "schools.City": lambda o: [versions.EVERYTHING],
    "schools.District": lambda o: [versions.EVERYTHING],
    "schools.Subject": lambda o: [versions.EVERYTHING],
    "curriculum.Section": lambda o: [versions.EVERYTHING],
    "curriculum.Topic": lambda o: [versions.EVERYTHING],
}


def _user_saved(sender: Any, instance: Any, created: bool, update_fields: Any = None, **kwargs: Any) -> None:
    # A new account shows nowhere until an enrolment or lesson names it (and that write touches).
    if created or (update_fields is not None and set(update_fields) <= _SIGN_IN_FIELDS):
        return
    versions.touch([versions.EVERYTHING], using=kwargs.get("using") or "default")


def _user_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    versions.touch([versions.EVERYTHING], using=kwargs.get("using") or "default")


def _written(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loaddata
        return
    versions.touch(RULES[sender._meta.label](instance), using=kwargs.get("using") or "default")


def connect() -> None:
    """Attach the rules (once, from an AppConfig.ready())."""
    for label in RULES:
        model = apps.get_model(label)
        post_save.connect(_written, sender=model, dispatch_uid=f"freshness-save-{label}")
        post_delete.connect(_written, sender=model, dispatch_uid=f"freshness-delete-{label}")
    user = apps.get_model("accounts", "User")
    post_save.connect(_user_saved, sender=user, dispatch_uid="freshness-save-user")
    post_delete.connect(_user_deleted, sender=user, dispatch_uid="freshness-delete-user")
