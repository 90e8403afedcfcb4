"""Reading homework for pages and the API: a fixed number of queries whatever the number of
students, homework, links and files.

``homework_for_student`` and ``homework_list`` (a student's or a parent's view, with the status
of the student's work) take the acting user and go through ``parta.homework.access``.
``homework_for_lessons`` takes lesson ids the caller has already reached through its own access
function (the journal's lesson page). The students' work for the teacher: ``selectors_work``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Case, Count, F, FilteredRelation, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from parta.core import statements
from parta.core.i18n import pick
from parta.core.names import short_name
from parta.homework.access import homework_of_student, homework_readable_by, reads_all_homework_of
from parta.homework.models import (
    DONE_STATUSES,
    Homework,
    HomeworkFile,
    HomeworkLink,
    HomeworkMaterial,
    HomeworkStudent,
    WorkStatus,
)
from parta.homework.parts import opener_url
from parta.library.selectors.lessons import MaterialRef
from parta.schools.access import access_person
from parta.schools.models import Enrolment, SubgroupMembership

Status = Literal["all", "todo", "done"]
STATUSES: tuple[Status, ...] = ("all", "todo", "done")


@dataclass(frozen=True)
class GivenMaterial(MaterialRef):
    """A library material given with a homework: for the student it is given to, a test opens
    for that homework (``parts``); for anyone else, on its library page (``url``)."""

    homework_id: int

    @property
    def open_url(self) -> str:
        return opener_url(self.kind, self.id, self.homework_id) or self.url


@dataclass(frozen=True)
class LinkRow:
    url: str
    title: str

    @property
    def label(self) -> str:
        return self.title or self.url


@dataclass(frozen=True)
class FileRow:
    id: int
    name: str
    size: int

    @property
    def url(self) -> str:
        """The download address (it checks access again)."""
        return reverse("homework-file", args=[self.id])


@dataclass(frozen=True)
class HomeworkRow:
    """One homework as a student (or their parent) sees it, with the student's tick."""

    id: int
    lesson_id: int
    lesson_date: dt.date
    class_group_id: int
    subgroup_id: int | None
    subject_code: str
    subject: str
    text: str
    due_on: dt.date
    due_lesson_id: int | None
    set_by_id: int
    set_by: str
    links: tuple[LinkRow, ...]
    files: tuple[FileRow, ...]
    materials: tuple[GivenMaterial, ...]
    minutes: int | None
    # The student's work: "" (not started) or a ``WorkStatus``; when last handed in; the teacher's comment.
    status: str
    done_at: dt.datetime | None
    comment: str

    @property
    def done(self) -> bool:
        return self.status in DONE_STATUSES

    @property
    def status_label(self) -> str:
        return status_label(self.status)


def status_label(status: str) -> str:
    return str(WorkStatus(status).label) if status else gettext("not started")


@dataclass(frozen=True)
class LessonHomework:
    """Homework set at a lesson, as the teacher's lesson page and journal show it."""

    id: int
    lesson_id: int
    text: str
    due_on: dt.date
    due_lesson_id: int | None
    links: tuple[LinkRow, ...]
    files: tuple[FileRow, ...]
    materials: tuple[GivenMaterial, ...]
    minutes: int | None
    chosen: bool
    done_count: int
    class_size: int


# --- attachments -------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachments:
    """Links, files and library materials of some homework, by homework id."""

    links: dict[int, tuple[LinkRow, ...]]
    files: dict[int, tuple[FileRow, ...]]
    materials: dict[int, tuple[GivenMaterial, ...]]


# What each row of the attachments' UNION ALL is.
_LINK, _FILE, _MATERIAL = 0, 1, 2


def _attachments(homework_ids: list[int]) -> QuerySet[Any, Any]:
    link_rows = (
        HomeworkLink.objects.filter(homework_id__in=homework_ids)
        .order_by()
        .annotate(what=Value(_LINK), row=F("pk"), text=F("url"), detail=F("title"), size=Value(0))
        .values_list("what", "homework_id", "row", "text", "detail", "size")
    )
    file_rows = (
        HomeworkFile.objects.filter(homework_id__in=homework_ids)
        .order_by()
        .annotate(what=Value(_FILE), row=F("pk"), text=F("name"), detail=Value(""), bytes=F("size"))
        .values_list("what", "homework_id", "row", "text", "detail", "bytes")
    )
    material_rows = (
        HomeworkMaterial.objects.filter(homework_id__in=homework_ids)
        .order_by()
        .annotate(
            what=Value(_MATERIAL),
            row=F("material_id"),
            text=F("material__title"),
            detail=F("material__kind"),
            size=Value(0),
        )
        .values_list("what", "homework_id", "row", "text", "detail", "size")
    )
    return link_rows.union(file_rows, material_rows, all=True).order_by("what", "row")


# Built once per number of homework (``parta.core.statements``): every diary's first read asks.
_ATTACHMENTS = statements.Statement(HomeworkLink, _attachments)


def attachments_of(homework_ids: Collection[int]) -> Attachments:
    """Links, files and library materials of these homework: one query (none for no homework),
    their rows in one ``UNION ALL`` (a link's row: its address, title and size 0; a file's: its
    name, "" and size; a material's: its id in place of the row's, its title and type)."""
    links: dict[int, list[LinkRow]] = defaultdict(list)
    files: dict[int, list[FileRow]] = defaultdict(list)
    materials: dict[int, list[GivenMaterial]] = defaultdict(list)
    if homework_ids:
        union = _ATTACHMENTS.rows(sorted(homework_ids))
        for what, hw_id, pk, text, detail, size in union:
            if what == _FILE:
                files[hw_id].append(FileRow(pk, text, size))
            elif what == _MATERIAL:
                materials[hw_id].append(GivenMaterial(pk, text, detail, hw_id))
            else:
                links[hw_id].append(LinkRow(text, detail))
    return Attachments(
        {hw_id: tuple(rows) for hw_id, rows in links.items()},
        {hw_id: tuple(rows) for hw_id, rows in files.items()},
        {hw_id: tuple(rows) for hw_id, rows in materials.items()},
    )


# --- a student's homework ----------------------------------------------------------------

_STUDENT_COLUMNS = (
    "id",
    "lesson_id",
    "lesson__date",
    "class_group_id",
    "subgroup_id",
    "subject__code",
    "subject__name_ru",
    "subject__name_en",
    "text",
    "due_on",
    "due_lesson_id",
    "created_by_id",
    "created_by__last_name",
    "created_by__first_name",
    "created_by__middle_name",
    "minutes",
    "work__status",
    "work__done_at",
    "work__comment",
)


def _student_rows(
    user: Any,
    student_id: int,
    *,
    date_from: dt.date | None,
    date_to: dt.date | None,
    status: Status,
    limit: int | None,
    newest_first: bool = False,
    reached: bool = False,
) -> list[HomeworkRow]:
    if not reached:
        access_person(user, student_id)
    dates = ([date_from] if date_from else [], [date_to] if date_to else [])
    today = [timezone.localdate()] if status == "todo" and not newest_first else []
    shape: dict[str, Any] = {"status": status, "newest_first": newest_first, "limit": limit}
    if reads_all_homework_of(user, student_id):  # the family's read: one statement, built once
        rows = _STUDENT_HOMEWORK.dicts(student_id, *dates, today, **shape)
    else:
        rows = list(_student_query(student_id, *dates, today, **shape, readable=homework_readable_by(user)))
    attached = attachments_of([row["id"] for row in rows])
    return [
        HomeworkRow(
            id=row["id"],
            lesson_id=row["lesson_id"],
            lesson_date=row["lesson__date"],
            class_group_id=row["class_group_id"],
            subgroup_id=row["subgroup_id"],
            subject_code=row["subject__code"],
            subject=pick(row["subject__name_ru"], row["subject__name_en"]),
            text=row["text"],
            due_on=row["due_on"],
            due_lesson_id=row["due_lesson_id"],
            set_by_id=row["created_by_id"],
            set_by=short_name(
                row["created_by__last_name"], row["created_by__first_name"], row["created_by__middle_name"]
            ),
            links=attached.links.get(row["id"], ()),
            files=attached.files.get(row["id"], ()),
            materials=attached.materials.get(row["id"], ()),
            minutes=row["minutes"],
            status=row["work__status"] or "",
            done_at=row["work__done_at"],
            comment=row["work__comment"] or "",
        )
        for row in rows
    ]


def _student_query(
    student_id: int,
    dates_from: list[dt.date],
    dates_to: list[dt.date],
    today: list[dt.date],
    *,
    status: Status,
    newest_first: bool,
    limit: int | None,
    readable: Q | None = None,
) -> QuerySet[Any, Any]:
    """The student's homework (of it, what ``readable`` lets the reader see) due in the dates (a
    list of one date, or none for no bound), by ``status``; ``today`` (one date) puts what is
    overdue after what is due when listing what is still to do."""
    # The student's work, if any, joined once (a homework has at most one per student).
    work = FilteredRelation("completions", condition=Q(completions__student_id=student_id))
    own = homework_of_student(student_id)
    qs: QuerySet[Any, Any] = Homework.objects.filter(own if readable is None else own & readable).annotate(
        work=work
    )
    if dates_from:
        qs = qs.filter(due_on__gte=dates_from[0])
    if dates_to:
        qs = qs.filter(due_on__lte=dates_to[0])
    if status == "todo":
        qs = qs.exclude(work__status__in=DONE_STATUSES)
    elif status == "done":
        qs = qs.filter(work__status__in=DONE_STATUSES)
    order: list[Any] = ["due_on", "subject__order", "lesson__date", "id"]
    if newest_first:
        order = ["-due_on", "subject__order", "-lesson__date", "-id"]
    elif today:
        # What is due today or later comes first; what is overdue follows, not before tomorrow's.
        overdue = Case(When(due_on__lt=today[0], then=Value(1)), default=Value(0))
        order = [overdue, *order]
    qs = qs.order_by(*order).values(*_STUDENT_COLUMNS)
    return qs[:limit] if limit is not None else qs


_STUDENT_HOMEWORK = statements.Statement(Homework, _student_query)


def homework_for_student(
    user: Any, student_id: int, date_from: dt.date, date_to: dt.date
) -> list[HomeworkRow]:
    """The student's homework due from one date to another (inclusive), with links, files and the
    student's tick, ordered by due date. 404 for a student the user may not see; staff see only
    the homework they may read (their lessons, their class, their school). A fixed number of queries."""
    return _student_rows(user, student_id, date_from=date_from, date_to=date_to, status="all", limit=None)


def homework_for_reached_student(
    user: Any, student_id: int, date_from: dt.date, date_to: dt.date
) -> list[HomeworkRow]:
    """``homework_for_student`` for a caller that has already let the user reach the student
    through ``parta.schools.access.access_person`` (the diary's ``reach_diary``): the same rows,
    still only the homework the user may read, without checking the person again."""
    return _student_rows(
        user, student_id, date_from=date_from, date_to=date_to, status="all", limit=None, reached=True
    )


def homework_list(
    user: Any,
    student_id: int,
    *,
    status: Status = "all",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int | None = None,
) -> list[HomeworkRow]:
    """The student's homework list: all, still to do, or done; by due date."""
    if status not in STATUSES:
        status = "all"
    # What is still to do reads forwards from the nearest due date; done and all read from the newest.
    return _student_rows(
        user,
        student_id,
        date_from=date_from,
        date_to=date_to,
        status=status,
        limit=limit,
        newest_first=status != "todo",
    )


# --- homework of lessons -----------------------------------------------------------------


def _chosen_counts(homework_ids: list[int]) -> dict[int, int]:
    """How many students each homework for chosen students is for: one query, none for none."""
    if not homework_ids:
        return {}
    return dict(
        HomeworkStudent.objects.filter(homework_id__in=homework_ids, student__is_active=True)
        .values("homework_id")
        .annotate(n=Count("pk"))
        .values_list("homework_id", "n")
    )


def _class_sizes(rows: Iterable[Any]) -> tuple[dict[int, int], dict[int, int]]:
    """Students per class group and per subgroup of these homework rows: at most two queries."""
    rows = list(rows)
    group_ids = {row["class_group_id"] for row in rows if row["subgroup_id"] is None}
    subgroup_ids = {row["subgroup_id"] for row in rows if row["subgroup_id"] is not None}
    groups: dict[int, int] = {}
    subgroups: dict[int, int] = {}
    if group_ids:
        groups = dict(
            Enrolment.objects.filter(class_group_id__in=group_ids, student__is_active=True)
            .values("class_group_id")
            .annotate(n=Count("pk"))
            .values_list("class_group_id", "n")
        )
    if subgroup_ids:
        subgroups = dict(
            SubgroupMembership.objects.filter(subgroup_id__in=subgroup_ids, student__is_active=True)
            .values("subgroup_id")
            .annotate(n=Count("pk"))
            .values_list("subgroup_id", "n")
        )
    return groups, subgroups


_LESSON_COLUMNS = (
    "id",
    "lesson_id",
    "class_group_id",
    "subgroup_id",
    "text",
    "due_on",
    "due_lesson_id",
    "minutes",
    "chosen",
    "done_count",
)


def homework_for_lessons(lesson_ids: Collection[int]) -> dict[int, list[LessonHomework]]:
    """Homework set at these lessons, by lesson id, with how many of the group have done it.

    No access check: the caller has reached the lessons through its own access function.
    At most five queries whatever the number of lessons, homework and students."""
    if not lesson_ids:
        return {}
    rows = list(
        Homework.objects.filter(lesson_id__in=lesson_ids)
        .annotate(done_count=Count("completions", filter=Q(completions__status__in=DONE_STATUSES)))
        .order_by("lesson_id", "id")
        .values(*_LESSON_COLUMNS)
    )
    groups, subgroups = _class_sizes(rows)
    chosen = _chosen_counts([row["id"] for row in rows if row["chosen"]])
    attached = attachments_of([row["id"] for row in rows])
    result: dict[int, list[LessonHomework]] = defaultdict(list)
    for row in rows:
        if row["chosen"]:
            size = chosen.get(row["id"], 0)
        elif row["subgroup_id"] is not None:
            size = subgroups.get(row["subgroup_id"], 0)
        else:
            size = groups.get(row["class_group_id"], 0)
        result[row["lesson_id"]].append(
            LessonHomework(
                id=row["id"],
                lesson_id=row["lesson_id"],
                text=row["text"],
                due_on=row["due_on"],
                due_lesson_id=row["due_lesson_id"],
                links=attached.links.get(row["id"], ()),
                files=attached.files.get(row["id"], ()),
                materials=attached.materials.get(row["id"], ()),
                minutes=row["minutes"],
                chosen=row["chosen"],
                done_count=row["done_count"],
                class_size=size,
            )
        )
    return dict(result)


# --- who it is for ---------------------------------------------------------------------------


def group_members(class_group_id: int, subgroup_id: int | None) -> QuerySet[Any, Any]:
    """The memberships of a lesson's group: its subgroup's, or the whole class group's."""
    if subgroup_id is not None:
        return SubgroupMembership.objects.filter(subgroup_id=subgroup_id)
    return Enrolment.objects.filter(class_group_id=class_group_id)


def students_by_name(members: QuerySet[Any, Any]) -> QuerySet[Any, dict[str, Any]]:
    """Active students of these memberships, by name."""
    return (
        members.filter(student__is_active=True)
        .order_by("student__last_name", "student__first_name", "student_id")
        .values("student_id", "student__last_name", "student__first_name", "student__middle_name")
    )
