"""Reading the students' work on homework: the teacher's table of who is where (status, when
handed in, the journal mark, what the tests app adds), one student's work for the teacher's check
screen or for the student and their guardians, and a handed-in file. A fixed number of queries
whatever the class size; each reaches its object through ``parta.homework.access`` (404 for
anything not the reader's).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse

from parta.accounts.models import User
from parta.core.names import short_name, subgroup_name
from parta.homework import marking
from parta.homework.access import (
    access_homework,
    access_work_to_check,
    homework_of_student,
    homework_readable_by,
    homework_staff_readable_by,
)
from parta.homework.models import (
    DONE_STATUSES,
    Homework,
    HomeworkCompletion,
    HomeworkStudent,
    WorkEvent,
    WorkFile,
    WorkStatus,
)
from parta.homework.parts import WorkLine, work_lines
from parta.homework.selectors import (
    LessonHomework,
    attachments_of,
    group_members,
    status_label,
    students_by_name,
)
from parta.schools.access import access_person, roles_of


def homework_students(homework: Homework) -> QuerySet[Any, dict[str, Any]]:
    """The students given this homework (the chosen ones, or the subgroup's, or the whole class
    group's), by name."""
    members = group_members(homework.class_group_id, homework.subgroup_id)
    if homework.chosen:
        members = members.filter(
            student_id__in=HomeworkStudent.objects.filter(homework=homework).values("student_id")
        )
    return students_by_name(members)


def group_name(homework: Homework) -> str:
    group = homework.class_group.name
    return subgroup_name(group, homework.subgroup.number if homework.subgroup else None) or group


def summary_of(homework: Homework, *, done_count: int, class_size: int) -> LessonHomework:
    attached = attachments_of([homework.pk])
    return LessonHomework(
        id=homework.pk,
        lesson_id=homework.lesson_id,
        text=homework.text,
        due_on=homework.due_on,
        due_lesson_id=homework.due_lesson_id,
        links=attached.links.get(homework.pk, ()),
        files=attached.files.get(homework.pk, ()),
        materials=attached.materials.get(homework.pk, ()),
        minutes=homework.minutes,
        chosen=homework.chosen,
        done_count=done_count,
        class_size=class_size,
    )


# --- the teacher's table -------------------------------------------------------------------


@dataclass(frozen=True)
class StudentWork:
    student_id: int
    name: str
    status: str  # "" is not started
    done_at: dt.datetime | None
    checked_at: dt.datetime | None
    mark: str  # the journal's homework mark, "" for none
    lines: tuple[WorkLine, ...]

    @property
    def done(self) -> bool:
        return self.status in DONE_STATUSES

    @property
    def status_label(self) -> str:
        return status_label(self.status)


@dataclass(frozen=True)
class Completion:
    """Where each student of the homework is (for its teacher, the class teacher, the admin)."""

    homework: LessonHomework
    subject: str
    group: str
    class_group_id: int
    subgroup_id: int | None
    lesson_date: dt.date
    students: tuple[StudentWork, ...]

    @property
    def done_count(self) -> int:
        return sum(1 for student in self.students if student.done)

    def count(self, status: str) -> int:
        return sum(1 for student in self.students if student.status == status)

    @property
    def counts(self) -> list[tuple[str, str, int]]:
        """(status, label, how many) for every status, not started first."""
        order = ["", *WorkStatus.values]
        return [(status, status_label(status), self.count(status)) for status in order]


def homework_completion(user: Any, homework_id: int) -> Completion:
    """Each student the homework is for with the status of their work, for the staff who may
    read the homework (its teacher, the class teacher, the school's administrators); 404 for
    anyone else. A fixed number of queries whatever the class size."""
    homework = access_homework(user, homework_id, staff_only=True)
    works = {work.student_id: work for work in HomeworkCompletion.objects.filter(homework_id=homework.pk)}
    marks = marking.marks_of(homework, list(works.values()))
    rows = list(homework_students(homework))
    lines = work_lines(user, homework, [row["student_id"] for row in rows])
    students = []
    for row in rows:
        student_id = row["student_id"]
        work = works.get(student_id)
        mark = marks.get(student_id)
        students.append(
            StudentWork(
                student_id=student_id,
                name=short_name(
                    row["student__last_name"], row["student__first_name"], row["student__middle_name"]
                ),
                status=work.status if work else "",
                done_at=work.done_at if work else None,
                checked_at=work.checked_at if work else None,
                mark=str(mark.value) if mark is not None and mark.value is not None else "",
                lines=tuple(lines.get(student_id, ())),
            )
        )
    return Completion(
        homework=summary_of(
            homework, done_count=sum(1 for s in students if s.done), class_size=len(students)
        ),
        subject=homework.subject.name,
        group=group_name(homework),
        class_group_id=homework.class_group_id,
        subgroup_id=homework.subgroup_id,
        lesson_date=homework.lesson.date,
        students=tuple(students),
    )


# --- one student's work ----------------------------------------------------------------------


@dataclass(frozen=True)
class WorkFileRow:
    id: int
    name: str
    size: int

    @property
    def url(self) -> str:
        return reverse("homework-work-file", args=[self.id])


@dataclass(frozen=True)
class WorkEventRow:
    status: str
    label: str
    by: str
    text: str
    at: dt.datetime


@dataclass(frozen=True)
class WorkDetail:
    """A student's work on a homework, as its teacher checks it or the family reads it."""

    homework: Homework
    summary: LessonHomework
    student_id: int
    student: str
    status: str
    text: str
    comment: str
    done_at: dt.datetime | None
    checked_at: dt.datetime | None
    checked_by: str
    files: tuple[WorkFileRow, ...]
    history: tuple[WorkEventRow, ...]
    lines: tuple[WorkLine, ...]
    mark: str

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def done(self) -> bool:
        return self.status in DONE_STATUSES

    @property
    def open_to_student(self) -> bool:
        """The student may still change it: checked work is closed (``work.work_save`` refuses)."""
        return self.status != WorkStatus.CHECKED


def _name(user: User | None) -> str:
    return (user.short_name or user.username) if user is not None else ""


def _detail(reader: Any, homework: Homework, student: User) -> WorkDetail:
    work = (
        HomeworkCompletion.objects.select_related("checked_by")
        .filter(homework=homework, student_id=student.pk)
        .first()
    )
    files: tuple[WorkFileRow, ...] = ()
    history: tuple[WorkEventRow, ...] = ()
    mark = ""
    if work is not None:
        files = tuple(
            WorkFileRow(f.pk, f.name, f.size) for f in WorkFile.objects.filter(work=work).order_by("pk")
        )
        history = tuple(
            WorkEventRow(e.status, status_label(e.status), _name(e.actor), e.text, e.at)
            for e in WorkEvent.objects.filter(work=work).select_related("actor").order_by("at", "pk")
        )
        found = marking.marks_of(homework, [work]).get(student.pk)
        mark = str(found.value) if found is not None and found.value is not None else ""
    return WorkDetail(
        homework=homework,
        # For its text and attachments: one student's page counts nobody.
        summary=summary_of(homework, done_count=0, class_size=0),
        student_id=student.pk,
        student=_name(student),
        status=work.status if work else "",
        text=work.text if work else "",
        comment=work.comment if work else "",
        done_at=work.done_at if work else None,
        checked_at=work.checked_at if work else None,
        checked_by=_name(work.checked_by) if work else "",
        files=files,
        history=history,
        lines=tuple(work_lines(reader, homework, [student.pk]).get(student.pk, ())),
        mark=mark,
    )


def work_to_check(user: Any, homework_id: int, student_id: int) -> WorkDetail:
    """A student's work, for the teacher of the homework's lesson; 404 for anyone else."""
    homework = access_work_to_check(user, homework_id, student_id)
    student = User.objects.get(pk=student_id)
    return _detail(user, homework, student)


def own_work(user: Any, homework_id: int, student_id: int) -> WorkDetail:
    """A student's work on homework given to them, for the student and their guardians (and the
    staff who may read the student); 404 for anyone else and for homework not the student's."""
    student = access_person(user, student_id)
    homework = (
        Homework.objects.select_related("lesson", "subject", "class_group", "subgroup", "created_by")
        .filter(homework_of_student(student.pk), homework_readable_by(user), pk=homework_id)
        .first()
    )
    if homework is None:
        raise Http404
    return _detail(user, homework, student)


def student_given(user: Any, homework_id: int) -> int:
    """Whose work on the homework a family member reads: their own as a student, else the first of
    their children it is given to; 404 when it is nobody's of theirs."""
    roles = roles_of(user)
    family = sorted(({roles.user_id} if roles.is_student else set()) | roles.child_ids)
    for student_id in family:
        if Homework.objects.filter(homework_of_student(student_id), pk=homework_id).exists():
            return student_id
    raise Http404


def access_work_file(user: Any, file_id: int) -> WorkFile:
    """A handed-in file, to the student, their guardians and the staff who read the homework
    through work; 404 for anyone else."""
    roles = roles_of(user)
    family = roles.child_ids | ({roles.user_id} if roles.user_id else set())
    staff = Homework.objects.filter(homework_staff_readable_by(user)).values("pk")
    found = (
        WorkFile.objects.filter(Q(work__student_id__in=family) | Q(work__homework_id__in=staff), pk=file_id)
        .select_related("work")
        .first()
    )
    if found is None:
        raise Http404
    return found
