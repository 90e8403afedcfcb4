"""Rules of the framework import that no other test pinned down, found by issue 17's mutation run
over ``parta/curriculum/services.py`` (docs/decisions/0008-test-blind-spots.md): every error names
its place, one bad entry does not stop the check of the next, and each limit is inclusive."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from parta.curriculum.models import Outcome, Section, Topic
from parta.curriculum.services import framework_check, framework_import, thematic_plan_build_default
from parta.curriculum.tests.framework_documents import TOPIC, document, outcome, renamed
from parta.schools.models import Subject
from parta.testing import factories as f

pytestmark = pytest.mark.django_db

SUBJECT = "subjects[0] (algebra)"
GRADE = f"{SUBJECT} › grade 7"
SECTION = f"{GRADE} › section ALG-07-01"
OUTCOME = f"{TOPIC} › outcome ALG-07-01-01.1"


def _subject(doc: dict[str, Any]) -> Any:
    return doc["subjects"][0]


def _grade(doc: dict[str, Any]) -> Any:
    return _subject(doc)["grades"][0]


def _section(doc: dict[str, Any]) -> Any:
    return _grade(doc)["sections"][0]


def _topic(doc: dict[str, Any], index: int = 0) -> Any:
    return _section(doc)["topics"][index]


def _outcome(doc: dict[str, Any], index: int = 0) -> Any:
    return _topic(doc)["outcomes"][index]


def _apply(*changes: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    doc = document()
    for change in changes:
        change(doc)
    return doc


# Each document's problems, every one with its place in the document.
PLACED_ERRORS: dict[str, tuple[list[Callable[[dict[str, Any]], Any]], list[str]]] = {
    "a subject that is not an object": (
        [lambda d: d.update(subjects=["algebra"])],
        ["subjects[0]: must be an object"],
    ),
    "a subject without grades": (
        [lambda d: _subject(d).pop("grades")],
        [f"{SUBJECT}: “grades” must be a non-empty list"],
    ),
    "a grade that is not an object, then a grade out of range": (
        [
            lambda d: _subject(d)["grades"].__setitem__(0, 7),
            lambda d: _subject(d)["grades"][1].update(grade=12),
        ],
        [
            f"{SUBJECT} › grade None: “grade” must be a whole number from 1 to 11",
            f"{SUBJECT} › grade 12: “grade” must be a whole number from 1 to 11",
        ],
    ),
    "a grade written as text": (
        [lambda d: _grade(d).update(grade="7")],
        [f"{SUBJECT} › grade 7: “grade” must be a whole number from 1 to 11"],
    ),
    "a grade listed twice": (
        [lambda d: _subject(d)["grades"][1].update(grade=7)],
        [f"{GRADE}: the grade is listed twice"],
    ),
    "a grade without sections": (
        [lambda d: _grade(d).pop("sections")],
        [f"{GRADE}: “sections” must be a non-empty list"],
    ),
    "a section that is not an object": (
        [lambda d: _grade(d)["sections"].__setitem__(0, "numbers")],
        [f"{GRADE}: a section must be an object"],
    ),
    "a section without a code and a title": (
        [lambda d: _section(d).pop("code"), lambda d: _section(d).update(title_ru=" ")],
        [
            f"{GRADE}: “code” must be a non-empty text without spaces",
            f"{GRADE} › section ?: “title_ru” must be a non-empty text",
        ],
    ),
    "a section without an English title": (
        [lambda d: _section(d).update(title_en="")],
        [f"{SECTION}: “title_en” must be a non-empty text"],
    ),
    "a section without topics": (
        [lambda d: _section(d).update(topics=[])],
        [f"{SECTION}: “topics” must be a non-empty list"],
    ),
    "a topic that is not an object, then a topic without hours": (
        [lambda d: _section(d)["topics"].__setitem__(0, "numbers"), lambda d: _topic(d, 1).update(hours=0)],
        [
            f"{SECTION}: a topic must be an object",
            f"{SECTION} › topic ALG-07-01-02: “hours” must be a whole number from 1 to 500, not 0",
        ],
    ),
    "a topic without a code and with 501 hours": (
        [lambda d: _topic(d).pop("code"), lambda d: _topic(d).update(hours=501)],
        [
            f"{SECTION}: “code” must be a non-empty text without spaces",
            f"{SECTION} › topic ?: “hours” must be a whole number from 1 to 500, not 501",
        ],
    ),
    "an outcome that is not an object, then an outcome without its English text": (
        [
            lambda d: _topic(d)["outcomes"].__setitem__(0, "counts"),
            lambda d: _outcome(d, 1).update(text_en=""),
        ],
        [
            f"{TOPIC}: an outcome must be an object",
            f"{TOPIC} › outcome ALG-07-01-01.2: “text_en” must be a non-empty text",
        ],
    ),
    "an outcome without a code and a text": (
        [lambda d: _outcome(d).update(code="A B"), lambda d: _outcome(d).update(text_ru="")],
        [
            f"{TOPIC}: “code” must be a non-empty text without spaces",
            f"{TOPIC} › outcome ?: “text_ru” must be a non-empty text",
        ],
    ),
    "a subject code that is not a slug": (
        [lambda d: _subject(d).update(code="algebra 7")],
        ["subjects[0]: subject “code” must be a Latin slug such as “algebra”"],
    ),
    "a subject code one character too long": (
        [lambda d: _subject(d).update(code="a" * 41)],
        ["subjects[0]: subject “code” must be a Latin slug such as “algebra”"],
    ),
    "a section code one character too long": (
        [lambda d: _section(d).update(code="S" * 41)],
        [f"{GRADE}: “code” {'S' * 41} is longer than 40 characters"],
    ),
    "an outcome code one character too long": (
        [lambda d: _outcome(d).update(code="O" * 51)],
        [f"{TOPIC}: “code” {'O' * 51} is longer than 50 characters"],
    ),
    "subject names one character too long": (
        [lambda d: _subject(d).update(title_ru="А" * 201, title_en="A" * 201)],
        [
            f"{SUBJECT}: “title_ru” is longer than 200 characters",
            f"{SUBJECT}: “title_en” is longer than 200 characters",
        ],
    ),
    "topic titles one character too long": (
        [lambda d: _topic(d).update(title_ru="Т" * 301, title_en="T" * 301)],
        [
            f"{TOPIC}: “title_ru” is longer than 300 characters",
            f"{TOPIC}: “title_en” is longer than 300 characters",
        ],
    ),
    "outcome texts one character too long": (
        [lambda d: _outcome(d).update(text_ru="У" * 2001, text_en="C" * 2001)],
        [
            f"{OUTCOME}: “text_ru” is longer than 2000 characters",
            f"{OUTCOME}: “text_en” is longer than 2000 characters",
        ],
    ),
}


@pytest.mark.parametrize("case", PLACED_ERRORS, ids=list(PLACED_ERRORS))
def test_each_problem_is_reported_at_its_place_and_the_check_goes_on(case):
    changes, errors = PLACED_ERRORS[case]
    assert framework_check(_apply(*changes)) == errors


def test_every_limit_is_inclusive():
    """The longest codes and texts the tables hold, the first and last grade, 1 and 500 hours."""

    def at_the_limits(doc: dict[str, Any]) -> None:
        _subject(doc).update(code="a" * 40, title_ru="А" * 200, title_en="A" * 200)
        _subject(doc)["grades"][0].update(grade=1)
        _subject(doc)["grades"][1].update(grade=11)
        _section(doc).update(code="S" * 40, title_ru="Р" * 300, title_en="R" * 300)
        _topic(doc).update(title_ru="Т" * 300, title_en="T" * 300, hours=1)
        _topic(doc, 1).update(hours=500)
        _outcome(doc).update(code="O" * 50, text_ru="У" * 2000, text_en="C" * 2000)

    report = framework_import([_apply(at_the_limits)])
    assert report.errors == []
    assert Subject.objects.get().code == "a" * 40
    assert sorted(Section.objects.values_list("grade", flat=True)) == [1, 1, 11]
    assert Section.objects.filter(code="S" * 40).exists()
    assert sorted(Topic.objects.values_list("hours", flat=True)) == [1, 5, 6, 500]
    assert len(Outcome.objects.get(code="O" * 50).text_en) == 2000


def test_a_subject_code_may_hold_hyphens_and_underscores():
    doc = _apply(lambda d: _subject(d).update(code="social-studies_7"))
    assert framework_import([doc]).ok
    assert Subject.objects.filter(code="social-studies_7").exists()


def test_new_subjects_take_their_place_in_the_catalogue_from_the_document():
    """A subject the import creates is ordered as the document lists it."""
    doc = document()
    doc["subjects"].append(renamed(document(), "geometry", "GEO")["subjects"][0])
    assert framework_import([doc]).ok
    assert dict(Subject.objects.values_list("code", "order")) == {"algebra": 0, "geometry": 1}


def test_outcomes_are_numbered_from_one():
    assert framework_import([document()]).ok
    assert list(Outcome.objects.filter(topic__code="ALG-07-01-01").values_list("code", "order")) == [
        ("ALG-07-01-01.1", 1),
        ("ALG-07-01-01.2", 2),
    ]


def _grade7_plan() -> list[str]:
    group = f.ClassGroupFactory.create(grade=7)
    assignment = f.TeachingAssignmentFactory.create(
        class_group=group, subject=Subject.objects.get(code="algebra")
    )
    plan = thematic_plan_build_default(assignment)
    return list(plan.items.order_by("order").values_list("topic__code", flat=True))


def test_the_default_plan_follows_the_sections_order_then_the_topics_not_codes_or_ids():
    """Reordered by a second import (ids stay): the sections' order, then the topics' order."""
    assert framework_import([document()]).ok
    reordered = document()
    sections = _grade(reordered)["sections"]
    sections.reverse()
    sections[1]["topics"].reverse()
    assert framework_import([reordered]).ok
    assert _grade7_plan() == ["ALG-07-02-01", "ALG-07-01-02", "ALG-07-01-01"]


def test_sections_of_two_files_with_the_same_order_are_taken_by_code():
    second = document()
    _subject(second)["grades"].pop()
    _grade(second)["sections"] = [
        {
            **_section(second),
            "code": "ALG-07-00",
            "topics": [{**_topic(second), "code": "ALG-07-00-01", "outcomes": [outcome("ALG-07-00-01.1")]}],
        }
    ]
    assert framework_import([document(), second]).ok
    assert _grade7_plan() == ["ALG-07-00-01", "ALG-07-01-01", "ALG-07-01-02", "ALG-07-02-01"]
