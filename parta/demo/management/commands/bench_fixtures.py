"""`manage.py bench_fixtures --out DIR [--users N]`: what the load generator sends, made in bulk.

Picks random people of the benchmark city, gives each a new API token (in one bulk insert) and
writes one request file per scenario into DIR, a request a line, tab-separated:
``METHOD  PATH  TOKEN-or--  BODY-or--``. The wrk script (bench/load/requests.lua) sends a random
line each time. ``morning.txt`` is a timeline instead, sent in order, each line with a fifth
column, its kind (``morning_timeline``). It also captures the SQL of a few diary weeks
(``rawsql.json``: per week, the queries the diary selector ran, with their parameters inlined) and
of a few journal pages (``rawsql_journal.json``) for the raw-SQL references.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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
from parta.journal.selectors import journal_page
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
    "me",
    "diary",
    "diary_cold",
    "journal",
    "journal_cold",
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
    "morning",
)


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


# The requests of the scenarios, one builder each: the scenarios' files and the morning share them.


def diary_line(student: int, token: str, week: str) -> str:
    return request_line("GET", f"/api/v1/students/{student}/diary?{week}", token)


def journal_line(assignment: int, token: str) -> str:
    return request_line("GET", f"/api/v1/journal/assignments/{assignment}", token)


def mark_line(lesson: int, student: int, token: str, rng: random.Random) -> str:
    return request_line(
        "POST", "/api/v1/marks", token, {"lesson": lesson, "student": student, "value": rng.randint(2, 5)}
    )


def timetable_line(person: int, token: str, week: str) -> str:
    return request_line("GET", f"/api/v1/people/{person}/timetable?{week}", token)


def ical_line(calendar_token: str) -> str:
    return request_line("GET", f"/calendar/{calendar_token}.ics")


def login_line(username: str) -> str:
    return request_line("POST", "/api/v1/auth/token", None, {"username": username, "password": DEMO_PASSWORD})


# The city's busiest half hour of the morning, requests a second by kind (docs/performance.md, "The
# scale-out path in numbers"): the mix of the `morning` timeline, in these proportions.
MORNING_RATES: dict[str, float] = {
    "diary": 1660,  # a student's week, read twice by each of its readers: the student, the guardians
    "me": 830,  # GET /api/v1/me, the first call of an app open: one per two diary reads
    "notifications": 400,  # the app's poll: GET /api/v1/notifications?unread=true
    "timetable": 150,  # a student's or teacher's own week
    "ical": 100,  # a calendar app fetching its feed
    "journal": 50,  # a teacher's journal of the current period
    "marks": 100,  # a new mark
    "login": 20,  # a sign-in (apps keep their token: a few a second)
}
# A teacher opens a journal at the lesson and once more later in the morning.
JOURNAL_READS = 2
# The diary's and the journal's lines are of two kinds: the first read of the morning (the cache is
# empty at 7:00: a miss) and the later ones (hits while no write renewed the answer's tokens).
FIRST, REPEAT = "_first", "_repeat"


@dataclass(frozen=True)
class MorningCast:
    """Who takes part in a morning, with their API tokens."""

    families: list[tuple[int, list[int]]]  # a student and their diary's readers (themselves first)
    journals: list[tuple[int, int]]  # a teaching assignment and its teacher
    cells: list[tuple[int, int, int]]  # a lesson, its teacher and a student: where marks are set
    calendars: list[str]  # the readers' and teachers' calendar feed tokens
    usernames: list[str]  # the students who sign in
    tokens: dict[int, str]


def morning_seconds(families: Iterable[tuple[int, list[int]]]) -> float:
    """How many of the table's seconds the families' diary reads fill."""
    return sum(2 * len(readers) for _student, readers in families) / MORNING_RATES["diary"]


def morning_timeline(cast: MorningCast, rng: random.Random, *, window: int, week: str) -> list[str]:
    """The morning's requests in the order they are sent, each line with its kind in a fifth column.

    The lines are events on a clock of the table's seconds, as many as the families' diary reads
    fill (``morning_seconds``). Each student's week is read twice by each reader; the first of
    these at a random moment, the others within ``window`` lines' time after it, so that after the
    first ``window`` lines the share of first reads stays near one in 2 × readers. A journal is read
    ``JOURNAL_READS`` times the same way. The other kinds fall at random moments, as many as the
    table gives them; half the diary reads have a ``me`` just before them, by the same reader.
    """
    seconds = morning_seconds(cast.families)
    window_s = window / sum(MORNING_RATES.values())
    tokens = cast.tokens
    events: list[tuple[float, str, str]] = []

    def read_often(kind: str, lines: list[str]) -> list[float]:
        """One answer read ``len(lines)`` times, the first line first; returns the moments."""
        first = rng.uniform(0, seconds)
        moments = [first] + [first + rng.uniform(0, window_s) for _ in lines[1:]]
        kinds = [kind + FIRST] + [kind + REPEAT] * (len(lines) - 1)
        events.extend(zip(moments, kinds, lines, strict=True))
        return moments

    opens: list[tuple[float, int]] = []
    for student, readers in cast.families:
        readings = [reader for reader in readers for _ in range(2)]
        rng.shuffle(readings)
        moments = read_often("diary", [diary_line(student, tokens[r], week) for r in readings])
        opens += zip(moments, readings, strict=True)
    for at, reader in rng.sample(opens, round(len(opens) * MORNING_RATES["me"] / MORNING_RATES["diary"])):
        events.append((at - 1e-9, "me", request_line("GET", "/api/v1/me", tokens[reader])))
    for assignment, teacher in cast.journals:
        read_often("journal", [journal_line(assignment, tokens[teacher])] * JOURNAL_READS)

    readers = [reader for _student, family in cast.families for reader in family]
    teachers = sorted({t for _a, t in cast.journals} | {t for _l, t, _s in cast.cells})
    everyone = readers + teachers
    own_week = [student for student, _readers in cast.families] + teachers

    def notifications() -> str:
        return request_line("GET", "/api/v1/notifications?unread=true", tokens[rng.choice(everyone)])

    def timetable() -> str:
        person = rng.choice(own_week)
        return timetable_line(person, tokens[person], week)

    def marks() -> str:
        lesson, teacher, student = rng.choice(cast.cells)
        return mark_line(lesson, student, tokens[teacher], rng)

    scattered: dict[str, Callable[[], str]] = {
        "notifications": notifications,
        "timetable": timetable,
        "ical": lambda: ical_line(rng.choice(cast.calendars)),
        "marks": marks,
        "login": lambda: login_line(rng.choice(cast.usernames)),
    }
    for kind, line in scattered.items():
        count = round(MORNING_RATES[kind] * seconds)
        events += [(rng.uniform(0, seconds), kind, line()) for _ in range(count)]
    events.sort(key=lambda event: event[0])
    return [f"{line}\t{kind}" for _at, kind, line in events]


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
            help="Students for diary_cold and journals for journal_cold, each not read before "
            "(default %(default)s).",
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
        parser.add_argument(
            "--morning-lines",
            type=int,
            default=40000,
            help="Requests of the morning timeline (default %(default)s; fewer in a small city).",
        )
        parser.add_argument(
            "--morning-window",
            type=int,
            default=1500,
            help="Lines within which a diary's or journal's repeats follow its first read "
            "(default %(default)s).",
        )
        parser.add_argument(
            "--raw-weeks", type=int, default=50, help="Diary weeks and journal pages to capture SQL of."
        )
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
        # Likewise other journals than the warm journal's.
        cold_journals = list(
            TeachingAssignment.objects.exclude(pk__in=[a for a, _t in assignments])
            .order_by("?")
            .values_list("pk", "teacher_id")[: options["cold_users"]]
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
            | {t for _a, t in cold_journals}
            | set(searchers)
            | set(submitters)
        )
        tokens = api_tokens_issue(user_ids=users, device="bench")
        names = dict(User.objects.filter(pk__in=students[:n]).values_list("pk", "username"))
        calendar = list(User.objects.filter(pk__in=people).values_list("calendar_token", flat=True))

        diary = [diary_line(s, tokens[s], week) for s in students[: n // 2]]
        diary += [diary_line(s, tokens[p], week) for p, s in parents]
        files = {
            "ping": [request_line("GET", "/api/v1/ping", tokens[u]) for u in people],
            # An app's first call: students, teachers and guardians (their roles make its parts).
            "me": [request_line("GET", "/api/v1/me", tokens[u]) for u in people + [p for p, _s in parents]],
            "diary": diary,
            "diary_cold": [diary_line(s, tokens[s], week) for s in cold],
            "journal": [journal_line(a, tokens[t]) for a, t in assignments],
            "journal_cold": [journal_line(a, tokens[t]) for a, t in cold_journals],
            "marks": [mark_line(lesson, s, tokens[t], rng) for lesson, t, s in writes],
            "timetable": [timetable_line(p, tokens[p], week) for p in people],
            "ical": [ical_line(token) for token in calendar],
            "login": [login_line(u) for u in names.values()],
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
        # A timeline: written in its order.
        morning = self._morning(rng, today, week, options["morning_lines"], options["morning_window"])
        (out / "morning.txt").write_text("\n".join(morning) + "\n")
        firsts = sum(line.endswith("\tdiary" + FIRST) for line in morning)
        reads = sum("\tdiary_" in line for line in morning)
        self.stdout.write(
            f"morning    {len(morning):>6} requests, {reads} diary reads of {firsts} students "
            f"(first reads {firsts / max(1, reads):.1%})"
        )
        raw = options["raw_weeks"]
        self._capture(out / "rawsql.json", students[:raw], date_from, date_to)
        self._capture_journals(out / "rawsql_journal.json", assignments[:raw])

    def _morning(self, rng: random.Random, today: dt.date, week: str, lines: int, window: int) -> list[str]:
        """The ``morning`` timeline (``morning_timeline``) of about ``lines`` requests by random
        families, teachers and students of the city, with new API tokens."""
        reads = lines * MORNING_RATES["diary"] / sum(MORNING_RATES.values())
        # Enough students even if none had a guardian (two reads each); the first are taken.
        drawn = Enrolment.objects.order_by("?").values_list("student_id", flat=True)[: math.ceil(reads / 2)]
        guardians: dict[int, list[int]] = defaultdict(list)
        students = list(dict.fromkeys(drawn))
        for guardian, student in Guardianship.objects.filter(student_id__in=students).values_list(
            "guardian_id", "student_id"
        ):
            guardians[student].append(guardian)
        families: list[tuple[int, list[int]]] = []
        for student in students:
            if reads <= 0:
                break
            families.append((student, [student, *guardians[student]]))
            reads -= 2 * len(families[-1][1])
        # A small city gives a shorter morning, in the same proportions.
        seconds = morning_seconds(families)
        journals = list(
            TeachingAssignment.objects.order_by("?").values_list("pk", "teacher_id")[
                : max(1, round(MORNING_RATES["journal"] * seconds / JOURNAL_READS))
            ]
        )
        cells = self._writable_cells(rng, today, max(20, round(MORNING_RATES["marks"] * seconds)))
        people = {r for _s, readers in families for r in readers} | {t for _a, t in journals}
        people |= {t for _l, t, _s in cells}
        cast = MorningCast(
            families=families,
            journals=journals,
            cells=cells,
            calendars=list(User.objects.filter(pk__in=people).values_list("calendar_token", flat=True)),
            usernames=list(
                User.objects.filter(pk__in=[s for s, _r in families]).values_list("username", flat=True)
            ),
            tokens=api_tokens_issue(user_ids=people, device="bench"),
        )
        return morning_timeline(cast, rng, window=window, week=week)

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

    def _capture_journals(self, path: Path, assignments: list[tuple[int, int]]) -> None:
        """The journal selector's queries for each of these assignments, read by its teacher."""
        teachers = User.objects.in_bulk([t for _a, t in assignments])
        pages = []
        for assignment, teacher in assignments:
            with CaptureQueriesContext(connection) as queries:
                journal_page(teachers[teacher], assignment)
            pages.append([q["sql"] for q in queries.captured_queries])
        path.write_text(json.dumps({"pages": pages}))
        per_page = sum(len(p) for p in pages) / max(1, len(pages))
        self.stdout.write(f"rawsql     {len(pages):>6} journal pages, {per_page:.1f} queries each")
