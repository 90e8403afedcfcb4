"""``manage.py timetable_build --school ID [--year ID] [--seed N] [--strict] [--publish [--since DATE]]``:
draft a school's weekly timetable from its teaching assignments, bells, rooms and the times
teachers cannot teach, list what is wrong with it, and publish it into the year's lessons.
The operator's command: no access check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from parta.schools import selectors as school_selectors
from parta.schools.models import School
from parta.timetable.selectors import template_problems
from parta.timetable.services import lessons_assign_topics_for_year, template_build, timetable_publish


class Command(BaseCommand):
    help = "Draft a school's weekly timetable and, with --publish, make the year's lessons from it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", type=int, required=True, help="the school (its id)")
        parser.add_argument("--year", type=int, help="the academic year (its id; default: the current one)")
        parser.add_argument("--seed", type=int, default=0, help="another seed gives another draft")
        parser.add_argument(
            "--strict", action="store_true", help="refuse a draft that leaves hours out (default: keep it)"
        )
        parser.add_argument("--keep-template", action="store_true", help="publish the template as it is")
        parser.add_argument(
            "--publish", action="store_true", help="make the year's lessons from the template"
        )
        parser.add_argument(
            "--since",
            type=dt.date.fromisoformat,
            help="publish from this day, YYYY-MM-DD (default: the year's first day while it has no "
            "lessons, else tomorrow)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        school = School.objects.filter(pk=options["school"]).first()
        if school is None:
            raise CommandError(f"No school {options['school']}.")
        years = school_selectors.school_years(school)
        wanted = str(options["year"]) if options["year"] is not None else None
        year = school_selectors.choose_year(years, wanted, timezone.localdate())
        if year is None or (wanted is not None and str(year.pk) != wanted):
            raise CommandError(
                f"School {school.pk} has no academic year {options['year'] or ''}".strip() + "."
            )
        try:
            if not options["keep_template"]:
                slots = template_build(year=year, seed=options["seed"], partial=not options["strict"])
                self.stdout.write(
                    f"{school.short_name}, {year.name}: {slots} weekly lessons in the template."
                )
            for problem in template_problems(year.pk, school.pk):
                self.stdout.write(self.style.WARNING(f"  {problem.message}"))
            if options["publish"]:
                self.publish(year, options["since"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    def publish(self, year: Any, since: dt.date | None) -> None:
        def progress(done: int, total: int) -> None:
            self.stdout.write(f"\r  publishing: {done * 100 // max(total, 1)} %", ending="")
            self.stdout.flush()

        with transaction.atomic():
            result = timetable_publish(year=year, since=since, progress=progress)
            lessons_assign_topics_for_year(year=year, since=since)
        self.stdout.write("")
        figures = ", ".join(f"{name} {count}" for name, count in result.as_dict().items())
        self.stdout.write(self.style.SUCCESS(f"Published: lessons {figures}."))
