"""The teacher's journal pages: the list of journals, the grid, a cell, a lesson, the exports,
the administrator's history report and the page that closes a study period.

Every view reads through ``parta.journal.selectors`` and writes through
``parta.journal.services``, which go through ``parta.journal.access`` (404 for what is not the
user's, 403 for a journal they may only read). Every write is a plain form POST that redirects
back; the grid's script (``journal/journal.js``) posts the same forms with an ``HX-Request``
header and gets back the re-rendered cell with the student's average (``hx-swap-oob``) instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parta.core.forms import add_service_errors
from parta.core.ids import parse_id
from parta.homework.forms import new_homework_form
from parta.homework.selectors import homework_for_lessons
from parta.journal import exports, scales, selectors, services
from parta.journal.access import access_lesson
from parta.journal.forms import (
    AttendanceForm,
    HistoryFilterForm,
    MarkDeleteForm,
    MarkEditForm,
    MarkForm,
    PeriodMarkForm,
    ReopenForm,
    TopicForm,
)
from parta.journal.models import Attendance, JournalChange
from parta.journal.selectors import HistoryRow, JournalPage, LessonPage, LessonStudent
from parta.journal.services import StaleVersion
from parta.schools.access import access_school
from parta.schools.models import StudyPeriod
from parta.schools.selectors import staff_list

T = TypeVar("T")


# --- helpers ----------------------------------------------------------------------------


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for values in error.message_dict.values() for message in values]
    return list(error.messages)


def _stale_message(request: HttpRequest, lesson_id: int, student_id: int) -> str:
    """«Changed meanwhile by X»: who wrote the cell last, from its history (one query)."""
    history = selectors.cell_history(request.user, lesson_id, student_id)
    if history:
        return _("Changed meanwhile by %(name)s; the cell has been reloaded.") % {"name": history[0].actor}
    return _("Changed meanwhile by someone else; the cell has been reloaded.")


@dataclass(frozen=True)
class Outcome:
    """What a write came to: ``errors`` (field → messages) or ``stale`` (someone wrote first)."""

    errors: dict[str, list[str]]
    stale: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not self.stale


def _attempt(call: Callable[[], Any]) -> Outcome:
    try:
        call()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            return Outcome(dict(error.message_dict))
        return Outcome({"__all__": list(error.messages)})
    except StaleVersion:
        return Outcome({}, stale=True)
    return Outcome({})


def _describe(kind: str, state: Any) -> str:
    """A history row's old or new value in a few words."""
    if not isinstance(state, dict):
        return "—" if state is None else str(state)
    if kind == JournalChange.Kind.MARK:
        text = scales.display(state.get("scale") or scales.DEFAULT_SCALE, state.get("value"))
        if state.get("weight", 1) != 1:
            text += f" ({_('weight %(weight)s') % {'weight': state.get('weight')}})"
        if state.get("owed_until"):
            text += " " + _("owed until %(date)s") % {"date": state["owed_until"]}
        if state.get("comment"):
            text += f" «{state['comment']}»"
        if state.get("origin"):
            text += " · " + _("from %(origin)s") % {"origin": state["origin"]}
        return text
    if kind == JournalChange.Kind.ATTENDANCE:
        status = state.get("status") or ""
        label = str(Attendance.Status(status).label) if status in Attendance.Status.values else status
        return f"{label} «{state['reason']}»" if state.get("reason") else label
    if kind == JournalChange.Kind.PERIOD_MARK:
        return scales.display(state.get("scale") or scales.DEFAULT_SCALE, state.get("value"))
    if kind == JournalChange.Kind.PERIOD:
        state = {"code": _("closed") if state.get("closed") else _("open")}
    if kind in (JournalChange.Kind.TOPIC, JournalChange.Kind.PERIOD):
        return str(state.get("code") or "—")
    return str(state)


@dataclass(frozen=True)
class HistoryLine:
    row: HistoryRow
    kind_label: str
    old: str
    new: str


def _history_lines(rows: list[HistoryRow]) -> list[HistoryLine]:
    labels = dict(JournalChange.Kind.choices)
    return [
        HistoryLine(
            row,
            str(labels.get(row.kind, row.kind)),
            _describe(row.kind, row.old) if row.old is not None else "—",
            _describe(row.kind, row.new) if row.new is not None else _("removed"),
        )
        for row in rows
    ]


# --- the list of journals ----------------------------------------------------------------


@login_required
def journal_list(request: HttpRequest) -> HttpResponse:
    """The teacher's journals first, then those of the school an administrator or a class
    teacher may read; for a class teacher, the current and coming absence notices of the class."""
    refs = selectors.journal_assignments(request.user)
    user_id = request.user.pk
    own = [r for r in refs if r.teacher_id == user_id]
    others = [r for r in refs if r.teacher_id != user_id]
    notices = selectors.absence_notices_for_class_teacher(request.user)
    context = {"own": own, "others": others, "notices": notices, "title": _("Journals")}
    return render(request, "journal/list.html", context)


# --- the grid ----------------------------------------------------------------------------


def _period_param(request: HttpRequest) -> int | None:
    return parse_id(request.GET.get("period") or request.POST.get("period"))


def _grid_url(page: JournalPage) -> str:
    url = reverse("journal-grid", args=[page.assignment.id])
    return f"{url}?period={page.period.id}" if page.period else url


def _scale_values(scale: str) -> list[int]:
    limits = scales.bounds(scale)
    return list(range(limits.high, limits.low - 1, -1))


def _grid_context(page: JournalPage) -> dict[str, Any]:
    values = _scale_values(page.scale)
    return {
        "page": page,
        "rows": exports.journal_rows(page),
        "grid_url": _grid_url(page),
        "scale_values": values,
        "period_mark_choices": [(v, scales.display(page.scale, v)) for v in values],
        "key_values": " ".join(str(v) for v in sorted(values)),
        "default_form": next((f for f in page.control_forms if f.code == "classwork"), None),
        "today": timezone.localdate(),
        # The year mark is set in the year's last study period.
        "show_year": bool(page.period and page.periods and page.period.id == page.periods[-1].id),
    }


@login_required
def journal_grid(request: HttpRequest, assignment_id: int) -> HttpResponse:
    page = selectors.journal_page(request.user, assignment_id, _period_param(request))
    context = _grid_context(page) | {"title": f"{page.assignment.group_name} · {page.assignment.subject}"}
    return render(request, "journal/grid.html", context)


def _cell_response(
    request: HttpRequest, lesson_id: int, student_id: int, *, error: str = "", status: int = 200
) -> HttpResponse:
    """The re-rendered cell with the student's average and suggested mark (out of band), from
    the same selector as the page."""
    lesson = access_lesson(request.user, lesson_id)
    page = selectors.journal_page(
        request.user, lesson.assignment_id, _period_param(request), student_id=student_id
    )
    column = next((c for c in page.lessons if c.id == lesson_id), None)
    number, student = next(((n, s) for n, s in enumerate(page.students, 1) if s.id == student_id), (0, None))
    if column is None or student is None:
        raise Http404
    row = exports.student_row(page, number, student)
    cell = exports.cell_view(page, student_id, column)
    # The one row and cell only: the page's other rows are not rendered (nor read, ``student_id``).
    context = {
        "page": page,
        "grid_url": _grid_url(page),
        "row": row,
        "cell": cell,
        "error": error,
        "saved": not error,
        "oob": True,
    }
    return render(request, "journal/_cell_response.html", context, status=status)


# --- a cell ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellPage:
    lesson: LessonPage
    student: LessonStudent
    marks: list[exports.MarkView]
    history: list[HistoryLine]


def _cell_page(request: HttpRequest, lesson_id: int, student_id: int) -> CellPage:
    lesson = selectors.lesson_page(request.user, lesson_id)
    student = next((s for s in lesson.students if s.id == student_id), None)
    if student is None:
        raise Http404
    forms_by_id = {f.id: f for f in lesson.control_forms}
    marks = []
    for mark in student.marks:
        form = forms_by_id.get(mark.control_form_id) if mark.control_form_id else None
        marks.append(
            exports.MarkView(mark, exports.form_short_code(form) if form else "", form.name if form else "")
        )
    history = _history_lines(selectors.cell_history(request.user, lesson_id, student_id))
    return CellPage(lesson, student, marks, history)


def _mark_forms(cell: CellPage, data: Any = None, op: str = "") -> dict[str, Any]:
    lesson = cell.lesson
    control_forms, scale = lesson.control_forms, lesson.scale
    add_form = MarkForm(data if op == "add" else None, prefix="add", control_forms=control_forms, scale=scale)
    edit_forms = []
    for view in cell.marks:
        mark = view.mark
        bound = data if op == "edit" and data and data.get(f"m{mark.id}-mark") == str(mark.id) else None
        edit_forms.append(
            (
                view,
                MarkEditForm(
                    bound,
                    prefix=f"m{mark.id}",
                    initial={
                        "mark": mark.id,
                        "version": mark.version,
                        "value": mark.value,
                        "control_form": mark.control_form_id,
                        "weight": mark.weight,
                        "comment": mark.comment,
                        "owed_until": mark.owed_until,
                    },
                    control_forms=control_forms,
                    scale=scale,
                ),
                MarkDeleteForm(initial={"mark": mark.id, "version": mark.version}),
            )
        )
    attendance = cell.student.attendance
    attendance_form = AttendanceForm(
        data if op == "attendance" else None,
        initial={
            "status": attendance.status if attendance else "",
            "reason": attendance.reason if attendance else "",
            "version": attendance.version if attendance else None,
        },
    )
    return {"add_form": add_form, "edit_forms": edit_forms, "attendance_form": attendance_form}


def _quick_write(request: HttpRequest, lesson_id: int, student_id: int, op: str) -> Outcome:
    """The grid's keyboard writes: a mark with the toolbar's form, an attendance letter, or
    removing the cell's last mark."""
    post = request.POST
    reason = post.get("reason", "")
    user = request.user
    if op == "add":
        value = _int(post.get("value"))
        if value is None:
            return Outcome({"value": [_("Type a mark.")]})
        return _attempt(
            lambda: services.mark_create(
                user,
                lesson_id=lesson_id,
                student_id=student_id,
                value=value,
                control_form_id=parse_id(post.get("control_form")),
                weight=_int(post.get("weight")),
                reason=reason,
            )
        )
    if op == "attendance":
        status = post.get("status") or None
        return _attempt(
            lambda: services.attendance_set(
                user,
                lesson_id=lesson_id,
                student_id=student_id,
                status=status,
                reason=reason,
                version=_int(post.get("version")),
            )
        )
    if op == "delete":
        mark_id, version = parse_id(post.get("mark")), _int(post.get("version"))
        if mark_id is None or version is None:
            return Outcome({"mark": [_("There is no mark to remove.")]})
        return _attempt(lambda: services.mark_delete(user, mark_id, version=version, reason=reason))
    return Outcome({"op": [_("Unknown action.")]})


def _label(choices: Any, entry: Any, name: str) -> str:
    value = getattr(entry, name, "") if entry is not None else ""
    return str(choices(value).label) if value in choices.values else ""


def _int(raw: str | None) -> int | None:
    if raw is None or not raw.strip():
        return None
    try:
        return int(raw.strip())
    except ValueError:
        return None


@login_required
def cell(request: HttpRequest, lesson_id: int, student_id: int) -> HttpResponse:
    """A cell (lesson × student): its marks with plain forms to add, change and remove, the
    attendance, and the history. The grid's keyboard posts here too (``HX-Request``)."""
    if request.method == "POST" and _is_htmx(request):
        op = request.POST.get("op", "")
        outcome = _quick_write(request, lesson_id, student_id, op)
        if outcome.stale:
            return _cell_response(
                request,
                lesson_id,
                student_id,
                error=_stale_message(request, lesson_id, student_id),
                status=409,
            )
        if not outcome.ok:
            text = " ".join(m for values in outcome.errors.values() for m in values)
            return _cell_response(request, lesson_id, student_id, error=text, status=400)
        return _cell_response(request, lesson_id, student_id)
    cell_page = _cell_page(request, lesson_id, student_id)
    back = reverse("journal-cell", args=[lesson_id, student_id])
    next_url = _next_url(request, "")
    if next_url:
        back += "?" + urlencode({"next": next_url})
    status = 200
    context_forms = _mark_forms(cell_page)
    if request.method == "POST":
        # A reader who may not write: 403 before any form is read.
        access_lesson(request.user, lesson_id, for_write=True)
        op = request.POST.get("op", "")
        outcome, context_forms = _plain_write(request, cell_page, op)
        if outcome.stale:
            messages.error(request, _stale_message(request, lesson_id, student_id))
            return redirect(back)
        if outcome.ok:
            messages.success(request, _("Saved."))
            return redirect(next_url or back)
        status = 400
    context = {
        "cell": cell_page,
        "lesson": cell_page.lesson,
        "student": cell_page.student,
        "next": next_url,
        "title": cell_page.student.short_name,
        "partial": _is_htmx(request),
        "attendance_label": _label(Attendance.Status, cell_page.student.attendance, "status"),
        "source_label": _label(Attendance.Source, cell_page.student.attendance, "source"),
    } | context_forms
    template = "journal/cell.html#detail" if _is_htmx(request) else "journal/cell.html"
    response = render(request, template, context, status=status)
    # The same address answers a page or the dialog's partial: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


def _plain_write(request: HttpRequest, cell_page: CellPage, op: str) -> tuple[Outcome, dict[str, Any]]:
    """The cell page's forms (no script): validate the form, call the service, put its messages
    on the form."""
    user = request.user
    lesson_id, student_id = cell_page.lesson.id, cell_page.student.id
    context_forms = _mark_forms(cell_page, request.POST, op)
    form: forms.Form
    call: Callable[[], Any]
    if op == "add":
        form = context_forms["add_form"]
        if not form.is_valid():
            return Outcome({"form": ["invalid"]}), context_forms
        data = form.cleaned_data

        def call() -> Any:
            return services.mark_create(
                user,
                lesson_id=lesson_id,
                student_id=student_id,
                value=data["value"],
                control_form_id=data["control_form"],
                weight=data["weight"],
                comment=data["comment"],
                owed_until=data["owed_until"],
                reason=data["reason"],
            )

    elif op == "edit":
        form = next(
            (f for _view, f, _delete in context_forms["edit_forms"] if f.is_bound),
            MarkEditForm(control_forms=[], scale=cell_page.lesson.scale),
        )
        if not form.is_bound:
            raise Http404
        if not form.is_valid():
            return Outcome({"form": ["invalid"]}), context_forms
        data = form.cleaned_data

        def call() -> Any:
            return services.mark_update(
                user,
                data["mark"],
                version=data["version"],
                value=data["value"],
                control_form_id=data["control_form"],
                weight=data["weight"] if data["weight"] is not None else services.UNSET,
                comment=data["comment"],
                owed_until=data["owed_until"],
                reason=data["reason"],
            )

    elif op == "delete":
        form = MarkDeleteForm(request.POST)
        if not form.is_valid():
            return Outcome({"form": ["invalid"]}), context_forms
        data = form.cleaned_data

        def call() -> Any:
            return services.mark_delete(user, data["mark"], version=data["version"], reason=data["reason"])

    elif op == "attendance":
        form = context_forms["attendance_form"]
        if not form.is_valid():
            return Outcome({"form": ["invalid"]}), context_forms
        data = form.cleaned_data

        def call() -> Any:
            return services.attendance_set(
                user,
                lesson_id=lesson_id,
                student_id=student_id,
                status=data["status"] or None,
                reason=data["reason"],
                version=data["version"],
            )

    else:
        raise Http404
    outcome = _attempt(call)
    if outcome.errors:
        add_service_errors(form, ValidationError(outcome.errors))
    return outcome, context_forms


# --- period marks ------------------------------------------------------------------------


@login_required
@require_POST
def period_mark(request: HttpRequest, assignment_id: int, student_id: int) -> HttpResponse:
    """Set (or clear) the student's mark for the grid's period; the grid's script gets back
    the re-rendered cell, a plain form a redirect to the grid."""
    page = selectors.journal_page(request.user, assignment_id, _period_param(request))
    number, student = next(((n, s) for n, s in enumerate(page.students, 1) if s.id == student_id), (0, None))
    if student is None or page.period is None:
        raise Http404
    year = request.POST.get("target") == "year"
    form = PeriodMarkForm(request.POST)
    outcome: Outcome
    if not form.is_valid():
        outcome = Outcome({"value": [_("Choose a mark from the list.")]})
    else:
        data = form.cleaned_data
        period = page.period
        outcome = _attempt(
            lambda: services.period_mark_set(
                request.user,
                student_id=student_id,
                subject_id=page.assignment.subject_id,
                class_group_id=page.assignment.class_group_id,
                period_id=None if year else period.id,
                value=data["value"],
                version=data["version"],
                reason=data["reason"],
            )
        )
    error = ""
    if outcome.stale:
        error = _("The mark was changed meanwhile; it has been reloaded.")
    elif not outcome.ok:
        error = " ".join(m for values in outcome.errors.values() for m in values)
    if not _is_htmx(request):
        if error:
            messages.error(request, f"{student.short_name}: {error}")
        else:
            messages.success(request, _("Saved."))
        return redirect(_grid_url(page))
    page = selectors.journal_page(request.user, assignment_id, page.period.id)
    row = exports.student_row(page, number, student)
    context = _grid_context(page) | {"row": row, "error": error, "saved": not error}
    template = "journal/_year_mark.html" if year else "journal/_period_mark.html"
    return render(request, template, context, status=409 if outcome.stale else 400 if error else 200)


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
    attendance for every student in plain form rows, the homework, the history."""
    page = selectors.lesson_page(request.user, lesson_id)
    errors: dict[int, list[str]] = {}
    status = 200
    if request.method == "POST":
        if not page.can_write:
            access_lesson(request.user, lesson_id, for_write=True)
        errors = _lesson_rows_write(request, page)
        if not errors:
            messages.success(request, _("Saved."))
            return redirect("journal-lesson", lesson_id=lesson_id)
        status = 400
    homework = homework_for_lessons([page.id]).get(page.id, [])
    lesson_obj = access_lesson(request.user, lesson_id) if page.can_write else None
    homework_form = new_homework_form(lesson_obj) if lesson_obj is not None else None
    planned_ids = {t.id for t in page.plan_topics}
    form_names = {f.id: f.name for f in page.control_forms}
    posted = request.POST if request.method == "POST" else None
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
        )
        for student in page.students
    ]
    context = {
        "lesson": page,
        "rows": rows,
        "errors": errors,
        "posted": posted or {},
        "lesson_obj": lesson_obj,
        "other_topics": [t for t in page.framework_topics if t.id not in planned_ids],
        "homework": homework,
        "homework_form": homework_form,
        "history": _lesson_history(request, lesson_id),
        "attendance_choices": [("", _("present")), *Attendance.Status.choices],
        "title": f"{page.group_name} · {page.subject} · {page.date:%d.%m.%Y}",
    }
    return render(request, "journal/lesson.html", context, status=status)


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


# --- the administrator's pages -----------------------------------------------------------

HISTORY_PAGE = 50


@login_required
def history_report(request: HttpRequest, school_id: int) -> HttpResponse:
    """The school's journal history (administrators): who changed what, when and why."""
    school = access_school(request.user, school_id, for_admin=True)
    staff = staff_list(school, None)
    people = sorted(
        {(t.id, t.name) for t in staff.teachers} | {(a.id, a.name) for a in staff.admins}, key=lambda p: p[1]
    )
    today = timezone.localdate()
    date_from, date_to = today - dt.timedelta(days=30), today
    form = HistoryFilterForm(
        request.GET or None, people=people, initial={"date_from": date_from, "date_to": date_to}
    )
    teacher_id: int | None = None
    kind: str | None = None
    number = 1
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        date_from = data["date_from"] or date_from
        date_to = data["date_to"] or date_to
        teacher_id = data["teacher"]
        kind = data["kind"] or None
        number = data["page"] or 1
    report = None
    if not form.is_bound or form.is_valid():
        report = selectors.history_report(
            request.user,
            school.pk,
            date_from=date_from,
            date_to=date_to,
            teacher_id=teacher_id,
            kind=kind,
            offset=(number - 1) * HISTORY_PAGE,
            limit=HISTORY_PAGE,
        )
    query = {
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "teacher": teacher_id or "",
        "kind": kind or "",
    }
    context = {
        "school": school,
        "form": form,
        "report": report,
        "lines": _history_lines(report.rows) if report else [],
        "date_from": date_from,
        "date_to": date_to,
        "page_number": number,
        "previous_url": f"?{urlencode(query | {'page': number - 1})}" if number > 1 else None,
        "next_url": f"?{urlencode(query | {'page': number + 1})}" if report and report.has_more else None,
        "title": _("Journal history"),
    }
    return render(request, "journal/history_report.html", context, status=200 if report else 400)


@login_required
def period_close(request: HttpRequest, school_id: int, period_id: int) -> HttpResponse:
    """Close a study period (its journal locks: later edits need a reason) or reopen it with a
    reason. The school's administrators only."""
    school = access_school(request.user, school_id, for_admin=True)
    period = get_object_or_404(
        StudyPeriod.objects.select_related("closed_by", "year"), pk=period_id, school_id=school.pk
    )
    reopen_form = ReopenForm(request.POST if request.POST.get("action") == "reopen" else None)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "close":
            outcome = _attempt(lambda: services.period_close(request.user, period.pk))
        elif action == "reopen":
            reason = request.POST.get("reason", "")
            outcome = _attempt(lambda: services.period_reopen(request.user, period.pk, reason))
        else:
            raise Http404
        if outcome.ok:
            messages.success(
                request,
                _("The study period is closed.") if action == "close" else _("The study period is reopened."),
            )
            return redirect("school-period-close", school_id=school.pk, period_id=period.pk)
        add_service_errors(reopen_form, ValidationError(outcome.errors))
        if action == "close":
            for message in (m for values in outcome.errors.values() for m in values):
                messages.error(request, message)
        status = 400
    context = {
        "school": school,
        "period": period,
        "reopen_form": reopen_form,
        "title": _("Close %(period)s") % {"period": period.name},
    }
    return render(request, "journal/period_close.html", context, status=status)
