"""Academic years (which one is current), study periods and holidays."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from parta.core.ids import parse_id
from parta.schools.models import AcademicYear, Holiday, School, StudyPeriod

# --- years -------------------------------------------------------------------------------


def pick_current_year(years: Iterable[AcademicYear], today: dt.date) -> AcademicYear | None:
    """The year that contains today; between years the one that started last; before the
    first year starts, the earliest — so a page always has a year to show while one exists."""
    ordered = sorted(years, key=lambda y: y.starts_on)
    if not ordered:
        return None
    started = [y for y in ordered if y.starts_on <= today]
    return started[-1] if started else ordered[0]


def school_years(school: School) -> list[AcademicYear]:
    return list(AcademicYear.objects.filter(school=school).order_by("-starts_on"))


def choose_year(years: list[AcademicYear], requested: str | None, today: dt.date) -> AcademicYear | None:
    """The year asked for in the URL if it is one of the school's, else the current one."""
    requested_id = parse_id(requested)
    if requested_id is not None:
        for year in years:
            if year.pk == requested_id:
                return year
    return pick_current_year(years, today)


def current_years(school_ids: Iterable[int], today: dt.date) -> dict[int, AcademicYear]:
    """The current year of each school, in one query."""
    by_school: dict[int, list[AcademicYear]] = defaultdict(list)
    for year in AcademicYear.objects.filter(school_id__in=list(school_ids)):
        by_school[year.school_id].append(year)
    result = {}
    for school_id, years in by_school.items():
        current = pick_current_year(years, today)
        if current is not None:
            result[school_id] = current
    return result


# --- study periods and holidays ----------------------------------------------------------


@dataclass(frozen=True)
class HolidayRow:
    school_id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    id: int = 0

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


def holidays_between(school_ids: Iterable[int], date_from: dt.date, date_to: dt.date) -> list[HolidayRow]:
    """Holidays of these schools that touch the range: one query."""
    qs = Holiday.objects.filter(
        school_id__in=list(school_ids), starts_on__lte=date_to, ends_on__gte=date_from
    )
    return [
        HolidayRow(school_id=s, name=n, starts_on=a, ends_on=b)
        for s, n, a, b in qs.order_by("starts_on").values_list("school_id", "name", "starts_on", "ends_on")
    ]


@dataclass(frozen=True)
class PeriodsAndHolidays:
    periods: list[StudyPeriod]
    holidays: list[HolidayRow]


def periods_and_holidays(year: AcademicYear) -> PeriodsAndHolidays:
    periods = list(StudyPeriod.objects.filter(year=year).order_by("kind", "starts_on", "number"))
    holidays = [
        HolidayRow(school_id=year.school_id, name=h.name, starts_on=h.starts_on, ends_on=h.ends_on, id=h.pk)
        for h in Holiday.objects.filter(year=year).order_by("starts_on")
    ]
    return PeriodsAndHolidays(periods=periods, holidays=holidays)
