"""The list of journals and the grid."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.core.ids import parse_id
from parta.journal import exports, scales, selectors
from parta.journal.access import access_lesson
from parta.journal.selectors import JournalPage

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
    finals = [(str(v), scales.display(page.final_scale, v)) for v in _scale_values(page.final_scale)]
    return {
        "page": page,
        "rows": exports.journal_rows(page),
        "grid_url": _grid_url(page),
        "scale_values": values,
        "period_mark_choices": [*finals, (scales.NOT_ATTESTED, scales.display_final(page.final_scale, None))],
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
    cell = exports.cell_view(page, student, column)
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
