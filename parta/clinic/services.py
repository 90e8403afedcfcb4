"""Writes of the clinic app: a clinic's sick note recorded, amended and withdrawn, and the city
registry numbers that name the children.

A note marks the student's lessons of its days as "sick" with the source "clinic", through the
journal's own service (``attendance_set``), one lesson at a time, each with its history row:

- it marks a lesson with **no entry**, or whose entry is **"absent"** (anyone's), **"excused"**
  by a parent's notice, or **"sick"** by a teacher — a clinic's word is stronger than theirs;
- it leaves **"late"** (the child was there), a teacher's **"excused"** (the teacher's own
  judgement) and a lesson another note already holds;
- a later change of the cell by the school stands: the note never writes over it, and lets go
  of the cell without touching it;
- **withdrawn**, the note gives every cell it still holds back as it was before the note (the
  teacher's "absent" returns as the teacher's, through ``attendance_restore``), unless another
  recorded note of the student covers that day: that note then holds the cell instead;
- **amended** (the same ``note_id``, other dates, a later ``issued_at``), it lets go of the days
  it no longer covers as a withdrawal does, and marks the new ones; a cell it let go after the
  school changed it is never taken again.

Only the lessons that exist when the note (or its amendment) arrives are marked: its days are
over by then, so a lesson added to them later is the school's to enter. Families and class
teachers are told once per note, not once per lesson (``parta.clinic.notifications``).
Every rule is in docs/decisions/0019-clinic-notes.md, with worked cases in the tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.accounts.models import User
from parta.clinic import identifiers
from parta.clinic.models import PersonIdentifier, SickNote, SickNoteChange, SickNoteLesson
from parta.core.principals import has_scope
from parta.journal.models import Attendance
from parta.journal.services import StaleVersion
from parta.journal.services import attendance as journal_attendance
from parta.outbox.services import emit
from parta.schools.models import Enrolment, SubgroupMembership
from parta.timetable.models import Lesson

SCOPE = "attendance:clinic"
EVENT = "clinic.note"
# A note covers at most this many days (form 095/у: ten, extended to thirty at most); a longer
# illness comes as several notes.
MAX_NOTE_DAYS = 30
# How far a clinic's clock may run ahead of ours before its issued_at counts as the future.
CLOCK_SKEW = dt.timedelta(minutes=5)

Status = Attendance.Status
Source = Attendance.Source


class NoteConflict(Exception):
    """The note_id names a note that this request cannot change (HTTP 409): ``code`` is
    ``note_conflict`` (other content that is no later version of it) or ``note_withdrawn``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class NoteAnswer:
    """What a write of a note answers: the note, the version the request made or repeated, and
    whether it was a repeat (nothing written)."""

    note: SickNote
    change: SickNoteChange
    replayed: bool

    @property
    def created(self) -> bool:
        return self.change.version == 1


def _refuse(field: str, message: str, code: str) -> ValidationError:
    """A refusal of one field with its machine-readable code (the API's ``code``)."""
    return ValidationError({field: [ValidationError(message, code=code)]})


def _check_clinic(actor: Any) -> None:
    if not has_scope(actor, SCOPE):
        raise PermissionDenied


# --- which lessons, and what the note does to each --------------------------------------------


@dataclass(frozen=True)
class _Cell:
    lesson_id: int
    date: dt.date
    # The entry as the journal's history writes it (JournalChange.old), None for no entry.
    entry: dict[str, Any] | None


def _state(row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """An attendance entry as the journal's history keeps it: status, reason, source, notice and
    version (from a values() row or the journal's ``attendance_data``)."""
    if row is None:
        return None
    notice = row.get("notice", row.get("notice_id"))
    return {
        "status": row["status"],
        "reason": row["reason"],
        "source": row["source"],
        "notice": notice,
        "version": row["version"],
    }


def _lessons(student_id: int, starts_on: dt.date, ends_on: dt.date) -> list[_Cell]:
    """The student's lessons from ``starts_on`` to ``ends_on`` (none after today), as the
    journal takes entries for them: scheduled, of the class group they were in on the day (from
    the day they joined it) and of their subgroups, with each lesson's entry. Three queries."""
    joined = dict(Enrolment.objects.filter(student_id=student_id).values_list("class_group_id", "starts_on"))
    if not joined:
        return []
    subgroups = SubgroupMembership.objects.filter(student_id=student_id).values("subgroup_id")
    rows = (
        Lesson.objects.filter(
            class_group_id__in=joined,
            date__gte=starts_on,
            date__lte=min(ends_on, timezone.localdate()),
            status=Lesson.Status.SCHEDULED,
        )
        .filter(Q(subgroup__isnull=True) | Q(subgroup_id__in=subgroups))
        .order_by("date", "number", "id")
        .values_list("id", "date", "class_group_id")
    )
    lessons = []
    for pk, day, group in rows:
        since = joined[group]
        if since is None or since <= day:
            lessons.append((pk, day))
    entries = {
        row["lesson_id"]: _state(row)
        for row in Attendance.objects.filter(
            student_id=student_id, lesson_id__in=[pk for pk, _day in lessons]
        ).values("lesson_id", "status", "reason", "source", "notice_id", "version")
    }
    return [_Cell(pk, day, entries.get(pk)) for pk, day in lessons]


def _markable(entry: dict[str, Any] | None) -> bool:
    """Whether a note makes this entry sick: none, anyone's "absent", a parent's notice's
    "excused", a teacher's "sick". Not "late", a teacher's "excused", a clinic's own entry."""
    if entry is None:
        return True
    status, source = entry["status"], entry["source"]
    return bool(
        status == Status.ABSENT
        or (status == Status.EXCUSED and source == Source.PARENT_NOTICE)
        or (status == Status.SICK and source == Source.TEACHER)
    )


def _reason(note: SickNote) -> str:
    return _("Sick note %(number)s from the clinic") % {"number": note.note_id}


def _mark(clinic: Any, note: SickNote, cells: Iterable[_Cell]) -> list[SickNoteLesson]:
    """Make the markable cells sick, through the journal; the holds to write (not yet written).
    A cell the school changes meanwhile is looked at again as it now is."""
    holds = []
    reason = _reason(note)
    for cell in cells:
        entry = cell.entry
        for _attempt in range(2):
            if not _markable(entry):
                break
            try:
                written = journal_attendance.attendance_set(
                    clinic,
                    lesson_id=cell.lesson_id,
                    student_id=note.student_id,
                    status=Status.SICK,
                    reason=reason,
                    version=entry["version"] if entry else None,
                    source=Source.CLINIC,
                    notify=False,  # the family is told once, of the whole note
                )
            except StaleVersion as stale:
                entry = _state(stale.current)
                continue
            except ValidationError:
                break  # the journal takes no entry for this lesson (outside every study period…)
            assert written is not None
            holds.append(
                SickNoteLesson(
                    school_id=note.school_id,
                    note=note,
                    lesson_id=cell.lesson_id,
                    date=cell.date,
                    before=entry,
                    version=written.version,
                )
            )
            break
    return holds


def _covering(note: SickNote, holds: list[SickNoteLesson]) -> list[tuple[int, dt.date, dt.date]]:
    """The student's other recorded notes over the holds' days: (id, from, to)."""
    if not holds:
        return []
    days = [hold.date for hold in holds]
    return list(
        SickNote.objects.filter(
            student_id=note.student_id,
            status=SickNote.Status.RECORDED,
            starts_on__lte=max(days),
            ends_on__gte=min(days),
        )
        .exclude(pk=note.pk)
        .order_by("starts_on", "id")
        .values_list("id", "starts_on", "ends_on")
    )


def _release(clinic: Any, note: SickNote, holds: list[SickNoteLesson], reason: str) -> int:
    """Let go of the cells: each still as the note left it goes back to what it was, or to
    another recorded note of the student covering its day; one the school has changed since is
    left as it is. How many were given back."""
    if not holds:
        return 0
    now = timezone.now()
    others = _covering(note, holds)
    current = dict(
        Attendance.objects.filter(
            student_id=note.student_id,
            lesson_id__in=[hold.lesson_id for hold in holds],
            source=Source.CLINIC,
        ).values_list("lesson_id", "version")
    )
    held_elsewhere = set(
        SickNoteLesson.objects.filter(
            note_id__in=[pk for pk, _from, _to in others],
            lesson_id__in=[hold.lesson_id for hold in holds],
            released_at__isnull=True,
        ).values_list("lesson_id", flat=True)
    )
    handed: list[SickNoteLesson] = []
    restored = 0
    for hold in holds:
        other = next((pk for pk, starts, ends in others if starts <= hold.date <= ends), None)
        if current.get(hold.lesson_id) != hold.version:
            hold.outcome = SickNoteLesson.Outcome.KEPT
        elif other is not None:
            hold.outcome = SickNoteLesson.Outcome.HANDED_OVER
            if hold.lesson_id not in held_elsewhere:
                handed.append(
                    SickNoteLesson(
                        school_id=hold.school_id,
                        note_id=other,
                        lesson_id=hold.lesson_id,
                        date=hold.date,
                        before=hold.before,
                        version=hold.version,
                    )
                )
        else:
            try:
                journal_attendance.attendance_restore(
                    clinic,
                    lesson_id=hold.lesson_id,
                    student_id=note.student_id,
                    state=hold.before,
                    version=hold.version,
                    reason=reason,
                    notify=False,
                )
            except (StaleVersion, ValidationError):
                hold.outcome = SickNoteLesson.Outcome.KEPT
            else:
                hold.outcome = SickNoteLesson.Outcome.RESTORED
                restored += 1
        hold.released_at = now
    SickNoteLesson.objects.bulk_update(holds, ["released_at", "outcome"])
    # Released first: the other note's new holds of these lessons are then the only ones held.
    SickNoteLesson.objects.bulk_create(handed)
    return restored


# --- recording a note ------------------------------------------------------------------------


def _check_dates(starts_on: dt.date, ends_on: dt.date, issued_at: dt.datetime) -> None:
    """The note's dates, in this order (the first broken rule is the answer's code)."""
    if issued_at > timezone.now() + CLOCK_SKEW:
        raise _refuse("issued_at", _("A note cannot be issued in the future."), "issued_in_future")
    if ends_on < starts_on:
        raise _refuse("to", _("The last day cannot be before the first."), "ends_before_start")
    if (ends_on - starts_on).days + 1 > MAX_NOTE_DAYS:
        raise _refuse(
            "to", _("A note may cover at most %(days)d days.") % {"days": MAX_NOTE_DAYS}, "span_too_long"
        )
    if ends_on > timezone.localtime(issued_at).date():
        raise _refuse(
            "to",
            _("A note covers days of illness that are over: its last day cannot be after its day of issue."),
            "ends_after_issue",
        )


def _school_of(clinic: Any, number: str, starts_on: dt.date, ends_on: dt.date) -> tuple[int, int]:
    """The student the number names and their school on the note's days; a number nobody (of the
    clinic's school, for a clinic of one school) has is ``unknown_student``."""
    person_id = PersonIdentifier.objects.filter(number=number).values_list("person_id", flat=True).first()
    unknown = _refuse("student", _("No student has this number."), "unknown_student")
    if person_id is None:
        raise unknown
    school_id = (
        Enrolment.objects.filter(
            student_id=person_id, year__starts_on__lte=ends_on, year__ends_on__gte=starts_on
        )
        .order_by("year__starts_on")
        .values_list("school_id", flat=True)
        .first()
    )
    if school_id is not None and clinic.school_id not in (None, school_id):
        raise unknown
    if school_id is None:
        if clinic.school_id is not None:
            raise unknown
        raise _refuse("student", _("The student is in no school on these days."), "not_enrolled")
    return person_id, school_id


def _repeat(note: SickNote, number: str, starts_on: dt.date, ends_on: dt.date, issued_at: dt.datetime) -> Any:
    """The version of the note that said exactly this, if any."""
    return (
        note.changes.filter(number=number, starts_on=starts_on, ends_on=ends_on, issued_at=issued_at)
        .exclude(kind=SickNoteChange.Kind.WITHDRAWN)
        .order_by("version")
        .first()
    )


def _locked(clinic: Any, note_id: str) -> SickNote | None:
    return SickNote.objects.select_for_update().filter(clinic_id=clinic.pk, note_id=note_id).first()


def _held(note: SickNote) -> list[SickNoteLesson]:
    return list(note.lessons.filter(released_at__isnull=True).order_by("date", "lesson_id"))


def _emit(note: SickNote, change: SickNoteChange) -> None:
    """One event for the whole note: the family and the class teacher are told once."""
    emit(
        EVENT,
        {
            "note_id": note.pk,
            "student_id": note.student_id,
            "starts_on": note.starts_on.isoformat(),
            "ends_on": note.ends_on.isoformat(),
            "change": change.kind,
            "lessons": change.lessons_marked,
            "actor_id": None,
        },
        school_id=note.school_id,
    )


def _version(note: SickNote, kind: str, number: str, *, marked: int, restored: int = 0) -> SickNoteChange:
    return SickNoteChange.objects.create(
        note=note,
        version=note.version,
        kind=kind,
        number=number,
        starts_on=note.starts_on,
        ends_on=note.ends_on,
        issued_at=note.issued_at,
        lessons_marked=marked,
        lessons_restored=restored,
    )


@transaction.atomic
def sick_note_record(
    clinic: Any, *, note_id: str, number: str, starts_on: dt.date, ends_on: dt.date, issued_at: dt.datetime
) -> NoteAnswer:
    """A clinic's system records a note (``number``: the student's city registry number, as
    ``identifiers.normalize`` keeps it), or repeats or amends one it sent before.

    - A repeat of any version the clinic sent (the same student and dates and ``issued_at``)
      writes nothing and answers as that version did.
    - A note_id not seen before is recorded: its lessons are marked (see the module).
    - Other content under a recorded note_id with a later ``issued_at`` and the same student is
      an amendment; anything else is :class:`NoteConflict` (``note_conflict``), and any new
      content for a withdrawn note too (``note_withdrawn``).

    Refusals are ValidationErrors with a code: ``issued_in_future``, ``ends_before_start``,
    ``span_too_long``, ``ends_after_issue``, ``unknown_student``, ``not_enrolled``."""
    _check_clinic(clinic)
    _check_dates(starts_on, ends_on, issued_at)
    for _attempt in range(2):
        note = _locked(clinic, note_id)
        if note is not None:
            repeat = _repeat(note, number, starts_on, ends_on, issued_at)
            if repeat is not None:
                return NoteAnswer(note, repeat, replayed=True)
            return _amend(
                clinic, note, number=number, starts_on=starts_on, ends_on=ends_on, issued_at=issued_at
            )
        student_id, school_id = _school_of(clinic, number, starts_on, ends_on)
        try:
            with transaction.atomic():
                note = SickNote.objects.create(
                    school_id=school_id,
                    clinic_id=clinic.pk,
                    note_id=note_id,
                    student_id=student_id,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    issued_at=issued_at,
                )
        except IntegrityError:
            continue  # the same note_id, recorded by a request that has just committed: read it
        holds = _mark(clinic, note, _lessons(student_id, starts_on, ends_on))
        SickNoteLesson.objects.bulk_create(holds)
        change = _version(note, SickNoteChange.Kind.RECORDED, number, marked=len(holds))
        _emit(note, change)
        return NoteAnswer(note, change, replayed=False)
    raise AssertionError("unreachable: the second attempt finds the note")  # pragma: no cover


def _amend(
    clinic: Any,
    note: SickNote,
    *,
    number: str,
    starts_on: dt.date,
    ends_on: dt.date,
    issued_at: dt.datetime,
) -> NoteAnswer:
    if note.is_withdrawn:
        raise NoteConflict(
            "note_withdrawn", _("This note was withdrawn; send a new note with a note_id of its own.")
        )
    if issued_at <= note.issued_at:
        raise NoteConflict(
            "note_conflict",
            _("A note with this note_id says something else; a new version must be issued later."),
        )
    student_id, school_id = _school_of(clinic, number, starts_on, ends_on)
    if student_id != note.student_id:
        raise NoteConflict("note_conflict", _("A note with this note_id is about another student."))
    held = _held(note)
    outside = [hold for hold in held if not starts_on <= hold.date <= ends_on]
    restored = _release(
        clinic, note, outside, _("sick note %(number)s changed by the clinic") % {"number": note.note_id}
    )
    note.starts_on, note.ends_on, note.issued_at = starts_on, ends_on, issued_at
    note.school_id = school_id
    note.version += 1
    note.save(update_fields=["starts_on", "ends_on", "issued_at", "school", "version", "updated_at"])
    kept = set(held) - set(outside)
    # A cell the note let go of after the school changed it is the school's from then on.
    skip = {hold.lesson_id for hold in kept} | set(
        note.lessons.filter(outcome=SickNoteLesson.Outcome.KEPT).values_list("lesson_id", flat=True)
    )
    cells = [cell for cell in _lessons(student_id, starts_on, ends_on) if cell.lesson_id not in skip]
    holds = _mark(clinic, note, cells)
    SickNoteLesson.objects.bulk_create(holds)
    change = _version(
        note, SickNoteChange.Kind.AMENDED, number, marked=len(kept) + len(holds), restored=restored
    )
    _emit(note, change)
    return NoteAnswer(note, change, replayed=False)


@transaction.atomic
def sick_note_withdraw(clinic: Any, *, note_id: str) -> NoteAnswer:
    """The clinic withdraws its note: every cell it still holds is given back (see the module).
    Withdrawing it again writes nothing and answers as the withdrawal did; a note_id the clinic
    never sent is a 404."""
    _check_clinic(clinic)
    note = _locked(clinic, note_id)
    if note is None:
        raise Http404
    if note.is_withdrawn:
        return NoteAnswer(note, note.changes.get(kind=SickNoteChange.Kind.WITHDRAWN), replayed=True)
    number = note.changes.order_by("-version").values_list("number", flat=True)[0]
    restored = _release(
        clinic,
        note,
        _held(note),
        _("sick note %(number)s withdrawn by the clinic") % {"number": note.note_id},
    )
    note.status = SickNote.Status.WITHDRAWN
    note.withdrawn_at = timezone.now()
    note.version += 1
    note.save(update_fields=["status", "withdrawn_at", "version", "updated_at"])
    change = _version(note, SickNoteChange.Kind.WITHDRAWN, number, marked=0, restored=restored)
    _emit(note, change)
    return NoteAnswer(note, change, replayed=False)


def sick_note_latest(clinic: Any, *, note_id: str) -> NoteAnswer:
    """The clinic's note as its latest version left it; 404 for a note_id it never sent."""
    _check_clinic(clinic)
    note = SickNote.objects.filter(clinic_id=clinic.pk, note_id=note_id).first()
    if note is None:
        raise Http404
    return NoteAnswer(note, note.changes.order_by("-version")[0], replayed=True)


# --- city registry numbers ------------------------------------------------------------------


@transaction.atomic
def person_identifiers_load(pairs: Iterable[tuple[int, str]]) -> tuple[int, int]:
    """Give people their city registry numbers (person id, number as written), as the city's
    registry exports them: all or nothing. A person's new number replaces the old one; a number
    is one person's. (created, changed). The operator's (``manage.py clinic_numbers_load``) and
    the demo's; nobody signs in to do it."""
    wanted: dict[int, str] = {}
    owners: dict[str, int] = {}
    errors: list[str] = []
    for person_id, raw in pairs:
        number = identifiers.normalize(raw)
        if number is None:
            errors.append(_("%(number)s is not a well-formed number.") % {"number": raw})
            continue
        if owners.setdefault(number, person_id) != person_id:
            errors.append(_("%(number)s is given to two people.") % {"number": raw})
        wanted[person_id] = number
    missing = set(wanted) - set(User.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    errors += [_("There is no person %(id)s.") % {"id": pk} for pk in sorted(missing)]
    taken = PersonIdentifier.objects.filter(number__in=owners).exclude(person_id__in=wanted)
    errors += [
        _("%(number)s is another person's number already.") % {"number": identifiers.written(n)}
        for n in taken.values_list("number", flat=True)
    ]
    if errors:
        raise ValidationError({"numbers": errors})
    existing = dict(PersonIdentifier.objects.filter(person_id__in=wanted).values_list("person_id", "number"))
    changed = [pk for pk, number in wanted.items() if pk in existing and existing[pk] != number]
    # A number moving from one person of the load to another: free the old rows first.
    PersonIdentifier.objects.filter(person_id__in=changed).delete()
    PersonIdentifier.objects.bulk_create(
        [
            PersonIdentifier(person_id=pk, number=number)
            for pk, number in wanted.items()
            if pk not in existing or pk in changed
        ]
    )
    return len(set(wanted) - set(existing)), len(changed)
