"""The journal of the weeks already past: attendance, marks, homework and its ticks, period marks.

Everything happens on lessons before ``today``. The school is walked class group by class group,
and each class group's rows are inserted in bulk before the next is made, so memory stays
bounded however big the school. The rows are initial entries: version 1 and no JournalChange.
Homework and remarks are made by ``classwork``, what the two share is in ``courses``.

What it looks like:
- every student has an ability (strong students mostly get 5 and 4, weak ones 3 and 4 with some 2)
  and a small per-subject offset;
- 2–4 marks per student per subject per month, one of them usually from the month's test
  (weight 3); the other marks carry the lesson's control form and its default weight;
- a student absent at a recent test owes the mark (no value, a date to make it up by);
- about 5 % of student-lessons are missed: sick runs of several school days (some reported by a
  parent in an absence notice, which excuses them), a rare single absence, and lateness;
- homework on about 70 % of lessons (rarely in PE, music, art), due at the subject's next lesson,
  ticked done by most students; first graders get neither marks nor homework, as in Russian schools;
- study periods that ended before ``today`` get period marks (the rounded weighted average) and
  are closed;
- a teacher's remark or praise at about one lesson in twenty-five, praise more often for strong
  students (first graders included: they get no marks, words instead).
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from parta.accounts.models import Guardianship, User
from parta.demo.generator.classwork import homework_generate, remarks_generate
from parta.demo.generator.courses import (
    HORIZON,
    Course,
    SchoolData,
    aware,
    courses_of,
    db_day,
    grouped,
    insert_rows,
    subgroup_members,
)
from parta.journal import scales
from parta.journal.models import AbsenceNotice, Attendance, ControlForm, Mark, PeriodMark, Scale
from parta.journal.services import journal_defaults_ensure
from parta.schools.models import (
    AcademicYear,
    ClassGroup,
    Enrolment,
    School,
    StudyPeriod,
    Subject,
)
from parta.timetable.models import Lesson

BATCH_SIZE = 2000
MARK_FIELDS = (
    "school",
    "lesson",
    "student",
    "subject",
    "date",
    "scale",
    "value",
    "control_form",
    "weight",
    "comment",
    "owed_until",
    "version",
    "created_by",
    "created_at",
    "updated_at",
)
ATTENDANCE_FIELDS = (
    "school",
    "lesson",
    "student",
    "subject",
    "date",
    "status",
    "reason",
    "source",
    "notice",
    "version",
    "updated_by",
    "updated_at",
)
# Grade 1 is taught without marks and without homework (Russian sanitary rules and practice).
UNMARKED_GRADES = frozenset({1})
NO_HOMEWORK_GRADES = frozenset({1})

# The month's big piece of work per subject; subjects not listed write a test.
_BIG_FORM = {"music": "practical", "art": "practical", "technology": "practical", "pe": "practical"}
# The forms of ordinary lessons, by subject kind, with their chances.
_FORMS_DEFAULT = (("oral", 0.35), ("classwork", 0.3), ("homework", 0.2), ("independent", 0.15))
_FORMS: dict[str, tuple[tuple[str, float], ...]] = {
    "russian": (
        ("oral", 0.25),
        ("classwork", 0.3),
        ("homework", 0.2),
        ("dictation", 0.1),
        ("independent", 0.15),
    ),
    "physics": (
        ("oral", 0.3),
        ("classwork", 0.25),
        ("homework", 0.15),
        ("lab", 0.15),
        ("independent", 0.15),
    ),
    "chemistry": (
        ("oral", 0.3),
        ("classwork", 0.25),
        ("homework", 0.15),
        ("lab", 0.15),
        ("independent", 0.15),
    ),
    "biology": (
        ("oral", 0.35),
        ("classwork", 0.3),
        ("homework", 0.15),
        ("practical", 0.1),
        ("independent", 0.1),
    ),
    "informatics": (("oral", 0.2), ("classwork", 0.3), ("practical", 0.4), ("independent", 0.1)),
    "pe": (("classwork", 0.8), ("practical", 0.2)),
    "literature": (("oral", 0.4), ("classwork", 0.2), ("homework", 0.15), ("essay", 0.15), ("quiz", 0.1)),
    "history": (("oral", 0.4), ("classwork", 0.25), ("homework", 0.15), ("quiz", 0.1), ("project", 0.1)),
    "music": (("oral", 0.5), ("classwork", 0.5)),
    "art": (("classwork", 0.9), ("homework", 0.1)),
    "technology": (("classwork", 0.7), ("practical", 0.3)),
}
SICK_REASONS = ("ОРВИ", "Болезнь, справка из поликлиники", "По болезни", "")
NOTICE_SICK_REASONS = ("Болеет, справку принесём", "Простуда, лечимся дома", "Температура, наблюдает врач")
NOTICE_OTHER_REASONS = (
    "Семейные обстоятельства",
    "Участие в соревнованиях",
    "Плановый приём у врача",
    "Олимпиада по математике",
)
LOW_COMMENTS = ("Нет домашнего задания", "Много ошибок в работе", "Тема не усвоена, нужно повторить")
HIGH_COMMENTS = ("Отличная работа!", "Молодец, всё верно")
OWED_COMMENT = "Написать пропущенную работу"


def _defaults(school: School) -> dict[str, ControlForm]:
    """The school's grading scheme and control forms, as the journal makes them for every school."""
    journal_defaults_ensure(school)
    return {form.code: form for form in ControlForm.objects.filter(school=school)}


# (lesson, student, subject, date, value, control form, weight, comment, owed until, teacher)
_MarkRow = tuple[int, int, int, dt.date, int | None, int, int, str, dt.date | None, int]


def journal_generate(
    *, school: School, year: AcademicYear, today: dt.date, rng: random.Random, admin: User
) -> dict[str, int]:
    """Attendance, marks, homework, ticks and closed periods for the lessons before ``today``;
    returns the counts of what was made."""
    students = list(
        Enrolment.objects.filter(year=year).order_by("student_id").values_list("class_group_id", "student_id")
    )
    ability: dict[int, float] = {}
    for _group, student in students:
        ability[student] = rng.betavariate(2.2, 2.0)
    guardian: dict[int, int] = {}
    for student, parent in (
        Guardianship.objects.filter(student_id__in=ability)
        .order_by("pk")
        .values_list("student_id", "guardian_id")
    ):
        guardian.setdefault(student, parent)
    data = SchoolData(
        school=school,
        year=year,
        today=today,
        rng=rng,
        forms=_defaults(school),
        codes=dict(Subject.objects.values_list("pk", "code")),
        topics={},
        ability=ability,
        guardian=guardian,
        periods=list(StudyPeriod.objects.filter(year=year).order_by("starts_on")),
        counts=defaultdict(int),
        now=connection.ops.adapt_datetimefield_value(timezone.now()),
    )
    by_group = grouped(students)
    members = subgroup_members(school)
    topic_ids = set(
        Lesson.objects.filter(year=year, date__lt=today, topic__isnull=False).values_list(
            "topic_id", flat=True
        )
    )
    if topic_ids:
        from parta.curriculum.models import Topic

        data.topics = dict(Topic.objects.filter(pk__in=topic_ids).values_list("pk", "title_ru"))
    for group_id, grade in ClassGroup.objects.filter(year=year).order_by("pk").values_list("pk", "grade"):
        _group_generate(data, group_id, grade, by_group[group_id], members)
    for period in data.periods:
        if period.ends_on < today:
            closed_on = min(period.ends_on + dt.timedelta(days=3), today - dt.timedelta(days=1))
            StudyPeriod.objects.filter(pk=period.pk).update(closed_at=aware(closed_on, 17), closed_by=admin)
            data.counts["closed study periods"] += 1
    return dict(data.counts)


def _group_generate(
    data: SchoolData, group_id: int, grade: int, students: list[int], members: dict[int, list[int]]
) -> None:
    today = data.today
    ordered = courses_of(group_id, data.codes, students, members, today + HORIZON)
    days = sorted({lesson[1] for c in ordered for lesson in c.lessons if lesson[1] < today})
    absent = _absences(data, group_id, students, days)
    _attendance(data, ordered, absent)
    marks: list[_MarkRow] = []
    if grade not in UNMARKED_GRADES:
        for course in ordered:
            marks += _marks(data, course, absent)
        school, now = data.school.pk, data.now
        insert_rows(
            Mark,
            MARK_FIELDS,
            [
                (
                    school,
                    lesson,
                    student,
                    subject,
                    db_day(date),
                    Scale.FIVE.value,
                    value,
                    form,
                    weight,
                    comment,
                    db_day(owed),
                    1,
                    teacher,
                    now,
                    now,
                )
                for lesson, student, subject, date, value, form, weight, comment, owed, teacher in marks
            ],
        )
        owing = sum(1 for m in marks if m[4] is None)
        data.counts["marks"] += len(marks) - owing
        data.counts["owed marks"] += owing
        _period_marks(data, group_id, ordered, marks)
    if grade not in NO_HOMEWORK_GRADES:
        homework_generate(data, group_id, ordered)
    remarks_generate(data, ordered, absent)


# --- attendance ----------------------------------------------------------------------------------


@dataclass
class _Absence:
    status: str
    reason: str
    source: str
    notice: AbsenceNotice | None = None


def _absences(
    data: SchoolData, group_id: int, students: list[int], days: list[dt.date]
) -> dict[tuple[int, dt.date], _Absence]:
    """Whole school days missed: sick runs of two to seven days, some reported by a parent, and
    a rare day away for another reason."""
    rng = data.rng
    absent: dict[tuple[int, dt.date], _Absence] = {}
    notices: list[tuple[AbsenceNotice, list[dt.date]]] = []
    for student in students:
        # Some children are ill much more often than others.
        per_day = 0.011 * rng.lognormvariate(0, 0.6)
        i = 0
        while i < len(days):
            draw = rng.random()
            if draw < per_day:
                length = rng.choice((2, 3, 3, 4, 4, 5, 5, 6, 7))
                run = days[i : i + length]
                parent = data.guardian.get(student)
                if parent is not None and rng.random() < 0.2:
                    notice = AbsenceNotice(
                        school=data.school,
                        student_id=student,
                        reported_by_id=parent,
                        starts_on=run[0],
                        ends_on=run[-1],
                        reason=rng.choice(NOTICE_SICK_REASONS),
                    )
                    notices.append((notice, run))
                    for day in run:
                        absent[(student, day)] = _Absence(
                            Attendance.Status.EXCUSED, notice.reason, Attendance.Source.PARENT_NOTICE, notice
                        )
                else:
                    reason = rng.choice(SICK_REASONS)
                    source = (
                        Attendance.Source.CLINIC
                        if reason.endswith("поликлиники")
                        else Attendance.Source.TEACHER
                    )
                    for day in run:
                        absent[(student, day)] = _Absence(Attendance.Status.SICK, reason, source)
                i += length + rng.randint(5, 25)
                continue
            if draw < per_day + 0.002:
                parent = data.guardian.get(student)
                if parent is not None and rng.random() < 0.5:
                    notice = AbsenceNotice(
                        school=data.school,
                        student_id=student,
                        reported_by_id=parent,
                        starts_on=days[i],
                        ends_on=days[i],
                        reason=rng.choice(NOTICE_OTHER_REASONS),
                    )
                    notices.append((notice, [days[i]]))
                    absent[(student, days[i])] = _Absence(
                        Attendance.Status.EXCUSED, notice.reason, Attendance.Source.PARENT_NOTICE, notice
                    )
                else:
                    absent[(student, days[i])] = _Absence(
                        Attendance.Status.ABSENT, "", Attendance.Source.TEACHER
                    )
            i += 1
    AbsenceNotice.objects.bulk_create([notice for notice, _run in notices], batch_size=BATCH_SIZE)
    data.counts["absence notices"] += len(notices)
    return absent


def _attendance(
    data: SchoolData, courses: Sequence[Course], absent: dict[tuple[int, dt.date], _Absence]
) -> None:
    rng, today, school, now = data.rng, data.today, data.school.pk, data.now
    rows: list[tuple[Any, ...]] = []
    late = (Attendance.Status.LATE.value, "", Attendance.Source.TEACHER.value, None)
    for course in courses:
        for pk, date, teacher, _topic in course.lessons:
            if date >= today:
                break
            late_chance = 0.012 if date.isoweekday() == 1 else 0.006
            day = db_day(date)
            for student in course.members:
                away = absent.get((student, date))
                if away is not None:
                    entry = (away.status, away.reason, away.source, away.notice.pk if away.notice else None)
                elif rng.random() < late_chance:
                    entry = late
                else:
                    continue
                rows.append((school, pk, student, course.subject, day, *entry, 1, teacher, now))
    insert_rows(Attendance, ATTENDANCE_FIELDS, rows)
    data.counts["attendance entries"] += len(rows)


# --- marks ---------------------------------------------------------------------------------------


def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    draw, total = rng.random(), 0.0
    for code, chance in weighted:
        total += chance
        if draw < total:
            return code
    return weighted[-1][0]


def _value(rng: random.Random, level: float, weight: int) -> int:
    mean = 2.85 + 2.2 * level - (0.2 if weight >= 3 else 0.0)
    return max(2, min(5, round(rng.gauss(mean, 0.7 if weight >= 3 else 0.6))))


def _marks(data: SchoolData, course: Course, absent: dict[tuple[int, dt.date], _Absence]) -> list[_MarkRow]:
    """2–4 marks a month for every student of the course, one of them from the month's test."""
    rng, today = data.rng, data.today
    months: dict[tuple[int, int], list[tuple[int, dt.date, int, int | None]]] = defaultdict(list)
    for lesson in course.lessons:
        months[(lesson[1].year, lesson[1].month)].append(lesson)
    big = data.forms[_BIG_FORM.get(course.code, "test")]
    ordinary = _FORMS.get(course.code, _FORMS_DEFAULT)
    offsets = {student: rng.uniform(-0.12, 0.12) for student in course.members}
    rows: list[_MarkRow] = []
    for month_lessons in months.values():
        past = [lesson for lesson in month_lessons if lesson[1] < today]
        if not past:
            continue
        # The test falls in the second half of the month's lessons.
        half = len(month_lessons) // 2
        test = month_lessons[rng.randrange(half, len(month_lessons))] if len(month_lessons) >= 2 else None
        forms = {lesson[0]: data.forms[_pick(rng, ordinary)] for lesson in past}
        share = len(past) / len(month_lessons)
        for student in course.members:
            wanted = rng.choice((2, 3, 3, 4)) * share
            count = int(wanted) + (rng.random() < wanted - int(wanted))
            present = [lesson for lesson in past if (student, lesson[1]) not in absent]
            chosen: list[tuple[int, dt.date, int, int | None]] = []
            if test is not None and test[1] < today and count:
                if (student, test[1]) in absent:
                    if test[1] >= today - dt.timedelta(days=21):
                        rows.append(_mark(data, test, course, student=student, form=big, offset=None))
                        count -= 1
                else:
                    rows.append(_mark(data, test, course, student=student, form=big, offset=offsets[student]))
                    count -= 1
                present = [lesson for lesson in present if lesson is not test]
            chosen = rng.sample(present, min(count, len(present))) if count > 0 else []
            for lesson in chosen:
                rows.append(
                    _mark(
                        data, lesson, course, student=student, form=forms[lesson[0]], offset=offsets[student]
                    )
                )
    return rows


def _mark(
    data: SchoolData,
    lesson: tuple[int, dt.date, int, int | None],
    course: Course,
    *,
    student: int,
    form: ControlForm,
    offset: float | None,
) -> _MarkRow:
    pk, date, teacher, _topic = lesson
    value: int | None = None
    comment = ""
    owed_until: dt.date | None = None
    if offset is None:
        owed_until = date + dt.timedelta(days=14)
        comment = OWED_COMMENT
    else:
        value = _value(data.rng, data.ability[student] + offset, form.default_weight)
        if value == 2 and data.rng.random() < 0.4:
            comment = data.rng.choice(LOW_COMMENTS)
        elif value == 5 and form.default_weight >= 3 and data.rng.random() < 0.15:
            comment = data.rng.choice(HIGH_COMMENTS)
    return (
        pk,
        student,
        course.subject,
        date,
        value,
        form.pk,
        form.default_weight,
        comment,
        owed_until,
        teacher,
    )


PERIOD_MARK_FIELDS = (
    "school",
    "year",
    "period",
    "student",
    "subject",
    "class_group",
    "scale",
    "value",
    "version",
    "set_by",
    "set_at",
)


def rounded(total: int, weight: int) -> int:
    """The period mark the journal suggests for Σ value × weight and Σ weight (the school's default rule)."""
    suggested = scales.suggest_final(Decimal(total) / Decimal(weight))
    assert suggested is not None
    return suggested


def _period_marks(data: SchoolData, group_id: int, courses: Iterable[Course], marks: list[_MarkRow]) -> None:
    """The rounded weighted average of every finished period, set by the subject's teacher."""
    finished = [p for p in data.periods if p.ends_on < data.today]
    if not finished:
        return
    starts = [p.starts_on for p in finished]
    sums: dict[tuple[int, int, int], list[int]] = {}
    for _lesson, student, subject, date, value, _form, weight, *_rest in marks:
        if value is None:
            continue
        index = bisect.bisect_right(starts, date) - 1
        if index < 0 or date > finished[index].ends_on:
            continue
        entry = sums.setdefault((index, student, subject), [0, 0])
        entry[0] += value * weight
        entry[1] += weight
    teachers: dict[tuple[int, int, int], int] = {}
    for course in courses:
        for index, period in enumerate(finished):
            inside = [lesson for lesson in course.lessons if period.starts_on <= lesson[1] <= period.ends_on]
            if inside:
                for student in course.members:
                    teachers[(index, student, course.subject)] = inside[-1][2]
    school, year, now = data.school.pk, data.year.pk, data.now
    rows = [
        (
            school,
            year,
            finished[index].pk,
            student,
            subject,
            group_id,
            Scale.FIVE.value,
            rounded(total, weight),
            1,
            teachers[index, student, subject],
            now,
        )
        for (index, student, subject), (total, weight) in sums.items()
    ]
    insert_rows(PeriodMark, PERIOD_MARK_FIELDS, rows)
    data.counts["period marks"] += len(rows)


__all__ = ["journal_generate", "rounded"]
