"""A student's homework mark in the journal, put by the teacher who checks the work.

Through the journal's services, never its tables: ``mark_create`` with the student's work as the
mark's origin (``homework.work:<id>``), so that putting it twice makes one mark, and
``mark_update`` when the teacher gives another value later — history, notifications and the
diary follow as for any mark. The mark goes to the lesson the homework is due at once that lesson
has begun (the review date), else to the lesson it was set at; its control form is the school's
"homework" (none if the school has no such form). The tests app's check screen puts the mark of
a homework attempt through here too: one mark per student and homework, whatever the attempts.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.homework.access import access_work_to_check
from parta.homework.models import Homework, HomeworkCompletion
from parta.homework.work import work_check, work_marked, work_of
from parta.journal.models import ControlForm, Mark
from parta.journal.services import mark_create, mark_update

HOMEWORK_FORM = "homework"


def origin_of(work_id: int) -> str:
    return f"homework.work:{work_id}"


def marks_of(homework: Homework, works: list[HomeworkCompletion]) -> dict[int, Mark]:
    """The journal's marks made for these works, by student (read only: the journal writes them).
    One query, none for no work."""
    if not works:
        return {}
    students = {origin_of(work.pk): work.student_id for work in works}
    rows = Mark.objects.filter(school_id=homework.school_id, origin__in=list(students))
    return {students[mark.origin or ""]: mark for mark in rows}


def work_mark(user: Any, homework_id: int, student_id: int, value: int) -> Mark:
    """Put (or change) the student's homework mark in the journal."""
    homework = access_work_to_check(user, homework_id, student_id)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({"value": [_("Choose the mark.")]})
    due = homework.due_lesson
    lesson = due if due is not None and due.starts_at <= timezone.now() else homework.lesson
    with transaction.atomic():
        work = work_of(homework, student_id)
        work_marked(work, user)
        origin = origin_of(work.pk)
        made = Mark.objects.filter(school_id=homework.school_id, origin=origin).first()
        if made is not None:
            if made.value == value:
                return made
            return mark_update(user, made.pk, version=made.version, value=value)
        form_id = (
            ControlForm.objects.filter(school_id=homework.school_id, code=HOMEWORK_FORM)
            .values_list("pk", flat=True)
            .first()
        )
        return mark_create(
            user,
            lesson_id=lesson.pk,
            student_id=student_id,
            value=value,
            control_form_id=form_id,
            origin=origin,
        )


def work_check_with_mark(
    user: Any, homework_id: int, student_id: int, *, decision: str, comment: str, mark: int | None
) -> HomeworkCompletion:
    """The teacher's check of a student's work (``work.work_check``) and, when given, the homework
    mark, as one: a mark the journal refuses leaves the work as it was."""
    with transaction.atomic():
        work = work_check(user, homework_id, student_id, decision=decision, comment=comment)
        if mark is not None:
            work_mark(user, homework_id, student_id, mark)
    return work
