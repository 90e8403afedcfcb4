"""Writes of a school's structure, one function per action of the school administrator.

Each service takes the acting user first and keyword-only arguments, checks access itself
(a view may forget; a service may not), validates every rule, and either writes everything
or raises ``ValidationError`` with a field dict and writes nothing. The keys of that dict
are the names of the fields on the page's form, so the form shows each message in place.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from parta.accounts.models import Guardianship, User
from parta.schools.access import access_school
from parta.schools.models import (
    AcademicYear,
    Building,
    ClassGroup,
    Enrolment,
    Room,
    School,
    StaffMembership,
    StudyPeriod,
    Subgroup,
    Subject,
    TeachingAssignment,
)

MIN_GRADE, MAX_GRADE = 1, 11
MIN_HOURS, MAX_HOURS = 1, 12


class _Errors:
    """Collects messages per field so that the user sees every problem at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(dict(self.by_field))


def _is_teacher_at(user: User | None, school: School) -> bool:
    if user is None:
        return False
    return StaffMembership.objects.filter(
        school=school, user=user, role=StaffMembership.Role.TEACHER
    ).exists()


def _admin_school(actor: Any, school_id: int) -> School:
    # Raises Http404 for anyone who is not this school's administrator.
    return access_school(actor, school_id, for_admin=True)


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
    errors = _Errors()
    letter = letter.strip().upper()
    if year.school_id != school.pk:
        errors.add("year", _("This academic year belongs to another school."))
    if not MIN_GRADE <= grade <= MAX_GRADE:
        errors.add(
            "grade", _("The grade must be from %(min)d to %(max)d.") % {"min": MIN_GRADE, "max": MAX_GRADE}
        )
    if not letter:
        errors.add("letter", _("Enter the letter of the class group, for example “А”."))
    elif not re.fullmatch(r"[^\W\d_]{1,4}", letter):
        errors.add("letter", _("The letter may only contain letters (up to four)."))
    elif ClassGroup.objects.filter(year=year, grade=grade, letter=letter).exists():
        errors.add(
            "letter", _("Class group %(name)s already exists this year.") % {"name": f"{grade}{letter}"}
        )
    if building.school_id != school.pk:
        errors.add("building", _("This building belongs to another school."))
    if home_room is not None and home_room.building_id != building.pk:
        errors.add("home_room", _("The home room must be in the class group's building."))
    if class_teacher is not None and not _is_teacher_at(class_teacher, school):
        errors.add("class_teacher", _("The class teacher must be a teacher of this school."))
    errors.raise_if_any()
    return ClassGroup.objects.create(
        school=school,
        year=year,
        grade=grade,
        letter=letter,
        building=building,
        home_room=home_room,
        class_teacher=class_teacher,
    )


# --- enrolment ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NewPerson:
    last_name: str
    first_name: str
    middle_name: str = ""
    email: str = ""


@dataclass
class EnrolmentResult:
    enrolment: Enrolment
    student: User
    guardian: User | None
    # Passwords of accounts created now, shown once on the page so the school can hand them out.
    new_accounts: list[tuple[User, str]] = field(default_factory=list)


_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
            "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya",
        ],
        strict=True,
    )
)  # fmt: skip


def _username_base(person: NewPerson) -> str:
    """ivanova.a from «Иванова Анна»: logins a child can type, whatever the alphabet of the name."""

    def latin(text: str) -> str:
        return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())

    base = latin(person.last_name)
    if person.first_name:
        base += "." + latin(person.first_name[:1])
    base = re.sub(r"[^a-z0-9.]", "", base).strip(".")
    return base or "user"


def _free_username(base: str) -> str:
    taken = set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def _temporary_password() -> str:
    # No look-alike characters (0/O, 1/l/I): the password is read off a printed slip.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


def _check_new_person(
    errors: _Errors, prefix: str, person: NewPerson, *, email_required: bool = False
) -> None:
    if not person.last_name.strip():
        errors.add(f"{prefix}_last_name", _("Enter the last name."))
    if not person.first_name.strip():
        errors.add(f"{prefix}_first_name", _("Enter the first name."))
    if person.email:
        try:
            validate_email(person.email)
        except ValidationError:
            errors.add(f"{prefix}_email", _("Enter a valid e-mail address."))
    elif email_required:
        errors.add(f"{prefix}_email", _("Enter the e-mail address."))


def _create_person(person: NewPerson) -> tuple[User, str]:
    password = _temporary_password()
    user = User(
        username=_free_username(_username_base(person)),
        last_name=person.last_name.strip(),
        first_name=person.first_name.strip(),
        middle_name=person.middle_name.strip(),
        email=person.email.strip(),
    )
    user.set_password(password)
    user.save()
    return user, password


def _existing_user(errors: _Errors, name: str, username: str) -> User | None:
    user = User.objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        errors.add(name, _("There is no active account with this login."))
    return user


@transaction.atomic
def student_enrol(
    *,
    actor: Any,
    class_group: ClassGroup,
    student_username: str = "",
    new_student: NewPerson | None = None,
    guardian_username: str = "",
    new_guardian: NewPerson | None = None,
    relation: str = Guardianship.Relation.OTHER,
) -> EnrolmentResult:
    """Enrol an existing account or a new student into the class group, and optionally link
    a guardian (an existing account or a new one)."""
    _admin_school(actor, class_group.school_id)
    errors = _Errors()
    if bool(student_username.strip()) == (new_student is not None):
        errors.add(
            "student_username", _("Give either the login of an existing student or the new student's name.")
        )
    if guardian_username.strip() and new_guardian is not None:
        errors.add(
            "guardian_username",
            _("Give either the login of an existing guardian or the new guardian's name."),
        )
    if relation not in Guardianship.Relation.values:
        errors.add("relation", _("Choose the relation to the student."))
    student = (
        _existing_user(errors, "student_username", student_username) if student_username.strip() else None
    )
    guardian = (
        _existing_user(errors, "guardian_username", guardian_username) if guardian_username.strip() else None
    )
    if new_student is not None:
        _check_new_person(errors, "student", new_student)
    if new_guardian is not None:
        _check_new_person(errors, "guardian", new_guardian)
    if student is not None:
        if StaffMembership.objects.filter(user=student).exists():
            errors.add("student_username", _("This account belongs to a member of staff."))
        # Each school keeps its own academic year rows, so "this year" means any year whose
        # dates overlap: a child learns in one school at a time.
        year = class_group.year
        current = (
            Enrolment.objects.filter(
                student=student, year__starts_on__lte=year.ends_on, year__ends_on__gte=year.starts_on
            )
            .select_related("class_group")
            .first()
        )
        if current is not None:
            where = (
                current.class_group.name
                if current.school_id == class_group.school_id
                else _("another school")
            )
            errors.add(
                "student_username",
                _("This student is already enrolled in %(where)s this year.") % {"where": where},
            )
    if guardian is not None and student is not None and guardian.pk == student.pk:
        errors.add("guardian_username", _("A student cannot be their own guardian."))
    errors.raise_if_any()

    result_accounts: list[tuple[User, str]] = []
    if student is None:
        assert new_student is not None  # checked above
        student, password = _create_person(new_student)
        result_accounts.append((student, password))
    if new_guardian is not None:
        guardian, password = _create_person(new_guardian)
        result_accounts.append((guardian, password))
    enrolment = Enrolment.objects.create(
        school_id=class_group.school_id, year_id=class_group.year_id, class_group=class_group, student=student
    )
    if guardian is not None:
        Guardianship.objects.get_or_create(
            guardian=guardian, student=student, defaults={"relation": relation}
        )
    return EnrolmentResult(
        enrolment=enrolment, student=student, guardian=guardian, new_accounts=result_accounts
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
    errors = _Errors()
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
        taken = (
            TeachingAssignment.objects.filter(subgroup=subgroup, subject=subject)
            .select_related("teacher")
            .first()
        )
    else:
        taken = (
            TeachingAssignment.objects.filter(class_group=class_group, subject=subject, subgroup__isnull=True)
            .select_related("teacher")
            .first()
        )
    if taken is not None:
        errors.add(
            "subject",
            _("%(group)s already has a teacher of this subject: %(teacher)s.")
            % {"group": subgroup.name if subgroup else class_group.name, "teacher": taken.teacher.short_name},
        )
    errors.raise_if_any()
    return TeachingAssignment.objects.create(
        school=school,
        year_id=class_group.year_id,
        class_group=class_group,
        subgroup=subgroup,
        subject=subject,
        teacher=teacher,
        hours_per_week=hours_per_week,
    )


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
    errors = _Errors()
    if year.school_id != school.pk:
        errors.add("year", _("This academic year belongs to another school."))
    if period is not None and (period.school_id != school.pk or period.year_id != year.pk):
        errors.add("year", _("This study period belongs to another year."))
    if kind not in StudyPeriod.Kind.values:
        errors.add("kind", _("Choose quarter, trimester or semester."))
    if number < 1:
        errors.add("number", _("The number starts from 1."))
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
    if others.filter(number=number).exists():
        errors.add(
            "number", _("This year already has a period of this kind with number %(n)d.") % {"n": number}
        )
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
        return StudyPeriod.objects.create(
            school=school, year=year, kind=kind, number=number, starts_on=starts_on, ends_on=ends_on
        )
    period.kind, period.number, period.starts_on, period.ends_on = kind, number, starts_on, ends_on
    period.save(update_fields=["kind", "number", "starts_on", "ends_on"])
    return period
