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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from parta.accounts.models import Guardianship, MachineClient, User
from parta.accounts.services import (
    KIND_SCOPES,
    machine_client_create,
    machine_client_revoke,
    machine_client_rotate,
)
from parta.core.errors import FieldErrors
from parta.schools.access import (
    access_invitation_received,
    access_invitation_sent,
    access_machine_client,
    access_school,
)
from parta.schools.models import (
    AcademicYear,
    Building,
    City,
    CityRole,
    ClassGroup,
    District,
    Enrolment,
    GuardianshipInvitation,
    Room,
    School,
    StaffMembership,
    StudyPeriod,
    Subgroup,
    Subject,
    TeachingAssignment,
)

T = TypeVar("T")

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


def _is_teacher_at(user: User | None, school: School) -> bool:
    if user is None:
        return False
    return StaffMembership.objects.filter(
        school=school, user=user, role=StaffMembership.Role.TEACHER
    ).exists()


def _admin_school(actor: Any, school_id: int) -> School:
    # Raises Http404 for anyone who is not this school's administrator.
    return access_school(actor, school_id, for_admin=True)


def _insert_unique(insert: Callable[[], T], duplicate: Callable[[], str | None], field_name: str) -> T:
    """``insert()`` in a savepoint. The services check uniqueness before they write, but a
    concurrent request can insert the same row between that check and this insert; the database's
    unique constraint then refuses it, and the user gets the check's message, not an error page.

    ``duplicate()`` answers the check's message once the rival row is there (None when the
    ``IntegrityError`` had another cause, which is then raised as it is).
    """
    try:
        with transaction.atomic():
            return insert()
    except IntegrityError:
        message = duplicate()
        if message is None:
            raise
        raise ValidationError({field_name: [message]}) from None


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


# Logins are made from names; the longest Russian name transliterates to four times its length
# («щ» is “shch”), so the base is cut to leave room for the number that makes a login unique.
USERNAME_MAX_LENGTH = 150  # User.username
USERNAME_SUFFIX_ROOM = 6  # up to 999999 people with the same base
NAME_MAX_LENGTH = 150  # User.last_name, first_name, middle_name
EMAIL_MAX_LENGTH = 254  # User.email


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


def _temporary_password() -> str:
    # No look-alike characters (0/O, 1/l/I): the password is read off a printed slip.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


def _check_new_person(
    errors: FieldErrors, prefix: str, person: NewPerson, *, email_required: bool = False
) -> None:
    if not person.last_name.strip():
        errors.add(f"{prefix}_last_name", _("Enter the last name."))
    if not person.first_name.strip():
        errors.add(f"{prefix}_first_name", _("Enter the first name."))
    for name, value in (
        ("last_name", person.last_name),
        ("first_name", person.first_name),
        ("middle_name", person.middle_name),
    ):
        if len(value.strip()) > NAME_MAX_LENGTH:
            errors.add(f"{prefix}_{name}", _("Use at most %(max)d characters.") % {"max": NAME_MAX_LENGTH})
    if len(person.email.strip()) > EMAIL_MAX_LENGTH:
        errors.add(f"{prefix}_email", _("Use at most %(max)d characters.") % {"max": EMAIL_MAX_LENGTH})
    elif person.email:
        try:
            validate_email(person.email.strip())
        except ValidationError:
            errors.add(f"{prefix}_email", _("Enter a valid e-mail address."))
    elif email_required:
        errors.add(f"{prefix}_email", _("Enter the e-mail address."))


def _new_user(person: NewPerson) -> tuple[User, str]:
    """The account of a new person, not saved yet, and its first password."""
    password = _temporary_password()
    user = User(
        last_name=person.last_name.strip(),
        first_name=person.first_name.strip(),
        middle_name=person.middle_name.strip(),
        email=person.email.strip(),
    )
    user.set_password(password)
    return user, password


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


# --- guardianship invitations ------------------------------------------------------------

# How long the holder of an account has to answer an invitation to become a guardian.
INVITATION_LIFETIME = dt.timedelta(days=14)
LOGIN_MAX_LENGTH = 254  # GuardianshipInvitation.login: a login or an e-mail address


def _check_invitation_login(errors: FieldErrors, name: str, login: str) -> None:
    # Only the form of what was typed is checked: whether an account has this login or address
    # must not show in any answer, so a school cannot probe the city's accounts.
    if not login.strip():
        errors.add(name, _("Enter the login or the e-mail address of the guardian."))
    elif len(login.strip()) > LOGIN_MAX_LENGTH:
        errors.add(name, _("Use at most %(max)d characters.") % {"max": LOGIN_MAX_LENGTH})


def _invitee(login: str) -> User | None:
    """The active account a login names, or else the one active account an e-mail address names
    (none when several share it: the invitation must reach one person)."""
    user = User.objects.filter(username=login, is_active=True).first()
    if user is not None or "@" not in login:
        return user
    by_email = list(User.objects.filter(email__iexact=login, is_active=True)[:2])
    return by_email[0] if len(by_email) == 1 else None


def _invite(
    *, actor: Any, school: School, student: User, login: str, relation: str
) -> GuardianshipInvitation:
    login = login.strip()
    now = timezone.now()
    # The same invitation again while the first is open: one row, and the holder one notice.
    open_one = GuardianshipInvitation.objects.filter(
        school=school,
        student=student,
        login__iexact=login,
        status=GuardianshipInvitation.Status.PENDING,
        withdrawn_at__isnull=True,
        expires_at__gt=now,
    ).first()
    if open_one is not None:
        return open_one
    return GuardianshipInvitation.objects.create(
        school=school,
        student=student,
        login=login,
        relation=relation,
        invitee=_invitee(login),
        invited_by=actor,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )


@transaction.atomic
def guardian_invite(
    *, actor: Any, school: School, student: User, login: str, relation: str
) -> GuardianshipInvitation:
    """Invite the holder of an existing account (a login or an e-mail address) to become a
    guardian of a student of the school. The result is the same whether or not such an account
    exists; who may become a guardian is checked when the holder accepts."""
    school = _admin_school(actor, school.pk)
    if not Enrolment.objects.filter(school=school, student=student).exists():
        raise Http404  # not a student of this school: as if it did not exist
    errors = FieldErrors()
    _check_invitation_login(errors, "login", login)
    if relation not in Guardianship.Relation.values:
        errors.add("relation", _("Choose the relation to the student."))
    errors.raise_if_any()
    return _invite(actor=actor, school=school, student=student, login=login, relation=relation)


@transaction.atomic
def guardian_invitation_withdraw(*, actor: Any, invitation_id: int) -> GuardianshipInvitation:
    """Withdraw an invitation that is still open to the school. A declined one can be withdrawn
    too: to the school it looks open until it expires, as an invitation to no account does."""
    invitation = access_invitation_sent(actor, invitation_id)
    invitation = GuardianshipInvitation.objects.select_for_update().get(pk=invitation.pk)
    if (
        invitation.status == GuardianshipInvitation.Status.ACCEPTED
        or invitation.withdrawn_at is not None
        or invitation.expires_at <= timezone.now()
    ):
        raise ValidationError({"invitation": [_("This invitation is no longer open.")]})
    invitation.withdrawn_by = actor
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_by", "withdrawn_at"])
    return invitation


def _guardian_refusal(user: User, student: User) -> str | None:
    """Why this account may not become the student's guardian (None when it may): a child, the
    school and city back office, and the staff of any school are not guardians by invitation."""
    if (
        user.pk == student.pk
        or user.is_superuser
        or user.is_staff
        or StaffMembership.objects.filter(user=user).exists()
        or Enrolment.objects.filter(student=user).exists()
    ):
        return _("This account cannot become a guardian. Please ask the school.")
    return None


@transaction.atomic
def guardian_invitation_answer(*, actor: Any, invitation_id: int, accept: bool) -> GuardianshipInvitation:
    """The invited holder accepts (the guardianship is made) or declines an open invitation."""
    # Locked, so that a withdrawal and an answer at the same moment take turns.
    invitation = access_invitation_received(actor, invitation_id, lock=True)
    if accept:
        refusal = _guardian_refusal(actor, invitation.student)
        if refusal is not None:
            raise ValidationError({"invitation": [refusal]})
        Guardianship.objects.get_or_create(
            guardian=actor, student=invitation.student, defaults={"relation": invitation.relation}
        )
    invitation.status = (
        GuardianshipInvitation.Status.ACCEPTED if accept else GuardianshipInvitation.Status.DECLINED
    )
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "answered_at"])
    return invitation


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
    return _insert_unique(
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


# --- machine clients of a school ------------------------------------------------------------


def machine_client_for_school_create(
    *,
    actor: Any,
    school_id: int | None,
    kind: str,
    name: str,
    building_id: int | None = None,
    scopes: list[str] | None = None,
) -> tuple[MachineClient, str]:
    """A device of a school (a turnstile in a building, a cash desk) or a partner's client, and
    its secret (shown once). ``actor`` None is the operator's command line; a person must
    administer the school. Without ``scopes``, the kind's usual ones."""
    if actor is not None:
        if school_id is None:
            if not getattr(actor, "is_superuser", False):
                raise Http404
        else:
            _admin_school(actor, school_id)
    errors = FieldErrors()
    if school_id is not None and not School.objects.filter(pk=school_id).exists():
        errors.add("school", _("There is no such school."))
    if building_id is not None and (
        school_id is None or not Building.objects.filter(pk=building_id, school_id=school_id).exists()
    ):
        errors.add("building", _("Choose a building of the school."))
    errors.raise_if_any()
    return machine_client_create(
        by=actor,
        kind=kind,
        name=name,
        scopes=KIND_SCOPES.get(kind, []) if scopes is None else scopes,
        school_id=school_id,
        building_id=building_id,
    )


def machine_client_of_school_rotate(*, actor: Any, school_id: int, client_id: int) -> str:
    """A new secret for a school's machine client; the old one stops working at once."""
    return machine_client_rotate(by=actor, client=access_machine_client(actor, school_id, client_id))


def machine_client_of_school_revoke(*, actor: Any, school_id: int, client_id: int) -> MachineClient:
    """Revoke a school's machine client for good."""
    client = access_machine_client(actor, school_id, client_id)
    machine_client_revoke(by=actor, client=client)
    return client


SCHOOL_NAME_MAX_LENGTH = 300  # School.name
SCHOOL_SHORT_NAME_MAX_LENGTH = 100  # School.short_name
PLACE_NAME_MAX_LENGTH = 200  # City.name, District.name


@dataclass
class NewSchool:
    school: School
    admin: User
    # The administrator's first password, shown once to the operator who hands it over.
    password: str


def school_create(
    *,
    city: str,
    district: str,
    name: str,
    short_name: str,
    admin_username: str,
    admin: NewPerson,
) -> NewSchool:
    """A school and its first administrator, for an operator starting from an empty database
    (``manage.py school_create``); the city and the district are found by name or made. The
    administrator then builds the school through the pages: class groups, teachers, students."""
    city, district, name = city.strip(), district.strip(), name.strip()
    short_name, admin_username = short_name.strip() or name, admin_username.strip()
    errors = FieldErrors()
    for field_name, value, limit in (
        ("city", city, PLACE_NAME_MAX_LENGTH),
        ("district", district, PLACE_NAME_MAX_LENGTH),
        ("name", name, SCHOOL_NAME_MAX_LENGTH),
        ("short_name", short_name, SCHOOL_SHORT_NAME_MAX_LENGTH),
        ("admin_username", admin_username, USERNAME_MAX_LENGTH),
    ):
        if not value:
            errors.add(field_name, _("This field is required."))
        elif len(value) > limit:
            errors.add(field_name, _("Use at most %(max)d characters.") % {"max": limit})
    _check_new_person(errors, "admin", admin)
    if admin_username and User.objects.filter(username=admin_username).exists():
        errors.add("admin_username", _("This login is already in use."))
    errors.raise_if_any()
    with transaction.atomic():
        city_row = City.objects.filter(name=city).first() or City.objects.create(name=city)
        district_row = District.objects.filter(city=city_row, name=district).first()
        district_row = district_row or District.objects.create(city=city_row, name=district)
        school = School.objects.create(city=city_row, district=district_row, name=name, short_name=short_name)
        user, password = _new_user(admin)
        user.username = admin_username
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            # Taken between the look-up and the insert.
            raise ValidationError({"admin_username": [_("This login is already in use.")]}) from None
        StaffMembership.objects.create(school=school, user=user, role=StaffMembership.Role.ADMIN)
    return NewSchool(school=school, admin=user, password=password)
