"""The study year as a Moscow school lives it: September to May, four quarters split by
autumn, winter and spring holidays, the public days off, and the bell schedule."""

from __future__ import annotations

import datetime as dt

from parta.schools.models import AcademicYear, Holiday, School, StudyPeriod
from parta.timetable.models import USUAL_BELLS, Bell

SATURDAY = 6
SUNDAY = 7

BELLS = USUAL_BELLS


def year_start(today: dt.date) -> int:
    """The school year that ``today`` belongs to; from August on it is the one that is about to begin."""
    return today.year if today.month >= 8 else today.year - 1


def _saturday_between(year: int, month: int, first_day: int) -> dt.date:
    """The Saturday among the seven days starting at ``first_day``."""
    day = dt.date(year, month, first_day)
    return day + dt.timedelta(days=(SATURDAY - day.isoweekday()) % 7)


def _public(name: str, day: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """A public holiday; one that falls on a weekend moves to the next Monday, as Russian law has it."""
    days = [(name, day, day)]
    if day.isoweekday() >= SATURDAY:
        monday = day + dt.timedelta(days=8 - day.isoweekday())
        days.append((f"{name} (перенос выходного дня)", monday, monday))
    return days


def holidays(start: int) -> list[tuple[str, dt.date, dt.date]]:
    """(name, first day, last day) of the holidays of the year that starts in September ``start``."""
    autumn = _saturday_between(start, 10, 22)
    winter = _saturday_between(start, 12, 24)
    winter_end = dt.date(start + 1, 1, 8)
    winter_end += dt.timedelta(days=(SUNDAY - winter_end.isoweekday()) % 7)
    spring = _saturday_between(start + 1, 3, 20)
    days = [
        ("Осенние каникулы", autumn, autumn + dt.timedelta(days=8)),
        *_public("День народного единства", dt.date(start, 11, 4)),
        ("Зимние каникулы", winter, winter_end),
        *_public("День защитника Отечества", dt.date(start + 1, 2, 23)),
        *_public("Международный женский день", dt.date(start + 1, 3, 8)),
        ("Весенние каникулы", spring, spring + dt.timedelta(days=8)),
        *_public("Праздник Весны и Труда", dt.date(start + 1, 5, 1)),
        *_public("День Победы", dt.date(start + 1, 5, 9)),
    ]
    # A public day inside the school holidays is already a day off.
    breaks = [(a, b) for name, a, b in days if a != b]
    return sorted(
        (item for item in days if item[1] != item[2] or not any(a <= item[1] <= b for a, b in breaks)),
        key=lambda item: item[1],
    )


def quarters(start: int) -> list[tuple[dt.date, dt.date]]:
    """The four quarters: from September 1 to May 31, cut by the autumn, winter and spring holidays."""
    breaks = [(a, b) for _name, a, b in holidays(start) if a != b]
    edges = [dt.date(start, 9, 1)]
    for first, last in breaks:
        edges += [first - dt.timedelta(days=1), last + dt.timedelta(days=1)]
    edges.append(dt.date(start + 1, 5, 31))
    return [(edges[i], edges[i + 1]) for i in range(0, len(edges), 2)]


def calendar_create(school: School, start: int) -> AcademicYear:
    """The year with its quarters and holidays, and the school's bells."""
    year = AcademicYear.objects.create(
        school=school,
        name=f"{start}/{start + 1}",
        starts_on=dt.date(start, 9, 1),
        ends_on=dt.date(start + 1, 5, 31),
    )
    StudyPeriod.objects.bulk_create(
        StudyPeriod(school=school, year=year, kind=StudyPeriod.Kind.QUARTER, number=n, starts_on=a, ends_on=b)
        for n, (a, b) in enumerate(quarters(start), start=1)
    )
    Holiday.objects.bulk_create(
        Holiday(school=school, year=year, name=name, starts_on=a, ends_on=b) for name, a, b in holidays(start)
    )
    Bell.objects.bulk_create(Bell(school=school, number=n, starts_at=a, ends_at=b) for n, a, b in BELLS)
    return year
