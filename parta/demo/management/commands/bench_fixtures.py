"""`manage.py bench_fixtures --out DIR [--users N]`: what the load generator sends, made in bulk.

Picks random people of the benchmark city, gives each a new API token (in one bulk insert) and
writes one request file per scenario into DIR, a request a line, tab-separated:
``METHOD  PATH  TOKEN-or--  BODY-or--``. The wrk script (bench/load/requests.lua) sends a random
line each time. It also captures the SQL of a few diary weeks (``rawsql.json``: per week, the
queries the diary selector ran, with their parameters inlined) for the raw-SQL reference.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parta.accounts.models import Guardianship, User
from parta.accounts.services import api_tokens_issue
from parta.assessment import definition
from parta.core.load_lines import request_line
from parta.curriculum.models import Topic
from parta.demo.generator import DEMO_PASSWORD, attempts
from parta.demo.generator.library_city import search_words
from parta.demo.generator.machines import bench_cards_issue, bench_turnstiles
from parta.diary.selectors import diary_range
from parta.meals import bench as meals_bench
from parta.passage import bench as passage_bench
from parta.schools.models import (
    CityRole,
    ClassGroup,
    Enrolment,
    School,
    StaffMembership,
    StudyPeriod,
    Subject,
    TeachingAssignment,
)
from parta.timetable.models import Lesson

SCENARIO_FILES = (
    "ping",
    "diary",
    "diary_cold",
    "journal",
    "marks",
    "timetable",
    "ical",
    "login",
    "library_search",
    "library_catalogue",
    "test_answers",
    "test_submits",
    "passage_burst",
    "meals_sales",
)


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


class Command(BaseCommand):
    help = "Create API tokens for random people of the benchmark city and write the load scenarios."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="Directory for the request files.")
        parser.add_argument(
            "--users", type=int, default=2000, help="People per scenario (default %(default)s)."
        )
        parser.add_argument(
            "--cold-users",
            type=int,
            default=20000,
            help="Students for diary_cold, each a diary not read before (default %(default)s).",
        )
        parser.add_argument(
            "--submitters",
            type=int,
            default=4000,
            help="Students with a whole attempt to submit, for test_submits (default %(default)s).",
        )
        parser.add_argument(
            "--burst-schools",
            type=int,
            default=60,
            help="Schools whose students all enter in passage_burst (default %(default)s).",
        )
        parser.add_argument(
            "--sales", type=int, default=8000, help="Cash-desk sales of meals_sales (default %(default)s)."
        )
        parser.add_argument("--raw-weeks", type=int, default=50, help="Diary weeks to capture SQL of.")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        rng = random.Random(options["seed"])
        n = options["users"]
        out: Path = options["out"]
        out.mkdir(parents=True, exist_ok=True)
        today = timezone.localdate()
        date_from, date_to = week_of(today)
        week = f"from={date_from.isoformat()}&to={date_to.isoformat()}"

        students = list(Enrolment.objects.order_by("?").values_list("student_id", flat=True)[:n])
        if not students:
            raise CommandError("The database has no students: run bench_city first.")
        parents = list(
            Guardianship.objects.filter(student_id__in=students[: n // 2]).values_list(
                "guardian_id", "student_id"
            )
        )
        assignments = list(TeachingAssignment.objects.order_by("?").values_list("pk", "teacher_id")[:n])
        writes = self._writable_cells(rng, today, n)
        # Other students than the warm diary's: the cache holds nothing of theirs.
        cold = list(
            Enrolment.objects.exclude(student_id__in=students)
            .order_by("?")
            .values_list("student_id", flat=True)[: options["cold_users"]]
        )
        searchers = list(
            StaffMembership.objects.filter(role=StaffMembership.Role.TEACHER)
            .order_by("?")
            .values_list("user_id", flat=True)[:n]
        )
        submitters = list(
            Enrolment.objects.exclude(student_id__in=students)
            .order_by("student_id")
            .values_list("student_id", flat=True)[: options["submitters"]]
        )
        people = students + [t for _a, t in assignments]
        users = (
            set(people)
            | {p for p, _s in parents}
            | {t for _l, t, _s in writes}
            | set(cold)
            | set(searchers)
            | set(submitters)
        )
        tokens = api_tokens_issue(user_ids=users, device="bench")
        names = dict(User.objects.filter(pk__in=students[:n]).values_list("pk", "username"))
        calendar = list(User.objects.filter(pk__in=people).values_list("calendar_token", flat=True))

        diary = [
            request_line("GET", f"/api/v1/students/{s}/diary?{week}", tokens[s]) for s in students[: n // 2]
        ]
        diary += [request_line("GET", f"/api/v1/students/{s}/diary?{week}", tokens[p]) for p, s in parents]
        files = {
            "ping": [request_line("GET", "/api/v1/ping", tokens[u]) for u in people],
            "diary": diary,
            "diary_cold": [
                request_line("GET", f"/api/v1/students/{s}/diary?{week}", tokens[s]) for s in cold
            ],
            "journal": [
                request_line("GET", f"/api/v1/journal/assignments/{a}", tokens[t]) for a, t in assignments
            ],
            "marks": [
                request_line(
                    "POST",
                    "/api/v1/marks",
                    tokens[t],
                    {"lesson": lesson, "student": s, "value": rng.randint(2, 5)},
                )
                for lesson, t, s in writes
            ],
            "timetable": [
                request_line("GET", f"/api/v1/people/{p}/timetable?{week}", tokens[p]) for p in people
            ],
            "ical": [request_line("GET", f"/calendar/{token}.ics") for token in calendar],
            "login": [
                request_line("POST", "/api/v1/auth/token", None, {"username": u, "password": DEMO_PASSWORD})
                for u in names.values()
            ],
            "library_search": [
                request_line("GET", f"/api/v1/materials?{query}", tokens[t])
                for t, query in zip(searchers, self._searches(rng, len(searchers)), strict=True)
            ],
            "library_catalogue": self._catalogue(rng, n),
            **self._tests(
                rng,
                out=out,
                author_id=searchers[0],
                answering=students[:n],
                submitters=submitters,
                tokens=tokens,
            ),
            **self._machines(out, options["burst_schools"], options["sales"], options["seed"]),
        }
        for name, lines in files.items():
            rng.shuffle(lines)
            (out / f"{name}.txt").write_text("\n".join(lines) + "\n")
            self.stdout.write(f"{name:<10} {len(lines):>6} requests")
        self._capture(out / "rawsql.json", students[: options["raw_weeks"]], date_from, date_to)

    def _machines(self, out: Path, schools: int, sales: int, seed: int) -> dict[str, list[str]]:
        """The school's machines: the morning burst of ``schools`` schools' turnstiles (every
        student entering once, in batches of 250; the run's events are deleted before each run) and
        ``sales`` sales at the cash desks of the same schools (the bench's sales, their lines and
        ledger entries deleted and the balances summed anew before each run)."""
        started = timezone.now()
        chosen = list(School.objects.order_by("pk")[:schools])
        turnstiles = [gate for school in chosen for gate in bench_turnstiles(school)]
        cards: dict[int, list[str]] = {}
        for school in chosen:
            bench_cards_issue(school)
            cards |= passage_bench.school_burst_cards(school.pk)
        burst = passage_bench.burst_lines(turnstiles, cards, run="bench", batch=250, seed=seed)
        (out / "passage_burst.reopen.sql").write_text(
            "DELETE FROM passage_passageevent WHERE event_id LIKE 'bench-%';\n"
        )
        prepared = meals_bench.sales_prepare(schools=chosen, sales=sales, seed=seed)
        # One statement for the sales, their lines and entries: a sale still being written by
        # the run before commits after its snapshot and is left alone, never half deleted.
        (out / "meals_sales.reopen.sql").write_text(
            "WITH bench AS (SELECT id FROM meals_sale WHERE sale_id LIKE 'bench-%'),"
            " entries AS (DELETE FROM meals_ledgerentry WHERE sale_id IN (SELECT id FROM bench)),"
            " lines AS (DELETE FROM meals_saleline WHERE sale_id IN (SELECT id FROM bench))"
            " DELETE FROM meals_sale WHERE id IN (SELECT id FROM bench);\n"
            "UPDATE meals_account a SET balance = s.total FROM (SELECT account_id, SUM(amount) AS total"
            " FROM meals_ledgerentry GROUP BY account_id) s"
            " WHERE s.account_id = a.id AND a.balance <> s.total;\n"
        )
        self.stdout.write(
            f"machines     {len(turnstiles)} turnstiles, {passage_bench.burst_event_count(burst)} passages; "
            f"{prepared.desks} cash desks, {len(prepared.lines)} sales, {prepared.funded} accounts funded "
            f"in {(timezone.now() - started).total_seconds():.0f} s"
        )
        return {"passage_burst": burst, "meals_sales": prepared.lines}

    def _tests(
        self,
        rng: random.Random,
        *,
        out: Path,
        author_id: int,
        answering: list[int],
        submitters: list[int],
        tokens: dict[int, str],
    ) -> dict[str, list[str]]:
        """A class of the whole city taking a test: answers saved one by one by students with an
        attempt in progress (test_answers), and whole attempts submitted (test_submits, each line
        another attempt, reopened by ``test_submits.reopen.sql`` before every run)."""
        author = User.objects.get(pk=author_id)
        methodologist = self._methodologist(author)
        started = timezone.now()
        people = User.objects.in_bulk(answering + submitters)
        answers_test = attempts.bench_test(attempts.ANSWERS_TITLE, author, methodologist)
        open_ones = attempts.open_attempts(answers_test, [people[s] for s in answering])
        submits_test = attempts.bench_test(attempts.SUBMITS_TITLE, author, methodologist)
        attempts.reopen(submits_test)
        whole = attempts.open_attempts(submits_test, [people[s] for s in submitters])
        saved = attempts.answer_all(whole.values(), people, rng)
        self.stdout.write(
            f"tests        {len(open_ones) + len(whole)} attempts open, {saved} answers saved "
            f"in {(timezone.now() - started).total_seconds():.0f} s"
        )
        reopen = (
            "UPDATE assessment_attempt SET state = 'in_progress', submitted_at = NULL, results_at = NULL, "
            "points = NULL, waiting = 0 WHERE material_id = %d"
        )
        (out / "test_submits.reopen.sql").write_text(reopen % submits_test.pk + "\n")
        by_id = {
            attempt.pk: definition.questions_of(attempt.version.content[definition.KEY], attempt.questions)
            for attempt in open_ones.values()
        }
        answer_lines = []
        for student, attempt in open_ones.items():
            for question_id in rng.sample(attempt.questions, 2):
                response = attempts.responses(by_id[attempt.pk][question_id], attempt.seed, rng)
                path = f"/api/v1/attempts/{attempt.pk}/answers/{question_id}"
                answer_lines.append(request_line("PUT", path, tokens[student], {"response": response}))
        return {
            "test_answers": answer_lines,
            "test_submits": [
                request_line("POST", f"/api/v1/attempts/{attempt.pk}/submit", tokens[student])
                for student, attempt in whole.items()
            ],
        }

    def _methodologist(self, author: User) -> User:
        """The city's methodologist who publishes the benchmark's tests (a city has them; the
        generated one has none)."""
        school = School.objects.get(pk=author.staff_memberships.values_list("school_id", flat=True)[0])
        user, _made = User.objects.get_or_create(
            username="bench-methodologist", defaults={"first_name": "Ольга", "last_name": "Методистова"}
        )
        CityRole.objects.get_or_create(city_id=school.city_id, user=user, role=CityRole.Role.METHODOLOGIST)
        return user

    def _courses(self) -> list[tuple[int, int]]:
        """(subject id, grade) of the framework's topics: the facets a teacher filters by."""
        courses = sorted(set(Topic.objects.values_list("subject_id", "grade")))
        return courses or [
            (pk, grade) for pk in Subject.objects.values_list("pk", flat=True) for grade in (5, 7)
        ]

    def _searches(self, rng: random.Random, count: int) -> list[str]:
        """Query strings of the library search: a word (Russian inflected forms too) alone, with a
        subject, a subject and grade without a word, a word by popularity."""
        words, courses = search_words(), self._courses()
        queries = []
        for _ in range(count):
            word = rng.choice(words)
            subject, grade = rng.choice(courses)
            mix = rng.random()
            if mix < 0.35:
                params: dict[str, Any] = {"q": word}
            elif mix < 0.6:
                params = {"q": word, "subject": subject}
            elif mix < 0.85:
                params = {"subject": subject, "grade": grade}
            else:
                params = {"q": word, "sort": "popular"}
            queries.append(urlencode(params))
        return queries

    def _catalogue(self, rng: random.Random, count: int) -> list[str]:
        """The public catalogue without signing in: the API's first page (newest or most popular)
        and the page ``/library/``."""
        courses = self._courses()
        lines = []
        for _ in range(count):
            mix = rng.random()
            if mix < 0.3:
                lines.append(request_line("GET", "/api/v1/materials"))
            elif mix < 0.45:
                lines.append(request_line("GET", "/api/v1/materials?sort=popular"))
            elif mix < 0.6:
                subject, grade = rng.choice(courses)
                lines.append(
                    request_line(
                        "GET", f"/api/v1/materials?{urlencode({'subject': subject, 'grade': grade})}"
                    )
                )
            else:
                lines.append(request_line("GET", "/library/"))
        return lines

    def _writable_cells(self, rng: random.Random, today: dt.date, n: int) -> list[tuple[int, int, int]]:
        """(lesson, its teacher, a student of it): past lessons of open study periods, whole-class ones."""
        open_since = dict(
            StudyPeriod.objects.filter(closed_at__isnull=True, starts_on__lte=today).values_list(
                "year_id", "starts_on"
            )
        )
        groups = list(
            ClassGroup.objects.filter(grade__gt=1)
            .order_by("?")
            .values_list("pk", "year_id")[: max(1, n // 20)]
        )
        cells: list[tuple[int, int, int]] = []
        for group, year in groups:
            if year not in open_since:
                continue
            lessons = list(
                Lesson.objects.filter(
                    class_group_id=group,
                    subgroup__isnull=True,
                    status=Lesson.Status.SCHEDULED,
                    date__gte=open_since[year],
                    date__lt=today,
                ).values_list("pk", "teacher_id")
            )
            members = list(
                Enrolment.objects.filter(class_group_id=group).values_list("student_id", flat=True)
            )
            if not lessons or not members:
                continue
            for _ in range(20):
                lesson, teacher = rng.choice(lessons)
                cells.append((lesson, teacher, rng.choice(members)))
        return cells

    def _capture(self, path: Path, students: list[int], date_from: dt.date, date_to: dt.date) -> None:
        weeks = []
        for user in User.objects.filter(pk__in=students):
            with CaptureQueriesContext(connection) as queries:
                diary_range(user, user.pk, date_from, date_to)
            weeks.append([q["sql"] for q in queries.captured_queries])
        path.write_text(
            json.dumps({"from": date_from.isoformat(), "to": date_to.isoformat(), "weeks": weeks})
        )
        per_week = sum(len(w) for w in weeks) / max(1, len(weeks))
        self.stdout.write(f"rawsql     {len(weeks):>6} diary weeks, {per_week:.1f} queries each")
