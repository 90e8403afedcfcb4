"""Writes of the curriculum: importing the city framework, building thematic plans (the
framework's default for a new assignment) and the teacher's changes to a plan."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from parta.core import versions
from parta.core.errors import FieldErrors
from parta.curriculum.access import plans_readable_by
from parta.curriculum.models import Outcome, PlanItem, Section, ThematicPlan, Topic
from parta.outbox import services as outbox
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


def _step(where: str, label: str) -> str:
    """One step deeper into the document: «subjects[0] (algebra) › grade 7».

    ``label`` is already translated by its own gettext call (``_("grade %(grade)s")``): a gettext
    call inside an f-string is never extracted by makemessages, so it would stay in English.
    """
    return f"{where} › {label}"


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
            grade_where = _step(where, _("grade %(grade)s") % {"grade": grade})
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
        where = _step(where, _("section %(code)s") % {"code": code or "?"})
        self.text(section, "title_ru", where)
        self.text(section, "title_en", where)
        for topic in self.items(section, "topics", where):
            if not isinstance(topic, dict):
                self.error(where, _("a topic must be an object"))
                continue
            topic_code = self.code(topic, where)
            topic_where = _step(where, _("topic %(code)s") % {"code": topic_code or "?"})
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
                outcome_where = _step(topic_where, _("outcome %(code)s") % {"code": outcome_code or "?"})
                self.text(outcome, "text_ru", outcome_where, max_length=2000)
                self.text(outcome, "text_en", outcome_where, max_length=2000)


def framework_check(document: Any) -> list[str]:
    """Every problem in a framework document, each with its place; empty when it can be imported."""
    checker = _Checker()
    checker.check(document)
    return checker.errors


# Codes per lookup query: well under every database's limit on query parameters.
_LOOKUP_BATCH = 500
# Rows per bulk insert of plan items. Django splits inserts for SQLite's parameter limit but not
# for PostgreSQL's (65,535), which a city's thousands of assignments would pass.
_BULK_BATCH = 2000


class _Rows:
    """One kind's rows in an import: those already stored, loaded by code in a query per batch,
    and the values the documents give them. ``put`` changes the rows in memory and counts what
    it did; ``save`` writes the new ones in one bulk insert and the changed ones in one bulk update."""

    def __init__(self, model: type[Any], kind: str, codes: Iterable[str], report: ImportReport) -> None:
        self.model, self.kind, self.report = model, kind, report
        codes = list(dict.fromkeys(codes))
        self.rows: dict[str, Any] = {}
        for start in range(0, len(codes), _LOOKUP_BATCH):
            for obj in model.objects.filter(code__in=codes[start : start + _LOOKUP_BATCH]):
                self.rows[obj.code] = obj
        self.new: list[Any] = []
        self.changed: dict[str, Any] = {}
        self.changed_fields: set[str] = set()

    def put(self, code: str, values: dict[str, Any], *, create: dict[str, Any] | None = None) -> Any:
        """Create by code (with ``create`` as well, for fields set only on creation), or update only
        the fields that changed (foreign keys given as ``<name>_id``)."""
        obj = self.rows.get(code)
        if obj is None:
            obj = self.rows[code] = self.model(code=code, **values, **(create or {}))
            self.new.append(obj)
            self.report.count(self.report.created, self.kind)
            return obj
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if not changed:
            self.report.count(self.report.unchanged, self.kind)
            return obj
        for name in changed:
            setattr(obj, name, values[name])
        if obj.pk is not None:  # a row created earlier in this import is written once, when created
            self.changed[code] = obj
            self.changed_fields.update(changed)
        self.report.count(self.report.updated, self.kind)
        return obj

    def save(self) -> None:
        # SQLite 3.35+ and PostgreSQL return the new primary keys, which the next kind points at.
        self.model.objects.bulk_create(self.new)
        if self.changed:
            self.model.objects.bulk_update(list(self.changed.values()), sorted(self.changed_fields))
            # Bulk writes send no signals: renamed subjects and topics show in every diary.
            versions.touch([versions.EVERYTHING])


@transaction.atomic
def framework_import(documents: Iterable[Any], *, sources: Sequence[str] = ()) -> ImportReport:
    """Load framework documents (already parsed JSON). All or nothing: with any error nothing is written.

    ``sources`` names each document (its file) in the error messages. Codes are stable: an
    existing subject, section, topic or outcome with the same code is updated in place, so
    lessons and plans that point at it keep pointing at it. Each kind is read in one query (per
    few hundred codes) and written in one bulk insert and one bulk update, parents before children.
    """
    documents = list(documents)
    checker = _Checker()
    for index, document in enumerate(documents):
        checker.source = sources[index] if index < len(sources) else ""
        checker.check(document)
    report = ImportReport(errors=checker.errors)
    if report.errors:
        return report
    subjects = [
        (order, subject) for document in documents for order, subject in enumerate(document["subjects"])
    ]
    sections = [
        (subject["code"], grade["grade"], order, section)
        for _order, subject in subjects
        for grade in subject["grades"]
        for order, section in enumerate(grade["sections"], start=1)
    ]
    topics = [
        (section, order, topic)
        for section in sections
        for order, topic in enumerate(section[3]["topics"], start=1)
    ]
    outcomes = [
        (topic["code"], order, outcome)
        for _section, _order, topic in topics
        for order, outcome in enumerate(topic["outcomes"], start=1)
    ]

    subject_rows = _Rows(Subject, "subjects", (data["code"] for _order, data in subjects), report)
    for order, data in subjects:
        # The names follow the framework; the order stays as the city set it in the catalogue.
        subject_rows.put(
            data["code"], {"name_ru": data["title_ru"], "name_en": data["title_en"]}, create={"order": order}
        )
    subject_rows.save()

    section_rows = _Rows(Section, "sections", (data["code"] for *_parent, data in sections), report)
    for subject_code, grade, order, data in sections:
        section_rows.put(
            data["code"],
            {
                "subject_id": subject_rows.rows[subject_code].pk,
                "grade": grade,
                "title_ru": data["title_ru"],
                "title_en": data["title_en"],
                "order": order,
            },
        )
    section_rows.save()

    topic_rows = _Rows(Topic, "topics", (data["code"] for *_parent, data in topics), report)
    for (subject_code, grade, _section_order, section), order, data in topics:
        topic_rows.put(
            data["code"],
            {
                "section_id": section_rows.rows[section["code"]].pk,
                "subject_id": subject_rows.rows[subject_code].pk,
                "grade": grade,
                "title_ru": data["title_ru"],
                "title_en": data["title_en"],
                "hours": data["hours"],
                "order": order,
            },
        )
    topic_rows.save()

    outcome_rows = _Rows(Outcome, "outcomes", (data["code"] for *_parent, data in outcomes), report)
    for topic_code, order, data in outcomes:
        outcome_rows.put(
            data["code"],
            {
                "topic_id": topic_rows.rows[topic_code].pk,
                "text_ru": data["text_ru"],
                "text_en": data["text_en"],
                "order": order,
            },
        )
    outcome_rows.save()
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
def thematic_plans_build_default(assignments: Iterable[TeachingAssignment]) -> list[ThematicPlan]:
    """The plan each teacher starts from: the framework's topics of the subject and grade, in order.

    A plan that exists keeps its id and gets its items replaced. For any number of assignments
    the work is a handful of queries (plans, topics, one delete, bulk inserts). Atomic, so that a
    failure never leaves a plan emptied of its items. The assignments' class groups are read, so
    select them with ``select_related("class_group")``.
    """
    assignments = list(assignments)
    plans = {
        plan.assignment_id: plan
        for plan in ThematicPlan.objects.filter(assignment_id__in=[a.pk for a in assignments])
    }
    missing = [ThematicPlan(assignment=a, school_id=a.school_id) for a in assignments if a.pk not in plans]
    for plan in ThematicPlan.objects.bulk_create(missing):
        plans[plan.assignment_id] = plan
    PlanItem.objects.filter(plan_id__in=[plan.pk for plan in plans.values()]).delete()
    wanted = {(a.subject_id, a.class_group.grade) for a in assignments}
    topics: dict[tuple[int, int], list[Topic]] = defaultdict(list)
    # Sections of one grade from two files may share an order number: the code breaks the tie.
    for topic in (
        Topic.objects.filter(subject_id__in={subject for subject, _grade in wanted})
        .filter(grade__in={grade for _subject, grade in wanted})
        .order_by("section__order", "section__code", "order")
        .only("pk", "subject_id", "grade", "hours")
    ):
        topics[(topic.subject_id, topic.grade)].append(topic)
    PlanItem.objects.bulk_create(
        (
            PlanItem(
                school_id=a.school_id, plan=plans[a.pk], order=order, topic_id=topic.pk, hours=topic.hours
            )
            for a in assignments
            for order, topic in enumerate(topics[(a.subject_id, a.class_group.grade)], start=1)
        ),
        batch_size=_BULK_BATCH,
    )
    return [plans[a.pk] for a in assignments]


def thematic_plan_build_default(assignment: TeachingAssignment) -> ThematicPlan:
    """The default plan of one assignment (see ``thematic_plans_build_default``)."""
    [plan] = thematic_plans_build_default([assignment])
    return plan


# --- the teacher's plan ------------------------------------------------------------------------

PLAN_CHANGED = "curriculum.plan_changed"
MAX_TOPIC_HOURS = 200
MAX_PLAN_ITEMS = 300


@transaction.atomic
def thematic_plan_save(actor: Any, plan_id: int, items: Sequence[tuple[int, int]]) -> ThematicPlan:
    """Replace the plan's topics by ``items`` — (topic id, hours) in the order taught — for its
    teacher or the school's administrator (anyone else: 404). Topics are the framework's of the
    assignment's subject, each at most once. The lessons from today on follow: an outbox event
    (``curriculum.plan_changed``) has the timetable give them the plan's topics again."""
    plan = ThematicPlan.objects.select_for_update().filter(plans_readable_by(actor), pk=plan_id).first()
    if plan is None:
        raise Http404
    subject_id = TeachingAssignment.objects.values_list("subject_id", flat=True).get(pk=plan.assignment_id)
    errors = FieldErrors()
    topic_ids = [topic for topic, _hours in items]
    known = set(Topic.objects.filter(pk__in=topic_ids, subject_id=subject_id).values_list("pk", flat=True))
    if len(items) > MAX_PLAN_ITEMS:
        errors.add("items", _("A plan holds at most %(max)d topics.") % {"max": MAX_PLAN_ITEMS})
    if any(topic not in known for topic in topic_ids):
        errors.add("items", _("Choose topics of the framework of the assignment's subject."))
    if len(set(topic_ids)) != len(topic_ids):
        errors.add("items", _("A topic is in the plan once; give it more hours instead."))
    if any(not 1 <= hours <= MAX_TOPIC_HOURS for _topic, hours in items):
        errors.add("items", _("Give each topic from 1 to %(max)d hours.") % {"max": MAX_TOPIC_HOURS})
    errors.raise_if_any()
    PlanItem.objects.filter(plan=plan).delete()
    PlanItem.objects.bulk_create(
        PlanItem(school_id=plan.school_id, plan=plan, order=order, topic_id=topic, hours=hours)
        for order, (topic, hours) in enumerate(items, start=1)
    )
    plan.save(update_fields=["updated_at"])
    outbox.emit(PLAN_CHANGED, {"assignment": plan.assignment_id}, school_id=plan.school_id)
    return plan
