"""A new academic year: its dates, the previous year's study periods and holidays carried a year
on, and the class groups moved up a grade with their students (and, if asked, their teaching
assignments), so that a school runs into its second year without an import or the back office."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.core import versions
from parta.core.errors import FieldErrors
from parta.schools.models import (
    AcademicYear,
    ClassGroup,
    Enrolment,
    Holiday,
    School,
    StaffMembership,
    StudyPeriod,
    TeachingAssignment,
)
from parta.schools.services.common import _admin_school
from parta.schools.services.structure import MAX_GRADE, _span, teaching_assignment_create

YEAR_NAME_MAX_LENGTH = 20  # AcademicYear.name
LONGEST_YEAR = dt.timedelta(days=366)


@dataclass(frozen=True)
class YearStart:
    """What starting the year made."""

    year: AcademicYear
    periods: int
    holidays: int
    class_groups: int
    students: int
    graduates: int
    assignments: int


def _a_year_on(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 28 February for a 29th in a year without one."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def next_year_defaults(school: School) -> dict[str, Any]:
    """The name and dates a new year most likely has: the latest year's, a year on."""
    latest = AcademicYear.objects.filter(school=school).order_by("-starts_on").first()
    if latest is None:
        today = timezone.localdate()
        start = dt.date(today.year if today.month < 9 else today.year + 1, 9, 1)
        return {
            "name": f"{start.year}/{start.year + 1}",
            "starts_on": start,
            "ends_on": dt.date(start.year + 1, 5, 31),
        }
    start = _a_year_on(latest.starts_on, 1)
    return {
        "name": f"{start.year}/{start.year + 1}",
        "starts_on": start,
        "ends_on": _a_year_on(latest.ends_on, 1),
    }


@transaction.atomic
def year_start(
    *,
    actor: Any,
    school: School,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    promote: bool = True,
    keep_assignments: bool = False,
) -> YearStart:
    """Create the school's academic year ``name`` from ``starts_on`` to ``ends_on``.

    From the latest earlier year, if there is one: its study periods and holidays, each a year on
    (kept inside the new year; the administrator corrects them on the periods page); with
    ``promote`` each class group below grade 11 becomes the next grade's, same letter, building,
    home room and class teacher, with the same students (grade 11 graduates: they are counted and
    not carried); with ``keep_assignments`` too, each promoted class's whole-class teaching
    assignments with the same subject, teacher and hours (a teacher who has left is not kept),
    each made as a new assignment is, so it gets its thematic plan. Subgroups are not carried:
    they are split again each year. Nothing of the earlier year changes."""
    school = _admin_school(actor, school.pk)
    errors = FieldErrors()
    name = name.strip()
    # Two administrators starting years at once take turns, so the overlap check holds.
    School.objects.select_for_update().filter(pk=school.pk).first()
    if not name:
        errors.add("name", _("Enter the year's name, for example “2027/2028”."))
    elif len(name) > YEAR_NAME_MAX_LENGTH:
        errors.add("name", _("Use at most %(max)d characters.") % {"max": YEAR_NAME_MAX_LENGTH})
    elif AcademicYear.objects.filter(school=school, name=name).exists():
        errors.add("name", _("The school already has a year named %(name)s.") % {"name": name})
    if ends_on <= starts_on:
        errors.add("ends_on", _("The year must end after it starts."))
    elif ends_on - starts_on > LONGEST_YEAR:
        errors.add("ends_on", _("An academic year is at most a year long."))
    else:
        clash = (
            AcademicYear.objects.filter(school=school, starts_on__lte=ends_on, ends_on__gte=starts_on)
            .order_by("starts_on")
            .first()
        )
        if clash is not None:
            errors.add(
                "starts_on",
                _("The year overlaps %(name)s (%(span)s).")
                % {"name": clash.name, "span": _span(clash.starts_on, clash.ends_on)},
            )
    errors.raise_if_any()
    previous = (
        AcademicYear.objects.filter(school=school, ends_on__lt=starts_on).order_by("-starts_on").first()
    )
    year = AcademicYear.objects.create(school=school, name=name, starts_on=starts_on, ends_on=ends_on)
    periods = holidays = 0
    promoted: list[tuple[ClassGroup, ClassGroup]] = []
    students = graduates = assignments = 0
    if previous is not None:
        shift = starts_on.year - previous.starts_on.year
        periods = _carry_periods(previous, year, shift)
        holidays = _carry_holidays(previous, year, shift)
        if promote:
            promoted, students, graduates = _promote(previous, year)
        if promote and keep_assignments:
            assignments = _carry_assignments(actor, school, promoted)
    return YearStart(year, periods, holidays, len(promoted), students, graduates, assignments)


def _inside(day: dt.date, year: AcademicYear) -> dt.date:
    return min(max(day, year.starts_on), year.ends_on)


def _carry_periods(previous: AcademicYear, year: AcademicYear, shift: int) -> int:
    made = 0
    for period in StudyPeriod.objects.filter(year=previous).order_by("starts_on"):
        starts_on = _inside(_a_year_on(period.starts_on, shift), year)
        ends_on = _inside(_a_year_on(period.ends_on, shift), year)
        StudyPeriod.objects.create(
            school_id=year.school_id,
            year=year,
            kind=period.kind,
            number=period.number,
            starts_on=starts_on,
            ends_on=max(starts_on, ends_on),
        )
        made += 1
    return made


def _carry_holidays(previous: AcademicYear, year: AcademicYear, shift: int) -> int:
    made = 0
    for holiday in Holiday.objects.filter(year=previous).order_by("starts_on"):
        starts_on, ends_on = _a_year_on(holiday.starts_on, shift), _a_year_on(holiday.ends_on, shift)
        if year.starts_on <= starts_on and ends_on <= year.ends_on:
            Holiday.objects.create(
                school_id=year.school_id, year=year, name=holiday.name, starts_on=starts_on, ends_on=ends_on
            )
            made += 1
    return made


def _promote(
    previous: AcademicYear, year: AcademicYear
) -> tuple[list[tuple[ClassGroup, ClassGroup]], int, int]:
    """Each class group a grade up with its students; the top grade's students graduate."""
    promoted: list[tuple[ClassGroup, ClassGroup]] = []
    graduates = 0
    enrolments: list[Enrolment] = []
    by_group: dict[int, list[int]] = {}
    for row in Enrolment.objects.filter(year=previous).values("class_group_id", "student_id"):
        by_group.setdefault(row["class_group_id"], []).append(row["student_id"])
    for old in ClassGroup.objects.filter(year=previous).order_by("grade", "letter"):
        pupils = by_group.get(old.pk, [])
        if old.grade >= MAX_GRADE:
            graduates += len(pupils)
            continue
        new = ClassGroup.objects.create(
            school_id=old.school_id,
            year=year,
            grade=old.grade + 1,
            letter=old.letter,
            building_id=old.building_id,
            home_room_id=old.home_room_id,
            class_teacher_id=old.class_teacher_id,
        )
        promoted.append((old, new))
        enrolments += [
            Enrolment(school_id=old.school_id, year=year, class_group=new, student_id=pk) for pk in pupils
        ]
    Enrolment.objects.bulk_create(enrolments)
    # bulk_create sends no signals: the freshness rules' tokens are renewed here.
    versions.touch(
        [versions.student(e.student_id) for e in enrolments]
        + [versions.class_group(new.pk) for _, new in promoted]
    )
    return promoted, len(enrolments), graduates


def _carry_assignments(actor: Any, school: School, promoted: list[tuple[ClassGroup, ClassGroup]]) -> int:
    teachers = set(
        StaffMembership.objects.filter(school=school, role=StaffMembership.Role.TEACHER).values_list(
            "user_id", flat=True
        )
    )
    new_of = {old.pk: new for old, new in promoted}
    made = 0
    kept = TeachingAssignment.objects.filter(class_group_id__in=new_of, subgroup__isnull=True).select_related(
        "subject", "teacher"
    )
    for old in kept.order_by("class_group_id", "subject__order"):
        if old.teacher_id not in teachers:
            continue
        # A class group made a moment ago has no assignment yet: nothing can clash.
        teaching_assignment_create(
            actor=actor,
            school=school,
            class_group=new_of[old.class_group_id],
            subject=old.subject,
            teacher=old.teacher,
            hours_per_week=old.hours_per_week,
        )
        made += 1
    return made
