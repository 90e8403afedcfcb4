"""Read API of the diary for the mobile app: a student's days (lessons with topic, homework, marks,
attendance and the teachers' remarks), marks per subject with averages and period marks, and attendance.

Thin: each view parses its query, calls a selector (which checks access first: someone else's
student answers 404 whatever the query) and writes the selector's plain data out.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.fields import Field
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.core.api import DateField, Row, SubjectRefSerializer, cached_json, error_responses
from parta.diary.reach import DiaryAccess, DiaryStudent, diary_reading, reach_diary
from parta.diary.selectors import (
    AttendanceRow,
    DiaryDay,
    DiaryLesson,
    MarkRow,
    diary_range_of,
    validate_range,
)
from parta.diary.summaries import (
    AttendanceCounts,
    FinalMark,
    PeriodRef,
    attendance_range_of,
    marks_summary,
)
from parta.homework.selectors import HomeworkRow
from parta.journal.models import Attendance, Remark
from parta.journal.selectors import RemarkRow
from parta.library.selectors.lessons import MaterialRef
from parta.timetable.api import LessonSerializer, lesson_data

# --- serializers --------------------------------------------------------------------------


class DiaryStudentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    class_group = serializers.CharField()
    school = serializers.CharField()

    class Meta:
        ref_name = "DiaryStudent"


class DiaryMarkSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    date = serializers.DateField()
    lesson_id = serializers.IntegerField()
    value = serializers.IntegerField(allow_null=True, help_text=_("None for an owed mark."))
    display = serializers.CharField(help_text=_("How the mark is written: «5», «pass», «—»."))
    scale = serializers.CharField()
    weight = serializers.IntegerField()
    control_form = serializers.CharField(allow_null=True)
    comment = serializers.CharField(allow_blank=True)
    is_owed = serializers.BooleanField()
    owed_until = serializers.DateField(allow_null=True)

    class Meta:
        ref_name = "DiaryMark"


class DiaryAttendanceSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=Attendance.Status.choices)
    reason = serializers.CharField(allow_blank=True)
    # The field shadows Field.source in the type stubs only; DRF reads declared fields by name.
    source = serializers.ChoiceField(choices=Attendance.Source.choices)  # type: ignore[assignment]

    class Meta:
        ref_name = "DiaryAttendance"


class DiaryLinkSerializer(serializers.Serializer[Any]):
    url = serializers.CharField()
    title = serializers.CharField(allow_blank=True)

    class Meta:
        ref_name = "DiaryHomeworkLink"


class DiaryFileSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.CharField()

    class Meta:
        ref_name = "DiaryHomeworkFile"


class DiaryMaterialSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField(help_text=_("The material's type (the library's codes)."))
    url = serializers.CharField(help_text=_("The material's page in the library."))

    class Meta:
        ref_name = "DiaryMaterial"


class DiaryHomeworkSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    subject = SubjectRefSerializer()
    text = serializers.CharField()
    set_on = serializers.DateField()
    due_on = serializers.DateField()
    links = DiaryLinkSerializer(many=True)
    files = DiaryFileSerializer(many=True)
    materials = DiaryMaterialSerializer(many=True, help_text=_("Library materials given with it."))
    minutes = serializers.IntegerField(allow_null=True, help_text=_("The time it should take, in minutes."))
    status = serializers.CharField(
        help_text=_("The student's work: empty (not started), in_progress, handed_in, checked, returned.")
    )
    done = serializers.BooleanField(help_text=_("Handed in or checked."))

    class Meta:
        ref_name = "DiaryHomework"


class DiaryRemarkSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    lesson_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Remark.Kind.choices)
    text = serializers.CharField()
    author = serializers.CharField(help_text=_("The teacher who wrote it: «Иванова А. П.»."))
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "DiaryRemark"


class DiaryLessonSerializer(LessonSerializer):
    # The timetable's lesson without what the diary's day and student say already.
    date = None  # type: ignore[assignment]
    class_group = None  # type: ignore[assignment]
    replaced_teacher = None  # type: ignore[assignment]
    marks = DiaryMarkSerializer(many=True)
    attendance = DiaryAttendanceSerializer(allow_null=True, help_text=_("None: present."))
    homework_due = DiaryHomeworkSerializer(many=True, help_text=_("Homework due at this lesson."))
    homework_set = DiaryHomeworkSerializer(many=True, help_text=_("Homework set at this lesson."))
    remarks = DiaryRemarkSerializer(many=True, help_text=_("Remarks and praise at this lesson."))
    materials = DiaryMaterialSerializer(many=True, help_text=_("Library materials given at this lesson."))

    class Meta:
        ref_name = "DiaryLesson"


class DiaryDaySerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    holiday = serializers.CharField(allow_null=True)
    lessons = DiaryLessonSerializer(many=True)
    homework_due = DiaryHomeworkSerializer(
        many=True, help_text=_("Due this day but not at one of its lessons.")
    )
    other_marks = DiaryMarkSerializer(many=True, help_text=_("Marks of this day at a lesson not listed."))
    other_remarks = DiaryRemarkSerializer(
        many=True, help_text=_("Remarks and praise of this day at a lesson not listed.")
    )

    class Meta:
        ref_name = "DiaryDay"


class FinalMarkSerializer(serializers.Serializer[Any]):
    value = serializers.IntegerField(allow_null=True, help_text=_("Null when not attested («н/а»)."))
    not_attested = serializers.BooleanField()
    display = serializers.CharField()

    class Meta:
        ref_name = "DiaryFinalMark"


class PeriodRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    is_closed = serializers.BooleanField()

    class Meta:
        ref_name = "DiaryPeriod"


class AttendanceCountsSerializer(serializers.Serializer[Any]):
    lessons = serializers.IntegerField(help_text=_("Lessons held so far (not cancelled)."))
    missed = serializers.IntegerField(help_text=_("Absent, sick or excused."))
    absent = serializers.IntegerField(help_text=_("Missed without a reason."))
    excused = serializers.IntegerField()
    sick = serializers.IntegerField()
    late = serializers.IntegerField()

    class Meta:
        ref_name = "DiaryAttendanceCounts"


# --- rows ---------------------------------------------------------------------------------


def _student(student: DiaryStudent) -> Row:
    return {
        "id": student.id,
        "full_name": student.name,
        "class_group": student.class_group,
        "school": student.school,
    }


def _mark(mark: MarkRow) -> Row:
    return {
        "id": mark.id,
        "date": mark.date,
        "lesson_id": mark.lesson_id,
        "value": mark.value,
        "display": mark.display,
        "scale": mark.scale,
        "weight": mark.weight,
        "control_form": mark.control_form,
        "comment": mark.comment,
        "is_owed": mark.is_owed,
        "owed_until": mark.owed_until,
    }


def _remark(remark: RemarkRow) -> Row:
    return {
        "id": remark.id,
        "lesson_id": remark.lesson_id,
        "kind": remark.kind,
        "text": remark.text,
        "author": remark.author,
        "created_at": remark.created_at,
    }


def _attendance(entry: AttendanceRow | None) -> Row | None:
    if entry is None:
        return None
    return {"status": entry.status, "reason": entry.reason, "source": entry.source}


def _materials(materials: Sequence[MaterialRef]) -> list[Row]:
    return [{"id": m.id, "title": m.title, "kind": m.kind, "url": m.url} for m in materials]


def _homework(hw: HomeworkRow) -> Row:
    return {
        "id": hw.id,
        "subject": {"code": hw.subject_code, "name": hw.subject},
        "text": hw.text,
        "set_on": hw.lesson_date,
        "due_on": hw.due_on,
        "links": [{"url": link.url, "title": link.title} for link in hw.links],
        "files": [{"id": f.id, "name": f.name, "size": f.size, "url": f.url} for f in hw.files],
        "materials": _materials(hw.materials),
        "minutes": hw.minutes,
        "status": hw.status,
        "done": hw.done,
    }


# The timetable's lesson fields that DiaryLessonSerializer leaves out (set to None there).
_NOT_IN_DIARY = LessonSerializer._declared_fields.keys() - DiaryLessonSerializer._declared_fields.keys()


def _lesson(item: DiaryLesson) -> Row:
    # DiaryLessonSerializer's fields, in its order: the timetable's own, then the diary's.
    return {
        **{key: value for key, value in lesson_data(item.lesson).items() if key not in _NOT_IN_DIARY},
        "marks": [_mark(m) for m in item.marks],
        "attendance": _attendance(item.attendance),
        "homework_due": [_homework(hw) for hw in item.homework_due],
        "homework_set": [_homework(hw) for hw in item.homework_set],
        "remarks": [_remark(r) for r in item.remarks],
        "materials": _materials(item.materials),
    }


def _day(day: DiaryDay) -> Row:
    return {
        "date": day.date,
        "holiday": day.holiday,
        "lessons": [_lesson(item) for item in day.lessons],
        "homework_due": [_homework(hw) for hw in day.homework_due],
        "other_marks": [_mark(m) for m in day.other_marks],
        "other_remarks": [_remark(r) for r in day.other_remarks],
    }


def _final(mark: FinalMark | None) -> Row | None:
    if mark is None:
        return None
    return {"value": mark.value, "not_attested": mark.value is None, "display": mark.display}


def _period(period: PeriodRef) -> Row:
    return {
        "id": period.id,
        "name": period.name,
        "starts_on": period.starts_on,
        "ends_on": period.ends_on,
        "is_closed": period.is_closed,
    }


def _counts(counts: AttendanceCounts) -> Row:
    return {
        "lessons": counts.lessons,
        "missed": counts.missed,
        "absent": counts.absent,
        "excused": counts.excused,
        "sick": counts.sick,
        "late": counts.late,
    }


# --- views --------------------------------------------------------------------------------


class DateRangeSerializer(serializers.Serializer[Any]):
    # "from" is a Python keyword, so the field is declared as from_ and renamed in get_fields().
    from_ = DateField(help_text=_("First day, YYYY-MM-DD."))
    to = DateField(help_text=_("Last day, YYYY-MM-DD (inclusive)."))

    class Meta:
        ref_name = "DiaryRange"

    def get_fields(self) -> dict[str, Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


def _date_range(request: Request) -> tuple[dt.date, dt.date]:
    """The query's ``from`` and ``to``. Read it only once the user may read the student's diary
    (``reach_diary``): someone else's id answers 404 whatever the dates, so ids cannot be probed."""
    query = DateRangeSerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data["from"], query.validated_data["to"]


def _with_range(fields: dict[str, Field[Any, Any, Any, Any]], rest: list[str]) -> dict[str, Any]:
    ordered: dict[str, Any] = {"student": fields["student"]}
    ordered["from"] = serializers.DateField()
    ordered["to"] = serializers.DateField()
    for name in rest:
        ordered[name] = fields[name]
    return ordered


class StudentDiaryApi(APIView):
    """A student's diary from one date to another (inclusive, at most 31 days): every day with its
    lessons (time, subject, topic, teacher, room, online link, status), the marks and attendance at
    each lesson, and the homework due at it or set at it.

    Read by the student, their guardians, and the staff who teach the student's class.
    """

    class OutputSerializer(serializers.Serializer[Any]):
        student = DiaryStudentSerializer()
        days = DiaryDaySerializer(many=True)

        class Meta:
            ref_name = "StudentDiary"

        def get_fields(self) -> dict[str, Field[Any, Any, Any, Any]]:
            return _with_range(super().get_fields(), ["days"])

    @extend_schema(
        operation_id="students_diary_retrieve",
        tags=["diary"],
        parameters=[DateRangeSerializer],
        responses={200: OutputSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, student_id: int) -> HttpResponse:
        reach = functools.cache(lambda: reach_diary(request.user, student_id))
        reading = diary_reading(request.user, student_id, reach)
        date_from, date_to = _date_range(request)
        validate_range(date_from, date_to)

        return cached_json(
            reading.narrowed(date_from, date_to),
            lambda: diary_data(request.user, reach(), date_from, date_to),
        )


def diary_data(user: Any, reach: DiaryAccess, date_from: dt.date, date_to: dt.date) -> Row:
    """``StudentDiaryApi``'s answer, written as its OutputSerializer would write it (tests pin
    that), without its cost: the rows' datetimes are in the current time zone already, dates are
    written as ISO dates."""
    diary = diary_range_of(user, reach, date_from, date_to)
    return {
        "student": _student(diary.student),
        "from": diary.date_from,
        "to": diary.date_to,
        "days": [_day(day) for day in diary.days],
    }


class StudentMarksApi(APIView):
    """A student's marks per subject in a study period (the current one unless ``period`` names
    another, or ``year``): the marks, the weighted average (Σ value × weight / Σ weight, owed and
    pass/fail marks left out), the period mark and the year mark."""

    class OutputSerializer(serializers.Serializer[Any]):
        class SubjectSerializer(serializers.Serializer[Any]):
            subject = SubjectRefSerializer()
            marks = DiaryMarkSerializer(many=True)
            average = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
            period_mark = FinalMarkSerializer(allow_null=True)
            year_mark = FinalMarkSerializer(allow_null=True)

            class Meta:
                ref_name = "DiarySubjectMarks"

        student = DiaryStudentSerializer()
        period = PeriodRefSerializer(allow_null=True, help_text=_("None: the whole year."))
        periods = PeriodRefSerializer(many=True)
        subjects = SubjectSerializer(many=True)

        class Meta:
            ref_name = "StudentMarks"

        def get_fields(self) -> dict[str, Field[Any, Any, Any, Any]]:
            return _with_range(super().get_fields(), ["period", "periods", "subjects"])

    @extend_schema(
        operation_id="students_marks_retrieve",
        tags=["diary"],
        parameters=[
            OpenApiParameter(
                "period",
                str,
                required=False,
                description=_("A study period's id, or “year”; the current period when left out."),
            )
        ],
        responses={200: OutputSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, student_id: int) -> Response:
        summary = marks_summary(request.user, student_id, request.query_params.get("period"), strict=True)
        choice = summary.choice
        data = {
            "student": _student(summary.student),
            "from": choice.date_from,
            "to": choice.date_to,
            "period": _period(choice.period) if choice.period else None,
            "periods": [_period(p) for p in choice.periods],
            "subjects": [
                {
                    "subject": {"code": s.subject_code, "name": s.subject},
                    "marks": [_mark(m) for m in s.marks],
                    "average": s.average,
                    "period_mark": _final(s.period_mark),
                    "year_mark": _final(s.year_mark),
                }
                for s in summary.subjects
            ],
        }
        return Response(self.OutputSerializer(data).data)


class StudentAttendanceApi(APIView):
    """A student's attendance from one date to another (inclusive, at most a year): totals, per
    subject and per study period, and each entry (absent, late, sick, excused, with the reason)."""

    class OutputSerializer(serializers.Serializer[Any]):
        class SubjectSerializer(serializers.Serializer[Any]):
            subject = SubjectRefSerializer()
            counts = AttendanceCountsSerializer()

            class Meta:
                ref_name = "DiarySubjectAttendance"

        class PeriodSerializer(serializers.Serializer[Any]):
            period = PeriodRefSerializer()
            counts = AttendanceCountsSerializer()

            class Meta:
                ref_name = "DiaryPeriodAttendance"

        class EntrySerializer(serializers.Serializer[Any]):
            date = serializers.DateField()
            lesson_id = serializers.IntegerField()
            subject = SubjectRefSerializer()
            status = serializers.ChoiceField(choices=Attendance.Status.choices)
            reason = serializers.CharField(allow_blank=True)
            # The field shadows Field.source in the type stubs only; DRF reads declared fields by name.
            source = serializers.ChoiceField(choices=Attendance.Source.choices)  # type: ignore[assignment]

            class Meta:
                ref_name = "DiaryAttendanceEntry"

        student = DiaryStudentSerializer()
        total = AttendanceCountsSerializer()
        subjects = SubjectSerializer(many=True)
        periods = PeriodSerializer(many=True)
        entries = EntrySerializer(many=True)

        class Meta:
            ref_name = "StudentAttendance"

        def get_fields(self) -> dict[str, Field[Any, Any, Any, Any]]:
            return _with_range(super().get_fields(), ["total", "subjects", "periods", "entries"])

    @extend_schema(
        operation_id="students_attendance_retrieve",
        tags=["diary"],
        parameters=[DateRangeSerializer],
        responses={200: OutputSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, student_id: int) -> Response:
        reach = reach_diary(request.user, student_id)
        summary = attendance_range_of(reach, *_date_range(request))
        data = {
            "student": _student(summary.student),
            "from": summary.date_from,
            "to": summary.date_to,
            "total": _counts(summary.total),
            "subjects": [
                {"subject": {"code": s.subject_code, "name": s.subject}, "counts": _counts(s.counts)}
                for s in summary.subjects
            ],
            "periods": [{"period": _period(p.period), "counts": _counts(p.counts)} for p in summary.periods],
            "entries": [
                {
                    "date": e.date,
                    "lesson_id": e.lesson_id,
                    "subject": {"code": e.subject_code, "name": e.subject},
                    "status": e.status,
                    "reason": e.reason,
                    "source": e.source,
                }
                for e in summary.entries
            ],
        }
        return Response(self.OutputSerializer(data).data)
