"""The school administrator's weekly timetable: the draft by class group or teacher, its problems,
drafting, editing one weekly lesson, the times teachers cannot teach, and publishing with a
progress bar. Every page reaches the school through ``school_admin_page`` (another school's: 404);
the rules live in ``parta.timetable.services``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
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
from parta.schools.models import AcademicYear, School
from parta.schools.selectors import assignment_rows, buildings_with_rooms, class_group_rows, teachers_of
from parta.schools.views.common import school_admin_page, year_query
from parta.timetable.access import year_publication, year_slot
from parta.timetable.forms import PublishForm, SlotForm, UnavailabilityForm
from parta.timetable.selectors import (
    WEEKDAY_NAMES,
    SlotRow,
    bell_rows,
    has_template,
    publication_row,
    publications,
    template_problems,
    template_slots,
    unavailable_times,
)
from parta.timetable.services import (
    publication_start,
    template_build,
    template_slot_delete,
    template_slot_save,
    unavailability_set,
)
from parta.timetable.services.publishing import FINISHED


@dataclass
class GridRow:
    number: int
    time: str
    cells: list[list[SlotRow]] = field(default_factory=list)


def _grid(slots: list[SlotRow], numbers: list[tuple[int, str]]) -> tuple[list[str], list[GridRow]]:
    """The week as a table: a row per lesson number, a column per day (Saturday only when used)."""
    days = 6 if any(slot.weekday == 6 for slot in slots) else 5
    by_time: dict[tuple[int, int], list[SlotRow]] = {}
    for slot in slots:
        by_time.setdefault((slot.weekday, slot.number), []).append(slot)
    known = dict(numbers)
    for slot in slots:  # a lesson number without a bell still shows (the problems list names it)
        known.setdefault(slot.number, "")
    rows = [
        GridRow(number, known[number], [by_time.get((day, number), []) for day in range(1, days + 1)])
        for number in sorted(known)
    ]
    return [str(name) for name in WEEKDAY_NAMES[:days]], rows


def _year(context: dict[str, Any]) -> AcademicYear:
    year: AcademicYear | None = context["year"]
    if year is None:
        raise Http404
    return year


def teachers_of_school(school: School) -> list[User]:
    return list(User.objects.filter(teachers_of(school)).order_by("last_name", "first_name"))


@login_required
def template_page(request: HttpRequest, school_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "school-timetable")
    year = context["year"]
    if year is None:
        return render(request, "timetable/template.html", context)
    groups = class_group_rows(year)
    teachers = teachers_of_school(school)
    teacher_id = parse_id(request.GET.get("teacher"))
    group_id = parse_id(request.GET.get("class"))
    if teacher_id is not None and teacher_id not in {t.pk for t in teachers}:
        raise Http404
    if group_id is not None and group_id not in {g.id for g in groups}:
        raise Http404
    if teacher_id is None and group_id is None and groups:
        group_id = groups[0].id
    slots = template_slots(year.pk, class_group_id=group_id, teacher_id=teacher_id)
    bells = [(bell.number, f"{bell.starts_at:%H:%M}–{bell.ends_at:%H:%M}") for bell in bell_rows(school.pk)]
    days, rows = _grid(slots, bells)
    context |= {
        "groups": groups,
        "teachers": teachers,
        "group_id": group_id,
        "teacher_id": teacher_id,
        "days": days,
        "rows": rows,
        "problems": template_problems(year.pk, school.pk),
        "publications": publications(year.pk, limit=5),
        "has_template": bool(slots) or has_template(year.pk),
        "query": year_query(year),
    }
    return render(request, "timetable/template.html", context)


@login_required
@require_POST
def template_draft(request: HttpRequest, school_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "school-timetable")
    year = _year(context)
    try:
        # Each press drafts anew: another seed gives another week to compare.
        count = template_build(year=year, seed=timezone.now().microsecond, partial=True)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The weekly timetable is drafted: %(count)d lessons. Check the problems, then publish it.")
            % {"count": count},
        )
    return redirect(reverse("school-timetable", args=[school.pk]) + year_query(year))


def _slot_choices(school: School, year: AcademicYear) -> dict[str, list[tuple[Any, str]]]:
    rooms: list[tuple[Any, str]] = [("", _("No room"))]
    for building in buildings_with_rooms(school):
        rooms += [(room.id, f"{room.label} · {building.name}") for room in building.rooms]
    return {
        "assignment": [(a.id, f"{a.group} · {a.subject} · {a.teacher}") for a in assignment_rows(year)],
        "weekday": [(day, str(name)) for day, name in enumerate(WEEKDAY_NAMES, start=1)],
        "number": [
            (bell.number, f"{bell.number} ({bell.starts_at:%H:%M}–{bell.ends_at:%H:%M})")
            for bell in bell_rows(school.pk)
        ],
        "room": rooms,
    }


def _slot_page(request: HttpRequest, school_id: int, slot_id: int | None) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "school-timetable")
    year = _year(context)
    slot = year_slot(year, slot_id) if slot_id is not None else None
    if slot is not None:
        initial: dict[str, Any] = {
            "assignment": slot.assignment_id,
            "weekday": slot.weekday,
            "number": slot.number,
            "room": slot.room_id or "",
        }
    else:
        initial = {"assignment": parse_id(request.GET.get("assignment"))}
    form = SlotForm(request.POST or None, initial=initial, choices=_slot_choices(school, year))
    saved = submit(
        request,
        form,
        lambda: template_slot_save(
            actor=request.user,
            year=year,
            assignment_id=form.cleaned_data["assignment"],
            weekday=form.cleaned_data["weekday"],
            number=form.cleaned_data["number"],
            room_id=form.cleaned_data["room"],
            slot=slot,
        ),
        renamed={"assignment_id": "assignment", "room_id": "room"},
    )
    back = reverse("school-timetable", args=[school.pk]) + year_query(year)
    if saved is not None:
        messages.success(request, _("The lesson is in the weekly timetable."))
        return redirect(f"{back}&class={saved.class_group_id}")
    context |= {
        "form": form,
        "title": _("Move a weekly lesson") if slot else _("Add a weekly lesson"),
        "cancel_url": back,
        "delete_url": reverse("school-timetable-slot-delete", args=[school.pk, slot.pk]) + year_query(year)
        if slot
        else None,
    }
    return render(request, "schools/form.html", context, status=form_status(request))


@login_required
def slot_create(request: HttpRequest, school_id: int) -> HttpResponse:
    return _slot_page(request, school_id, None)


@login_required
def slot_edit(request: HttpRequest, school_id: int, slot_id: int) -> HttpResponse:
    return _slot_page(request, school_id, slot_id)


@login_required
@require_POST
def slot_remove(request: HttpRequest, school_id: int, slot_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "school-timetable")
    year = _year(context)
    slot = year_slot(year, slot_id)
    template_slot_delete(actor=request.user, slot=slot)
    messages.success(
        request, _("The lesson is taken out of the weekly timetable; its hour shows as unplaced.")
    )
    return redirect(
        reverse("school-timetable", args=[school.pk]) + f"{year_query(year)}&class={slot.class_group_id}"
    )


@login_required
def unavailability_page(request: HttpRequest, school_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "school-timetable")
    year = _year(context)
    teachers = teachers_of_school(school)
    teacher_id = parse_id(request.GET.get("teacher")) or (teachers[0].pk if teachers else None)
    if teacher_id is not None and teacher_id not in {t.pk for t in teachers}:
        raise Http404
    numbers = [bell.number for bell in bell_rows(school.pk)]
    times = [(day, number) for number in numbers for day in range(1, 7)]
    current = unavailable_times(year.pk, teacher_id) if teacher_id else set()
    form = UnavailabilityForm(
        request.POST or None, initial={"times": [f"{d}-{n}" for d, n in current]}, times=times
    )
    here = (
        reverse("school-timetable-unavailability", args=[school.pk])
        + f"{year_query(year)}&teacher={teacher_id}"
    )
    if teacher_id is not None:
        saved = submit(
            request,
            form,
            lambda: unavailability_set(
                actor=request.user, year=year, teacher_id=teacher_id, times=form.chosen()
            ),
        )
        if saved is not None:
            messages.success(
                request, _("Saved. Draft the timetable again, or move the lessons the problems list names.")
            )
            return redirect(here)
    chosen = set(form["times"].value() or [])
    context |= {
        "form": form,
        "teachers": teachers,
        "teacher_id": teacher_id,
        "days": [str(name) for name in WEEKDAY_NAMES],
        "grid": [(n, [(f"{d}-{n}", f"{d}-{n}" in chosen) for d in range(1, 7)]) for n in numbers],
        "back": reverse("school-timetable", args=[school.pk]) + year_query(year),
    }
    return render(request, "timetable/unavailability.html", context, status=form_status(request))


@login_required
def publish_page(request: HttpRequest, school_id: int) -> HttpResponse:
    school, context = school_admin_page(request, school_id, "school-timetable")
    year = _year(context)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    form = PublishForm(request.POST or None, initial={"since": max(tomorrow, year.starts_on)})
    publication = submit(
        request,
        form,
        lambda: publication_start(actor=request.user, year=year, since=form.cleaned_data["since"]),
    )
    if publication is not None:
        return redirect(
            reverse("school-timetable-publication", args=[school.pk, publication.pk]) + year_query(year)
        )
    context |= {
        "form": form,
        "title": _("Publish the weekly timetable"),
        "cancel_url": reverse("school-timetable", args=[school.pk]) + year_query(year),
        "submit_label": _("Publish"),
    }
    return render(request, "schools/form.html", context, status=form_status(request))


@login_required
def publication_page(request: HttpRequest, school_id: int, publication_id: int) -> HttpResponse:
    _school, context = school_admin_page(request, school_id, "school-timetable")
    year = _year(context)
    row = publication_row(year_publication(year, publication_id))
    context |= {
        "publication": row,
        "finished": row.status in FINISHED,
        "query": year_query(year),
    }
    template = (
        "timetable/_publication.html" if request.headers.get("HX-Request") else "timetable/publication.html"
    )
    return render(request, template, context)
