"""The exports, and the lesson page with its remarks."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parta.core.ids import parse_id
from parta.homework.forms import new_homework_form
from parta.homework.selectors import homework_for_lessons
from parta.journal import exports, selectors, services
from parta.journal.access import access_lesson
from parta.journal.forms import (
    TopicForm,
)
from parta.journal.lesson_sections import SectionLesson, lesson_sections
from parta.journal.models import Attendance, Remark
from parta.journal.selectors import JournalPage, LessonPage, LessonStudent
from parta.journal.views.cells import (
    _int,
)
from parta.journal.views.common import (
    HistoryLine,
    Outcome,
    _attempt,
    _history_lines,
    _messages_of,
)
from parta.journal.views.grid import (
    _period_param,
)
from parta.schools.access import access_school
from parta.timetable.models import Lesson

# --- exports -----------------------------------------------------------------------------


def _export_name(page: JournalPage, extension: str) -> str:
    period = f"-{page.period.number}" if page.period else ""
    safe = "".join(
        ch if ch.isalnum() else "-" for ch in f"{page.assignment.group_name}-{page.assignment.subject_code}"
    )
    return f"journal-{safe}{period}.{extension}"


def _export_page(request: HttpRequest, assignment_id: int) -> tuple[JournalPage, str]:
    page = selectors.journal_page(request.user, assignment_id, _period_param(request))
    school = access_school(request.user, page.assignment.school_id)
    return page, school.name


@login_required
def export_xlsx(request: HttpRequest, assignment_id: int) -> HttpResponse:
    page, school = _export_page(request, assignment_id)
    response = HttpResponse(
        exports.journal_xlsx(page, school),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name(page, "xlsx")}"'
    return response


@login_required
def export_csv(request: HttpRequest, assignment_id: int) -> HttpResponse:
    page, school = _export_page(request, assignment_id)
    response = HttpResponse(exports.journal_csv(page, school), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(page, "csv")}"'
    return response


# --- the lesson page ---------------------------------------------------------------------


def _lesson_history(request: HttpRequest, lesson_id: int) -> list[HistoryLine]:
    """The lesson's history (topic, marks, attendance), newest first."""
    return _history_lines(selectors.lesson_history(request.user, lesson_id))


@dataclass(frozen=True)
class LessonRow:
    student: LessonStudent
    marks: list[exports.MarkView]
    errors: list[str]
    new_mark: str
    status: str
    reason: str
    remark_errors: list[str]

    @property
    def status_label(self) -> str:
        return str(Attendance.Status(self.status).label) if self.status in Attendance.Status.values else ""


class _Rollback(Exception):
    pass


def _lesson_rows_write(request: HttpRequest, lesson: LessonPage) -> dict[int, list[str]]:
    """The lesson page's one form: each student's attendance and a new mark. All or nothing:
    any error writes nothing and comes back per student."""
    post = request.POST
    reason = post.get("reason", "")
    control_form_id = parse_id(post.get("control_form"))
    errors: dict[int, list[str]] = {}
    user = request.user
    try:
        with transaction.atomic():
            for student in lesson.students:
                current = student.attendance.status if student.attendance else ""
                current_reason = student.attendance.reason if student.attendance else ""
                status = post.get(f"att-{student.id}", current)
                row_reason = post.get(f"attr-{student.id}", current_reason).strip()
                if status != current or (status and row_reason != current_reason):
                    outcome = _attempt(
                        partial(
                            services.attendance_set,
                            user,
                            lesson_id=lesson.id,
                            student_id=student.id,
                            status=status or None,
                            reason=row_reason or reason,
                            version=_int(post.get(f"attv-{student.id}")),
                        )
                    )
                    _collect(errors, student.id, outcome)
                raw = post.get(f"mark-{student.id}", "").strip()
                if raw:
                    value = _int(raw)
                    if value is None:
                        errors.setdefault(student.id, []).append(_("The mark must be a whole number."))
                        continue
                    outcome = _attempt(
                        partial(
                            services.mark_create,
                            user,
                            lesson_id=lesson.id,
                            student_id=student.id,
                            value=value,
                            control_form_id=control_form_id,
                            reason=reason,
                        )
                    )
                    _collect(errors, student.id, outcome)
            if errors:
                raise _Rollback
    except _Rollback:
        pass
    return errors


def _collect(errors: dict[int, list[str]], student_id: int, outcome: Outcome) -> None:
    if outcome.stale:
        errors.setdefault(student_id, []).append(_("Changed meanwhile by someone else: reload the page."))
    for values in outcome.errors.values():
        errors.setdefault(student_id, []).extend(values)


@login_required
def lesson(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """A lesson: its topic (picked from the thematic plan or the subject's framework), marks and
    attendance for every student in plain form rows, the remarks, the homework, the history."""
    page = selectors.lesson_page(request.user, lesson_id)
    if request.method != "POST":
        return _lesson_response(request, page)
    if not page.can_write:
        access_lesson(request.user, lesson_id, for_write=True)
    errors = _lesson_rows_write(request, page)
    if not errors:
        messages.success(request, _("Saved."))
        return redirect("journal-lesson", lesson_id=lesson_id)
    return _lesson_response(request, page, errors=errors, posted=request.POST)


def _section_lesson(page: LessonPage) -> SectionLesson:
    return SectionLesson(
        id=page.id,
        school_id=page.school_id,
        class_group_id=page.class_group_id,
        subject_id=page.subject_id,
        grade=page.grade,
        topic_id=page.topic.id if page.topic else None,
        cancelled=page.status == Lesson.Status.CANCELLED,
        can_write=page.can_write,
        teaches=page.teaches,
    )


def _lesson_response(
    request: HttpRequest,
    page: LessonPage,
    *,
    errors: dict[int, list[str]] | None = None,
    posted: QueryDict | None = None,
    remark_errors: dict[int, list[str]] | None = None,
) -> HttpResponse:
    """The lesson page; with ``errors`` (of the marks and attendance form, ``posted``) or
    ``remark_errors`` (of one student's remark form) it answers 400 with them at the students' rows."""
    errors = errors or {}
    remark_errors = remark_errors or {}
    lesson_id = page.id
    homework = homework_for_lessons([page.id]).get(page.id, [])
    lesson_obj = access_lesson(request.user, lesson_id) if page.can_write else None
    homework_form = new_homework_form(lesson_obj, request.user) if lesson_obj is not None else None
    planned_ids = {t.id for t in page.plan_topics}
    form_names = {f.id: f.name for f in page.control_forms}
    rows = [
        LessonRow(
            student=student,
            marks=[
                exports.MarkView(m, "", form_names.get(m.control_form_id or 0, "")) for m in student.marks
            ],
            errors=errors.get(student.id, []),
            new_mark=posted.get(f"mark-{student.id}", "") if posted else "",
            status=(
                posted.get(f"att-{student.id}", "")
                if posted
                else (student.attendance.status if student.attendance else "")
            ),
            reason=(
                posted.get(f"attr-{student.id}", "")
                if posted
                else (student.attendance.reason if student.attendance else "")
            ),
            remark_errors=remark_errors.get(student.id, []),
        )
        for student in page.students
    ]
    context = {
        "lesson": page,
        "rows": rows,
        "errors": errors,
        "remark_errors": remark_errors,
        # A form posted for nobody in the class (a tampered one) has no row to show its message at.
        "remark_stray_errors": [
            m for pk, found in remark_errors.items() if pk not in {s.id for s in page.students} for m in found
        ],
        "posted": posted or {},
        "remark_posted": request.POST if remark_errors else {},
        "lesson_obj": lesson_obj,
        "other_topics": [t for t in page.framework_topics if t.id not in planned_ids],
        "sections": lesson_sections(request, _section_lesson(page)),
        "homework": homework,
        "homework_form": homework_form,
        "history": _lesson_history(request, lesson_id),
        "attendance_choices": [("", _("present")), *Attendance.Status.choices],
        "remark_kinds": Remark.Kind.choices,
        "show_remarks": page.can_write or any(s.remarks for s in page.students),
        "title": f"{page.group_name} · {page.subject} · {page.date:%d.%m.%Y}",
    }
    status = 400 if errors or remark_errors else 200
    return render(request, "journal/lesson.html", context, status=status)


@login_required
@require_POST
def lesson_remark_add(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """A remark or a praise about one student (a small form per student on the lesson page). Bad
    input writes nothing and shows the page again with the message at the student's row."""
    page = selectors.lesson_page(request.user, lesson_id)
    if not page.can_write:
        access_lesson(request.user, lesson_id, for_write=True)
    student_id = parse_id(request.POST.get("student"))
    outcome = _attempt(
        partial(
            services.remark_create,
            request.user,
            lesson_id=lesson_id,
            student_id=student_id or 0,
            kind=request.POST.get("kind", ""),
            text=request.POST.get("text", ""),
            reason=request.POST.get("reason", ""),
        )
    )
    if outcome.ok:
        messages.success(request, _("The remark is written; the family is told."))
        return redirect(reverse("journal-lesson", args=[lesson_id]) + f"#remarks-{student_id}")
    found = [m for values in outcome.errors.values() for m in values]
    return _lesson_response(request, page, remark_errors={student_id or 0: found})


@login_required
@require_POST
def lesson_remark_withdraw(request: HttpRequest, lesson_id: int, remark_id: int) -> HttpResponse:
    """Withdraw a remark (a button at it on the lesson page); back to the lesson."""
    try:
        remark = services.remark_withdraw(
            request.user, remark_id, lesson_id=lesson_id, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
        return redirect("journal-lesson", lesson_id=lesson_id)
    messages.success(request, _("The remark is withdrawn."))
    return redirect(reverse("journal-lesson", args=[lesson_id]) + f"#remarks-{remark.student_id}")


@login_required
@require_POST
def lesson_topic(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """Pick the lesson's topic (a plain form on the lesson page); back to the lesson page."""
    access_lesson(request.user, lesson_id, for_write=True)
    form = TopicForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a topic from the list."))
        return redirect("journal-lesson", lesson_id=lesson_id)
    topic_id, reason = form.cleaned_data["topic"], form.cleaned_data["reason"]
    outcome = _attempt(lambda: services.lesson_topic_set(request.user, lesson_id, topic_id, reason))
    if outcome.ok:
        messages.success(request, _("The topic is set."))
    else:
        for message in (m for values in outcome.errors.values() for m in values):
            messages.error(request, message)
    return redirect("journal-lesson", lesson_id=lesson_id)
