"""The framework import service: all or nothing, every error with its place, stable codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from parta.curriculum.models import Outcome, Section, Topic
from parta.curriculum.services import (
    bundled_framework_files,
    framework_check,
    framework_import,
    framework_import_files,
    framework_read,
)
from parta.curriculum.tests.framework_documents import TOPIC, document, outcome, renamed
from parta.schools.models import Subject
from parta.testing import factories as f

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (Subject.objects.count(), Section.objects.count(), Topic.objects.count(), Outcome.objects.count())


def test_a_valid_document_is_imported_with_its_order_and_codes():
    report = framework_import([document()])
    assert report.ok
    assert report.created == {"subjects": 1, "sections": 3, "topics": 4, "outcomes": 5}
    topic = Topic.objects.get(code="ALG-07-01-02")
    assert (topic.grade, topic.hours, topic.order) == (7, 3, 2)
    assert topic.section.code == "ALG-07-01"
    assert topic.subject.code == "algebra"
    assert topic.title_en == "Powers with natural exponents"
    assert Section.objects.get(code="ALG-07-02").order == 2
    assert [o.code for o in Topic.objects.get(code="ALG-07-01-01").outcomes.order_by("order")] == [
        "ALG-07-01-01.1",
        "ALG-07-01-01.2",
    ]


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return change


_DELETE = object()
_FIRST_TOPIC = ["subjects", 0, "grades", 0, "sections", 0, "topics", 0]
_SECOND_TOPIC = ["subjects", 0, "grades", 0, "sections", 0, "topics", 1]

BAD_DOCUMENTS = {
    "bad format tag": (
        _set(["format"], "parta-framework/2"),
        "document: “format” must be “parta-framework/1”",
    ),
    "duplicate code": (
        _set([*_SECOND_TOPIC, "code"], "ALG-07-01-01"),
        "code ALG-07-01-01 is used twice (also at subjects[0] (algebra) › grade 7 › section ALG-07-01)",
    ),
    "missing title": (
        _set([*_FIRST_TOPIC, "title_en"], _DELETE),
        f"{TOPIC}: “title_en” must be a non-empty text",
    ),
    "blank title": (_set([*_FIRST_TOPIC, "title_ru"], "  "), f"{TOPIC}: “title_ru” must be a non-empty text"),
    "hours as a word": (
        _set([*_FIRST_TOPIC, "hours"], "two"),
        f"{TOPIC}: “hours” must be a whole number from 1 to 500, not 'two'",
    ),
    "hours as a boolean": (_set([*_FIRST_TOPIC, "hours"], True), "“hours” must be a whole number"),
    "zero hours": (_set([*_FIRST_TOPIC, "hours"], 0), "“hours” must be a whole number"),
    "grade 12": (
        _set(["subjects", 0, "grades", 1, "grade"], 12),
        "subjects[0] (algebra) › grade 12: “grade” must be a whole number from 1 to 11",
    ),
    "grade twice": (_set(["subjects", 0, "grades", 1, "grade"], 7), "the grade is listed twice"),
    "no outcomes": (_set([*_FIRST_TOPIC, "outcomes"], []), f"{TOPIC}: “outcomes” must be a non-empty list"),
    "code with a space": (
        _set([*_FIRST_TOPIC, "code"], "ALG 07"),
        "“code” must be a non-empty text without spaces",
    ),
    "section code too long": (
        _set(["subjects", 0, "grades", 0, "sections", 0, "code"], "S" * 41),
        "is longer than 40 characters",
    ),
    "outcome code too long": (
        _set([*_FIRST_TOPIC, "outcomes", 0, "code"], "O" * 51),
        "is longer than 50 characters",
    ),
    "subject code not a slug": (
        _set(["subjects", 0, "code"], "алгебра"),
        "subject “code” must be a Latin slug",
    ),
    "topic not an object": (_set(_FIRST_TOPIC, "topic"), "a topic must be an object"),
    "no subjects": (_set(["subjects"], []), "document: “subjects” must be a non-empty list"),
}


@pytest.mark.parametrize("case", BAD_DOCUMENTS, ids=list(BAD_DOCUMENTS))
def test_every_kind_of_error_is_reported_with_its_place_and_nothing_is_written(case):
    change, message = BAD_DOCUMENTS[case]
    doc = document()
    change(doc)
    report = framework_import([doc])
    assert not report.ok
    assert any(message in error for error in report.errors), report.errors
    assert counts() == (0, 0, 0, 0)
    assert framework_check(doc) == report.errors


def test_all_errors_are_reported_at_once():
    doc = document()
    _set([*_FIRST_TOPIC, "hours"], "two")(doc)
    _set([*_SECOND_TOPIC, "title_ru"], "")(doc)
    _set(["subjects", 0, "grades", 1, "grade"], 12)(doc)
    assert len(framework_check(doc)) == 3


def test_a_valid_document_is_not_written_when_another_has_errors():
    bad = renamed(document(), "geometry", "GEO")
    for section in bad["subjects"][0]["grades"][0]["sections"]:
        for topic in section["topics"]:
            topic["hours"] = "two"
    report = framework_import([document(), bad], sources=["algebra.json", "geometry.json"])
    assert not report.ok
    assert all(error.startswith("geometry.json: ") for error in report.errors)
    assert counts() == (0, 0, 0, 0)


def test_a_code_used_in_two_files_names_both_files():
    report = framework_import([document(), document()], sources=["one.json", "two.json"])
    assert (
        "two.json: subjects[0] (algebra) › grade 7: code ALG-07-01 is used twice (also at one.json: "
        in (report.errors[0])
    )


def test_reimport_is_idempotent():
    framework_import([document()])
    before = {topic.code: topic.pk for topic in Topic.objects.all()}
    report = framework_import([document()])
    assert report.ok
    assert report.created == report.updated == {}
    assert report.unchanged == {"subjects": 1, "sections": 3, "topics": 4, "outcomes": 5}
    assert {topic.code: topic.pk for topic in Topic.objects.all()} == before


def test_reimport_updates_in_place_so_lessons_keep_their_topic():
    framework_import([document()])
    topic = Topic.objects.get(code="ALG-07-01-01")
    lesson = f.LessonFactory.create(topic=topic)
    changed = document()
    sections = changed["subjects"][0]["grades"][0]["sections"]
    moved = sections[0]["topics"].pop(0)
    moved["title_en"] = "Rational numbers and their properties"
    sections[1]["topics"].append(moved)
    report = framework_import([changed])
    assert report.ok
    assert report.updated == {"topics": 2}  # the moved topic, and the one that became first
    assert report.created == {}
    topic.refresh_from_db()
    assert topic.title_en == "Rational numbers and their properties"
    assert topic.section.code == "ALG-07-02"
    assert topic.order == 2
    lesson.refresh_from_db()
    assert lesson.topic_id == topic.pk


def test_an_existing_subject_keeps_its_place_in_the_catalogue_and_takes_the_framework_names():
    subject = f.SubjectFactory.create(code="algebra", name_ru="алгебра", name_en="algebra", order=5)
    report = framework_import([document()])
    assert report.updated["subjects"] == 1
    subject.refresh_from_db()
    assert (subject.name_ru, subject.name_en, subject.order) == ("Алгебра", "Algebra", 5)


def test_broken_json_is_reported_with_line_and_column(tmp_path):
    path = tmp_path / "city.json"
    path.write_text('{\n  "format": "parta-framework/1",\n  "subjects": [\n', encoding="utf-8")
    report = framework_import_files([path])
    assert not report.ok
    [error] = report.errors
    assert error.startswith(f"{path}: not valid JSON at line 4, column 1")
    assert counts() == (0, 0, 0, 0)


def test_a_missing_file_is_reported(tmp_path):
    report = framework_import_files([tmp_path / "absent.json"])
    assert not report.ok
    assert "absent.json" in report.errors[0]


def test_files_are_imported_with_their_names_in_errors(tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(document(), ensure_ascii=False), encoding="utf-8")
    broken = document()
    broken["format"] = "other"
    bad.write_text(json.dumps(broken), encoding="utf-8")
    assert framework_import_files([good]).ok
    report = framework_import_files([bad])
    assert report.errors == [f"{bad}: document: “format” must be “parta-framework/1”"]


def test_a_file_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "windows.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(document()).encode())
    documents, errors = framework_read([path])
    assert errors == []
    assert documents[0]["format"] == "parta-framework/1"


def test_the_bundled_framework_is_valid_and_its_codes_unique_across_files():
    documents, errors = framework_read(bundled_framework_files())
    assert errors == []
    assert documents
    combined = {"format": "parta-framework/1", "subjects": [s for doc in documents for s in doc["subjects"]]}
    assert framework_check(combined) == []


def test_the_bundled_framework_covers_primary_school_and_fills_each_study_year():
    documents, errors = framework_read(bundled_framework_files())
    assert errors == []
    grades = {
        subject["code"]: {grade["grade"]: grade for grade in subject["grades"]}
        for doc in documents
        for subject in doc["subjects"]
    }
    for code in ("russian", "reading", "math", "world"):
        assert {1, 2, 3, 4} <= grades[code].keys(), code
    assert {2, 3, 4} <= grades["english"].keys()
    assert 1 not in grades["english"]
    for code, by_grade in grades.items():
        for number, grade in by_grade.items():
            hours = sum(topic["hours"] for section in grade["sections"] for topic in section["topics"])
            # Grade 1 has 33 study weeks, the others 34: the topics fill whole weekly hours over the year.
            weeks = 33 if number == 1 else 34
            assert hours > 0 and hours % weeks == 0, f"{code} grade {number}: {hours} h, {weeks} weeks"


def test_an_import_reads_and_writes_each_kind_in_a_few_queries(django_assert_max_num_queries):
    big = document()
    section = big["subjects"][0]["grades"][0]["sections"][0]
    section["topics"] += [
        {**section["topics"][0], "code": f"ALG-07-01-X{i}", "outcomes": [outcome(f"ALG-07-01-X{i}.1")]}
        for i in range(50)
    ]
    # Per kind: one lookup by code, one bulk insert, one bulk update, whatever the number of rows.
    with django_assert_max_num_queries(10):
        assert framework_import([big]).ok
    section["topics"][-1]["title_en"] = "Changed"
    with django_assert_max_num_queries(10):
        report = framework_import([big])
    assert report.updated == {"topics": 1}
    assert Topic.objects.get(code="ALG-07-01-X49").title_en == "Changed"
