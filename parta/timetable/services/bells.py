"""The bell schedule: the times of each lesson number, on the school administrator's page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parta.core.errors import FieldErrors
from parta.schools.access import access_school
from parta.schools.models import School
from parta.timetable.models import Bell, TemplateSlot

MIN_BELL, MAX_BELL = 0, 12  # lesson 0 is the “zero lesson” some schools have before the first


def _time(value: dt.time) -> str:
    return value.strftime("%H:%M")


@transaction.atomic
def bell_save(
    *,
    actor: Any,
    school: School,
    number: int,
    starts_at: dt.time,
    ends_at: dt.time,
    bell: Bell | None = None,
) -> Bell:
    """Create the time of a lesson number, or change ``bell``. A lesson ends after it starts, no
    two lessons' times overlap, and a later number starts later. Lessons already made for the
    year keep the times they were made with."""
    school = access_school(actor, school.pk, for_admin=True)
    if bell is not None and bell.school_id != school.pk:
        raise ValidationError({"number": [_("This bell belongs to another school.")]})
    # The school's row is locked: two administrators editing bells at once take turns, and the
    # second is checked against the first's (no constraint can refuse overlapping times).
    School.objects.select_for_update().filter(pk=school.pk).first()
    errors = FieldErrors()
    valid_number = MIN_BELL <= number <= MAX_BELL
    if not valid_number:
        errors.add(
            "number",
            _("The lesson number must be from %(min)d to %(max)d.") % {"min": MIN_BELL, "max": MAX_BELL},
        )
    others = Bell.objects.filter(school=school)
    if bell is not None:
        others = others.exclude(pk=bell.pk)
    if valid_number and others.filter(number=number).exists():
        errors.add("number", _("Lesson %(number)d already has its times.") % {"number": number})
    if ends_at <= starts_at:
        errors.add("ends_at", _("The lesson must end after it starts."))
    else:
        for other in others.order_by("number"):
            if other.starts_at < ends_at and starts_at < other.ends_at:
                errors.add(
                    "starts_at",
                    _("The time overlaps lesson %(number)d (%(start)s–%(end)s).")
                    % {"number": other.number, "start": _time(other.starts_at), "end": _time(other.ends_at)},
                )
                break
            if valid_number and (other.number < number) != (other.starts_at < starts_at):
                errors.add(
                    "starts_at",
                    _("Lesson %(number)d is at %(start)s–%(end)s: lessons go in the order of their numbers.")
                    % {"number": other.number, "start": _time(other.starts_at), "end": _time(other.ends_at)},
                )
                break
    errors.raise_if_any()
    if bell is None:
        return Bell.objects.create(school=school, number=number, starts_at=starts_at, ends_at=ends_at)
    bell.number, bell.starts_at, bell.ends_at = number, starts_at, ends_at
    bell.save(update_fields=["number", "starts_at", "ends_at"])
    return bell


@transaction.atomic
def bell_delete(*, actor: Any, bell: Bell) -> None:
    """Delete the time of a lesson number no weekly timetable slot uses."""
    access_school(actor, bell.school_id, for_admin=True)
    if TemplateSlot.objects.filter(school_id=bell.school_id, number=bell.number).exists():
        raise ValidationError(
            {
                "bell": [
                    _(
                        "Lesson %(number)d is in the weekly timetable: "
                        "move those lessons before deleting its time."
                    )
                    % {"number": bell.number}
                ]
            }
        )
    bell.delete()
