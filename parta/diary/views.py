"""Diary pages for a student and their family: the week, marks per subject (with a chart), the
attendance summary with the parent's absence notices, and the report card (page and PDF).

Each page passes ``access_diary`` (through the selectors) before reading anything; a request for
someone else's diary answers 404. A parent switches between children with tabs that keep the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from parta.accounts.decorators import session_or_token
from parta.core.forms import DateField
from parta.core.ids import parse_id
from parta.diary.pdf import report_card_pdf
from parta.diary.reach import access_diary
from parta.diary.selectors import check_notice_of, choose_day, diary_week, subject_plan
from parta.diary.summaries import (
    PeriodChoice,
    attendance_summary,
    marks_summary,
    report_card,
    subject_detail,
)
from parta.journal.selectors import absence_notices_for_student
from parta.journal.services import absence_notice_create, absence_notice_withdraw
from parta.schools.access import roles_of
from parta.schools.selectors import children_of
from parta.timetable.views import child_tabs, parse_week


def _homework_url(student_id: int) -> str | None:
    """The homework app's list for this student, once it has one."""
    try:
        return reverse("homework-list") + f"?student={student_id}"
    except NoReverseMatch:
        return None


def _nav(request: HttpRequest, student_id: int, section: str) -> dict[str, Any]:
    """What every diary page shows above its content: the diary's sections and the child tabs."""
    sections = [
        ("week", _("Week"), reverse("diary-week", args=[student_id])),
        ("marks", _("Marks"), reverse("diary-marks", args=[student_id])),
        ("attendance", _("Attendance"), reverse("diary-attendance", args=[student_id])),
        ("report-card", _("Report card"), reverse("diary-report-card", args=[student_id])),
    ]
    homework = _homework_url(student_id)
    if homework:
        sections.insert(1, ("homework", _("Homework"), homework))
    url_name = {
        "week": "diary-week",
        "marks": "diary-marks",
        "attendance": "diary-attendance",
        "report-card": "diary-report-card",
    }.get(section, "diary-week")
    return {
        "sections": [
            {"key": k, "label": label, "url": url, "active": k == section} for k, label, url in sections
        ],
        "tabs": child_tabs(request, student_id, url_name),
    }


def _period_links(request: HttpRequest, choice: PeriodChoice) -> list[dict[str, Any]]:
    links = [
        {"label": p.name, "url": f"{request.path}?period={p.id}", "active": choice.period == p}
        for p in choice.periods
    ]
    links.append({"label": _("Year"), "url": f"{request.path}?period=year", "active": choice.period is None})
    return links


@login_required
def diary_home(request: HttpRequest) -> HttpResponse:
    """The diary a user most likely wants: a student's own; a parent's chosen child (``?student=``)
    or first child."""
    roles = roles_of(request.user)
    wanted = parse_id(request.GET.get("student"))
    if wanted is not None and (wanted in roles.child_ids or wanted == roles.user_id):
        return redirect("diary-week", student_id=wanted)
    if roles.is_student:
        return redirect("diary-week", student_id=roles.user_id)
    first_child = children_of(roles).values_list("pk", flat=True).first() if roles.is_guardian else None
    if first_child is not None:
        return redirect("diary-week", student_id=first_child)
    raise Http404


# How the week page lays its days out: one day at a time (a phone), the whole week, or (no choice) by
# the screen's width, which the page's CSS decides.
VIEWS = ("day", "week")


def _asked_day(raw: str | None) -> dt.date | None:
    """``?date=``: the day to show, when it is a date (``parse_week`` reads it for the week and
    tells of a bad one)."""
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@login_required
def diary_week_page(request: HttpRequest, student_id: int) -> HttpResponse:
    """The week day by day; a phone shows one day of it at a time (``?date=``, default today or
    the next school day) with links to the day before and after, a desktop the whole week.
    ``?view=day`` or ``?view=week`` chooses either whatever the screen."""
    today = timezone.localdate()
    raw_date, raw_week = request.GET.get("date"), request.GET.get("week")
    week = parse_week(raw_date or raw_week, today)
    diary = diary_week(request.user, student_id, week.monday)
    if not (raw_date or raw_week) and diary.days[-1].date < today:
        # The weekend: the days to come are next week's.
        week = parse_week(week.next.isoformat(), today)
        diary = diary_week(request.user, student_id, week.monday)
    asked = _asked_day(raw_date)
    day = choose_day(diary.days, asked, today)
    view = request.GET.get("view", "")
    view = view if view in VIEWS else ""
    context = {
        "student": diary.student,
        "own": diary.student.id == request.user.pk,
        "week": week,
        "diary": diary,
        "view_day": day,
        "view": view or "auto",
        "page_url": request.path,
        **_nav(request, student_id, "week"),
    }
    context |= {
        "previous_day": _day_query(day.previous, view),
        "next_day": _day_query(day.next, view),
        "day_links": [
            {"date": d.date, "url": _day_query(d.date, view), "selected": d.date == day.date}
            for d in diary.days
        ],
        "as_day": _day_query(day.date, "day"),
        "as_week": _day_query(day.date, "week"),
    }
    # Keep the week (and the day, once one was chosen) when switching children.
    query = f"?date={asked.isoformat()}" if asked else f"?week={week.monday.isoformat()}"
    context["tabs"] = child_tabs(request, student_id, "diary-week", query)
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
    context["is_partial"] = partial
    response = render(request, "diary/week.html#week" if partial else "diary/week.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _day_query(day: dt.date, view: str) -> str:
    query = {"date": day.isoformat(), **({"view": view} if view else {})}
    return "?" + urlencode(query)


@login_required
def diary_marks_page(request: HttpRequest, student_id: int) -> HttpResponse:
    summary = marks_summary(request.user, student_id, request.GET.get("period"))
    context = {
        "student": summary.student,
        "summary": summary,
        "period_links": _period_links(request, summary.choice),
        "period_query": _period_query(summary.choice),
        **_nav(request, student_id, "marks"),
    }
    return render(request, "diary/marks.html", context)


def _period_query(choice: PeriodChoice) -> str:
    return f"?period={choice.period.id}" if choice.period else "?period=year"


@login_required
def diary_subject_page(request: HttpRequest, student_id: int, subject_code: str) -> HttpResponse:
    detail = subject_detail(request.user, student_id, subject_code, request.GET.get("period"))
    context = {
        "student": detail.student,
        "detail": detail,
        "chart": detail.chart_data(),
        "plan": subject_plan(detail.student, subject_code),
        "period_links": _period_links(request, detail.choice),
        **_nav(request, student_id, "marks"),
    }
    return render(request, "diary/subject.html", context)


class AbsenceNoticeForm(forms.Form):
    starts_on = DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


@login_required
@require_http_methods(["GET", "POST"])
def diary_attendance_page(request: HttpRequest, student_id: int) -> HttpResponse:
    """The attendance summary; a guardian also reports an absence here (a plain form post)."""
    choice, summary = attendance_summary(request.user, student_id, request.GET.get("period"))
    is_guardian = student_id in roles_of(request.user).child_ids
    today = timezone.localdate()
    form = AbsenceNoticeForm(initial={"starts_on": today, "ends_on": today})
    if request.method == "POST":
        if not is_guardian:
            raise Http404
        form = AbsenceNoticeForm(request.POST)
        if form.is_valid():
            try:
                result = absence_notice_create(
                    request.user,
                    student_id=student_id,
                    starts_on=form.cleaned_data["starts_on"],
                    ends_on=form.cleaned_data["ends_on"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                for name, problems in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                messages.success(
                    request,
                    _("The absence is reported; %(count)d lessons are marked excused.")
                    % {"count": result.excused_lessons},
                )
                return redirect("diary-attendance", student_id=student_id)
    context = {
        "student": summary.student,
        "choice": choice,
        "summary": summary,
        "period_links": _period_links(request, choice),
        "notices": absence_notices_for_student(request.user, student_id, include_withdrawn=True),
        "today": today,
        "form": form if is_guardian else None,
        **_nav(request, student_id, "attendance"),
    }
    return render(request, "diary/attendance.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def absence_notice_withdraw_view(request: HttpRequest, student_id: int, notice_id: int) -> HttpResponse:
    student = access_diary(request.user, student_id)
    if student_id not in roles_of(request.user).child_ids:
        raise Http404
    check_notice_of(student, notice_id)
    try:
        absence_notice_withdraw(request.user, notice_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The absence notice is withdrawn."))
    return redirect("diary-attendance", student_id=student_id)


@login_required
def diary_report_card_page(request: HttpRequest, student_id: int) -> HttpResponse:
    card = report_card(request.user, student_id, request.GET.get("period"))
    context = {
        "student": card.student,
        "card": card,
        "period_links": _period_links(request, card.choice),
        "pdf_url": reverse("diary-report-card-pdf", args=[student_id]) + _period_query(card.choice),
        **_nav(request, student_id, "report-card"),
    }
    return render(request, "diary/report_card.html", context)


@session_or_token
def diary_report_card_pdf(request: HttpRequest, student_id: int) -> HttpResponse:
    """The report card as a PDF file to keep (the page prints itself), in the browser or with an API
    token."""
    card = report_card(request.user, student_id, request.GET.get("period"))
    response = HttpResponse(report_card_pdf(card), content_type="application/pdf")
    filename = f"report-card-{card.student.id}-{card.choice.date_from.isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
