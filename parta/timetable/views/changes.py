"""The administrator's substitutions page: a day's lessons of an absent teacher with the changes of
the day, and one lesson's page to substitute (free teachers of the subject offered first), cancel,
hand back or restore it, with its history. The school comes through ``school_admin_page``, the
lesson through ``access.lesson_for_admin``: another school's is 404. The rules live in
``parta.timetable.services.changes``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parta.accounts.models import User
from parta.core.forms import form_status, submit
from parta.core.ids import parse_id
from parta.schools.views.common import school_admin_page
from parta.timetable.access import lesson_for_admin
from parta.timetable.forms import CancelForm, SubstituteForm
from parta.timetable.models import Lesson
from parta.timetable.selectors import (
    changed_lessons,
    lesson_changes,
    lesson_row,
    lessons_for_teacher,
    substitute_candidates,
)
from parta.timetable.services import lesson_cancel, lesson_hand_back, lesson_restore, lesson_substitute
from parta.timetable.views.template import teachers_of_school


def _day(raw: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@login_required
def substitutions_page(request: HttpRequest, school_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "school-subs")
    day = _day(request.GET.get("date"))
    teachers = teachers_of_school(school)
    teacher_id = parse_id(request.GET.get("teacher"))
    if teacher_id is not None and teacher_id not in {t.pk for t in teachers}:
        raise Http404
    context |= {
        "day": day,
        "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "teachers": teachers,
        "teacher_id": teacher_id,
        "lessons": lessons_for_teacher(teacher_id, day, day, school_ids=frozenset({school.pk}))
        if teacher_id
        else [],
        "changed": changed_lessons(school.pk, day, day),
        "hide_years": True,
    }
    return render(request, "timetable/substitutions.html", context)


def _lesson(request: HttpRequest, school_id: int, lesson_id: int) -> tuple[Any, dict[str, Any], Lesson]:
    school, context = school_admin_page(request, school_id, "school-subs")
    return school, context, lesson_for_admin(request.user, lesson_id, school_id=school.pk)


def _back(school_id: int, lesson: Lesson) -> str:
    return reverse("school-lesson-change", args=[school_id, lesson.pk])


@login_required
def lesson_change_page(request: HttpRequest, school_id: int, lesson_id: int) -> HttpResponse:
    school, context, lesson = _lesson(request, school_id, lesson_id)
    candidates = substitute_candidates(lesson)
    substitute = SubstituteForm(
        request.POST if request.POST.get("action") == "substitute" else None, candidates=candidates
    )
    cancel = CancelForm(request.POST if request.POST.get("action") == "cancel" else None)
    done = submit(
        request,
        substitute,
        lambda: lesson_substitute(
            actor=request.user,
            lesson=lesson,
            teacher=User.objects.get(pk=substitute.cleaned_data["teacher"]),
            note=substitute.cleaned_data["note"],
        ),
    ) or submit(
        request,
        cancel,
        lambda: lesson_cancel(actor=request.user, lesson=lesson, reason=cancel.cleaned_data["reason"]),
    )
    if done is not None:
        messages.success(request, _("Saved. The class's families and the teachers concerned are told."))
        return redirect(_back(school.pk, lesson))
    context |= {
        "lesson": lesson_row(lesson),
        "substitute_form": substitute,
        "cancel_form": cancel,
        "has_candidates": bool(candidates),
        "changes": lesson_changes(lesson.pk),
        "day_url": reverse("school-substitutions", args=[school.pk])
        + f"?date={lesson.date.isoformat()}&teacher={lesson.replaced_teacher_id or lesson.teacher_id}",
        "hide_years": True,
    }
    return render(request, "timetable/lesson_change.html", context, status=form_status(request))


def _act(
    request: HttpRequest, school_id: int, lesson_id: int, act: Callable[[Lesson], object]
) -> HttpResponse:
    school, _context, lesson = _lesson(request, school_id, lesson_id)
    try:
        act(lesson)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Saved. The class's families and the teachers concerned are told."))
    return redirect(_back(school.pk, lesson))


@login_required
@require_POST
def lesson_hand_back_view(request: HttpRequest, school_id: int, lesson_id: int) -> HttpResponse:
    return _act(
        request, school_id, lesson_id, lambda lesson: lesson_hand_back(actor=request.user, lesson=lesson)
    )


@login_required
@require_POST
def lesson_restore_view(request: HttpRequest, school_id: int, lesson_id: int) -> HttpResponse:
    return _act(
        request, school_id, lesson_id, lambda lesson: lesson_restore(actor=request.user, lesson=lesson)
    )
