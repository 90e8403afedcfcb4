"""A cell's forms (marks, attendance) and period marks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parta.core.forms import add_service_errors
from parta.core.ids import parse_id
from parta.journal import exports, selectors, services
from parta.journal.access import access_lesson
from parta.journal.forms import (
    AttendanceForm,
    MarkDeleteForm,
    MarkEditForm,
    MarkForm,
    PeriodMarkForm,
)
from parta.journal.models import Attendance
from parta.journal.selectors import LessonPage, LessonStudent
from parta.journal.views.common import (
    HistoryLine,
    Outcome,
    _attempt,
    _history_lines,
    _is_htmx,
    _next_url,
    _stale_message,
)
from parta.journal.views.grid import (
    _cell_response,
    _grid_context,
    _grid_url,
    _period_param,
)

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
        value, not_attested = form.mark()
        outcome = _attempt(
            lambda: services.period_mark_set(
                request.user,
                student_id=student_id,
                subject_id=page.assignment.subject_id,
                class_group_id=page.assignment.class_group_id,
                period_id=None if year else period.id,
                value=value,
                not_attested=not_attested,
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
