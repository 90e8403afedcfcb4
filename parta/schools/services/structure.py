"""A school's structure: class groups, teaching assignments and study periods."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from parta.accounts.models import User
from parta.core.errors import FieldErrors
from parta.outbox import services as outbox
from parta.schools.models import (
    AcademicYear,
    Building,
    ClassGroup,
    Room,
    School,
    StaffMembership,
    StudyPeriod,
    Subgroup,
    Subject,
    TeachingAssignment,
)
from parta.schools.services.common import _admin_school, _insert_unique

MIN_GRADE, MAX_GRADE = 1, 11
MIN_HOURS, MAX_HOURS = 1, 12
# A class group's letter: Russian capitals only, so that «7А» typed with a Latin A (which looks
# the same) cannot become a second 7А beside the real one.
CLASS_LETTER = re.compile(r"[А-ЯЁ]{1,4}")
# How many periods of each kind a year has.
MAX_PERIOD_NUMBER: dict[str, int] = {
    StudyPeriod.Kind.QUARTER: 4,
    StudyPeriod.Kind.TRIMESTER: 3,
    StudyPeriod.Kind.SEMESTER: 2,
}


def _is_teacher_at(user: User, school: School) -> bool:
    return StaffMembership.objects.filter(
        school=school, user=user, role=StaffMembership.Role.TEACHER
    ).exists()


# --- class groups ------------------------------------------------------------------------


@transaction.atomic
def class_group_create(
    *,
    actor: Any,
    school: School,
    year: AcademicYear,
    grade: int,
    letter: str,
    building: Building,
    home_room: Room | None = None,
    class_teacher: User | None = None,
) -> ClassGroup:
    school = _admin_school(actor, school.pk)
    errors = FieldErrors()
    letter = letter.strip().upper()
    if year.school_id != school.pk:
        errors.add("year", _("This academic year belongs to another school."))
    if not MIN_GRADE <= grade <= MAX_GRADE:
        errors.add(
            "grade", _("The grade must be from %(min)d to %(max)d.") % {"min": MIN_GRADE, "max": MAX_GRADE}
        )

    def taken() -> str | None:
        if not ClassGroup.objects.filter(year=year, grade=grade, letter=letter).exists():
            return None
        return _("Class group %(name)s already exists this year.") % {"name": f"{grade}{letter}"}

    if not letter:
        errors.add("letter", _("Enter the letter of the class group, for example “А”."))
    elif not CLASS_LETTER.fullmatch(letter):
        errors.add("letter", _("The letter may only contain Russian letters (А–Я, Ё), up to four."))
    elif MIN_GRADE <= grade <= MAX_GRADE and (message := taken()) is not None:
        # (A grade out of range is not looked up: a huge number would overflow the database's integer.)
        errors.add("letter", message)
    if building.school_id != school.pk:
        errors.add("building", _("This building belongs to another school."))
    if home_room is not None and home_room.building_id != building.pk:
        errors.add("home_room", _("The home room must be in the class group's building."))
    if class_teacher is not None and not _is_teacher_at(class_teacher, school):
        errors.add("class_teacher", _("The class teacher must be a teacher of this school."))
    errors.raise_if_any()
    return _insert_unique(
        lambda: ClassGroup.objects.create(
            school=school,
            year=year,
            grade=grade,
            letter=letter,
            building=building,
            home_room=home_room,
            class_teacher=class_teacher,
        ),
        taken,
        "letter",
    )


# --- teaching assignments ----------------------------------------------------------------


@transaction.atomic
def teaching_assignment_create(
    *,
    actor: Any,
    school: School,
    class_group: ClassGroup,
    subject: Subject,
    teacher: User,
    hours_per_week: int,
    subgroup: Subgroup | None = None,
) -> TeachingAssignment:
    school = _admin_school(actor, school.pk)
    errors = FieldErrors()
    if class_group.school_id != school.pk:
        errors.add("class_group", _("This class group belongs to another school."))
    if not _is_teacher_at(teacher, school):
        errors.add("teacher", _("%(name)s is not a teacher of this school.") % {"name": teacher.short_name})
    if not MIN_HOURS <= hours_per_week <= MAX_HOURS:
        errors.add(
            "hours_per_week",
            _("Hours per week must be from %(min)d to %(max)d.") % {"min": MIN_HOURS, "max": MAX_HOURS},
        )
    if subgroup is not None:
        if subgroup.class_group_id != class_group.pk:
            errors.add("subgroup", _("This subgroup belongs to another class group."))
        elif subgroup.subject_id != subject.pk:
            errors.add("subgroup", _("This subgroup is split for another subject."))

    def taken() -> str | None:
        rivals = (
            TeachingAssignment.objects.filter(subgroup=subgroup, subject=subject)
            if subgroup is not None
            else TeachingAssignment.objects.filter(
                class_group=class_group, subject=subject, subgroup__isnull=True
            )
        )
        rival = rivals.select_related("teacher").first()
        if rival is None:
            return None
        return _("%(group)s already has a teacher of this subject: %(teacher)s.") % {
            "group": subgroup.name if subgroup else class_group.name,
            "teacher": rival.teacher.short_name,
        }

    if (message := taken()) is not None:
        errors.add("subject", message)
    errors.raise_if_any()
    assignment = _insert_unique(
        lambda: TeachingAssignment.objects.create(
            school=school,
            year_id=class_group.year_id,
            class_group=class_group,
            subgroup=subgroup,
            subject=subject,
            teacher=teacher,
            hours_per_week=hours_per_week,
        ),
        taken,
        "subject",
    )
    assignment_created(assignment)
    return assignment


ASSIGNMENT_CREATED = "schools.assignment_created"


def assignment_created(assignment: TeachingAssignment) -> None:
    """Tell the apps above that a teaching assignment is new (the curriculum makes its thematic
    plan): an outbox event in the caller's transaction. Every path that creates one calls this."""
    outbox.emit(ASSIGNMENT_CREATED, {"assignment": assignment.pk}, school_id=assignment.school_id)


# --- study periods -----------------------------------------------------------------------


def _span(a: dt.date, b: dt.date) -> str:
    return f"{date_format(a, 'SHORT_DATE_FORMAT')}–{date_format(b, 'SHORT_DATE_FORMAT')}"


@transaction.atomic
def study_period_save(
    *,
    actor: Any,
    school: School,
    year: AcademicYear,
    kind: str,
    number: int,
    starts_on: dt.date,
    ends_on: dt.date,
    period: StudyPeriod | None = None,
) -> StudyPeriod:
    """Create a study period, or change ``period``. Periods of one kind tile the year without
    overlapping; periods of different kinds may overlap, because a school may run quarters in
    grades 1–9 and semesters in grades 10–11 in the same year."""
    school = _admin_school(actor, school.pk)
    errors = FieldErrors()
    if year.school_id != school.pk:
        errors.add("year", _("This academic year belongs to another school."))
    if period is not None and (period.school_id != school.pk or period.year_id != year.pk):
        errors.add("year", _("This study period belongs to another year."))
    if kind not in StudyPeriod.Kind.values:
        errors.add("kind", _("Choose quarter, trimester or semester."))
    max_number = MAX_PERIOD_NUMBER.get(kind, max(MAX_PERIOD_NUMBER.values()))
    number_valid = 1 <= number <= max_number
    if not number_valid:
        errors.add(
            "number",
            _("For this kind of period the number must be from 1 to %(max)d.") % {"max": max_number},
        )
    if ends_on < starts_on:
        errors.add("ends_on", _("The period cannot end before it starts."))
    elif not (year.starts_on <= starts_on and ends_on <= year.ends_on):
        field_name = "starts_on" if starts_on < year.starts_on or starts_on > year.ends_on else "ends_on"
        errors.add(
            field_name,
            _("The period must fall within the academic year %(year)s (%(span)s).")
            % {"year": year.name, "span": _span(year.starts_on, year.ends_on)},
        )
    others = StudyPeriod.objects.filter(year=year, kind=kind)
    if period is not None:
        others = others.exclude(pk=period.pk)

    def taken() -> str | None:
        if not others.filter(number=number).exists():
            return None
        return _("This year already has a period of this kind with number %(n)d.") % {"n": number}

    # (A number out of range is not looked up: a huge one would overflow the database's integer.)
    if number_valid and (message := taken()) is not None:
        errors.add("number", message)
    if ends_on >= starts_on:
        clash = others.filter(starts_on__lte=ends_on, ends_on__gte=starts_on).order_by("starts_on").first()
        if clash is not None:
            errors.add(
                "starts_on",
                _("The period overlaps %(name)s (%(span)s).")
                % {"name": clash.name, "span": _span(clash.starts_on, clash.ends_on)},
            )
    errors.raise_if_any()
    if period is None:
        return _insert_unique(
            lambda: StudyPeriod.objects.create(
                school=school, year=year, kind=kind, number=number, starts_on=starts_on, ends_on=ends_on
            ),
            taken,
            "number",
        )
    changed = period

    def update() -> StudyPeriod:
        changed.kind, changed.number, changed.starts_on, changed.ends_on = kind, number, starts_on, ends_on
        changed.save(update_fields=["kind", "number", "starts_on", "ends_on"])
        return changed

    return _insert_unique(update, taken, "number")
