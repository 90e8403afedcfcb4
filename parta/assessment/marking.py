"""A homework attempt's mark in the journal, put by the teacher who checks it.

Through the journal's services, never its tables: ``mark_create`` with the attempt as the mark's
origin (``assessment.attempt:<id>``), so that putting it twice makes one mark, and ``mark_update``
when the teacher gives another value later — history, notifications and the diary follow as for
any mark. The mark goes to the lesson the homework is due at once that lesson has begun (the
review date), else to the lesson it was set at; its control form is the school's "homework"
(none if the school has no such form).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.assessment.access import attempts_readable_by
from parta.assessment.models import Attempt
from parta.assessment.services import Refused
from parta.homework.access import homework_writable_by
from parta.homework.models import Homework
from parta.journal.models import ControlForm, Mark
from parta.journal.services import mark_create, mark_update

HOMEWORK_FORM = "homework"


def origin_of(attempt: Attempt) -> str:
    return f"assessment.attempt:{attempt.pk}"


def access_attempt_to_mark(user: Any, attempt_id: int) -> tuple[Attempt, Homework]:
    """A homework attempt the user reads, of homework set at a lesson they teach; 404 otherwise."""
    readable = Attempt.objects.filter(attempts_readable_by(user), homework__isnull=False)
    attempt = readable.filter(pk=attempt_id).first()
    homework = None
    if attempt is not None and attempt.homework_id is not None:
        taught = Homework.objects.select_related("lesson", "due_lesson").filter(homework_writable_by(user))
        homework = taught.filter(pk=attempt.homework_id).first()
    if attempt is None or homework is None:
        raise Http404
    return attempt, homework


def mark_of(attempt: Attempt) -> Mark | None:
    """The journal's mark made for the attempt, if any (read only: the journal writes it)."""
    return Mark.objects.filter(school_id=attempt.school_id, origin=origin_of(attempt)).first()


def attempt_mark(user: Any, attempt_id: int, value: int) -> Mark:
    """Put (or change) the attempt's mark in the journal."""
    attempt, homework = access_attempt_to_mark(user, attempt_id)
    if attempt.state != Attempt.State.SUBMITTED:
        raise Refused(_("The attempt is still in progress: check it once it is submitted."))
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({"value": [_("Choose the mark.")]})
    due = homework.due_lesson
    lesson = due if due is not None and due.starts_at <= timezone.now() else homework.lesson
    with transaction.atomic():
        made = mark_of(attempt)
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
            student_id=attempt.student_id,
            value=value,
            control_form_id=form_id,
            origin=origin_of(attempt),
        )
