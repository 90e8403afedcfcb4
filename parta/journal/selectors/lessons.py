"""One lesson with its students, the topic picker, the active absence notices and the remarks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from parta.core.i18n import pick
from parta.core.names import class_group_name, short_name, subgroup_name
from parta.curriculum.models import PlanItem, Topic
from parta.journal.access import (
    access_lesson,
    can_write_lesson,
)
from parta.journal.models import (
    AbsenceNotice,
    Attendance,
    Mark,
    Remark,
)
from parta.journal.selectors.common import (
    _ATTENDANCE_COLUMNS,
    _MARK_COLUMNS,
    AttendanceCell,
    ControlFormRef,
    MarkCell,
    PeriodRef,
    _attendance_cell,
    _control_forms,
    _mark_cell,
    _period_refs,
    _scheme_of,
    _schemes,
    _students_of,
)
from parta.journal.selectors.remarks import RemarkRow, remark_rows
from parta.schools.models import Enrolment
from parta.timetable.access import teaches_lesson
from parta.timetable.models import Lesson

# --- the lesson page -----------------------------------------------------------------------


@dataclass(frozen=True)
class TopicOption:
    id: int
    code: str
    title: str
    in_plan: bool


@dataclass(frozen=True)
class NoticeRef:
    id: int
    student_id: int
    starts_on: dt.date
    ends_on: dt.date
    reason: str
    reported_by_id: int
    reported_by: str
    created_at: dt.datetime
    withdrawn_at: dt.datetime | None


@dataclass(frozen=True)
class LessonStudent:
    id: int
    short_name: str
    marks: list[MarkCell]
    attendance: AttendanceCell | None
    notice: NoticeRef | None
    remarks: list[RemarkRow]


@dataclass
class LessonPage:
    id: int
    assignment_id: int
    school_id: int
    date: dt.date
    number: int
    status: str
    subject_id: int
    subject: str
    class_group_id: int
    grade: int
    group_name: str
    teacher_id: int
    topic: TopicOption | None
    plan_topics: list[TopicOption]
    framework_topics: list[TopicOption]
    students: list[LessonStudent]
    homework_ids: list[int]
    control_forms: list[ControlFormRef]
    scale: str
    period: PeriodRef | None
    can_write: bool
    # The reader teaches the lesson (sets its homework, gives it materials); an admin writes it only.
    teaches: bool

    @property
    def closed(self) -> bool:
        return bool(self.period and self.period.closed)


_NOTICE_COLUMNS = (
    "id",
    "student_id",
    "starts_on",
    "ends_on",
    "reason",
    "reported_by_id",
    "reported_by__last_name",
    "reported_by__first_name",
    "reported_by__middle_name",
    "created_at",
    "withdrawn_at",
)


def _notice_ref(r: dict[str, Any]) -> NoticeRef:
    return NoticeRef(
        r["id"],
        r["student_id"],
        r["starts_on"],
        r["ends_on"],
        r["reason"],
        r["reported_by_id"],
        short_name(r["reported_by__last_name"], r["reported_by__first_name"], r["reported_by__middle_name"]),
        r["created_at"],
        r["withdrawn_at"],
    )


def lesson_topic(lesson: Lesson) -> TopicOption | None:
    """The lesson's topic as the picker shows it: ``in_plan`` when it is in the thematic plan of
    the lesson's teaching assignment. One query (none without a topic)."""
    topic = lesson.topic
    if topic is None:
        return None
    in_plan = PlanItem.objects.filter(plan__assignment_id=lesson.assignment_id, topic_id=topic.pk).exists()
    return TopicOption(topic.pk, topic.code, topic.title, in_plan)


def lesson_page(user: Any, lesson_id: int) -> LessonPage:
    """A lesson with its students' marks and attendance, the topic picker (the thematic plan's
    topics, then every framework topic of the subject and grade), active absence notices and the
    homework set at it, the remarks in force. A fixed number of queries."""
    lesson = access_lesson(user, lesson_id)
    group_name = class_group_name(lesson.class_group.grade, lesson.class_group.letter)
    if lesson.subgroup is not None:
        group_name = subgroup_name(group_name, lesson.subgroup.number) or group_name
    plan_rows = (
        PlanItem.objects.filter(plan__assignment_id=lesson.assignment_id)
        .order_by("order")
        .values("topic_id", "topic__code", "topic__title_ru", "topic__title_en")
    )
    plan_topics = [
        TopicOption(r["topic_id"], r["topic__code"], pick(r["topic__title_ru"], r["topic__title_en"]), True)
        for r in plan_rows
    ]
    planned = {t.id for t in plan_topics}
    framework_topics = [
        TopicOption(r["id"], r["code"], pick(r["title_ru"], r["title_en"]), r["id"] in planned)
        for r in Topic.objects.filter(subject_id=lesson.subject_id, grade=lesson.class_group.grade)
        .order_by("section__order", "order")
        .values("id", "code", "title_ru", "title_en")
    ]
    topic = (
        TopicOption(lesson.topic.pk, lesson.topic.code, lesson.topic.title, lesson.topic.pk in planned)
        if lesson.topic
        else None
    )
    # Those who can be marked at this lesson: in the class that day and still there.
    students = [
        s for s in _students_of(lesson.class_group_id, lesson.subgroup_id) if s.in_class_on(lesson.date)
    ]
    marks: dict[int, list[MarkCell]] = defaultdict(list)
    for m in Mark.objects.filter(lesson_id=lesson.pk).order_by("id").values(*_MARK_COLUMNS):
        marks[m["student_id"]].append(_mark_cell(m))
    attendance = {
        a["student_id"]: _attendance_cell(a)
        for a in Attendance.objects.filter(lesson_id=lesson.pk).values(*_ATTENDANCE_COLUMNS)
    }
    remarks: dict[int, list[RemarkRow]] = defaultdict(list)
    for remark in remark_rows(Remark.objects.filter(lesson_id=lesson.pk, school_id=lesson.school_id)):
        remarks[remark.student_id].append(remark)
    notices = {
        r["student_id"]: _notice_ref(r)
        for r in AbsenceNotice.objects.filter(
            student_id__in=Enrolment.objects.filter(class_group_id=lesson.class_group_id).values(
                "student_id"
            ),
            starts_on__lte=lesson.date,
            ends_on__gte=lesson.date,
            withdrawn_at__isnull=True,
        )
        .order_by("created_at")
        .values(*_NOTICE_COLUMNS)
    }
    homework_ids = [
        pk
        for pk in Lesson.objects.filter(pk=lesson.pk)
        .order_by("homework_set__id")
        .values_list("homework_set__id", flat=True)
        if pk is not None
    ]
    periods = [p for p in _period_refs(lesson.year_id) if p.covers(lesson.date)]
    return LessonPage(
        id=lesson.pk,
        assignment_id=lesson.assignment_id,
        school_id=lesson.school_id,
        date=lesson.date,
        number=lesson.number,
        status=lesson.status,
        subject_id=lesson.subject_id,
        subject=lesson.subject.name,
        class_group_id=lesson.class_group_id,
        grade=lesson.class_group.grade,
        group_name=group_name,
        teacher_id=lesson.teacher_id,
        topic=topic,
        plan_topics=plan_topics,
        framework_topics=framework_topics,
        students=[
            LessonStudent(
                s.id,
                s.short_name,
                marks.get(s.id, []),
                attendance.get(s.id),
                notices.get(s.id),
                remarks.get(s.id, []),
            )
            for s in students
        ],
        homework_ids=homework_ids,
        control_forms=_control_forms(lesson.school_id),
        scale=_scheme_of(_schemes(lesson.school_id), lesson.subject_id).scale,
        period=next((p for p in periods if p.closed), periods[0] if periods else None),
        can_write=can_write_lesson(user, lesson),
        teaches=teaches_lesson(user, lesson),
    )
