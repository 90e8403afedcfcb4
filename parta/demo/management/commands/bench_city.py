"""`manage.py bench_city --scale S [--seed N] [--report FILE]`: the benchmark's city at scale S.

S = 1 is the city the issue describes: 780 schools of about 1,300 students (five classes a grade
up to the 9th, four in the senior grades), about a million students with their guardians. The
schools are made by the demo generator (``generate_city``) inside ``bulk_loading()``, which writes
through COPY on PostgreSQL; then the city's library (``library_city``: 2,000,000 materials by
34,000 teachers at S = 1), then homework with the library's tests and the students' attempts
(``city_tests``: about two a month per class group). A progress line goes to stderr; the report
(time per phase, rows, the database's size) is printed and, with ``--report``, written as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from parta.demo.generator import GeneratedSchool, generate_city
from parta.demo.generator.bulk import bulk_loading, is_postgresql
from parta.demo.generator.city_tests import city_tests_generate
from parta.demo.generator.library_city import authors_for, library_generate_city, materials_for
from parta.schools.models import School

CITY_SCHOOLS = 780
# Classes per grade of a benchmark school: big Moscow schools (educational complexes).
CITY_GROUPS = {**dict.fromkeys(range(1, 10), 5), 10: 4, 11: 4}
BENCH_SEED = 2026


def schools_for(scale: float) -> int:
    """How many schools a city at ``scale`` has: at least one."""
    return max(1, round(CITY_SCHOOLS * scale))


def database_size() -> int | None:
    if not is_postgresql():
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0])


class Progress:
    """One stderr line, rewritten after every school: done/total, rate, ETA and the rows so far."""

    def __init__(self, total: int, stream: Any = None) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.totals: dict[str, int] = {}

    def __call__(self, index: int, school: GeneratedSchool) -> None:
        for name, count in school.counts.items():
            self.totals[name] = self.totals.get(name, 0) + count
        done = index + 1
        elapsed = time.monotonic() - self.started
        eta = elapsed / done * (self.total - done)
        width = 30
        filled = round(width * done / self.total)
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} schools, "
            f"{self.totals.get('students', 0):,} students, {elapsed:,.0f} s, "
            f"{elapsed / done:.1f} s/school, ETA {eta:,.0f} s "
        )
        if done == self.total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Generate the benchmark city at scale S (S=1: 780 schools, about a million students)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, required=True, help="Scale factor S (1 = the whole city).")
        parser.add_argument(
            "--seed", type=int, default=BENCH_SEED, help="Generator seed (default %(default)s)."
        )
        parser.add_argument("--schools", type=int, help="Override the number of schools (default 780 × S).")
        parser.add_argument("--report", type=Path, help="Write the report as JSON to this file.")
        parser.add_argument(
            "--safe",
            action="store_true",
            help="Keep foreign-key checks and synchronous commit while loading.",
        )
        parser.add_argument("--quiet", action="store_true", help="No progress line.")
        parser.add_argument(
            "--jobs",
            type=int,
            default=os.cpu_count() or 1,
            help="Schools made side by side, each in its own process (default: the CPUs, %(default)s).",
        )
        # A smaller school for tests and trials; the benchmark uses the defaults.
        parser.add_argument("--grades", help="Comma-separated grades (default 1–11).")
        parser.add_argument("--groups", type=int, help="Classes per grade (default: 5, 4 in grades 10–11).")
        parser.add_argument("--students", type=int, default=25, help="Students per class (default 25).")
        parser.add_argument("--no-framework", action="store_true", help="Skip the topic framework.")
        parser.add_argument(
            "--materials", type=int, help="Library materials (default 2,000,000 × S; 0: no library)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if School.objects.exists():
            raise CommandError("The database already has schools: the city goes into an empty database.")
        scale = options["scale"]
        schools = options["schools"] or schools_for(scale)
        progress = Progress(schools, stream=open("/dev/null", "w") if options["quiet"] else None)  # noqa: SIM115
        started = time.monotonic()
        with bulk_loading(fast=not options["safe"]):
            city = generate_city(
                schools=schools,
                seed=options["seed"],
                grades=[int(g) for g in options["grades"].split(",")] if options["grades"] else range(1, 12),
                groups_per_grade=options["groups"] or CITY_GROUPS,
                students_per_group=options["students"],
                load_framework=not options["no_framework"],
                on_school=progress,
                jobs=options["jobs"],
            )
            library_started = time.monotonic()
            materials = materials_for(scale) if options["materials"] is None else options["materials"]
            library = (
                library_generate_city(
                    city=city.city, materials=materials, authors=authors_for(scale), seed=options["seed"]
                )
                if materials
                else {}
            )
            tests_started = time.monotonic()
            # Homework with the library's tests, and the students' attempts at them.
            tests = (
                city_tests_generate(city=city.city, seed=options["seed"], jobs=options["jobs"])
                if library
                else {}
            )
        library_seconds = tests_started - library_started
        tests_seconds = time.monotonic() - tests_started
        generated = time.monotonic() - started
        analyzed_at = time.monotonic()
        if is_postgresql():
            # Fresh tables have no statistics: the planner would guess until autovacuum comes round.
            with connection.cursor() as cursor:
                # VACUUM cannot run inside a transaction (a test's); ANALYZE can.
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        analyze = time.monotonic() - analyzed_at
        report = {
            "scale": scale,
            "schools": schools,
            "jobs": options["jobs"],
            "seed": options["seed"],
            "seconds": {
                "generate": round(generated, 1),
                "library": round(library_seconds, 1),
                "tests": round(tests_seconds, 1),
                "vacuum_analyze": round(analyze, 1),
            },
            "seconds_per_school": round(generated / schools, 2),
            "database_bytes": database_size(),
            "rows": {**progress.totals, **library, **tests},
            "framework_errors": city.framework_errors,
        }
        if options["report"]:
            options["report"].parent.mkdir(parents=True, exist_ok=True)
            options["report"].write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        size = report["database_bytes"]
        self.stdout.write(
            f"City at S={scale}: {schools} schools, {progress.totals.get('students', 0):,} students in "
            f"{generated:,.1f} s ({library.get('materials', 0):,} library materials "
            f"in {library_seconds:,.1f} s; {tests.get('test attempts', 0):,} test attempts "
            f"in {tests_seconds:,.1f} s; "
            f"+ {analyze:.1f} s VACUUM ANALYZE)" + (f", database {size / 2**20:,.0f} MiB" if size else "")
        )
