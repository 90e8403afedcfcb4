"""Reads for the administrator's timetable page: the weekly template, what is wrong with it,
the times teachers cannot teach, and the publications (the timetable's history)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parta.core.i18n import picker
from parta.core.names import class_group_name, room_label, short_name, subgroup_name
from parta.schools.models import TeachingAssignment
from parta.timetable.models import Bell, Publication, TemplateSlot, Unavailability


@dataclass(frozen=True)
class SlotRow:
    id: int
    weekday: int
    number: int
    assignment_id: int
    subject: str
    class_group_id: int
    class_group: str
    subgroup: str | None
    teacher_id: int
    teacher: str
    room_id: int | None
    room: str | None


def template_slots(
    year_id: int, *, class_group_id: int | None = None, teacher_id: int | None = None
) -> list[SlotRow]:
    """The year's weekly lessons (all, or one class group's, or one teacher's), in week order."""
    slots = TemplateSlot.objects.filter(year_id=year_id)
    if class_group_id is not None:
        slots = slots.filter(class_group_id=class_group_id)
    if teacher_id is not None:
        slots = slots.filter(teacher_id=teacher_id)
    pick = picker()
    rows = []
    for r in slots.order_by("weekday", "number", "subgroup__number").values(
        "id",
        "weekday",
        "number",
        "assignment_id",
        "assignment__subject__name_ru",
        "assignment__subject__name_en",
        "class_group_id",
        "class_group__grade",
        "class_group__letter",
        "subgroup__number",
        "teacher_id",
        "teacher__last_name",
        "teacher__first_name",
        "teacher__middle_name",
        "room_id",
        "room__name",
    ):
        group = class_group_name(r["class_group__grade"], r["class_group__letter"])
        rows.append(
            SlotRow(
                id=r["id"],
                weekday=r["weekday"],
                number=r["number"],
                assignment_id=r["assignment_id"],
                subject=pick(r["assignment__subject__name_ru"], r["assignment__subject__name_en"]),
                class_group_id=r["class_group_id"],
                class_group=group,
                subgroup=subgroup_name(group, r["subgroup__number"]),
                teacher_id=r["teacher_id"],
                teacher=short_name(
                    r["teacher__last_name"], r["teacher__first_name"], r["teacher__middle_name"]
                ),
                room_id=r["room_id"],
                room=room_label(r["room__name"]),
            )
        )
    return rows


def has_template(year_id: int) -> bool:
    return TemplateSlot.objects.filter(year_id=year_id).exists()


@dataclass(frozen=True)
class TemplateProblem:
    """Something in the weekly template to put right before (or after) publishing it."""

    kind: str  # unplaced | extra | unavailable | no_bell
    message: str
    assignment_id: int | None = None
    slot_id: int | None = None
    class_group_id: int | None = None


def _assignment_label(row: Mapping[str, Any], pick: Callable[[str, str], str]) -> str:
    group = class_group_name(row["class_group__grade"], row["class_group__letter"])
    teacher = short_name(row["teacher__last_name"], row["teacher__first_name"], row["teacher__middle_name"])
    where = subgroup_name(group, row["subgroup__number"]) or group
    return f"{where} · {pick(row['subject__name_ru'], row['subject__name_en'])} · {teacher}"


def template_problems(year_id: int, school_id: int) -> list[TemplateProblem]:
    """Hours of teaching assignments the week does not hold (or holds too many of), lessons at
    a time their teacher cannot teach, and lesson numbers without a time in the bell schedule.
    Four queries, whatever the school's size."""
    pick = picker()
    placed = Counter(TemplateSlot.objects.filter(year_id=year_id).values_list("assignment_id", flat=True))
    problems = []
    assignments = TeachingAssignment.objects.filter(year_id=year_id).order_by(
        "class_group__grade", "class_group__letter", "subject__order", "subgroup__number"
    )
    for row in assignments.values(
        "id",
        "hours_per_week",
        "class_group_id",
        "class_group__grade",
        "class_group__letter",
        "subgroup__number",
        "subject__name_ru",
        "subject__name_en",
        "teacher__last_name",
        "teacher__first_name",
        "teacher__middle_name",
    ):
        hours, count = row["hours_per_week"], placed.get(row["id"], 0)
        if count == hours:
            continue
        label = _assignment_label(row, pick)
        if count < hours:
            kind = "unplaced"
            message = _("%(what)s: %(missing)d of %(hours)d weekly lessons are not in the week.") % {
                "what": label,
                "missing": hours - count,
                "hours": hours,
            }
        else:
            kind = "extra"
            message = _("%(what)s: %(count)d lessons in the week, %(hours)d planned.") % {
                "what": label,
                "count": count,
                "hours": hours,
            }
        problems.append(
            TemplateProblem(kind, message, assignment_id=row["id"], class_group_id=row["class_group_id"])
        )
    blocked = set(
        Unavailability.objects.filter(year_id=year_id).values_list("teacher_id", "weekday", "number")
    )
    numbers = set(Bell.objects.filter(school_id=school_id).values_list("number", flat=True))
    if blocked or placed:
        for slot in template_slots(year_id):
            where = f"{slot.subgroup or slot.class_group} · {slot.subject} · {slot.teacher}"
            day = WEEKDAY_NAMES[slot.weekday - 1]
            if (slot.teacher_id, slot.weekday, slot.number) in blocked:
                message = _("%(what)s: %(day)s, lesson %(number)d is a time the teacher cannot teach.") % {
                    "what": where,
                    "day": day,
                    "number": slot.number,
                }
                problems.append(
                    TemplateProblem("unavailable", message, slot.assignment_id, slot.id, slot.class_group_id)
                )
            if slot.number not in numbers:
                message = _("%(what)s: lesson %(number)d has no time in the bell schedule.") % {
                    "what": where,
                    "number": slot.number,
                }
                problems.append(
                    TemplateProblem("no_bell", message, slot.assignment_id, slot.id, slot.class_group_id)
                )
    return problems


WEEKDAY_NAMES = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
)


def unavailable_times(year_id: int, teacher_id: int) -> set[tuple[int, int]]:
    return set(
        Unavailability.objects.filter(year_id=year_id, teacher_id=teacher_id).values_list("weekday", "number")
    )


@dataclass(frozen=True)
class PublicationRow:
    id: int
    since: dt.date
    status: str
    status_label: str
    progress: int
    created_at: dt.datetime
    finished_at: dt.datetime | None
    started_by: str
    result: dict[str, Any]


def publication_row(publication: Publication) -> PublicationRow:
    from parta.timetable.services.publishing import publication_progress

    by = publication.started_by
    return PublicationRow(
        id=publication.pk,
        since=publication.since,
        status=publication.status,
        status_label=str(publication.get_status_display()),
        progress=publication_progress(publication),
        created_at=publication.created_at,
        finished_at=publication.finished_at,
        started_by=by.short_name if by else "",
        result=publication.result,
    )


def publications(year_id: int, *, limit: int = 10) -> list[PublicationRow]:
    """The year's latest publications, newest first: the timetable's history."""
    rows = Publication.objects.filter(year_id=year_id).select_related("started_by").order_by("-created_at")
    return [publication_row(p) for p in rows[:limit]]
