"""The week's diaries made before the morning: a job at night (``diary.prewarm_week``) reads each
student's week as their family will ask for it (``GET /api/v1/students/{id}/diary?from=<Monday>&to=<Sunday>``,
in the site's language) and leaves it in the read cache, so that the morning's first reads are hits.

An entry made here is an ordinary cached read (``parta.core.versions``): made under the tokens it
was read after, replaced on the first read after any write it depends on. A mark given at 8:05
shows at 8:05 whether the week was made at night or by the first reader. What it costs: one diary
miss per student (docs/performance.md gives the figure); entries live an hour
(``versions.ENTRY_SECONDS``), so the job runs in the hour before the morning begins.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable

from django.conf import settings
from django.utils import timezone, translation

from parta.accounts.models import User
from parta.core.api import cached_json_body
from parta.diary.api import diary_data
from parta.diary.reach import diary_reading, reach_diary
from parta.schools.models import Enrolment
from parta.timetable.selectors import week_start

BATCH = 500


def students_in_school_on(day: dt.date, school_ids: Iterable[int] | None = None) -> list[int]:
    """The students enrolled in a school year that contains ``day`` (of these schools, or all)."""
    enrolments = Enrolment.objects.filter(
        year__starts_on__lte=day, year__ends_on__gte=day, student__is_active=True
    )
    if school_ids is not None:
        enrolments = enrolments.filter(school_id__in=list(school_ids))
    return sorted(set(enrolments.values_list("student_id", flat=True)))


def prewarm_week(
    day: dt.date | None = None,
    *,
    school_ids: Iterable[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Make the diary week containing ``day`` (default: today) of every student in school then;
    how many weeks were read (an entry still fresh is left as it is). ``progress(done, total)``
    is told after each batch."""
    monday = week_start(day or timezone.localdate())
    sunday = monday + dt.timedelta(days=6)
    student_ids = students_in_school_on(monday, school_ids)
    done = 0
    with translation.override(settings.LANGUAGE_CODE):
        for start in range(0, len(student_ids), BATCH):
            chunk = student_ids[start : start + BATCH]
            for student in User.objects.filter(pk__in=chunk).order_by("pk"):
                _prewarm(student, monday, sunday)
            done += len(chunk)
            if progress is not None:
                progress(done, len(student_ids))
    return done


def _prewarm(student: User, monday: dt.date, sunday: dt.date) -> None:
    # Read as the student: the key and the answer are the family's (its guardians share them).
    reach = functools.cache(lambda: reach_diary(student, student.pk))
    reading = diary_reading(student, student.pk, reach)
    cached_json_body(reading.narrowed(monday, sunday), lambda: diary_data(student, reach(), monday, sunday))
