"""The administrator's pages: the history report, closing a study period and the year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from parta.core.forms import add_service_errors
from parta.journal import selectors, services
from parta.journal.forms import (
    CloseForm,
    HistoryFilterForm,
    ReopenForm,
)
from parta.journal.views.common import (
    _attempt,
    _history_lines,
)
from parta.schools.access import access_school
from parta.schools.models import AcademicYear, StudyPeriod
from parta.schools.selectors import staff_list

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
    return _close_page(
        request,
        school,
        period,
        close=lambda early: services.period_close(request.user, period.pk, early=early),
        reopen=lambda reason: services.period_reopen(request.user, period.pk, reason),
        context={
            "is_year": False,
            "name": period.name,
            "eyebrow": period.year.name,
            "year": period.year,
            "done_close": _("The study period is closed."),
            "done_reopen": _("The study period is reopened."),
            "title": _("Close %(period)s") % {"period": period.name},
        },
    )


@login_required
def year_close(request: HttpRequest, school_id: int, year_id: int) -> HttpResponse:
    """Close the academic year (its open study periods close, its year marks lock) or reopen it
    with a reason. The school's administrators only."""
    school = access_school(request.user, school_id, for_admin=True)
    year = get_object_or_404(
        AcademicYear.objects.select_related("closed_by"), pk=year_id, school_id=school.pk
    )
    return _close_page(
        request,
        school,
        year,
        close=lambda early: services.year_close(request.user, year.pk, early=early),
        reopen=lambda reason: services.year_reopen(request.user, year.pk, reason),
        context={
            "is_year": True,
            "name": _("Academic year %(name)s") % {"name": year.name},
            "eyebrow": "",
            "year": year,
            "open_periods": selectors.open_period_names(year.pk),
            "done_close": _("The academic year is closed."),
            "done_reopen": _("The academic year is reopened."),
            "title": _("Close the academic year %(name)s") % {"name": year.name},
        },
    )


def _close_page(
    request: HttpRequest,
    school: Any,
    target: StudyPeriod | AcademicYear,
    *,
    close: Callable[[bool], Any],
    reopen: Callable[[str], Any],
    context: dict[str, Any],
) -> HttpResponse:
    """The page that closes or reopens a study period or a year: closing what has not ended yet
    asks for a confirmation that names its end date."""
    action = request.POST.get("action")
    reopen_form = ReopenForm(request.POST if action == "reopen" else None)
    close_form = CloseForm(request.POST if action == "close" else None)
    running = services.is_running(target)
    if running:
        close_form.fields["early"].label = _("Close before its end, %(date)s") % {
            "date": date_format(target.ends_on, "j E Y")
        }
    status = 200
    if request.method == "POST":
        if action == "close":
            outcome = _attempt(lambda: close(close_form.is_valid() and close_form.cleaned_data["early"]))
        elif action == "reopen":
            outcome = _attempt(lambda: reopen(request.POST.get("reason", "")))
        else:
            raise Http404
        if outcome.ok:
            messages.success(request, context["done_close"] if action == "close" else context["done_reopen"])
            return redirect(request.path)
        add_service_errors(close_form if action == "close" else reopen_form, ValidationError(outcome.errors))
        status = 400
    context |= {
        "school": school,
        "target": target,
        "running": running,
        "close_form": close_form,
        "reopen_form": reopen_form,
    }
    return render(request, "journal/period_close.html", context, status=status)
