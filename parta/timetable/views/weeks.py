"""Timetable week pages: a student's (and a parent's child's), a teacher's and a class group's.

Every page reaches its subject through ``parta.schools.access`` before reading a lesson, so a
request for someone else's timetable answers 404. An htmx request for another week gets only
the week partial of the same template; the plain links work without JavaScript.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parta.accounts.selectors import calendar_url
from parta.accounts.services import calendar_token_reset
from parta.core.dates import EARLIEST, LATEST
from parta.schools.access import (
    access_class_group,
    access_person,
    is_self_or_child,
    person_school_scope,
    readable_class_group_ids,
    readable_staff_ids,
    roles_of,
)
from parta.schools.selectors import (
    HolidayRow,
    children_of,
    holidays_between,
    student_placement,
    teacher_school_ids,
)
from parta.timetable.selectors import (
    Day,
    LessonRow,
    lessons_for_class_group,
    lessons_for_student,
    lessons_for_teacher,
    week_days,
    week_start,
)

TEMPLATE = "timetable/week.html"


@dataclass(frozen=True)
class Week:
    monday: dt.date
    last_day: dt.date
    previous: dt.date
    next: dt.date
    this_week: dt.date
    notice: str | None

    @property
    def is_current(self) -> bool:
        return self.monday == self.this_week


@dataclass(frozen=True)
class DayView:
    day: Day
    holiday: str | None


@dataclass(frozen=True)
class Tab:
    name: str
    url: str
    active: bool


def parse_week(raw: str | None, today: dt.date) -> Week:
    """The week of ``?week=`` (any day of it). A value that is not a date falls back to this
    week with a notice on the page, rather than an error page: it usually comes from an old
    bookmark or a hand-edited address, and the reader still wants a timetable."""
    this_week = week_start(today)
    monday, notice = this_week, None
    if raw:
        try:
            day = dt.date.fromisoformat(raw)
            # Dates outside these are typos, and the week arithmetic must not overflow.
            if not EARLIEST <= day <= LATEST:
                raise ValueError(raw)
            monday = week_start(day)
        except ValueError:
            notice = _("“%(value)s” is not a date in the form YYYY-MM-DD, so this week is shown.") % {
                "value": raw[:40]
            }
    return Week(
        monday=monday,
        last_day=monday + dt.timedelta(days=5),
        previous=monday - dt.timedelta(days=7),
        next=monday + dt.timedelta(days=7),
        this_week=this_week,
        notice=notice,
    )


def _days(rows: list[LessonRow], week: Week, holidays: list[HolidayRow]) -> list[DayView]:
    views = []
    for day in week_days(rows, week.monday):
        holiday = next((h.name for h in holidays if h.starts_on <= day.date <= h.ends_on), None)
        views.append(DayView(day=day, holiday=holiday))
    return views


def _links(user: Any, rows: list[LessonRow]) -> tuple[set[int], set[int]]:
    """Which class groups and teachers in these lessons the viewer may open: two queries at
    most, so that the page links only to pages that will not answer 404."""
    if not rows:
        return set(), set()
    group_ids = {r.class_group_id for r in rows}
    teacher_ids = {r.teacher_id for r in rows} | {
        r.replaced_teacher_id for r in rows if r.replaced_teacher_id
    }
    return readable_class_group_ids(user, group_ids), readable_staff_ids(user, teacher_ids)


def _render(
    request: HttpRequest, context: dict[str, Any], rows: list[LessonRow], holidays: list[HolidayRow]
) -> HttpResponse:
    week: Week = context["week"]
    groups, teachers = _links(request.user, rows)
    context |= {
        "days": _days(rows, week, holidays),
        "lesson_count": sum(1 for r in rows if not r.is_cancelled),
        "linkable_groups": groups,
        "linkable_teachers": teachers,
        "page_url": request.path,
    }
    htmx = getattr(request, "htmx", None)
    # A history-restore request (back button after the cache expired) needs the whole page.
    partial = bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
    context["is_partial"] = partial
    response = render(request, f"{TEMPLATE}#week" if partial else TEMPLATE, context)
    # The same URL answers a page or a partial: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
def timetable_mine(request: HttpRequest) -> HttpResponse:
    """The timetable a user most likely wants: their own, or their first child's."""
    roles = roles_of(request.user)
    suffix = "?" + urlencode({"week": request.GET["week"]}) if request.GET.get("week") else ""
    if roles.is_teacher:
        return redirect(reverse("timetable-teacher", args=[roles.user_id]) + suffix)
    if roles.is_student:
        return redirect(reverse("timetable-student", args=[roles.user_id]) + suffix)
    first_child = children_of(roles).values_list("pk", flat=True).first() if roles.is_guardian else None
    if first_child is not None:
        return redirect(reverse("timetable-student", args=[first_child]) + suffix)
    raise Http404


def child_tabs(request: HttpRequest, student_id: int, url_name: str, query: str = "") -> list[Tab]:
    """A parent switches between their children on the same page (``url_name`` with the child's
    id, then ``query``): one query, none for anyone else; no tabs for an only child."""
    roles = roles_of(request.user)
    if student_id not in roles.child_ids or len(roles.child_ids) < 2:
        return []
    children = list(children_of(roles).only("pk", "first_name", "username"))
    if len(children) < 2:
        # The others cannot sign in (any more): nothing to switch to.
        return []
    return [
        Tab(
            name=child.first_name or child.username,
            url=reverse(url_name, args=[child.pk]) + query,
            active=child.pk == student_id,
        )
        for child in children
    ]


@login_required
def timetable_student(request: HttpRequest, student_id: int) -> HttpResponse:
    # Self, a guardian, staff who teach the student's class, an administrator of the school.
    student = access_person(request.user, student_id)
    week = parse_week(request.GET.get("week"), timezone.localdate())
    placement = student_placement(student.pk, week.monday)
    if placement is None:
        # Not a student: there is no timetable to show under this address.
        raise Http404
    rows = lessons_for_student(
        student.pk, week.monday, week.last_day, school_ids=person_school_scope(request.user, student.pk)
    )
    holidays = holidays_between([placement.school_id], week.monday, week.last_day)
    context = {
        "kind": "student",
        "title": student.full_name or student.username,
        "subtitle": _("Class %(name)s") % {"name": placement.class_group},
        "week": week,
        "tabs": child_tabs(request, student.pk, "timetable-student", f"?week={week.monday.isoformat()}"),
        "calendar_url": _calendar_url(request, student.pk),
        "show_group": False,
        "show_teacher": True,
    }
    return _render(request, context, rows, holidays)


@login_required
def timetable_teacher(request: HttpRequest, teacher_id: int) -> HttpResponse:
    teacher = access_person(request.user, teacher_id)
    school_ids = teacher_school_ids(teacher.pk)
    if not school_ids:
        raise Http404
    week = parse_week(request.GET.get("week"), timezone.localdate())
    rows = lessons_for_teacher(
        teacher.pk, week.monday, week.last_day, school_ids=person_school_scope(request.user, teacher.pk)
    )
    holidays = holidays_between(school_ids, week.monday, week.last_day)
    context = {
        "kind": "teacher",
        "title": teacher.full_name or teacher.username,
        "subtitle": _("Teacher"),
        "week": week,
        "tabs": [],
        "show_group": True,
        "show_teacher": False,
        "person_id": teacher.pk,
        "calendar_url": _calendar_url(request, teacher.pk),
    }
    return _render(request, context, rows, holidays)


def _calendar_url(request: HttpRequest, person_id: int) -> str | None:
    """The viewer's own feed address, offered on the pages that feed holds: your own
    timetable, or a child's (a parent's feed carries every child's lessons)."""
    if not is_self_or_child(request.user, person_id):
        return None
    return calendar_url(request, request.user)  # type: ignore[arg-type]


@login_required
@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    """A new secret for the viewer's calendar feed: the old address stops working at once."""
    calendar_token_reset(user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Your calendar has a new address; the old one no longer works."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("timetable")
    return redirect(target)


@login_required
def timetable_class(request: HttpRequest, class_group_id: int) -> HttpResponse:
    group = access_class_group(request.user, class_group_id)
    week = parse_week(request.GET.get("week"), timezone.localdate())
    rows = lessons_for_class_group(group, week.monday, week.last_day)
    holidays = holidays_between([group.school_id], week.monday, week.last_day)
    teacher = group.class_teacher
    context = {
        "kind": "class",
        "title": _("Class %(name)s") % {"name": group.name},
        "subtitle": (
            _("Class teacher: %(name)s") % {"name": teacher.full_name or teacher.username}
            if teacher
            else group.school.short_name
        ),
        "week": week,
        "tabs": [],
        "show_group": False,
        "show_teacher": True,
    }
    return _render(request, context, rows, holidays)
