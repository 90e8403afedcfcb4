"""The demo's clinic: a city clinic system's credential, a city registry number for every student
of the school (the demo student's is 112-233-445 95, for trying the API), and a few sick notes sent
through the real service.

The notes cover days the journal already shows the student away: two a teacher's "absent" (which
the note makes "sick", source "clinic"), the rest a teacher's "sick" (which it confirms). The demo
student and the demo teacher's class come first where they have such days, so that the demo
parent and class teacher have notes to read; the last note is withdrawn again, giving its lessons
back as the teacher had them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from parta.accounts.models import MachineClient
from parta.accounts.services import machine_client_create
from parta.clinic import identifiers, services
from parta.clinic.models import PersonIdentifier
from parta.journal.models import Attendance
from parta.schools.models import Enrolment, School

CLINIC_NAME = "ГБУЗ «Городская поликлиника № 12» (ЕМИАС)"
# The demo student's SNILS, to try the API with (docs/clinic.md).
DEMO_STUDENT_NUMBER = identifiers.with_check_number(112233445)  # 112-233-445 95
NOTES = 5
UPGRADING_NOTES = 2
# How far back the notes reach: the clinic sends a note when the child is back at school.
LOOK_BACK_DAYS = 60
# Days of a run may be this far apart (a weekend between Friday and Monday).
RUN_GAP_DAYS = 3


def _runs(days: list[dt.date]) -> list[list[dt.date]]:
    """Consecutive school days (across weekends) as runs."""
    runs: list[list[dt.date]] = []
    for day in sorted(days):
        if runs and (day - runs[-1][-1]).days <= RUN_GAP_DAYS:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _numbers(rng: random.Random, students: dict[int, str]) -> int:
    """A made-up city registry number for each student (id → username) who has none: unique, with
    its check number; the demo student's is the one the docs show (docs/clinic.md)."""
    have = set(PersonIdentifier.objects.filter(person_id__in=students).values_list("person_id", flat=True))
    taken = set(PersonIdentifier.objects.values_list("number", flat=True))
    pairs = []
    for student, username in sorted(students.items()):
        if student in have:
            continue
        number = DEMO_STUDENT_NUMBER if username == "student" else ""
        while not number or number in taken:
            number = identifiers.with_check_number(rng.randrange(100_000_000, 999_999_999))
        taken.add(number)
        pairs.append((student, number))
    created, _changed = services.person_identifiers_load(pairs)
    return created


@transaction.atomic
def clinic_demo(*, school: School, today: dt.date, seed: int) -> dict[str, int]:
    """The clinic, the numbers and the notes (see the module); the counts for the demo's report."""
    rng = random.Random(seed * 7 + 19)
    clinic, _secret = machine_client_create(
        by=None, kind=MachineClient.Kind.CLINIC, name=CLINIC_NAME, scopes=[services.SCOPE]
    )
    enrolments = list(
        Enrolment.objects.filter(school=school)
        .order_by("student_id")
        .values_list("student_id", "student__username", "class_group__class_teacher__username")
    )
    numbers = _numbers(rng, {student: username for student, username, _teacher in enrolments})
    # The teacher's entries of the weeks before today (and before the real today: the journal
    # takes no entry for a lesson still to come).
    last = min(today, timezone.localdate()) - dt.timedelta(days=1)
    away: dict[int, dict[dt.date, set[str]]] = defaultdict(lambda: defaultdict(set))
    for student, day, status in Attendance.objects.filter(
        school=school,
        date__gte=last - dt.timedelta(days=LOOK_BACK_DAYS),
        date__lte=last,
        source=Attendance.Source.TEACHER,
        status__in=[Attendance.Status.ABSENT, Attendance.Status.SICK],
    ).values_list("student_id", "date", "status"):
        away[student][day].add(status)

    def rank(row: tuple[int, str, str | None]) -> tuple[int, float]:
        _student, username, class_teacher = row
        return (0 if username == "student" else 1 if class_teacher == "teacher" else 2, rng.random())

    # Each student's latest run of days away with a teacher's "absent" in it, else the latest.
    candidates: list[tuple[int, list[dt.date], bool]] = []
    for student, _username, _teacher in sorted(enrolments, key=rank):
        runs = [run for run in _runs(list(away[student])) if len(run) <= services.MAX_NOTE_DAYS]
        absent = [run for run in runs if any(Attendance.Status.ABSENT in away[student][d] for d in run)]
        if absent or runs:
            candidates.append((student, (absent or runs)[-1], bool(absent)))
    # A few notes that make a teacher's "absent" sick, the rest confirming a teacher's "sick".
    upgrading = [c for c in candidates if c[2]][:UPGRADING_NOTES]
    rest = [c for c in candidates if c not in upgrading]
    chosen = [(student, run) for student, run, _absent in [*upgrading, *rest]][:NOTES]
    number_of = dict(
        PersonIdentifier.objects.filter(person_id__in=[s for s, _run in chosen]).values_list(
            "person_id", "number"
        )
    )
    marked = 0
    answers = []
    for index, (student, run) in enumerate(chosen, start=1):
        issued = timezone.make_aware(dt.datetime.combine(run[-1] + dt.timedelta(days=1), dt.time(9, 30)))
        answer = services.sick_note_record(
            clinic,
            note_id=f"EMIAS-{today.year}-{seed % 1000:03d}{index:03d}",
            number=number_of[student],
            starts_on=run[0],
            ends_on=run[-1],
            issued_at=min(issued, timezone.now()),
        )
        answers.append(answer)
        marked += answer.change.lessons_marked
    withdrawn = 0
    if len(answers) > 1:
        services.sick_note_withdraw(clinic, note_id=answers[-1].note.note_id)
        marked -= answers[-1].change.lessons_marked
        withdrawn = 1
    return {
        "city registry numbers": numbers,
        "sick notes": len(answers),
        "sick notes withdrawn": withdrawn,
        "lessons marked sick by clinic notes": marked,
    }
