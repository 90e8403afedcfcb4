"""The test constructor: a teacher builds a test on one page, every save a new library version
checked by the test part's check; a refused save shows each message beside its question and
saves nothing; only the test's author reaches its page (404 for anyone else); keys of the part
the constructor does not edit are kept; the library's pages lead to it and keep the questions.
A test's subjects and grades (the teacher's subjects to start with) make a lesson's homework form
offer it, and its questions' topics follow them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from parta.assessment import authoring
from parta.assessment.tests.conftest import make_test, numeric, open_question, single
from parta.homework.forms import materials_offer
from parta.library.models import Kind, Material, MaterialVersion
from parta.library.services.authoring import MaterialData, material_create
from parta.schools.models import Subject
from parta.testing import factories as f
from parta.testing.curriculum import framework_topic
from parta.testing.library import text_material
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def multiple(qid: str) -> dict[str, Any]:
    return {
        "id": qid,
        "type": "multiple",
        "text": "Which are even?",
        "points": 2,
        "options": [{"id": "a", "text": "2"}, {"id": "b", "text": "3"}, {"id": "c", "text": "4"}],
        "correct": ["c", "a"],
    }


def matching(qid: str) -> dict[str, Any]:
    return {
        "id": qid,
        "type": "matching",
        "text": "Match the shape and its corners.",
        "left": [{"id": "l1", "text": "Triangle"}, {"id": "l2", "text": "Square"}],
        "right": [{"id": "r1", "text": "3"}, {"id": "r2", "text": "4"}, {"id": "r3", "text": "5"}],
        "pairs": {"l1": "r1", "l2": "r2"},
    }


def blanks(qid: str) -> dict[str, Any]:
    return {
        "id": qid,
        "type": "blanks",
        "text": "The square [[1]] of 9 is [[2]].",
        "gaps": {
            "1": {"variants": ["root"]},
            "2": {"options": [{"id": "a", "text": "3"}, {"id": "b", "text": "81"}], "correct": "a"},
        },
    }


def form_data(part: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """What the page posts: the title and settings as fields, the part as JSON."""
    data = {
        "title": "Fractions",
        "description": "",
        "mode": part.get("mode", "training"),
        "time_limit_minutes": part.get("time_limit_minutes") or "",
        "attempts": part.get("attempts") or "",
        "results": part.get("results", "on_submit"),
        "part": json.dumps(part),
        **fields,
    }
    if part.get("show_answers"):
        data["show_answers"] = "on"
    return data


def sections(*questions: dict[str, Any], title: str = "Part one") -> list[dict[str, Any]]:
    return [{"title": title, "draw": None, "shuffle": False, "questions": list(questions)}]


def a_part(**settings: Any) -> dict[str, Any]:
    return {**authoring.blank_part(), **settings}


# --- making a test -------------------------------------------------------------------------------


def test_a_teacher_creates_a_test_of_several_types(world: World) -> None:
    teacher = world.a.subject_teacher
    part = a_part(
        mode="control",
        show_answers=False,
        attempts=2,
        results="after_deadline",
        time_limit_minutes=20,
        sections=[
            *sections(single("q1"), multiple("q2"), numeric("q3")),
            *sections(matching("q4"), blanks("q5"), open_question("q6"), title="Part two"),
        ],
    )
    response = signed_in(teacher).post("/tests/new/", form_data(part, description="Before the lesson."))
    material = Material.objects.get(kind=Kind.TEST)
    assert response.status_code == 302
    assert response["Location"] == f"/library/materials/{material.pk}/"
    assert material.owner == teacher and material.latest is not None
    version = material.latest
    assert (version.number, version.title, version.description) == (1, "Fractions", "Before the lesson.")
    test = version.content["test"]
    assert (test["mode"], test["attempts"], test["results"], test["time_limit_minutes"]) == (
        "control",
        2,
        "after_deadline",
        20,
    )
    assert test["show_answers"] is False
    assert [s["title"] for s in test["sections"]] == ["Part one", "Part two"]
    kinds = [q["type"] for s in test["sections"] for q in s["questions"]]
    assert kinds == ["single", "multiple", "numeric", "matching", "blanks", "open"]
    # Cleaned by the check: the right options in the options' order.
    assert test["sections"][0]["questions"][1]["correct"] == ["a", "c"]


def test_the_new_test_page_is_for_those_who_make_materials(world: World) -> None:
    for user in (world.a.subject_teacher, world.b.admin, world.methodologist):
        page = signed_in(user).get("/tests/new/")
        assert page.status_code == 200
        assert json.loads(page.context["form"]["part"].value()) == authoring.blank_part()
    for user in (world.a.student, world.a.parent, world.outsider):
        assert signed_in(user).get("/tests/new/").status_code == 404
        assert signed_in(user).post("/tests/new/", form_data(a_part())).status_code == 404
    assert Client().get("/tests/new/").status_code == 302  # to signing in
    assert not Material.objects.exists()


def test_a_methodologist_makes_a_test_of_the_city(world: World) -> None:
    part = a_part(sections=sections(single("q1")))
    assert signed_in(world.methodologist).post("/tests/new/", form_data(part)).status_code == 302
    material = Material.objects.get()
    assert material.school_id is None and material.city_id == world.a.school.city_id


# --- where a test belongs: its subjects, grades and topics ---------------------------------------


def offered_at(lesson: Any, teacher: Any) -> set[int]:
    return {material.id for material in materials_offer(teacher, lesson)}


def test_a_test_built_for_a_subject_and_grade_is_offered_as_homework_at_its_lessons(world: World) -> None:
    teacher, lesson = world.a.subject_teacher, world.a.lesson  # algebra in grade 7
    algebra = lesson.subject
    topic = framework_topic(algebra, 7, "alg-7-fractions")
    client = signed_in(teacher)
    part = a_part(sections=sections(single("q1")))
    posted = form_data(part, subjects=[algebra.pk], grades=["7"], topics=[topic.pk])
    assert client.post("/tests/new/", posted).status_code == 302
    built = Material.objects.get(kind=Kind.TEST)
    assert built.latest is not None
    assert (built.latest.subject_ids, built.latest.grades, built.latest.topic_ids) == (
        [algebra.pk],
        [7],
        [topic.pk],
    )
    # Without a subject and grade, or for another grade, a test is not offered at the lesson.
    nowhere = form_data(part, title="Nowhere", subjects=[], grades=[])
    assert client.post("/tests/new/", nowhere).status_code == 302
    ninth = form_data(part, title="For the ninth", subjects=[algebra.pk], grades=["9"])
    assert client.post("/tests/new/", ninth).status_code == 302
    assert offered_at(lesson, teacher) == {built.pk}


def test_a_new_test_starts_with_the_subjects_the_teacher_teaches(world: World) -> None:
    algebra = world.a.assignment.subject
    topic = framework_topic(algebra, 7, "alg-7-fractions")
    page = signed_in(world.a.subject_teacher).get("/tests/new/")
    form = page.context["form"]
    assert form["subjects"].value() == [algebra.pk]
    assert form["grades"].value() is None and form["topics"].value() is None
    # The questions may be tagged with the topics of those subjects; the test's topic picker
    # is the library's, asked again when the subjects or grades change.
    assert page.context["topics"] == [["7 · Section", [[topic.pk, "alg-7-fractions Topic alg-7-fractions"]]]]
    assert 'hx-get="/library/new/topics/?kind=test"' in page.content.decode()
    # A teacher of two subjects gets both; one who teaches nothing, none.
    russian = Subject.objects.get(code="russian")
    taught = signed_in(world.a.class_teacher).get("/tests/new/").context["form"]["subjects"].value()
    assert sorted(taught) == sorted([algebra.pk, russian.pk])
    assert signed_in(world.methodologist).get("/tests/new/").context["form"]["subjects"].value() == []


# --- refusals ------------------------------------------------------------------------------------


def test_a_problem_is_shown_beside_its_question_and_nothing_is_saved(world: World) -> None:
    material = make_test(world.a.subject_teacher)
    wrong = {**single("q2"), "correct": "z"}
    part = a_part(sections=[*sections(single("q1")), *sections(wrong, numeric("q3"), title="Two")])
    part["sections"][1]["questions"][1]["answer"] = ""
    response = signed_in(world.a.subject_teacher).post(f"/tests/{material.pk}/questions/", form_data(part))
    assert response.status_code == 400
    errors = response.context["errors"]
    assert errors["questions"] == {
        "2": ["Question 2: mark the correct option."],
        "3": ["Question 3: give the answer: a number or a formula over the params."],
    }
    html = response.content.decode()
    assert 'href="#question-2"' in html and 'href="#question-3"' in html
    assert "Nothing was saved" in html
    # The page comes back with what was posted, to mend it.
    assert json.loads(response.context["form"]["part"].value()) == part
    assert MaterialVersion.objects.filter(material=material).count() == 1


def test_a_section_without_questions_and_a_bad_setting_are_named(world: World) -> None:
    teacher = world.a.subject_teacher
    part = a_part(sections=[*sections(single("q1")), *sections()])
    response = signed_in(teacher).post(
        "/tests/new/", form_data(part, mode="control", time_limit_minutes="999", title="")
    )
    assert response.status_code == 400
    assert response.context["errors"]["sections"] == {"2": ["Section 2: add at least one question."]}
    form = response.context["form"]
    assert form.errors["title"] == ["This field is required."]
    assert not Material.objects.exists()
    response = signed_in(teacher).post(
        "/tests/new/", form_data(part, mode="control", time_limit_minutes="999")
    )
    assert "A time limit is from 1 to 600 minutes." in response.context["form"].errors["part"]
    assert response.context["errors"]["sections"] == {"2": ["Section 2: add at least one question."]}
    assert not Material.objects.exists()


def test_a_bad_grade_or_subject_is_named_at_its_field_and_nothing_is_saved(world: World) -> None:
    teacher = world.a.subject_teacher
    algebra = world.a.assignment.subject
    part = a_part(sections=sections(single("q1")))
    response = signed_in(teacher).post(
        "/tests/new/", form_data(part, subjects=[algebra.pk], grades=["7", "12"])
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["grades"] == ["Select a valid choice. 12 is not one of the available choices."]
    html = response.content.decode()
    assert "Nothing was saved" in html and html.count('class="field has-error"') == 1
    at_field = html.split('class="field has-error"')[1].split('class="field')[0]
    assert 'name="grades"' in at_field and "12 is not one of the available choices" in at_field
    # What was chosen comes back, to be mended.
    assert (form["subjects"].value(), form["grades"].value()) == ([str(algebra.pk)], ["7", "12"])
    material = make_test(teacher)
    edited = form_data(part, subjects=["999999"], grades=["7"])
    response = signed_in(teacher).post(f"/tests/{material.pk}/questions/", edited)
    assert response.status_code == 400
    assert response.context["form"].errors["subjects"] == [
        "Select a valid choice. 999999 is not one of the available choices."
    ]
    assert Material.objects.count() == 1
    assert MaterialVersion.objects.filter(material=material).count() == 1


def test_the_questions_topics_follow_the_subjects_and_grades_chosen(world: World) -> None:
    teacher = world.a.subject_teacher
    algebra = world.a.assignment.subject
    seventh, ninth = framework_topic(algebra, 7, "alg-7"), framework_topic(algebra, 9, "alg-9")
    material = make_test(teacher)  # of no subject or grade
    page = signed_in(teacher).get(f"/tests/{material.pk}/questions/")
    assert page.context["topics"] == []
    # A form sent back (no title) offers the topics of the subjects and grades it was sent with.
    posted = form_data(a_part(sections=sections(single("q1"))), title="", subjects=[algebra.pk], grades=["9"])
    response = signed_in(teacher).post(f"/tests/{material.pk}/questions/", posted)
    assert response.status_code == 400
    offered = [pk for _group, topics in response.context["topics"] for pk, _title in topics]
    assert offered == [ninth.pk]
    assert [pk for pk, _title in response.context["form"].fields["topics"].choices[0][1]] == [ninth.pk]
    assert seventh.pk not in offered


def test_unreadable_questions_are_refused(world: World) -> None:
    response = signed_in(world.a.subject_teacher).post("/tests/new/", {**form_data(a_part()), "part": "{"})
    assert response.status_code == 400
    assert response.context["form"].errors["part"] == ["The questions could not be read; reload the page."]
    assert not Material.objects.exists()


def test_messages_find_their_questions_in_russian_too() -> None:
    error = ValidationError(
        {
            "content": [
                "Вопрос 4: отметьте верный вариант.",
                "Раздел 2: добавьте хотя бы один вопрос.",
                "Вопрос 7: такой id уже есть у другого вопроса.",
                "Тест должен состоять из разделов.",
            ],
            "title": ["Дайте название."],
        }
    )
    with translation.override("ru"):
        problems = authoring.problems_of(error)
    assert problems.questions == {
        4: ["Вопрос 4: отметьте верный вариант."],
        7: ["Вопрос 7: такой id уже есть у другого вопроса."],
    }
    assert problems.sections == {2: ["Раздел 2: добавьте хотя бы один вопрос."]}
    assert problems.rest == {"content": ["Тест должен состоять из разделов."], "title": ["Дайте название."]}


# --- whose page it is ----------------------------------------------------------------------------


def test_only_the_author_reaches_the_questions_of_a_test(world: World) -> None:
    material = make_test(world.a.subject_teacher, world.methodologist)  # published for the city
    url = f"/tests/{material.pk}/questions/"
    part = a_part(sections=sections(single("q1")))
    strangers = (
        world.a.class_teacher,  # another teacher of the same school
        world.a.admin,
        world.a.student,
        world.a.parent,
        world.b.subject_teacher,  # another school
        world.methodologist,  # who published it
        world.outsider,
    )
    for user in strangers:
        assert signed_in(user).get(url).status_code == 404
        assert signed_in(user).post(url, form_data(part)).status_code == 404
        assert signed_in(user).post(url, {"title": "x"}).status_code == 404
    assert signed_in(world.a.subject_teacher).get("/tests/999999/questions/").status_code == 404
    assert MaterialVersion.objects.filter(material=material).count() == 1
    assert signed_in(world.a.subject_teacher).get(url).status_code == 200
    admin = f.UserFactory.create(username="root", is_superuser=True, is_staff=True)
    assert signed_in(admin).get(url).status_code == 200


def test_a_material_that_is_no_test_is_404(world: World) -> None:
    text = text_material(world.a.subject_teacher)
    assert signed_in(world.a.subject_teacher).get(f"/tests/{text.pk}/questions/").status_code == 404


# --- saving again --------------------------------------------------------------------------------


def test_a_save_makes_a_new_version_and_keeps_the_rest(world: World) -> None:
    teacher = world.a.subject_teacher
    subject = world.a.assignment.subject
    material = material_create(
        teacher,
        kind="test",
        data=MaterialData(
            title="Fractions",
            subject_ids=[subject.pk],
            grades=[7],
            authors="A. Teacher",
            content={"body": "Read it first.", "test": a_part(sections=sections(single("q1")))},
        ),
    )
    page = signed_in(teacher).get(f"/tests/{material.pk}/questions/")
    assert page.status_code == 200
    form = page.context["form"]
    assert (form["subjects"].value(), form["grades"].value()) == ([subject.pk], [7])
    stored = json.loads(form["part"].value())
    assert stored["sections"][0]["questions"][0]["id"] == "q1"
    stored["sections"][0]["questions"].append(numeric("q2"))
    response = signed_in(teacher).post(
        f"/tests/{material.pk}/questions/",
        form_data(
            stored,
            title="Fractions, again",
            note="A second question",
            subjects=[subject.pk],
            grades=["7", "8"],
        ),
    )
    assert response.status_code == 302
    material.refresh_from_db()
    assert material.latest is not None
    version = material.latest
    assert (version.number, version.title, version.note) == (2, "Fractions, again", "A second question")
    assert [q["id"] for q in version.content["test"]["sections"][0]["questions"]] == ["q1", "q2"]
    # The grades as chosen; what the constructor does not edit stays as it was.
    assert (version.subject_ids, version.grades) == ([subject.pk], [7, 8])
    assert (version.content["body"], version.authors) == ("Read it first.", "A. Teacher")
    # The first version is as it was.
    first = MaterialVersion.objects.get(material=material, number=1).content["test"]
    assert [q["id"] for q in first["sections"][0]["questions"]] == ["q1"]


def test_keys_the_constructor_does_not_edit_are_kept_as_the_latest_version_has_them(world: World) -> None:
    teacher = world.a.subject_teacher
    part = a_part(exam="oge", exam_task=5, sections=sections(single("q1")))
    material = material_create(teacher, kind="test", data=MaterialData(title="OGE 5", content={"test": part}))
    # A page that knows nothing of the exam posts the part without it, or with another value.
    edited = a_part(sections=sections(single("q1"), numeric("q2")))
    for posted in (edited, {**edited, "exam": "ege", "exam_task": 7}):
        assert (
            signed_in(teacher).post(f"/tests/{material.pk}/questions/", form_data(posted)).status_code == 302
        )
        material.refresh_from_db()
        assert material.latest is not None
        test = material.latest.content["test"]
        assert (test["exam"], test["exam_task"]) == ("oge", 5)
        assert len(test["sections"][0]["questions"]) == 2


def test_the_part_to_save_keeps_unknown_keys_of_the_stored_one() -> None:
    stored = {"mode": "training", "future": {"a": 1}, "sections": []}
    edited = {"mode": "control", "future": "changed", "other": 2, "sections": [{"questions": []}]}
    assert authoring.part_to_save(edited, stored) == {
        "future": {"a": 1},
        "mode": "control",
        "sections": [{"questions": []}],
    }
    # A new test has nothing stored: the part as given.
    assert authoring.part_to_save(edited, None) == edited


# --- the library leads here and keeps the questions ------------------------------------------------


def test_the_library_page_of_a_test_links_its_author_to_the_questions(world: World) -> None:
    material = make_test(world.a.subject_teacher, world.methodologist)
    link = f'href="/tests/{material.pk}/questions/"'
    page = signed_in(world.a.subject_teacher).get(f"/library/materials/{material.pk}/").content.decode()
    assert link in page and "Edit questions" in page
    for user in (world.a.class_teacher, world.a.student, world.methodologist):
        assert link not in signed_in(user).get(f"/library/materials/{material.pk}/").content.decode()


def test_the_new_material_page_leads_to_the_constructor(world: World) -> None:
    client = signed_in(world.a.subject_teacher)
    choose = client.get("/library/new/").content.decode()
    assert 'href="/tests/new/"' in choose and 'href="?kind=test"' in choose
    form = client.get("/library/new/?kind=test").content.decode()
    assert 'href="/tests/new/"' in form


def test_changing_a_tests_title_in_the_library_keeps_its_questions(world: World) -> None:
    teacher = world.a.subject_teacher
    material = make_test(teacher)
    client = signed_in(teacher)
    page = client.get(f"/library/materials/{material.pk}/edit/")
    assert f'href="/tests/{material.pk}/questions/"' in page.content.decode()
    form = page.context["form"]
    data = {name: value for name in form.fields if (value := form[name].value()) not in (None, [])}
    data["title"] = "Multiplication table, again"
    response = client.post(f"/library/materials/{material.pk}/edit/", data)
    assert response.status_code == 302
    material.refresh_from_db()
    assert material.latest is not None and material.latest.number == 2
    assert material.latest.title == "Multiplication table, again"
    first = MaterialVersion.objects.get(material=material, number=1)
    assert material.latest.content["test"] == first.content["test"]


# --- the preview -----------------------------------------------------------------------------------


def test_a_question_is_previewed_as_a_student_sees_it_with_its_key(world: World) -> None:
    client = signed_in(world.a.subject_teacher)
    response = client.post("/tests/questions/preview/", {"question": json.dumps(single("q7")), "number": "3"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Question 3" in html and 'value="b"' in html and "is-key" in html
    assert "Two and two make four." in html
    refused = client.post(
        "/tests/questions/preview/", {"question": json.dumps({**single("q7"), "correct": ""}), "number": "3"}
    )
    assert refused.status_code == 400
    assert "Question 3: mark the correct option." in refused.content.decode()
    assert signed_in(world.a.student).post("/tests/questions/preview/", {"question": "{}"}).status_code == 404
    assert client.get("/tests/questions/preview/").status_code == 405


def test_the_preview_is_only_for_those_who_make_materials(world: World) -> None:
    question = {"question": json.dumps(single("q1")), "number": "1"}
    for user in (world.a.student, world.a.parent, world.outsider):
        assert signed_in(user).post("/tests/questions/preview/", question).status_code == 404
    assert Client().post("/tests/questions/preview/", question).status_code == 302  # to signing in
    assert signed_in(world.b.subject_teacher).post("/tests/questions/preview/", question).status_code == 200
