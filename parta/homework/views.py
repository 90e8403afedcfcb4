"""Homework pages: setting it at a lesson, the student's (and parent's) list with the tick, the
teacher's "who has done it", and file downloads.

Every view reaches its object through ``parta.homework.access`` (404 for anything not the
user's), reads through selectors.py and writes through services.py. Every form is a plain POST
that works without JavaScript; the tick is also sent by htmx, which swaps only the tick.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parta.accounts.decorators import session_or_token
from parta.core.files import download_response
from parta.core.ids import parse_id
from parta.homework import selectors, services, work
from parta.homework.access import access_homework, access_homework_file, access_lesson_for_homework
from parta.homework.forms import (
    HomeworkEditForm,
    HomeworkForm,
    format_links,
    materials_offer,
    new_homework_form,
)
from parta.schools.access import access_person, roles_of
from parta.schools.selectors import children_of

# How far back the list goes: homework due earlier is history, not a to-do.
LIST_DAYS_BACK = 28


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


# --- setting homework at a lesson ----------------------------------------------------------


@login_required
def lesson_homework(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """The homework of a lesson the user teaches, and the form to set more."""
    lesson = access_lesson_for_homework(request.user, lesson_id)
    page_url = reverse("homework-lesson", args=[lesson.pk])
    if request.method == "POST":
        offered = materials_offer(request.user, lesson, request.POST.getlist("materials"))
        form = HomeworkForm(request.POST, request.FILES, lesson=lesson, offered=offered)
        if form.is_valid():
            try:
                services.homework_set(
                    request.user,
                    lesson_id=lesson.pk,
                    files=form.uploaded_files(),
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("The homework is set."))
                return redirect(_next_url(request, page_url))
    else:
        form = new_homework_form(lesson, request.user)
    context = {
        "lesson": lesson,
        "form": form,
        "homework": selectors.homework_for_lessons([lesson.pk]).get(lesson.pk, []),
        "next": _next_url(request, page_url),
    }
    return render(request, "homework/lesson.html", context, status=400 if form.errors else 200)


@login_required
def homework_edit(request: HttpRequest, homework_id: int) -> HttpResponse:
    homework = access_homework(request.user, homework_id, for_write=True)
    lesson_url = reverse("homework-lesson", args=[homework.lesson_id])
    current = selectors.homework_for_lessons([homework.lesson_id]).get(homework.lesson_id, [])
    row = next(item for item in current if item.id == homework.pk)
    chosen = request.POST.getlist("materials") if request.method == "POST" else [m.id for m in row.materials]
    offered = materials_offer(request.user, homework.lesson, chosen)
    if request.method == "POST":
        form = HomeworkEditForm(
            request.POST, request.FILES, lesson=homework.lesson, files_attached=row.files, offered=offered
        )
        if form.is_valid():
            try:
                services.homework_update(
                    request.user,
                    homework.pk,
                    files_add=form.uploaded_files(),
                    files_remove=form.cleaned_data.get("remove_files") or [],
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("The homework is changed."))
                return redirect(_next_url(request, lesson_url))
    else:
        form = HomeworkEditForm(
            lesson=homework.lesson,
            files_attached=row.files,
            offered=offered,
            initial={
                "text": homework.text,
                "due_on": homework.due_on,
                "links": format_links(row.links),
                "materials": [m.id for m in row.materials],
                "minutes": homework.minutes,
                "students": list(homework.students.values_list("student_id", flat=True)),
            },
        )
    context = {
        "homework": homework,
        "lesson": homework.lesson,
        "form": form,
        "cancel_url": _next_url(request, lesson_url),
        "next": _next_url(request, lesson_url),
    }
    return render(request, "homework/edit.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def homework_delete(request: HttpRequest, homework_id: int) -> HttpResponse:
    homework = access_homework(request.user, homework_id, for_write=True)
    lesson_url = reverse("homework-lesson", args=[homework.lesson_id])
    services.homework_delete(request.user, homework.pk)
    messages.success(request, _("The homework is deleted."))
    return redirect(_next_url(request, lesson_url))


# --- the student's list --------------------------------------------------------------------


def _list_student(request: HttpRequest) -> int:
    """The student whose list is asked for, or the user's own, or their first child's."""
    roles = roles_of(request.user)
    asked = parse_id(request.GET.get("student"))
    if asked is not None:
        return asked
    if roles.is_student:
        return roles.user_id
    first_child = children_of(roles).values_list("pk", flat=True).first() if roles.is_guardian else None
    if first_child is None:
        raise Http404
    return int(first_child)


@login_required
def homework_list(request: HttpRequest) -> HttpResponse:
    """A student's homework: to do, done or all; the student ticks, the parent sees."""
    student_id = _list_student(request)
    student = access_person(request.user, student_id)
    status = request.GET.get("status") or "todo"
    if status not in selectors.STATUSES:
        status = "todo"
    today = timezone.localdate()
    rows = selectors.homework_list(
        request.user,
        student.pk,
        status=status,  # type: ignore[arg-type]
        date_from=today - dt.timedelta(days=LIST_DAYS_BACK),
    )
    roles = roles_of(request.user)
    children = list(children_of(roles).only("pk", "first_name", "username")) if roles.is_guardian else []
    base = reverse("homework-list")
    context: dict[str, Any] = {
        "student": student,
        "rows": rows,
        "status": status,
        "statuses": [
            ("todo", _("To do")),
            ("done", _("Done")),
            ("all", _("All")),
        ],
        "base_url": base,
        "can_tick": student.pk == roles.user_id,
        "today": today,
        "children": [
            {
                "name": child.first_name or child.username,
                "url": base + "?" + urlencode({"student": str(child.pk), "status": status}),
                "active": child.pk == student.pk,
            }
            for child in children
        ]
        if len(children) > 1
        else [],
        "here": request.get_full_path(),
    }
    return render(request, "homework/list.html", context)


@login_required
@require_POST
def homework_tick(request: HttpRequest, homework_id: int) -> HttpResponse:
    """The student ticks (done=1) or unticks (done=0) their homework; only the student may."""
    done = request.POST.get("done") == "1"
    done_at = None
    if done:
        done_at = work.homework_done(request.user, homework_id).done_at
    else:
        work.homework_undone(request.user, homework_id)
    if getattr(request, "htmx", False):
        context = {
            "row": {"id": homework_id, "done": done, "done_at": done_at},
            "can_tick": True,
            "here": _next_url(request, reverse("homework-list")),
        }
        return render(request, "homework/list.html#tick", context)
    return redirect(_next_url(request, reverse("homework-list")))


# --- files ---------------------------------------------------------------------------------


@session_or_token
def homework_file(request: HttpRequest, file_id: int) -> FileResponse:
    """A homework file, to whoever may read the homework (in the browser or with an API token); a
    sandboxed download, never shown inline."""
    record = access_homework_file(request.user, file_id)
    return download_response(record.file, record.name)
