"""Writes of the curriculum: importing the city framework, building thematic plans."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from parta.curriculum.models import Outcome, PlanItem, Section, ThematicPlan, Topic
from parta.schools.models import Subject, TeachingAssignment

FORMAT = "parta-framework/1"
BUNDLED_FRAMEWORK_DIR = Path(__file__).parent / "data" / "framework"
# The model fields' lengths: an over-long code must be a report line, not a database error mid-import.
CODE_MAX_LENGTH = 40
OUTCOME_CODE_MAX_LENGTH = 50


@dataclass
class ImportReport:
    """What an import did, or — if ``errors`` is not empty — why it wrote nothing."""

    errors: list[str] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, bucket: dict[str, int], kind: str) -> None:
        bucket[kind] = bucket.get(kind, 0) + 1


class _Checker:
    """Walks a framework document and collects every problem with where it is."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.codes: dict[str, str] = {}
        # The file being checked, so that a city with several files knows where to look.
        self.source = ""

    def place(self, where: str) -> str:
        return f"{self.source}: {where}" if self.source else where

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{self.place(where)}: {message}")

    def text(self, obj: dict[str, Any], key: str, where: str, *, max_length: int = 300) -> None:
        value = obj.get(key)
        if not isinstance(value, str) or not value.strip():
            self.error(where, _("“%(key)s” must be a non-empty text") % {"key": key})
        elif len(value) > max_length:
            self.error(
                where, _("“%(key)s” is longer than %(max)d characters") % {"key": key, "max": max_length}
            )

    def code(self, obj: dict[str, Any], where: str, *, max_length: int = CODE_MAX_LENGTH) -> str | None:
        value = obj.get("code")
        if not isinstance(value, str) or not value.strip() or any(ch.isspace() for ch in value):
            self.error(where, _("“code” must be a non-empty text without spaces"))
            return None
        if len(value) > max_length:
            self.error(
                where,
                _("“code” %(code)s is longer than %(max)d characters") % {"code": value, "max": max_length},
            )
            return None
        if value in self.codes:
            self.error(
                where,
                _("code %(code)s is used twice (also at %(other)s)")
                % {"code": value, "other": self.codes[value]},
            )
            return None
        self.codes[value] = self.place(where)
        return value

    def items(self, obj: dict[str, Any], key: str, where: str) -> list[Any]:
        value = obj.get(key)
        if not isinstance(value, list) or not value:
            self.error(where, _("“%(key)s” must be a non-empty list") % {"key": key})
            return []
        return value

    def check(self, document: Any) -> None:
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            self.error(_("document"), _("“format” must be “%(format)s”") % {"format": FORMAT})
            return
        for i, subject in enumerate(self.items(document, "subjects", _("document"))):
            self.check_subject(subject, f"subjects[{i}]")

    def check_subject(self, subject: Any, where: str) -> None:
        if not isinstance(subject, dict):
            self.error(where, _("must be an object"))
            return
        code = subject.get("code")
        if (
            not isinstance(code, str)
            or not code.isascii()
            or not code.replace("-", "").replace("_", "").isalnum()
            or len(code) > CODE_MAX_LENGTH
        ):
            self.error(where, _("subject “code” must be a Latin slug such as “algebra”"))
        else:
            where = f"{where} ({code})"
        self.text(subject, "title_ru", where, max_length=200)
        self.text(subject, "title_en", where, max_length=200)
        seen: set[Any] = set()
        for grade_entry in self.items(subject, "grades", where):
            grade = grade_entry.get("grade") if isinstance(grade_entry, dict) else None
            grade_where = f"{where} › {_('grade')} {grade}"
            if not isinstance(grade, int) or isinstance(grade, bool) or not 1 <= grade <= 11:
                self.error(grade_where, _("“grade” must be a whole number from 1 to 11"))
                continue
            if grade in seen:
                self.error(grade_where, _("the grade is listed twice"))
            seen.add(grade)
            for section in self.items(grade_entry, "sections", grade_where):
                self.check_section(section, grade_where)

    def check_section(self, section: Any, where: str) -> None:
        if not isinstance(section, dict):
            self.error(where, _("a section must be an object"))
            return
        code = self.code(section, where)
        where = f"{where} › {_('section')} {code or '?'}"
        self.text(section, "title_ru", where)
        self.text(section, "title_en", where)
        for topic in self.items(section, "topics", where):
            if not isinstance(topic, dict):
                self.error(where, _("a topic must be an object"))
                continue
            topic_code = self.code(topic, where)
            topic_where = f"{where} › {_('topic')} {topic_code or '?'}"
            self.text(topic, "title_ru", topic_where)
            self.text(topic, "title_en", topic_where)
            hours = topic.get("hours")
            if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= 500:
                self.error(
                    topic_where,
                    _("“hours” must be a whole number from 1 to 500, not %(value)r") % {"value": hours},
                )
            for outcome in self.items(topic, "outcomes", topic_where):
                if not isinstance(outcome, dict):
                    self.error(topic_where, _("an outcome must be an object"))
                    continue
                outcome_code = self.code(outcome, topic_where, max_length=OUTCOME_CODE_MAX_LENGTH)
                outcome_where = f"{topic_where} › {_('outcome')} {outcome_code or '?'}"
                self.text(outcome, "text_ru", outcome_where, max_length=2000)
                self.text(outcome, "text_en", outcome_where, max_length=2000)


def framework_check(document: Any) -> list[str]:
    """Every problem in a framework document, each with its place; empty when it can be imported."""
    checker = _Checker()
    checker.check(document)
    return checker.errors


def _upsert(model: type[Any], code: str, values: dict[str, Any], kind: str, report: ImportReport) -> Any:
    """Create by code, or update only the fields that changed (foreign keys given as ``<name>_id``)."""
    obj = model.objects.filter(code=code).first()
    if obj is None:
        report.count(report.created, kind)
        return model.objects.create(code=code, **values)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        report.count(report.updated, kind)
    else:
        report.count(report.unchanged, kind)
    return obj


@transaction.atomic
def framework_import(documents: Iterable[Any], *, sources: Sequence[str] = ()) -> ImportReport:
    """Load framework documents (already parsed JSON). All or nothing: with any error nothing is written.

    ``sources`` names each document (its file) in the error messages. Codes are stable: an
    existing subject, section, topic or outcome with the same code is updated in place, so
    lessons and plans that point at it keep pointing at it.
    """
    documents = list(documents)
    checker = _Checker()
    for index, document in enumerate(documents):
        checker.source = sources[index] if index < len(sources) else ""
        checker.check(document)
    report = ImportReport(errors=checker.errors)
    if report.errors:
        return report
    for document in documents:
        for subject_order, subject_data in enumerate(document["subjects"]):
            subject = Subject.objects.filter(code=subject_data["code"]).first()
            if subject is None:
                subject = Subject.objects.create(
                    code=subject_data["code"],
                    name_ru=subject_data["title_ru"],
                    name_en=subject_data["title_en"],
                    order=subject_order,
                )
                report.count(report.created, "subjects")
            else:
                # The names follow the framework; the order stays as the city set it in the catalogue.
                _upsert(
                    Subject,
                    subject.code,
                    {"name_ru": subject_data["title_ru"], "name_en": subject_data["title_en"]},
                    "subjects",
                    report,
                )
            for grade_data in subject_data["grades"]:
                grade = grade_data["grade"]
                for section_order, section_data in enumerate(grade_data["sections"], start=1):
                    section = _upsert(
                        Section,
                        section_data["code"],
                        {
                            "subject_id": subject.pk,
                            "grade": grade,
                            "title_ru": section_data["title_ru"],
                            "title_en": section_data["title_en"],
                            "order": section_order,
                        },
                        "sections",
                        report,
                    )
                    for topic_order, topic_data in enumerate(section_data["topics"], start=1):
                        topic = _upsert(
                            Topic,
                            topic_data["code"],
                            {
                                "section_id": section.pk,
                                "subject_id": subject.pk,
                                "grade": grade,
                                "title_ru": topic_data["title_ru"],
                                "title_en": topic_data["title_en"],
                                "hours": topic_data["hours"],
                                "order": topic_order,
                            },
                            "topics",
                            report,
                        )
                        for outcome_order, outcome_data in enumerate(topic_data["outcomes"], start=1):
                            _upsert(
                                Outcome,
                                outcome_data["code"],
                                {
                                    "topic_id": topic.pk,
                                    "text_ru": outcome_data["text_ru"],
                                    "text_en": outcome_data["text_en"],
                                    "order": outcome_order,
                                },
                                "outcomes",
                                report,
                            )
    return report


def framework_read(paths: Iterable[Path]) -> tuple[list[Any], list[str]]:
    """Parse framework files; a file that is not valid JSON is reported with its line and column."""
    documents: list[Any] = []
    errors: list[str] = []
    for path in paths:
        try:
            # utf-8-sig: a file saved by a Windows editor starts with a byte order mark.
            documents.append(json.loads(path.read_text(encoding="utf-8-sig")))
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(f"{path}: {exc}")
        except json.JSONDecodeError as exc:
            errors.append(
                f"{path}: "
                + _("not valid JSON at line %(line)d, column %(column)d: %(msg)s")
                % {"line": exc.lineno, "column": exc.colno, "msg": exc.msg}
            )
    return documents, errors


def framework_import_files(paths: Iterable[Path]) -> ImportReport:
    """Read and import framework files together: all or nothing, every error with its file and place."""
    paths = list(paths)
    documents, errors = framework_read(paths)
    if errors:
        return ImportReport(errors=errors)
    return framework_import(documents, sources=[str(path) for path in paths])


def bundled_framework_files() -> list[Path]:
    return sorted(BUNDLED_FRAMEWORK_DIR.glob("*.json"))


@transaction.atomic
def thematic_plan_build_default(assignment: TeachingAssignment) -> ThematicPlan:
    """The plan a teacher starts from: the framework's topics of the subject and grade, in order.

    Atomic, so that a failure never leaves the plan emptied of its items.
    """
    plan, _created = ThematicPlan.objects.get_or_create(
        assignment=assignment, defaults={"school_id": assignment.school_id}
    )
    plan.items.all().delete()
    # Sections of one grade from two files may share an order number: the code breaks the tie.
    topics = Topic.objects.filter(
        subject_id=assignment.subject_id, grade=assignment.class_group.grade
    ).order_by("section__order", "section__code", "order")
    PlanItem.objects.bulk_create(
        PlanItem(school_id=assignment.school_id, plan=plan, order=order, topic=topic, hours=topic.hours)
        for order, topic in enumerate(topics, start=1)
    )
    return plan
