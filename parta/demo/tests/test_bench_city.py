"""The benchmark's generator path at a tiny scale: bench_city (through bulk_loading and COPY on
PostgreSQL, batched inserts elsewhere) and bench_fixtures. The benchmark itself is not run here."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from parta.accounts.models import ApiToken, Guardianship, MachineClient, User, credential_hash
from parta.assessment.models import Answer, Attempt, Statement
from parta.demo.generator import bulk
from parta.demo.management.commands.bench_city import CITY_SCHOOLS, schools_for
from parta.demo.management.commands.bench_fixtures import SCENARIO_FILES
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
            method, path, token, body = line.split("\t")
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
    # Each test_submits line submits another whole attempt; every test line is answered as sent.
    submits = (out / "test_submits.txt").read_text().splitlines()
    assert len({line.split("\t")[1] for line in submits}) == len(submits)
    client = APIClient()
    for name in ("test_answers", "test_submits", "passage_burst", "meals_sales"):
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
