"""Reads of a school's structure for the administrator's pages and for other apps' pages,
and of who the signed-in user is (``me_summary``, for ``/api/v1/me``).

Each function answers with plain data in a fixed number of queries, whatever the size of the
school. The school structure reads trust that the caller has passed the access check
(``access_school(..., for_admin=True)``); ``me_summary`` reads only what the user's own roles reach.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.accounts.models import Guardianship, User
from parta.core.i18n import pick
from parta.core.ids import parse_id
from parta.core.names import class_group_name, full_name, short_name, subgroup_name
from parta.schools.access import (
    Roles,
    open_invitations_to,
    people_readable_by,
    roles_of,
    schools_readable_by,
)
from parta.schools.models import (
    AcademicYear,
    ClassGroup,
    Enrolment,
    GuardianshipInvitation,
    Holiday,
    School,
    StaffMembership,
    StudyPeriod,
    Subgroup,
    SubgroupMembership,
    Subject,
    TeachingAssignment,
)

# --- subjects ----------------------------------------------------------------------------


def subject_names(subject_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """Subject names in both languages (``{"ru": …, "en": …}``, as a payload keeps them): one
    query (none for no subject)."""
    ids = set(subject_ids)
    if not ids:
        return {}
    rows = Subject.objects.filter(pk__in=ids).values_list("pk", "name_ru", "name_en")
    return {pk: {"ru": ru, "en": en} for pk, ru, en in rows}


# --- years -------------------------------------------------------------------------------


def pick_current_year(years: Iterable[AcademicYear], today: dt.date) -> AcademicYear | None:
    """The year that contains today; between years the one that started last; before the
    first year starts, the earliest — so a page always has a year to show while one exists."""
    ordered = sorted(years, key=lambda y: y.starts_on)
    if not ordered:
        return None
    started = [y for y in ordered if y.starts_on <= today]
    return started[-1] if started else ordered[0]


def school_years(school: School) -> list[AcademicYear]:
    return list(AcademicYear.objects.filter(school=school).order_by("-starts_on"))


def choose_year(years: list[AcademicYear], requested: str | None, today: dt.date) -> AcademicYear | None:
    """The year asked for in the URL if it is one of the school's, else the current one."""
    requested_id = parse_id(requested)
    if requested_id is not None:
        for year in years:
            if year.pk == requested_id:
                return year
    return pick_current_year(years, today)


def current_years(school_ids: Iterable[int], today: dt.date) -> dict[int, AcademicYear]:
    """The current year of each school, in one query."""
    by_school: dict[int, list[AcademicYear]] = defaultdict(list)
    for year in AcademicYear.objects.filter(school_id__in=list(school_ids)):
        by_school[year.school_id].append(year)
    result = {}
    for school_id, years in by_school.items():
        current = pick_current_year(years, today)
        if current is not None:
            result[school_id] = current
    return result


# --- class groups ------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassGroupRow:
    id: int
    name: str
    grade: int
    building: str
    home_room: str | None
    class_teacher_id: int | None
    class_teacher: str | None
    student_count: int


def class_group_rows(year: AcademicYear) -> list[ClassGroupRow]:
    groups = (
        ClassGroup.objects.filter(year=year)
        .select_related("building", "home_room", "class_teacher")
        .annotate(student_count=Count("enrolments"))
        .order_by("grade", "letter")
    )
    return [
        ClassGroupRow(
            id=g.pk,
            name=g.name,
            grade=g.grade,
            building=g.building.name,
            home_room=g.home_room.name if g.home_room else None,
            class_teacher_id=g.class_teacher_id,
            class_teacher=g.class_teacher.short_name if g.class_teacher else None,
            student_count=g.student_count,
        )
        for g in groups
    ]


@dataclass(frozen=True)
class GuardianRow:
    name: str
    relation: str
    email: str
    username: str


@dataclass
class StudentRow:
    id: int
    name: str
    username: str
    email: str
    guardians: list[GuardianRow] = field(default_factory=list)
    subgroups: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SubgroupRow:
    id: int
    name: str
    subject: str
    members: list[str]


@dataclass(frozen=True)
class ClassGroupDetail:
    students: list[StudentRow]
    subgroups: list[SubgroupRow]


def class_group_detail(group: ClassGroup) -> ClassGroupDetail:
    """Students with their guardians and contacts, and the subgroups: four queries."""
    students: dict[int, StudentRow] = {}
    enrolled = (
        Enrolment.objects.filter(class_group=group)
        .order_by("student__last_name", "student__first_name")
        .values_list(
            "student_id",
            "student__last_name",
            "student__first_name",
            "student__middle_name",
            "student__username",
            "student__email",
        )
    )
    for student_id, last, first, middle, username, email in enrolled:
        name = full_name(last, first, middle) or username
        students[student_id] = StudentRow(id=student_id, name=name, username=username, email=email)
    links = (
        Guardianship.objects.filter(student_id__in=list(students))
        .select_related("guardian")
        .order_by("guardian__last_name", "guardian__first_name")
    )
    for link in links:
        students[link.student_id].guardians.append(
            GuardianRow(
                name=link.guardian.full_name or link.guardian.username,
                relation=link.get_relation_display(),
                email=link.guardian.email,
                username=link.guardian.username,
            )
        )
    subgroups: dict[int, tuple[Subgroup, list[str]]] = {
        s.pk: (s, [])
        for s in Subgroup.objects.filter(class_group=group).select_related("subject", "class_group")
    }
    members = (
        SubgroupMembership.objects.filter(subgroup_id__in=list(subgroups))
        .order_by("student__last_name", "student__first_name")
        .values_list(
            "subgroup_id", "student_id", "student__last_name", "student__first_name", "student__middle_name"
        )
    )
    for subgroup_id, student_id, last, first, middle in members:
        subgroups[subgroup_id][1].append(short_name(last, first, middle))
        if student_id in students:
            subgroup = subgroups[subgroup_id][0]
            students[student_id].subgroups.append(f"{subgroup.subject.name} {subgroup.number}")
    return ClassGroupDetail(
        students=list(students.values()),
        subgroups=[
            SubgroupRow(id=s.pk, name=s.name, subject=s.subject.name, members=names)
            for s, names in sorted(
                subgroups.values(),
                key=lambda item: (item[0].subject.order, item[0].subject.code, item[0].number),
            )
        ],
    )


# --- staff and teaching assignments ------------------------------------------------------


@dataclass(frozen=True)
class AssignmentRow:
    id: int
    teacher_id: int
    teacher: str
    class_group_id: int
    class_group: str
    group: str
    subject: str
    hours_per_week: int


@dataclass
class TeacherRow:
    id: int
    name: str
    position: str
    email: str
    homeroom: list[str] = field(default_factory=list)
    assignments: list[AssignmentRow] = field(default_factory=list)

    @property
    def hours_per_week(self) -> int:
        return sum(a.hours_per_week for a in self.assignments)

    @property
    def by_subject(self) -> list[tuple[str, list[str], int]]:
        """(subject, groups, hours) — a teacher of 60 lessons a week reads as three lines."""
        subjects: dict[str, tuple[list[str], int]] = {}
        for a in self.assignments:
            groups, hours = subjects.get(a.subject, ([], 0))
            groups.append(a.group)
            subjects[a.subject] = (groups, hours + a.hours_per_week)
        return [(subject, groups, hours) for subject, (groups, hours) in subjects.items()]


@dataclass(frozen=True)
class AdminRow:
    id: int
    name: str
    position: str
    email: str


@dataclass(frozen=True)
class StaffList:
    teachers: list[TeacherRow]
    admins: list[AdminRow]


def assignment_rows(year: AcademicYear, *, class_group_id: int | None = None) -> list[AssignmentRow]:
    qs = TeachingAssignment.objects.filter(year=year)
    if class_group_id is not None:
        qs = qs.filter(class_group_id=class_group_id)
    values = qs.order_by(
        "class_group__grade", "class_group__letter", "subject__order", "subject__code", "subgroup__number"
    ).values(
        "id",
        "teacher_id",
        "teacher__last_name",
        "teacher__first_name",
        "teacher__middle_name",
        "class_group_id",
        "class_group__grade",
        "class_group__letter",
        "subgroup__number",
        "subject__name_ru",
        "subject__name_en",
        "hours_per_week",
    )
    rows = []
    for v in values:
        group = class_group_name(v["class_group__grade"], v["class_group__letter"])
        rows.append(
            AssignmentRow(
                id=v["id"],
                teacher_id=v["teacher_id"],
                teacher=short_name(
                    v["teacher__last_name"], v["teacher__first_name"], v["teacher__middle_name"]
                ),
                class_group_id=v["class_group_id"],
                class_group=group,
                group=subgroup_name(group, v["subgroup__number"]) or group,
                subject=pick(v["subject__name_ru"], v["subject__name_en"]),
                hours_per_week=v["hours_per_week"],
            )
        )
    return rows


def staff_list(school: School, year: AcademicYear | None) -> StaffList:
    """Teachers with their assignments and weekly hours for the year, and the administrators."""
    memberships = (
        StaffMembership.objects.filter(school=school)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    teachers: dict[int, TeacherRow] = {}
    admins: list[AdminRow] = []
    for m in memberships:
        if m.role == StaffMembership.Role.ADMIN:
            admins.append(
                AdminRow(
                    id=m.user_id,
                    name=m.user.full_name or m.user.username,
                    position=m.position,
                    email=m.user.email,
                )
            )
        else:
            teachers[m.user_id] = TeacherRow(
                id=m.user_id,
                name=m.user.full_name or m.user.username,
                position=m.position,
                email=m.user.email,
            )
    if year is not None:
        for row in assignment_rows(year):
            if row.teacher_id in teachers:
                teachers[row.teacher_id].assignments.append(row)
        for teacher_id, grade, letter in ClassGroup.objects.filter(
            year=year, class_teacher_id__in=list(teachers)
        ).values_list("class_teacher_id", "grade", "letter"):
            teachers[teacher_id].homeroom.append(class_group_name(grade, letter))
    return StaffList(teachers=list(teachers.values()), admins=admins)


# --- study periods and holidays ----------------------------------------------------------


@dataclass(frozen=True)
class HolidayRow:
    school_id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


def holidays_between(school_ids: Iterable[int], date_from: dt.date, date_to: dt.date) -> list[HolidayRow]:
    """Holidays of these schools that touch the range: one query."""
    qs = Holiday.objects.filter(
        school_id__in=list(school_ids), starts_on__lte=date_to, ends_on__gte=date_from
    )
    return [
        HolidayRow(school_id=s, name=n, starts_on=a, ends_on=b)
        for s, n, a, b in qs.order_by("starts_on").values_list("school_id", "name", "starts_on", "ends_on")
    ]


@dataclass(frozen=True)
class PeriodsAndHolidays:
    periods: list[StudyPeriod]
    holidays: list[HolidayRow]


def periods_and_holidays(year: AcademicYear) -> PeriodsAndHolidays:
    periods = list(StudyPeriod.objects.filter(year=year).order_by("kind", "starts_on", "number"))
    holidays = [
        HolidayRow(school_id=year.school_id, name=h.name, starts_on=h.starts_on, ends_on=h.ends_on)
        for h in Holiday.objects.filter(year=year).order_by("starts_on")
    ]
    return PeriodsAndHolidays(periods=periods, holidays=holidays)


# --- people ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """Where a student learns in a given year: their class group and its school."""

    class_group_id: int
    class_group: str
    school_id: int


def student_placement(student_id: int, day: dt.date) -> Placement | None:
    """The student's class group for the year that contains ``day`` (else the latest): one query."""
    enrolments = list(
        Enrolment.objects.filter(student_id=student_id)
        .order_by("-year__starts_on")
        .values_list(
            "class_group_id",
            "class_group__grade",
            "class_group__letter",
            "school_id",
            "year__starts_on",
            "year__ends_on",
        )
    )
    if not enrolments:
        return None
    chosen = next((e for e in enrolments if e[4] <= day <= e[5]), enrolments[0])
    return Placement(
        class_group_id=chosen[0], class_group=class_group_name(chosen[1], chosen[2]), school_id=chosen[3]
    )


def children_of(roles: Roles) -> QuerySet[User]:
    """A guardian's children who can sign in, as a family lists them (by first name)."""
    return User.objects.filter(pk__in=roles.child_ids, is_active=True).order_by("first_name", "pk")


def teacher_school_ids(user_id: int) -> list[int]:
    return list(
        StaffMembership.objects.filter(user_id=user_id, role=StaffMembership.Role.TEACHER).values_list(
            "school_id", flat=True
        )
    )


def teachers_of(school: School) -> Q:
    """A Q over User: the teachers of this school (for form choices)."""
    return Q(
        pk__in=StaffMembership.objects.filter(school=school, role=StaffMembership.Role.TEACHER).values(
            "user_id"
        )
    )


# --- the signed-in user ------------------------------------------------------------------


@dataclass(frozen=True)
class NamedRef:
    id: int
    name: str


@dataclass(frozen=True)
class ClassGroupRef:
    id: int
    name: str
    school: NamedRef
    year: NamedRef


@dataclass(frozen=True)
class TaughtClassGroup(ClassGroupRef):
    is_class_teacher: bool


@dataclass(frozen=True)
class Child:
    id: int
    full_name: str
    short_name: str
    class_group: ClassGroupRef | None
    school: NamedRef | None


@dataclass(frozen=True)
class Me:
    """Who the user is: what ``/api/v1/me`` answers, but the calendar address (it needs the request)."""

    id: int
    username: str
    full_name: str
    short_name: str
    roles: list[str]
    schools: list[NamedRef]
    children: list[Child]
    class_group: ClassGroupRef | None
    class_groups_taught: list[TaughtClassGroup]


_GROUP_COLUMNS = ("id", "grade", "letter", "school_id", "school__short_name", "year_id", "year__name")


def _group_ref(row: dict[str, Any], prefix: str = "") -> ClassGroupRef:
    return ClassGroupRef(
        id=row[f"{prefix}id"],
        name=class_group_name(row[f"{prefix}grade"], row[f"{prefix}letter"]),
        school=NamedRef(row[f"{prefix}school_id"], row[f"{prefix}school__short_name"]),
        year=NamedRef(row[f"{prefix}year_id"], row[f"{prefix}year__name"]),
    )


def _latest_year_of_school() -> Subquery:
    # A school's newest year: once next year's groups exist, they are the ones that matter.
    return Subquery(
        AcademicYear.objects.filter(school_id=OuterRef("school_id")).order_by("-starts_on").values("pk")[:1]
    )


def _my_schools(user: User) -> list[NamedRef]:
    """The schools where the user works, studies or has a child."""
    roles = roles_of(user)
    family = Enrolment.objects.filter(student_id__in=roles.child_ids | {user.pk}).values("school_id")
    rows = (
        School.objects.filter(schools_readable_by(user))
        .filter(Q(pk__in=roles.staff_school_ids) | Q(pk__in=family))
        .order_by("short_name", "pk")
        .values_list("id", "short_name")
    )
    return [NamedRef(pk, name) for pk, name in rows]


def _my_class_group(user: User) -> ClassGroupRef | None:
    """A student's class group in the newest year they are enrolled in."""
    row = (
        ClassGroup.objects.filter(pk__in=roles_of(user).student_class_group_ids)
        .order_by("-year__starts_on")
        .values(*_GROUP_COLUMNS)
        .first()
    )
    return _group_ref(row) if row else None


def _my_class_groups_taught(user: User) -> list[TaughtClassGroup]:
    """The groups a teacher teaches or leads in their school's newest year."""
    if not roles_of(user).is_teacher:
        return []
    rows = (
        ClassGroup.objects.filter(Q(teaching_assignments__teacher_id=user.pk) | Q(class_teacher_id=user.pk))
        .filter(year_id=_latest_year_of_school())
        .distinct()
        .order_by("school__short_name", "grade", "letter")
        .values(*_GROUP_COLUMNS, "class_teacher_id")
    )
    return [
        TaughtClassGroup(**vars(_group_ref(row)), is_class_teacher=row["class_teacher_id"] == user.pk)
        for row in rows
    ]


def _my_children(user: User) -> list[Child]:
    """A guardian's children, each with their class group in the newest year they are enrolled in."""
    roles = roles_of(user)
    if not roles.child_ids:
        return []
    people = (
        User.objects.filter(people_readable_by(user), pk__in=roles.child_ids, is_active=True)
        .order_by("last_name", "first_name", "pk")
        .values_list("id", "last_name", "first_name", "middle_name")
    )
    enrolments = (
        Enrolment.objects.filter(student_id__in=roles.child_ids)
        .order_by("student_id", "-year__starts_on")
        .values("student_id", *(f"class_group__{name}" for name in _GROUP_COLUMNS))
    )
    group_of: dict[int, ClassGroupRef] = {}
    for row in enrolments:
        group_of.setdefault(row["student_id"], _group_ref(row, "class_group__"))
    children = []
    for pk, last, first, middle in people:
        group = group_of.get(pk)
        children.append(
            Child(
                id=pk,
                full_name=full_name(last, first, middle),
                short_name=short_name(last, first, middle),
                class_group=group,
                school=group.school if group else None,
            )
        )
    return children


def me_summary(user: User) -> Me:
    """The signed-in user's roles, schools, children, class group and taught groups: at most
    five queries after the roles, and only the parts their roles call for."""
    return Me(
        id=user.pk,
        username=user.get_username(),
        full_name=user.full_name,
        short_name=user.short_name,
        roles=roles_of(user).names,
        schools=_my_schools(user),
        children=_my_children(user),
        class_group=_my_class_group(user),
        class_groups_taught=_my_class_groups_taught(user),
    )


# --- guardianship invitations ------------------------------------------------------------


@dataclass(frozen=True)
class SentInvitationRow:
    id: int
    login: str
    student: str
    relation: str
    state: str
    invited_by: str
    created_at: dt.datetime
    expires_at: dt.datetime
    open: bool


def sent_invitations(group: ClassGroup) -> list[SentInvitationRow]:
    """The invitations to the guardianship of the class group's students, newest first: one query.

    The school sees four states: accepted, withdrawn, expired and waiting. A declined invitation
    stays "waiting" until it expires, as one to a login nobody holds does, so that no state
    tells the school that an account exists before its holder accepts."""
    now = timezone.now()
    invitations = (
        GuardianshipInvitation.objects.filter(
            school_id=group.school_id,
            student_id__in=Enrolment.objects.filter(class_group=group).values("student_id"),
        )
        .select_related("student", "invited_by")
        .order_by("-created_at", "-pk")
    )
    rows = []
    for invitation in invitations:
        is_open = False
        if invitation.status == GuardianshipInvitation.Status.ACCEPTED:
            state = _("accepted")
        elif invitation.withdrawn_at is not None:
            state = _("withdrawn")
        elif invitation.expires_at <= now:
            state = _("expired")
        else:
            state, is_open = _("waiting for an answer"), True
        rows.append(
            SentInvitationRow(
                id=invitation.pk,
                login=invitation.login,
                student=invitation.student.full_name or invitation.student.username,
                relation=invitation.get_relation_display(),
                state=state,
                invited_by=invitation.invited_by.short_name,
                created_at=invitation.created_at,
                expires_at=invitation.expires_at,
                open=is_open,
            )
        )
    return rows


@dataclass(frozen=True)
class ReceivedInvitationRow:
    id: int
    school: str
    student: str
    relation: str
    invited_by: str
    expires_at: dt.datetime


def received_invitations(user: Any) -> list[ReceivedInvitationRow]:
    """The invitations the user may still answer, oldest first: one query."""
    invitations = (
        open_invitations_to(user)
        .select_related("school", "student", "invited_by")
        .order_by("created_at", "pk")
    )
    return [
        ReceivedInvitationRow(
            id=invitation.pk,
            school=invitation.school.name,
            student=invitation.student.full_name or invitation.student.username,
            relation=invitation.get_relation_display(),
            invited_by=invitation.invited_by.full_name,
            expires_at=invitation.expires_at,
        )
        for invitation in invitations
    ]
