"""A homework attempt's mark in the journal, put by the teacher from the attempt's check page.

It is the student's homework mark (``parta.homework.marking``): the homework work is its origin, so
marking two attempts of one homework, or the attempt and the hand-in, makes one mark.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from parta.assessment.access import attempts_readable_by
from parta.assessment.models import Attempt
from parta.assessment.services import Refused
from parta.homework import marking
from parta.homework.access import access_work_to_check
from parta.homework.models import HomeworkCompletion
from parta.journal.models import Mark


def access_attempt_to_mark(user: Any, attempt_id: int) -> Attempt:
    """A homework attempt the user reads, of homework set at a lesson they teach; 404 otherwise."""
    readable = Attempt.objects.filter(attempts_readable_by(user), homework__isnull=False)
    attempt = readable.filter(pk=attempt_id).first()
    if attempt is None or attempt.homework_id is None:
        raise Http404
    access_work_to_check(user, attempt.homework_id, attempt.student_id)
    return attempt


def mark_of(attempt: Attempt) -> Mark | None:
    """The student's homework mark, if the journal has one (read only: the journal writes it)."""
    if attempt.homework_id is None:
        return None
    work = HomeworkCompletion.objects.filter(homework_id=attempt.homework_id, student_id=attempt.student_id)
    found = work.select_related("homework").first()
    return marking.marks_of(found.homework, [found]).get(attempt.student_id) if found else None


def attempt_mark(user: Any, attempt_id: int, value: int) -> Mark:
    """Put (or change) the student's homework mark from a submitted attempt."""
    attempt = access_attempt_to_mark(user, attempt_id)
    if attempt.state != Attempt.State.SUBMITTED:
        raise Refused(_("The attempt is still in progress: check it once it is submitted."))
    assert attempt.homework_id is not None
    return marking.work_mark(user, attempt.homework_id, attempt.student_id, value)
