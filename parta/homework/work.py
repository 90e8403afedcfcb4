"""A student's work on homework: the tick, an answer saved and handed in (text and files), the
teacher's check — checked, or returned for rework with a comment — and the status the tests app
reports from the student's attempts.

Statuses: no row is "not started"; ``in_progress`` (a draft saved, a test begun), ``handed_in``,
``checked`` and ``returned``. The student moves their work to in progress and handed in, never out
of checked; the teacher checks work in any state (work done in the exercise book is checked without
a hand-in) and returns only work handed in or checked. Every hand-in, check and return is a
``WorkEvent``; the work keeps the current text, comment and files. A write that its state forbids
is a ``ValidationError`` on ``status`` and changes nothing. Each write locks the work's row, so a
check and a hand-in at once are one after the other, never a mix.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.core.errors import FieldErrors
from parta.core.files import stored_upload
from parta.homework.access import access_homework_to_tick, access_work_to_check
from parta.homework.models import Homework, HomeworkCompletion, WorkEvent, WorkFile, WorkStatus
from parta.homework.services import (
    MAX_FILE_NAME_LENGTH,
    MAX_FILES,
    MAX_TEXT_LENGTH,
    clean_files,
    delete_stored,
)
from parta.outbox.services import emit

MAX_COMMENT_LENGTH = 5_000
DECISIONS = (WorkStatus.CHECKED, WorkStatus.RETURNED)


def work_of(homework: Homework, student_id: int) -> HomeworkCompletion:
    """The student's work on the homework, locked for this transaction; made (not started) if
    there is none. Two first writes at once: the second waits on the unique index and reads the
    row the first made."""
    rows = HomeworkCompletion.objects.select_for_update()
    work = rows.filter(homework=homework, student_id=student_id).first()
    if work is not None:
        return work
    try:
        with transaction.atomic():
            return HomeworkCompletion.objects.create(
                school_id=homework.school_id,
                homework=homework,
                student_id=student_id,
                status=WorkStatus.IN_PROGRESS,
            )
    except IntegrityError:
        return rows.get(homework=homework, student_id=student_id)


def _record(work: HomeworkCompletion, status: str, actor_id: int | None, text: str = "") -> None:
    WorkEvent.objects.create(work=work, status=status, actor_id=actor_id, text=text)


def _refuse_checked(work: HomeworkCompletion) -> None:
    if work.status == WorkStatus.CHECKED:
        raise ValidationError({"status": [_("The work is checked: it cannot be changed.")]})


def _hand_in(work: HomeworkCompletion, actor_id: int | None) -> None:
    work.status = WorkStatus.HANDED_IN
    work.done_at = timezone.now()
    work.save(update_fields=["status", "done_at", "updated_at"])
    _record(work, WorkStatus.HANDED_IN, actor_id, work.text)


# --- the student -------------------------------------------------------------------------


def homework_done(actor: Any, homework_id: int) -> HomeworkCompletion:
    """The student ticks their homework done: their work is handed in as it stands. Ticking work
    handed in or checked changes nothing."""
    homework = access_homework_to_tick(actor, homework_id)
    with transaction.atomic():
        work = work_of(homework, actor.pk)
        if not work.done:
            _hand_in(work, actor.pk)
    return work


def homework_undone(actor: Any, homework_id: int) -> None:
    """The student takes the tick back: work handed in is in progress again (a bare tick is
    forgotten). Checked work cannot be taken back; work never handed in changes nothing."""
    homework = access_homework_to_tick(actor, homework_id)
    with transaction.atomic():
        rows = HomeworkCompletion.objects.select_for_update()
        work = rows.filter(homework=homework, student_id=actor.pk).first()
        if work is None or work.status != WorkStatus.HANDED_IN:
            if work is not None:
                _refuse_checked(work)
            return
        bare = not work.text and not work.files.exists()
        if bare and not work.events.exclude(status=WorkStatus.HANDED_IN).exists():
            work.delete()
            return
        work.status = WorkStatus.IN_PROGRESS
        work.save(update_fields=["status", "updated_at"])


def work_save(
    actor: Any,
    homework_id: int,
    *,
    text: str,
    files_add: Sequence[UploadedFile[Any]] = (),
    files_remove: Iterable[int] = (),
    hand_in: bool,
) -> HomeworkCompletion:
    """The student's answer: its text (replaced), files added and removed (by id); kept as a
    draft (in progress) or handed in. Refused once the work is checked; handing in work that is
    returned hands it in again."""
    homework = access_homework_to_tick(actor, homework_id)
    errors = FieldErrors()
    text = (text or "").strip()
    if len(text) > MAX_TEXT_LENGTH:
        errors.add("text", _("Write at most %(count)d characters.") % {"count": MAX_TEXT_LENGTH})
    files_add = list(files_add)
    clean_files(files_add, errors)
    errors.raise_if_any()
    remove = set(files_remove)
    with transaction.atomic():
        work = work_of(homework, actor.pk)
        _refuse_checked(work)
        existing = dict(WorkFile.objects.filter(work=work).values_list("pk", "file"))
        if remove - existing.keys():
            errors.add("files_remove", _("Some of the files to remove are not handed in with this work."))
        if len(existing) - len(remove) + len(files_add) > MAX_FILES:
            errors.add("files", _("Attach at most %(count)d files.") % {"count": MAX_FILES})
        if hand_in and not text and len(existing) - len(remove) + len(files_add) == 0:
            errors.add("text", _("Write the answer or attach a file to hand in."))
        errors.raise_if_any()
        if remove:
            WorkFile.objects.filter(work=work, pk__in=remove).delete()
            delete_stored([existing[pk] for pk in remove])
        for upload in files_add:
            stored_upload(WorkFile(work=work), upload, max_name=MAX_FILE_NAME_LENGTH)
        work.text = text
        if hand_in:
            work.save(update_fields=["text", "updated_at"])
            _hand_in(work, actor.pk)
        else:
            if work.status != WorkStatus.RETURNED:
                work.status = WorkStatus.IN_PROGRESS
            work.save(update_fields=["text", "status", "updated_at"])
    return work


# --- the tests app -------------------------------------------------------------------------


def work_reported(homework_id: int, student_id: int, status: str) -> None:
    """The status the tests app reports from the student's attempts at the homework's tests:
    ``in_progress`` (a test begun), ``handed_in`` (every test submitted), ``checked`` (and every
    answer scored). The caller has checked the student's access. Reports only move work forwards:
    work handed in stays so while a test is taken again, checked work stays checked, and returned
    work is handed in again by the next report of it."""
    if status not in (WorkStatus.IN_PROGRESS, WorkStatus.HANDED_IN, WorkStatus.CHECKED):
        raise ValueError(status)
    homework = Homework.objects.get(pk=homework_id)
    with transaction.atomic():
        work = work_of(homework, student_id)  # made in progress if not started
        if status == WorkStatus.IN_PROGRESS or work.status == WorkStatus.CHECKED:
            # A test begun again never takes work back; a check (the teacher's or the machine's) stands.
            return
        if work.status != WorkStatus.HANDED_IN:
            _hand_in(work, student_id)
        if status == WorkStatus.CHECKED:
            # Scored by the machine: checked, by nobody.
            work.status = WorkStatus.CHECKED
            work.checked_at = timezone.now()
            work.save(update_fields=["status", "checked_at", "updated_at"])
            _record(work, WorkStatus.CHECKED, None)


# --- the teacher ---------------------------------------------------------------------------


def _decide(work: HomeworkCompletion, decision: str, actor: Any, comment: str) -> None:
    work.status = decision
    work.comment = comment
    work.checked_by = actor
    work.checked_at = timezone.now()
    work.save(update_fields=["status", "comment", "checked_by", "checked_at", "updated_at"])
    _record(work, decision, actor.pk, comment)


def work_marked(work: HomeworkCompletion, actor: Any) -> None:
    """A mark put for the work (``parta.homework.marking``, in its transaction) checks it, unless it
    is checked or returned already; the mark's own notification tells the family."""
    if work.status not in DECISIONS:
        _decide(work, WorkStatus.CHECKED, actor, work.comment)


def work_check(
    actor: Any, homework_id: int, student_id: int, *, decision: str, comment: str
) -> HomeworkCompletion:
    """The teacher's check of a student's work: ``checked`` (any work, handed in or not: it may be
    in the exercise book) or ``returned`` for rework (work handed in or checked, with a comment
    saying what to redo). The student and their guardians are told."""
    homework = access_work_to_check(actor, homework_id, student_id)
    errors = FieldErrors()
    comment = (comment or "").strip()
    if decision not in DECISIONS:
        errors.add("decision", _("Choose: checked, or returned for rework."))
    if len(comment) > MAX_COMMENT_LENGTH:
        errors.add("comment", _("Write at most %(count)d characters.") % {"count": MAX_COMMENT_LENGTH})
    if decision == WorkStatus.RETURNED and not comment:
        errors.add("comment", _("Say what is to be redone."))
    errors.raise_if_any()
    with transaction.atomic():
        work = work_of(homework, student_id)
        if decision == WorkStatus.RETURNED and work.status not in (WorkStatus.HANDED_IN, WorkStatus.CHECKED):
            raise ValidationError({"decision": [_("Only work that is handed in can be returned.")]})
        _decide(work, decision, actor, comment)
        emit(
            "homework.checked",
            {
                "homework_id": homework.pk,
                "student_id": student_id,
                "subject_id": homework.subject_id,
                "status": decision,
                # The start of it: a notification is a line, the page has the whole.
                "comment": comment[:300],
                "actor_id": actor.pk,
            },
            school_id=homework.school_id,
        )
    return work
