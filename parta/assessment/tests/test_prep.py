"""Self-preparation for the final exams: marking a test for an exam (checked), the catalogue (only
published city tests the reader may open, the learner's exam first, their progress at each), the
progress page and API (the student's own, a guardian's child's; 404 for anyone else's), their
query budgets, and the project's own tests (``prep_items``): loaded idempotently, and every one of
their questions right when answered as the file's solution says."""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from parta.accounts.models import User
from parta.assessment import definition, prep_load, questions, services
from parta.assessment.models import Attempt
from parta.assessment.selectors_prep import Progress, exams_in_order, percent, prep_catalogue
from parta.assessment.tests.conftest import homework_with, single
from parta.core.errors import FieldErrors
from parta.curriculum.models import Section, Topic
from parta.library.models import Material, MaterialVersion, Status, Visibility
from parta.library.services.authoring import MaterialData, material_create, material_save
from parta.schools.models import ClassGroup
from parta.testing import factories as f
from parta.testing.factories import api_key
from parta.testing.library import published
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
    return client


def prep_part(exam: Any = "oge", mode: str = "training", **settings: Any) -> dict[str, Any]:
    return {
        "mode": mode,
        "exam": exam,
        **settings,
        "sections": [{"title": "Разминка", "questions": [single("q1"), single("q2", points=3)]}],
    }


def prep_test(
    world: World,
    title: str,
    *,
    exam: str | None = "oge",
    subject: str = "math",
    visibility: str | None = Visibility.CITY,
    author: User | None = None,
    **settings: Any,
) -> Material:
    """A training test by school a's subject teacher, published by the city's methodologist for
    ``visibility`` (None: a draft)."""
    math = f.SubjectFactory.create(code=subject, name_ru=subject.capitalize(), name_en=subject.capitalize())
    material = material_create(
        author or world.a.subject_teacher,
        kind="test",
        data=MaterialData(title=title, subject_ids=[math.pk], content={"test": prep_part(exam, **settings)}),
    )
    if visibility is None:
        return material
    return published(material, world.methodologist, visibility=visibility)


def student_in_grade(world: World, grade: int, username: str) -> User:
    # One class of the grade in school a's year, made once: the factory's letters repeat.
    year = world.a.group.year
    group = ClassGroup.objects.filter(year=year, grade=grade).first() or f.ClassGroupFactory.create(
        year=year, building=world.a.group.building, grade=grade
    )
    student = f.UserFactory.create(username=username)
    f.EnrolmentFactory.create(class_group=group, student=student)
    return student


def take(student: User, material: Material, right: int, *, submit: bool = True) -> Attempt:
    """An attempt at a ``test_part`` test: q1 (1 point) and q2 (3 points) right as ``right`` says
    (0 none, 1 q1, 2 q2, 3 both)."""
    attempt = services.attempt_start(student, material.pk).attempt
    services.answer_save(student, attempt.pk, "q1", {"option": "b" if right & 1 else "a"})
    services.answer_save(student, attempt.pk, "q2", {"option": "b" if right & 2 else "a"})
    if submit:
        services.attempt_submit(student, attempt.pk)
    return attempt


# --- marking a test for an exam ------------------------------------------------------------------


def checked(part: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    errors = FieldErrors()
    clean = definition.check_test(part, errors, None)
    return clean, errors.by_field.get("content", [])


def test_a_training_test_is_marked_for_an_exam_and_its_task() -> None:
    clean, problems = checked(prep_part("ege", exam_task=7))
    assert problems == []
    assert (clean["exam"], clean["exam_task"]) == ("ege", 7)
    assert checked(prep_part(None))[0]["exam"] is None
    assert checked(prep_part(""))[0]["exam"] is None
    summary = definition.summary(clean)
    assert (summary["exam"], summary["exam_task"], summary["questions"]) == ("ege", 7, 2)
    assert "exam preparation: EGE 7" in definition.lines(clean)[0]
    assert "exam" not in definition.lines(checked(prep_part(None))[0])[0]


@pytest.mark.parametrize(
    ("part", "message"),
    [
        (prep_part("gia"), "The exam is OGE (“oge”), EGE (“ege”) or none."),
        (prep_part(["oge"]), "The exam is OGE (“oge”), EGE (“ege”) or none."),
        (prep_part("oge", mode="control"), "A test for exam preparation must be in training mode"),
        (prep_part("oge", exam_task=0), "The exam's task is a number from 1 to 40."),
        (prep_part("oge", exam_task=41), "The exam's task is a number from 1 to 40."),
        (prep_part("oge", exam_task="7"), "The exam's task is a number from 1 to 40."),
        (prep_part(None, exam_task=7), "Choose the exam the task is from."),
    ],
)
def test_a_bad_exam_is_refused_with_a_message(part: dict[str, Any], message: str) -> None:
    _clean, problems = checked(part)
    assert len(problems) == 1
    assert problems[0].startswith(message)


def test_the_library_refuses_a_bad_exam_with_a_400_and_saves_nothing(world: World) -> None:
    body = {
        "kind": "test",
        "title": "Проба",
        "content": {"test": prep_part("oge", mode="control", attempts=1)},
    }
    response = api(world.a.subject_teacher).post("/api/v1/materials", body, format="json")
    assert response.status_code == 400
    assert any("training mode" in message for message in response.json()["errors"]["content"])
    assert not Material.objects.exists()
    with pytest.raises(ValidationError):
        material_create(
            world.a.subject_teacher,
            kind="test",
            data=MaterialData(title="Проба", content={"test": prep_part("egE")}),
        )


# --- the catalogue -------------------------------------------------------------------------------


def test_the_catalogue_holds_only_published_city_prep_tests_the_reader_may_open(world: World) -> None:
    shown = prep_test(world, "ОГЭ: городской")
    public = prep_test(world, "ЕГЭ: для всех", exam="ege", visibility=Visibility.PUBLIC)
    prep_test(world, "ОГЭ: черновик", visibility=None)
    prep_test(world, "ОГЭ: для своей школы", visibility=Visibility.SCHOOL)
    prep_test(world, "Обычная тренировка", exam=None)
    # A newer draft that marks a published test for an exam changes nothing until it is published…
    plain = prep_test(world, "Станет подготовкой", exam=None)
    material_save(
        world.a.subject_teacher,
        plain.pk,
        data=MaterialData(title="Станет подготовкой", content={"test": prep_part("oge")}),
    )
    # …nor does one that takes the mark off.
    material_save(
        world.a.subject_teacher,
        shown.pk,
        data=MaterialData(title="ОГЭ: городской", content={"test": prep_part(None)}),
    )
    expected = {shown.pk, public.pk}
    for user in (world.a.student, world.b.student, world.a.parent, world.b.subject_teacher, world.outsider):
        assert {test.id for test in prep_catalogue(user).tests} == expected, user
    page = signed_in(world.b.student).get("/prep/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "ОГЭ: городской" in text
    assert "ЕГЭ: для всех" in text
    assert "черновик" not in text
    assert "для своей школы" not in text
    assert signed_in(world.a.student).get("/prep/").context["catalogue"].whose.learner.is_self
    assert Client().get("/prep/").status_code == 302  # to the login page


def test_a_student_sees_their_own_exam_first(world: World) -> None:
    oge = prep_test(world, "ОГЭ: математика")
    ege = prep_test(world, "ЕГЭ: математика", exam="ege")
    senior = student_in_grade(world, 11, "senior")
    assert exams_in_order(7) == exams_in_order(9) == exams_in_order(None) == ["oge", "ege"]
    assert exams_in_order(10) == exams_in_order(11) == ["ege", "oge"]
    assert [t.id for t in prep_catalogue(world.a.sibling).tests] == [oge.pk, ege.pk]  # grade 9
    assert [t.id for t in prep_catalogue(senior).tests] == [ege.pk, oge.pk]
    page = signed_in(senior).get("/prep/")
    assert [group.exam for group in page.context["catalogue"].exams] == ["ege", "oge"]
    assert page.context["catalogue"].exams[0].own
    body = api(senior).get("/api/v1/prep/tests").json()
    assert body["exams"] == ["ege", "oge"]
    assert body["learner"] == {"id": senior.pk, "name": senior.full_name or "senior", "grade": 11}
    assert [test["id"] for test in body["tests"]] == [ege.pk, oge.pk]


def test_the_catalogue_filters_by_exam_and_subject(world: World) -> None:
    math_oge = prep_test(world, "ОГЭ: математика")
    physics_ege = prep_test(world, "ЕГЭ: физика", exam="ege", subject="physics", exam_task=5)
    math_ege = prep_test(world, "ЕГЭ: математика", exam="ege")
    client = api(world.a.student)
    ids = lambda query: [test["id"] for test in client.get(f"/api/v1/prep/tests{query}").json()["tests"]]  # noqa: E731
    assert ids("") == [math_oge.pk, math_ege.pk, physics_ege.pk]
    assert ids("?exam=ege") == [math_ege.pk, physics_ege.pk]
    assert ids("?subject=physics") == [physics_ege.pk]
    physics = physics_ege.subjects.get()
    assert ids(f"?subject={physics.pk}&exam=ege") == [physics_ege.pk]
    assert ids("?subject=physics&exam=oge") == []
    assert ids("?subject=chemistry") == []
    assert ids("?subject=%C2%B2") == []  # "²" is a digit to Python, not an id
    test = client.get("/api/v1/prep/tests?subject=physics").json()["tests"][0]
    assert test["exam_task"] == 5
    assert test["subjects"] == [{"id": physics.pk, "code": "physics", "name": "Physics"}]
    assert client.get("/api/v1/prep/tests?exam=gia").status_code == 400
    assert client.get("/api/v1/prep/tests?student=x").status_code == 400
    page = signed_in(world.a.student).get("/prep/?exam=ege&subject=physics")
    assert [t.id for t in page.context["catalogue"].tests] == [physics_ege.pk]
    # A page ignores a bad filter.
    assert len(signed_in(world.a.student).get("/prep/?exam=gia").context["catalogue"].tests) == 3


def test_each_test_shows_the_students_progress(world: World) -> None:
    material = prep_test(world, "ОГЭ: математика")
    other = prep_test(world, "ОГЭ: ещё один")
    take(world.a.student, material, right=1)  # 1 of 4: 25 %
    take(world.a.student, material, right=3)  # 4 of 4
    take(world.a.student, material, right=2, submit=False)  # in progress: not scored yet
    # Attempts made for homework count for the homework, not here.
    homework = homework_with(world, material)
    attempt = services.attempt_start(world.a.student, material.pk, homework_id=homework.pk).attempt
    services.attempt_submit(world.a.student, attempt.pk)
    # Another student's attempts are theirs.
    take(world.a.classmate, other, right=3)
    tests = {test.id: test for test in prep_catalogue(world.a.student).tests}
    progress = tests[material.pk].progress
    assert progress == Progress((25, 100), in_progress=True)
    assert (progress.attempts, progress.best, progress.last, progress.change, progress.trend) == (
        2,
        100,
        100,
        75,
        "up",
    )
    assert tests[other.pk].progress == Progress()
    api_test = next(
        t for t in api(world.a.student).get("/api/v1/prep/tests").json()["tests"] if t["id"] == material.pk
    )
    assert api_test["progress"] == {
        "attempts": 2,
        "best": 100,
        "last": 100,
        "change": 75,
        "trend": "up",
        "in_progress": True,
    }
    page = signed_in(world.a.student).get("/prep/").content.decode()
    assert "Continue" in page
    assert "Start" in page
    # Staff see the catalogue without anyone's progress.
    assert all(test.progress is None for test in prep_catalogue(world.a.class_teacher).tests)


def test_progress_trend_and_percent() -> None:
    assert Progress((50, 40)).trend == "down"
    assert Progress((40, 40)).trend == "same"
    assert Progress((40,)).trend == ""
    assert Progress().best is None
    assert percent(Decimal("2.5"), 3) == 83
    assert percent(Decimal("0.5"), 200) == 0
    assert percent(Decimal(1), 200) == 1  # 0.5 % rounds half up
    assert percent(None, 3) == percent(Decimal(1), 0) == 0


def test_a_guardian_follows_each_child_and_nobody_elses(world: World) -> None:
    material = prep_test(world, "ОГЭ: математика")
    take(world.a.sibling, material, right=3)
    parent = signed_in(world.a.parent)
    # Two children: tabs, the first by name by default.
    page = parent.get(f"/prep/?student={world.a.sibling.pk}")
    assert page.status_code == 200
    assert page.context["catalogue"].tests[0].progress == Progress((100,))
    assert len(page.context["children"]) == 2
    assert "Start" not in page.content.decode()  # a guardian does not take the test
    assert parent.get(f"/prep/progress/?student={world.a.sibling.pk}").status_code == 200
    body = api(world.a.parent).get(f"/api/v1/prep/progress?student={world.a.sibling.pk}").json()
    assert body["learner"]["id"] == world.a.sibling.pk
    assert body["subjects"][0]["tests"][0]["attempts"][0]["percent"] == 100
    for user, student in (
        (world.a.parent, world.a.classmate),
        (world.a.classmate_parent, world.a.sibling),
        (world.b.parent, world.a.sibling),
        (world.a.student, world.a.sibling),
        (world.b.subject_teacher, world.a.sibling),
        (world.a.class_teacher, world.a.student),
        (world.outsider, world.a.student),
    ):
        assert signed_in(user).get(f"/prep/progress/?student={student.pk}").status_code == 404
        assert signed_in(user).get(f"/prep/?student={student.pk}").status_code == 404
        assert api(user).get(f"/api/v1/prep/progress?student={student.pk}").status_code == 404
        assert api(user).get(f"/api/v1/prep/tests?student={student.pk}").status_code == 404
    assert parent.get("/prep/progress/?student=x").status_code == 404
    assert parent.get("/prep/progress/?student=99999999").status_code == 404
    # Someone who follows no student has no progress page.
    for user in (world.a.subject_teacher, world.outsider):
        assert signed_in(user).get("/prep/progress/").status_code == 404
        assert api(user).get("/api/v1/prep/progress").status_code == 404


def test_the_progress_page_charts_each_subjects_tests_and_the_topics(world: World) -> None:
    subject = f.SubjectFactory.create(code="math", name_ru="Математика", name_en="Mathematics")
    section = Section.objects.create(
        subject=subject, grade=9, code="T-09-01", title_ru="Р", title_en="S", order=1
    )
    topics = [
        Topic.objects.create(
            section=section,
            subject=subject,
            grade=9,
            code=f"T-09-01-0{n}",
            title_ru=title,
            title_en=title,
            hours=1,
            order=n,
        )
        for n, title in enumerate(("Уравнения", "Проценты"), start=1)
    ]
    part = prep_part("oge")
    part["sections"][0]["questions"][0]["topic_ids"] = [topics[0].pk]
    part["sections"][0]["questions"][1]["topic_ids"] = [topics[0].pk, topics[1].pk]
    material = material_create(
        world.a.subject_teacher,
        kind="test",
        data=MaterialData(title="ОГЭ: с темами", subject_ids=[subject.pk], content={"test": part}),
    )
    published(material, world.methodologist)
    physics = prep_test(world, "ЕГЭ: физика", exam="ege", subject="physics")
    take(world.a.student, material, right=1)  # q1 right, q2 wrong
    take(world.a.student, material, right=2)  # q1 wrong, q2 right
    take(world.a.student, physics, right=3)
    page = signed_in(world.a.student).get("/prep/progress/")
    assert page.status_code == 200
    report = page.context["report"]
    assert [group.subject.code for group in report.subjects] == ["math", "physics"]
    assert page.context["subjects"][0]["chart"] == {
        "labels": ["1", "2"],
        "series": [{"label": "ОГЭ: с темами", "scores": [25, 75]}],
    }
    assert report.subjects[0].tests[0].progress.trend == "up"
    # Equations: q1 and q2 each time (1 + 3 points): 1 of 4, then 3 of 4. Percent: q2 alone, 0 then 3 of 3.
    by_title = {topic.title: topic for topic in report.topics}
    assert (
        by_title["Уравнения"].questions,
        by_title["Уравнения"].percent,
        by_title["Уравнения"].last_percent,
    ) == (
        4,
        50,
        75,
    )
    assert (
        by_title["Проценты"].questions,
        by_title["Проценты"].percent,
        by_title["Проценты"].last_percent,
    ) == (
        2,
        50,
        100,
    )
    text = page.content.decode()
    assert 'id="prep-chart-1"' in text
    assert 'id="prep-chart-1-data"' in text
    assert "Уравнения" in text
    body = api(world.a.student).get("/api/v1/prep/progress").json()
    assert [t["title"] for s in body["subjects"] for t in s["tests"]] == ["ОГЭ: с темами", "ЕГЭ: физика"]
    assert body["topics"][0]["subject"] == subject.pk
    assert {topic["title"]: topic["percent"] for topic in body["topics"]} == {"Уравнения": 50, "Проценты": 50}


def test_no_attempts_yet_is_an_empty_progress_page(world: World) -> None:
    prep_test(world, "ОГЭ: математика")
    page = signed_in(world.a.student).get("/prep/progress/")
    assert page.status_code == 200
    assert page.context["report"].subjects == []
    assert api(world.a.student).get("/api/v1/prep/progress").json()["subjects"] == []


def _many_tests(world: World, count: int, start: int = 0) -> None:
    for number in range(start, start + count):
        material = prep_test(world, f"ОГЭ: вариант {number}", exam="oge" if number % 2 else "ege")
        take(world.a.student, material, right=number % 4)


def test_the_catalogue_and_progress_keep_to_their_query_budgets(
    world: World, django_assert_max_num_queries: Any
) -> None:
    """The same number of queries for 2 tests as for 8, attempts and all: the page's own (session,
    user, roles, the header's counts) and a fixed few for the tests, their subjects, the attempts,
    the versions' topics."""
    student, parent, student_api = signed_in(world.a.student), signed_in(world.a.parent), api(world.a.student)
    child = f"?student={world.a.student.pk}"
    # The catalogues count what was given to each of the reader's class groups (library.access: the
    # parent's two children's), kept after a first read.
    budgets = (
        (student, "/prep/", 12),
        (student, "/prep/progress/", 10),
        (parent, f"/prep/{child}", 15),
        (parent, f"/prep/progress/{child}", 11),
        (student_api, "/api/v1/prep/tests", 7),
        (student_api, "/api/v1/prep/progress", 5),
    )
    for size in (2, 6):
        _many_tests(world, size, start=Material.objects.count())
        for client, url, most in budgets:
            with django_assert_max_num_queries(most):
                assert client.get(url).status_code == 200


# --- the project's own tests ---------------------------------------------------------------------


def test_every_item_of_the_project_is_a_sound_training_test() -> None:
    items = prep_load.prep_items()
    assert len(items) >= 6
    exams = {(item["exam"], item["subject"]["code"]) for item in items}
    assert {
        ("oge", "math"),
        ("ege", "math"),
        ("oge", "russian"),
        ("ege", "russian"),
        ("ege", "physics"),
    } <= exams
    assert exams & {("oge", "informatics"), ("ege", "informatics"), ("oge", "social"), ("ege", "social")}
    for item in items:
        questions_ = prep_load.prep_questions(item)
        assert 6 <= len(questions_) <= 12, item["title"]
        assert len({q["type"] for q in questions_}) >= 4, item["title"]
        assert re.search("[а-яё]", item["title"] + item["description"], re.IGNORECASE)
        for question in questions_:
            assert question["explanation"].strip(), (item["title"], question["id"])
            assert re.search("[а-яё]", question["text"], re.IGNORECASE), (item["title"], question["id"])
            assert "solution" in question, (item["title"], question["id"])
        errors = FieldErrors()
        clean = definition.check_test(prep_load.prep_test_part(item, {}), errors, None)
        assert errors.by_field == {}, (item["title"], errors.by_field)
        assert clean["mode"] == "training"
        assert clean["exam"] == item["exam"]
    kinds = {q["type"] for item in items for q in prep_load.prep_questions(item)}
    assert {"numeric", "short_text", "single", "multiple", "matching", "ordering"} <= kinds
    assert any(
        q.get("tolerance") not in (None, "0") for item in items for q in prep_load.prep_questions(item)
    )


def test_the_command_loads_the_tests_once_and_a_change_makes_a_new_version(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = tmp_path / "prep_items"
    shutil.copytree(prep_load.ITEMS, items)
    monkeypatch.setattr(prep_load, "ITEMS", items)
    call_command("prep_tests_load", "--author", world.methodologist.username)
    count = len(prep_load.prep_items())
    tests = Material.objects.filter(kind="test")
    assert tests.count() == count
    assert set(tests.values_list("status", "visibility", "owner_id")) == {
        (Status.PUBLISHED, Visibility.CITY, world.methodologist.pk)
    }
    assert MaterialVersion.objects.count() == count
    # Again: nothing changes.
    report = prep_load.prep_tests_load()
    assert len(report.unchanged) == count
    assert (report.created, report.updated, report.published) == ([], [], [])
    assert Material.objects.count() == count
    assert MaterialVersion.objects.count() == count
    # A changed item (and a renamed one) gets a new version, published; the others stay.
    path = items / "math-oge.json"
    item = json.loads(path.read_text(encoding="utf-8"))
    old_title = item["title"]
    item["former_titles"] = [old_title]
    item["title"] = old_title + " (обновлён)"
    item["sections"][0]["questions"][0]["explanation"] += " Проверьте вычисления."
    path.write_text(json.dumps(item, ensure_ascii=False), encoding="utf-8")
    report = prep_load.prep_tests_load(author=world.methodologist)
    assert report.updated == [item["title"]]
    assert Material.objects.count() == count
    assert MaterialVersion.objects.count() == count + 1
    changed = Material.objects.get(title=item["title"])
    assert changed.published_id == changed.latest_id
    assert changed.latest is not None and changed.latest.number == 2
    questions_ = changed.latest.content["test"]["sections"][0]["questions"]
    assert questions_[0]["explanation"].endswith("Проверьте вычисления.")
    assert "solution" not in questions_[0]
    assert "topics" not in questions_[0]
    # Taken back by its author, it is published again on the next run.
    changed.visibility = Visibility.PRIVATE
    changed.published = None
    changed.status = Status.DRAFT
    changed.save()
    assert prep_load.prep_tests_load().published == [item["title"]]
    changed.refresh_from_db()
    assert (changed.status, changed.visibility) == (Status.PUBLISHED, Visibility.CITY)


def test_the_command_needs_a_methodologist(world: World) -> None:
    with pytest.raises(CommandError, match="not a city methodologist"):
        call_command("prep_tests_load", "--author", world.a.subject_teacher.username)
    with pytest.raises(CommandError, match="not a city methodologist"):
        call_command("prep_tests_load", "--author", "nobody")
    assert not Material.objects.exists()


def test_the_topics_of_the_items_are_the_frameworks_when_it_is_loaded(world: World) -> None:
    subject = f.SubjectFactory.create(code="algebra")
    section = Section.objects.create(
        subject=subject, grade=9, code="ALG-09-04", title_ru="Р", title_en="S", order=1
    )
    topic = Topic.objects.create(
        section=section,
        subject=subject,
        grade=9,
        code="ALG-09-04-01",
        title_ru="Арифметическая прогрессия",
        title_en="Arithmetic progression",
        hours=1,
        order=1,
    )
    prep_load.prep_tests_load(author=world.methodologist)
    tests = Material.objects.filter(kind="test").select_related("latest")
    carrying = [
        question["id"]
        for material in tests
        for section_ in material.latest.content["test"]["sections"]  # type: ignore[union-attr]
        for question in section_["questions"]
        if topic.pk in question["topic_ids"]
    ]
    assert carrying == ["q6"]
    # The material itself keeps its one subject: a question's topic brings no other.
    assert all(material.subjects.count() == 1 for material in tests)


@pytest.mark.parametrize("key", [path.stem for path in prep_load.prep_item_files()])
def test_every_question_of_an_item_is_right_when_answered_as_its_solution_says(
    world: World, key: str
) -> None:
    """Answered through the services, each question as the file's solution (typed as a student
    would: "1,1", "Дом из дерева") and then as the test's key says: full points both times."""
    item = json.loads((prep_load.ITEMS / f"{key}.json").read_text(encoding="utf-8"))
    prep_load.prep_tests_load(author=world.methodologist)
    material = Material.objects.get(title=item["title"])
    grade = 9 if item["exam"] == "oge" else 11
    student = student_in_grade(world, grade, f"examinee-{key}")
    catalogue = prep_catalogue(student)
    assert material.pk in {test.id for test in catalogue.tests}
    assert catalogue.exams[0].exam == item["exam"]
    solutions = {q["id"]: q["solution"] for q in prep_load.prep_questions(item)}
    for answer_with in ("solution", "key"):
        attempt = services.attempt_start(student, material.pk).attempt
        assert sorted(attempt.questions) == sorted(solutions)
        test = attempt.version.content["test"]
        by_id = definition.questions_of(test, attempt.questions)
        for question_id in attempt.questions:
            response = (
                solutions[question_id]
                if answer_with == "solution"
                else questions.feedback(by_id[question_id], attempt.seed)["answer"]
            )
            saved = services.answer_save(student, attempt.pk, question_id, response)
            assert saved.feedback is not None
            assert saved.feedback["correct"] is True, (key, question_id, answer_with, response)
        submitted = services.attempt_submit(student, attempt.pk)
        assert submitted.points == submitted.max_points > 0
    # Wrong answers score less: the key is not "anything goes".
    attempt = services.attempt_start(student, material.pk).attempt
    for question_id in attempt.questions:
        services.answer_save(student, attempt.pk, question_id, {})
    submitted = services.attempt_submit(student, attempt.pk)
    assert submitted.points == 0
    progress = next(test.progress for test in prep_catalogue(student).tests if test.id == material.pk)
    assert progress == Progress((100, 100, 0))
    assert progress.trend == "down"
