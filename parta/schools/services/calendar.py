"""A school's holidays: date ranges within the academic year that never overlap."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parta.core.errors import FieldErrors
from parta.schools.models import AcademicYear, Holiday, School
from parta.schools.services.common import _admin_school
from parta.schools.services.structure import _span

HOLIDAY_NAME_MAX_LENGTH = 200  # Holiday.name


@transaction.atomic
def holiday_save(
    *,
    actor: Any,
    school: School,
    year: AcademicYear,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    holiday: Holiday | None = None,
) -> Holiday:
    """Create a holiday of the year, or change ``holiday``. Holidays fall within the academic year
    and never overlap one another (a day is a holiday once, so it is counted once)."""
    school = _admin_school(actor, school.pk)
    errors = FieldErrors()
    name = name.strip()
    if year.school_id != school.pk:
        raise ValidationError({"year": [_("This academic year belongs to another school.")]})
    if holiday is not None and (holiday.school_id != school.pk or holiday.year_id != year.pk):
        raise ValidationError({"year": [_("This holiday belongs to another year.")]})
    # The year's rows are locked so that two administrators adding holidays at once take turns
    # and the second sees the first's (no constraint can refuse overlapping ranges).
    AcademicYear.objects.select_for_update().filter(pk=year.pk).first()
    if not name:
        errors.add("name", _("Enter the name of the holiday, for example “Autumn holidays”."))
    elif len(name) > HOLIDAY_NAME_MAX_LENGTH:
        errors.add("name", _("Use at most %(max)d characters.") % {"max": HOLIDAY_NAME_MAX_LENGTH})
    if ends_on < starts_on:
        errors.add("ends_on", _("The holiday cannot end before it starts."))
    else:
        outside = _("The holiday must fall within the academic year %(year)s (%(span)s).") % {
            "year": year.name,
            "span": _span(year.starts_on, year.ends_on),
        }
        if not year.starts_on <= starts_on <= year.ends_on:
            errors.add("starts_on", outside)
        elif not year.starts_on <= ends_on <= year.ends_on:
            errors.add("ends_on", outside)
        others = Holiday.objects.filter(year=year, starts_on__lte=ends_on, ends_on__gte=starts_on)
        if holiday is not None:
            others = others.exclude(pk=holiday.pk)
        clash = others.order_by("starts_on").first()
        if clash is not None:
            errors.add(
                "starts_on",
                _("The holiday overlaps “%(name)s” (%(span)s).")
                % {"name": clash.name, "span": _span(clash.starts_on, clash.ends_on)},
            )
    errors.raise_if_any()
    if holiday is None:
        return Holiday.objects.create(
            school=school, year=year, name=name, starts_on=starts_on, ends_on=ends_on
        )
    holiday.name, holiday.starts_on, holiday.ends_on = name, starts_on, ends_on
    holiday.save(update_fields=["name", "starts_on", "ends_on"])
    return holiday


@transaction.atomic
def holiday_delete(*, actor: Any, holiday: Holiday) -> None:
    """Delete a holiday. Lessons already made for the year stay as they are; the holiday's days
    become school days again for what is made from now on."""
    _admin_school(actor, holiday.school_id)
    holiday.delete()
