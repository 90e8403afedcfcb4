"""The benchmark's generator path at a tiny scale: bench_city (through bulk_loading and COPY on
PostgreSQL, batched inserts elsewhere) and bench_fixtures. The benchmark itself is not run here."""

import datetime as dt
import io
import json
import random
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from parta.accounts.models import ApiToken, Guardianship, MachineClient, User, credential_hash
from parta.assessment.models import Answer, Attempt, Statement
from parta.demo.generator import bulk
from parta.demo.management.commands.bench_city import CITY_SCHOOLS, schools_for
from parta.demo.management.commands.bench_fixtures import (
    MORNING_RATES,
    SCENARIO_FILES,
    MorningCast,
    morning_seconds,
    morning_timeline,
)
from parta.homework.models import HomeworkMaterial
from parta.journal.models import Mark
from parta.library.models import Material, MaterialVersion, Status
from parta.schools.models import Enrolment, School
from parta.timetable.models import Lesson

pytestmark = pytest.mark.django_db


def tiny_city(tmp_path, **extra):
    report = tmp_path / "city.json"
    call_command(
        "bench_city",
        "--scale=0.001",
        "--grades=5,6",
        "--groups=1",
        "--students=6",
        "--no-framework",
        "--quiet",
        f"--report={report}",
        stdout=io.StringIO(),
        **extra,
    )
    return json.loads(report.read_text())


def test_scale_gives_the_number_of_schools():
    assert schools_for(1) == CITY_SCHOOLS == 780
    assert schools_for(0.01) == 8
    assert schools_for(0.001) == 1
    assert schools_for(0.0001) == 1


def test_bench_city_makes_a_school_with_its_journal_and_reports_it(tmp_path):
    report = tiny_city(tmp_path)
    assert report["schools"] == 1
    assert School.objects.count() == 1
    rows = report["rows"]
    assert rows["students"] == Enrolment.objects.count() > 0
    assert rows["lessons"] == Lesson.objects.count() > 0
    assert rows["marks"] + rows["owed marks"] == Mark.objects.count() > 0
    assert report["seconds"]["generate"] > 0
    if connection.vendor == "postgresql":
        assert report["database_bytes"] > 0
    # Every mark points at a lesson of its own student's class group (the FK triggers were off).
    lesson_groups = dict(Lesson.objects.values_list("pk", "class_group_id"))
    groups = dict(Enrolment.objects.values_list("student_id", "class_group_id"))
    for lesson, student in Mark.objects.values_list("lesson_id", "student_id"):
        assert lesson_groups[lesson] == groups[student]


def test_bench_city_grows_the_library_and_its_tests_with_the_city(tmp_path):
    report = tiny_city(tmp_path)
    # S = 0.001: 2,000 materials by up to 34 of the city's teachers.
    assert report["rows"]["materials"] == Material.objects.count() == 2000
    assert report["seconds"]["library"] > 0
    assert Material.objects.values("owner").distinct().count() <= 34
    assert MaterialVersion.objects.count() == 2000
    assert not Material.objects.filter(latest__isnull=True).exists()
    published = Material.objects.filter(status=Status.PUBLISHED)
    assert 0.5 < published.count() / 2000 < 0.7
    assert published.filter(published__isnull=True).count() == 0
    assert Material.subjects.through.objects.count() == 2000
    # Heavy-tailed use: the most viewed tenth of the published has most of the views.
    views = sorted(published.values_list("views", flat=True), reverse=True)
    assert sum(views[: len(views) // 10]) > sum(views) / 2
    # Its tests are given as homework, and taken (test_city_tests checks them in detail).
    rows = report["rows"]
    assert rows["homework with tests"] == HomeworkMaterial.objects.count() > 0
    assert rows["test attempts"] == Attempt.objects.count() > 0
    assert rows["test answers"] == Answer.objects.count() > rows["test attempts"]
    assert rows["attempt statements"] == Statement.objects.count()
    assert "tests" in report["seconds"]


def test_bench_city_refuses_a_database_with_schools(tmp_path):
    tiny_city(tmp_path)
    with pytest.raises(Exception, match="already has schools"):
        tiny_city(tmp_path)


def test_bulk_loading_bulk_create_returns_saved_objects_with_their_keys():
    with bulk.bulk_loading():
        users = User.objects.bulk_create(
            [User(username=f"bulk-{i}", first_name="Анна", last_name=f"Иванова {i}") for i in range(5)]
        )
        links = Guardianship.objects.bulk_create(
            [Guardianship(guardian=users[0], student=user, relation="mother") for user in users[1:]]
        )
    assert all(user.pk for user in users)
    assert all(not user._state.adding for user in users)
    stored = {u.pk: u for u in User.objects.filter(username__startswith="bulk-")}
    assert set(stored) == {u.pk for u in users}
    assert stored[users[3].pk].last_name == "Иванова 3"
    assert len(stored[users[1].pk].calendar_token) >= 32
    assert {g.pk for g in links} == set(
        Guardianship.objects.filter(guardian=users[0]).values_list("pk", flat=True)
    )
    # A later ordinary insert does not collide with the keys drawn from the sequence.
    assert User.objects.create(username="after-bulk").pk not in stored


def test_copy_rows_writes_plain_rows():
    user = User.objects.create(username="marker")
    student = User.objects.create(username="child")
    written = bulk.copy_rows(
        Guardianship, ("guardian", "student", "relation"), [(user.pk, student.pk, "father")]
    )
    assert written == 1
    assert Guardianship.objects.get(guardian=user).relation == "father"


def test_bench_fixtures_writes_requests_with_tokens(tmp_path, monkeypatch):
    tiny_city(tmp_path)
    out = tmp_path / "requests"
    call_command("bench_fixtures", f"--out={out}", "--users=6", "--raw-weeks=3", stdout=io.StringIO())
    for name in SCENARIO_FILES:
        lines = (out / f"{name}.txt").read_text().splitlines()
        assert lines, name
        for line in lines:
            # The morning's lines carry their kind too.
            method, path, token, body, *kind = line.split("\t")
            assert len(kind) == (name == "morning"), name
            assert method in {"GET", "POST", "PUT"}
            assert path.startswith(("/api/v1/", "/calendar/", "/library/"))
            if token != "-":
                # A person's token, or a turnstile's or a cash desk's credential.
                model = MachineClient if token.startswith("pm_") else ApiToken
                field = "secret_hash" if model is MachineClient else "key_hash"
                assert model.objects.filter(**{field: credential_hash(token)}).exists(), name
            if body != "-":
                json.loads(body)
    # The cold diary's students are none of the warm diary's: nobody has read theirs yet.
    warm = {line.split("\t")[1] for line in (out / "diary.txt").read_text().splitlines()}
    cold = {line.split("\t")[1] for line in (out / "diary_cold.txt").read_text().splitlines()}
    assert cold and not warm & cold
    warm = {line.split("\t")[1] for line in (out / "journal.txt").read_text().splitlines()}
    cold = {line.split("\t")[1] for line in (out / "journal_cold.txt").read_text().splitlines()}
    assert cold and not warm & cold
    _check_morning(out / "morning.txt")
    # Each test_submits line submits another whole attempt; every test line is answered as sent.
    submits = (out / "test_submits.txt").read_text().splitlines()
    assert len({line.split("\t")[1] for line in submits}) == len(submits)
    client = APIClient()
    for name in ("me", "test_answers", "test_submits", "passage_burst", "meals_sales"):
        method, path, token, body = (out / f"{name}.txt").read_text().splitlines()[0].split("\t")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        sent = client.generic(method, path, body if body != "-" else "", content_type="application/json")
        assert sent.status_code in {200, 201}, (name, sent.content)
    # The burst's events and the sales are new ids in every line: none was stored before.
    burst = [json.loads(line.split("\t")[3]) for line in (out / "passage_burst.txt").read_text().splitlines()]
    ids = [event["event_id"] for batch in burst for event in batch["events"]]
    assert len(ids) == len(set(ids))
    submitted = Attempt.objects.get(pk=int(submits[0].split("\t")[1].split("/")[4]))
    assert submitted.state == Attempt.State.SUBMITTED
    assert Answer.objects.filter(attempt=submitted).count() == len(submitted.questions)
    # Before each run the benchmark puts them back in progress.
    with connection.cursor() as cursor:
        cursor.execute((out / "test_submits.reopen.sql").read_text())
    submitted.refresh_from_db()
    assert (submitted.state, submitted.points) == (Attempt.State.IN_PROGRESS, None)
    # A later run reuses the tests and the whole attempts; its own students answer (not the
    # earlier run's, whose tokens it has not made).
    call_command(
        "bench_fixtures", f"--out={out}", "--users=6", "--raw-weeks=3", "--seed=2", stdout=io.StringIO()
    )
    assert len((out / "test_submits.txt").read_text().splitlines()) == len(submits)
    raw = json.loads((out / "rawsql.json").read_text())
    assert dt.date.fromisoformat(raw["from"]).weekday() == 0
    assert raw["weeks"] and all(raw["weeks"])
    assert all(json.loads((out / "rawsql_journal.json").read_text())["pages"])


def _check_morning(file):
    """The morning of a tiny city: every kind of the table, each answered as it is sent."""
    lines = [line.split("\t") for line in file.read_text().splitlines()]
    kinds = Counter(kind.split("_")[0] for *_request, kind in lines)
    assert set(kinds) == set(MORNING_RATES)
    client = APIClient()
    firsts = {}
    for method, path, token, body, kind in lines:
        if kind not in firsts:
            firsts[kind] = (method, path, token, body)
    assert {"diary_first", "diary_repeat", "journal_first", "journal_repeat"} <= set(firsts)
    for kind, (method, path, token, body) in firsts.items():
        client.credentials(**({"HTTP_AUTHORIZATION": f"Bearer {token}"} if token != "-" else {}))
        sent = client.generic(method, path, body if body != "-" else "", content_type="application/json")
        assert sent.status_code in {200, 201}, (kind, path, sent.content[:200])


def _cast(rng, students=1500):
    """A made-up city's morning: students with none to two guardians, journals and marks."""
    families = [
        (s, [s, *range(100_000 + 2 * s, 100_000 + 2 * s + rng.choice((0, 1, 2, 2)))]) for s in range(students)
    ]
    journals = [(50_000 + a, 60_000 + a) for a in range(round(morning_seconds(families) * 25))]
    cells = [(70_000 + i, 60_000 + i % 50, i) for i in range(200)]
    people = {r for _s, readers in families for r in readers} | {t for _a, t in journals}
    return MorningCast(
        families=families,
        journals=journals,
        cells=cells,
        calendars=[f"cal{p}" for p in sorted(people)],
        usernames=[f"student{s}" for s in range(students)],
        tokens={p: f"t{p}" for p in people | {t for _l, t, _s in cells}},
    )


def test_the_morning_timeline_mixes_the_table_and_reads_each_week_first_once():
    rng = random.Random(5)
    cast = _cast(rng)
    window = 400
    lines = [line.split("\t") for line in morning_timeline(cast, rng, window=window, week="from=a&to=b")]
    kinds = Counter(kind.split("_")[0] for *_request, kind in lines)
    total = sum(MORNING_RATES.values())
    for kind, rate in MORNING_RATES.items():
        assert abs(kinds[kind] / len(lines) - rate / total) < 0.003, kind
    # Each student's week: read twice by each reader, the first of them a first read.
    reads: dict[int, list[tuple[int, str, str]]] = {}
    for n, (_method, path, token, _body, kind) in enumerate(lines):
        if kind.startswith("diary"):
            reads.setdefault(int(path.split("/")[4]), []).append((n, token, kind))
    assert len(reads) == len(cast.families)
    for student, readers in cast.families:
        assert [kind for _n, _t, kind in reads[student]] == ["diary_first"] + ["diary_repeat"] * (
            2 * len(readers) - 1
        )
        assert Counter(token for _n, token, _k in reads[student]) == {f"t{r}": 2 for r in readers}
        # The repeats follow within about the window (in lines) of the first.
        assert reads[student][-1][0] - reads[student][0][0] < 2 * window
    journals = Counter(kind for *_request, kind in lines if kind.startswith("journal"))
    assert journals == {"journal_first": len(cast.journals), "journal_repeat": len(cast.journals)}
    # An app open: /me just before a diary read, by the same reader.
    for n, (_method, _path, token, _body, kind) in enumerate(lines):
        if kind == "me":
            assert lines[n + 1][4].startswith("diary") and lines[n + 1][2] == token
    # After the first window the share of first reads among the diary's is steady, one a family.
    designed = len(cast.families) / sum(len(r) for r in reads.values())
    steady = [kind for *_request, kind in lines[window : len(lines) - 2 * window] if kind.startswith("diary")]
    for part in range(3):
        chunk = steady[part * len(steady) // 3 : (part + 1) * len(steady) // 3]
        assert abs(chunk.count("diary_first") / len(chunk) - designed) < 0.04
    ramp = [kind for *_request, kind in lines[: window // 2] if kind.startswith("diary")]
    assert ramp.count("diary_first") / len(ramp) > designed + 0.1


def _city_contents():
    """What the generator promises to repeat for a seed (its docstring): the people and their lessons."""
    lessons = Lesson.objects.values_list(
        "class_group__school__name",
        "class_group__grade",
        "class_group__letter",
        "date",
        "number",
        "subject__code",
    )
    return sorted(User.objects.values_list("username", "last_name", "first_name")), sorted(lessons)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes are for PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_bench_city_in_worker_processes_makes_the_same_city(tmp_path):
    report = tiny_city(tmp_path, schools=3, jobs=2)
    assert report["jobs"] == 2 and report["schools"] == 3
    assert report["rows"]["students"] == Enrolment.objects.count() > 0
    assert report["rows"]["marks"] + report["rows"]["owed marks"] == Mark.objects.count() > 0
    in_workers = _city_contents()
    # The workers loaded as the parent does (FK triggers off), and every mark is still consistent.
    lesson_groups = dict(Lesson.objects.values_list("pk", "class_group_id"))
    groups = dict(Enrolment.objects.values_list("student_id", "class_group_id"))
    for lesson, student in Mark.objects.values_list("lesson_id", "student_id"):
        assert lesson_groups[lesson] == groups[student]
    call_command("flush", interactive=False, verbosity=0)
    tiny_city(tmp_path, schools=3, jobs=1)
    assert _city_contents() == in_workers
