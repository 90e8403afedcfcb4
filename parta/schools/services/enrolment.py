"""Enrolling a student — an existing account or a new one, with logins made from names — and giving
them a guardian."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from parta.accounts.models import Guardianship, User
from parta.core.errors import FieldErrors
from parta.schools.models import CityRole, ClassGroup, Enrolment, GuardianshipInvitation, StaffMembership
from parta.schools.services.common import (
    USERNAME_MAX_LENGTH,
    USERNAME_SUFFIX_ROOM,
    NewPerson,
    _admin_school,
    _check_invitation_login,
    _check_new_person,
    _insert_unique,
    _invite,
    _new_user,
)


@dataclass
class EnrolmentResult:
    enrolment: Enrolment
    student: User
    # A new guardian's account; an existing account is only invited (``invitation``).
    guardian: User | None
    invitation: GuardianshipInvitation | None = None
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
    base = base[: USERNAME_MAX_LENGTH - USERNAME_SUFFIX_ROOM].rstrip(".")
    return base or "user"


def _free_username(base: str) -> str:
    taken = set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    # At most len(taken) + 1 tries, so the number stays within USERNAME_SUFFIX_ROOM digits.
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _create_person(person: NewPerson) -> tuple[User, str]:
    user, password = _new_user(person)
    base = _username_base(person)
    for attempt in range(3):
        user.username = _free_username(base)
        try:
            # A concurrent enrolment of a namesake may take the same login between the look-up
            # and the insert: the unique login refuses it, and the next free one is taken.
            with transaction.atomic():
                user.save()
        except IntegrityError:
            if attempt == 2 or not User.objects.filter(username=user.username).exists():
                raise
            user.pk = None
        else:
            break
    return user, password


def _student_refusal(username: str, class_group: ClassGroup) -> tuple[User | None, str | None]:
    """The account with this login, and why it may not be enrolled into the class group (None
    when it may).

    Only an account that is nobody else yet can become a student: not the back office's
    (superuser, staff), not a member of a school's staff, a city's methodologist or a guardian,
    and not a student of another school in an overlapping year. Every refusal — including a login
    that does not exist — is the same message, so that a school administrator cannot learn
    from it who the city's accounts belong to. Only a student already enrolled in this very
    school is named as such, because the administrator sees their own class lists anyway.
    """
    cannot = _("This account cannot be enrolled here.")
    # Locked until the enrolment commits: two schools enrolling the same child at once take
    # turns, and the second sees the first's enrolment (no constraint spans two schools' years).
    student = User.objects.select_for_update().filter(username=username.strip(), is_active=True).first()
    if student is None:
        return None, cannot
    year = class_group.year
    # Each school keeps its own academic year rows, so "this year" means any year whose dates
    # overlap: a child learns in one school at a time.
    overlapping = Enrolment.objects.filter(
        student=student, year__starts_on__lte=year.ends_on, year__ends_on__gte=year.starts_on
    )
    here = overlapping.filter(school_id=class_group.school_id).select_related("class_group").first()
    if here is not None:
        return student, _("This student is already enrolled in %(where)s this year.") % {
            "where": here.class_group.name
        }
    if (
        student.is_superuser
        or student.is_staff
        or StaffMembership.objects.filter(user=student).exists()
        or CityRole.objects.filter(user=student).exists()
        or Guardianship.objects.filter(guardian=student).exists()
        or overlapping.exists()
    ):
        return student, cannot
    return student, None


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
    """Enrol an existing account or a new student into the class group, and optionally give the
    student a guardian: a new account at once, or an existing account (a login or an e-mail
    address in ``guardian_username``) by an invitation its holder answers."""
    school = _admin_school(actor, class_group.school_id)
    errors = FieldErrors()
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
    student: User | None = None
    if student_username.strip() and new_student is None:
        student, refusal = _student_refusal(student_username, class_group)
        if refusal is not None:
            errors.add("student_username", refusal)
    if guardian_username.strip():
        _check_invitation_login(errors, "guardian_username", guardian_username)
    if new_student is not None:
        _check_new_person(errors, "student", new_student)
    if new_guardian is not None:
        _check_new_person(errors, "guardian", new_guardian)
    errors.raise_if_any()

    result_accounts: list[tuple[User, str]] = []
    if student is None:
        assert new_student is not None  # checked above
        student, password = _create_person(new_student)
        result_accounts.append((student, password))
    guardian: User | None = None
    if new_guardian is not None:
        guardian, password = _create_person(new_guardian)
        result_accounts.append((guardian, password))
    enrolled = student
    enrolment = _insert_unique(
        lambda: Enrolment.objects.create(
            school_id=class_group.school_id,
            year_id=class_group.year_id,
            class_group=class_group,
            student=enrolled,
        ),
        # Enrolled by a concurrent request meanwhile: the message the check would give now.
        lambda: _student_refusal(enrolled.username, class_group)[1],
        "student_username",
    )
    if guardian is not None:
        Guardianship.objects.create(guardian=guardian, student=student, relation=relation)
    invitation = (
        _invite(actor=actor, school=school, student=student, login=guardian_username, relation=relation)
        if guardian_username.strip()
        else None
    )
    return EnrolmentResult(
        enrolment=enrolment,
        student=student,
        guardian=guardian,
        invitation=invitation,
        new_accounts=result_accounts,
    )
