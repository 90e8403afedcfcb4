"""A school's structure for the administrator's pages: subjects' names, class groups with their
students, guardians and subgroups, staff and teaching assignments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count

from parta.accounts.models import Guardianship
from parta.core.i18n import pick
from parta.core.names import class_group_name, full_name, short_name, subgroup_name
from parta.schools.models import (
    AcademicYear,
    ClassGroup,
    Enrolment,
    School,
    StaffMembership,
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
    # The day they joined the class group after a move; None from the start of the year.
    since: dt.date | None = None
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
            "starts_on",
        )
    )
    for student_id, last, first, middle, username, email, since in enrolled:
        name = full_name(last, first, middle) or username
        students[student_id] = StudentRow(
            id=student_id, name=name, username=username, email=email, since=since
        )
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
