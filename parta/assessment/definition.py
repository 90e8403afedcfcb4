"""What a test is: the ``test`` part of a library material's content, checked when the author
saves a version and registered with the library (``parta.library.content``).

::

    {"mode": "training" | "control",
     "time_limit_minutes": null | 1…600,
     "attempts": null | 1…100,           # control only; null is unlimited; training is unlimited
     "results": "on_submit" | "after_deadline",   # control only: when the student sees the score
     "show_answers": true | false,       # with the results: the right answers and explanations
     "exam": null | "oge" | "ege",       # a training test for the final exams (``selectors_prep``)
     "exam_task": null | 1…40,           # with ``exam``: the exam's task it trains, if only one
     "sections": [{"title": "…", "draw": null | k, "shuffle": false,
                   "questions": [<question>, …]}]}

A section draws ``k`` of its questions for each attempt (all without ``draw``), shuffled when
``shuffle`` is set; the questions' own shapes are ``parta.assessment.questions``'. In training
mode a student sees the right answer and its explanation after every answer and the score on
submitting; in control mode the score from ``results`` and the answers only if ``show_answers``.
A test marked with an ``exam`` (OGE, the basic state exam of grade 9; EGE, the unified state exam of
grade 11) is in the exam-preparation catalogue once published; it must be a training test, so
that a student may take it as often as they like and learn from every answer.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parta.assessment import questions
from parta.assessment.models import Mode
from parta.core.errors import FieldErrors
from parta.library.access import is_author
from parta.library.content import ContentPart, register_part
from parta.library.models import Kind
from parta.schools.access import roles_of

KEY = "test"
FIELD = "content"
MAX_SECTIONS = 20
MAX_TITLE = 200
MAX_TIME_LIMIT = 600
MAX_ATTEMPTS = 100
RESULTS = ("on_submit", "after_deadline")
# The final exams a training test may prepare for: OGE (grade 9) and EGE (grade 11).
EXAMS = ("oge", "ege")
EXAM_NAMES = {"oge": gettext_lazy("OGE"), "ege": gettext_lazy("EGE")}
MAX_EXAM_TASK = 40


def _bounded(raw: Any, low: int, high: int) -> int | bool | None:
    """``raw`` as an int within bounds, None when absent, False when it is neither."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        return False
    return raw


def check_test(raw: Any, errors: FieldErrors, actor: Any) -> dict[str, Any]:
    """The test part cleaned; every problem added to ``errors`` under ``content``."""
    given = raw if isinstance(raw, dict) else {}
    if not isinstance(raw, dict):
        errors.add(FIELD, _("The test is not in the expected form."))
    mode = given.get("mode", Mode.TRAINING)
    if mode not in Mode.values:
        errors.add(FIELD, _("Choose training or control mode."))
        mode = Mode.TRAINING
    time_limit = _bounded(given.get("time_limit_minutes"), 1, MAX_TIME_LIMIT)
    if time_limit is False:
        errors.add(FIELD, _("A time limit is from 1 to %(max)d minutes.") % {"max": MAX_TIME_LIMIT})
    attempts = _bounded(given.get("attempts"), 1, MAX_ATTEMPTS)
    if attempts is False:
        errors.add(FIELD, _("Attempts are from 1 to %(max)d, or unlimited.") % {"max": MAX_ATTEMPTS})
    results = given.get("results", "after_deadline")
    if results not in RESULTS:
        errors.add(FIELD, _("Show the results on submitting or after the deadline."))
    exam, exam_task = _check_exam(given, mode, errors)
    clean: dict[str, Any] = {
        "mode": mode,
        "time_limit_minutes": time_limit or None,
        "attempts": (attempts or None) if mode == Mode.CONTROL else None,
        "results": results if mode == Mode.CONTROL and results in RESULTS else "on_submit",
        "show_answers": True if mode == Mode.TRAINING else bool(given.get("show_answers", False)),
        "exam": exam,
        "exam_task": exam_task,
        "sections": _check_sections(given.get("sections"), errors),
    }
    return clean


def _check_exam(given: dict[str, Any], mode: str, errors: FieldErrors) -> tuple[str | None, int | None]:
    """The exam a test prepares for, and the exam's task it trains: none, or a training test's."""
    raw = given.get("exam")
    exam = None if raw in (None, "") else raw
    if exam is not None and exam not in EXAMS:
        errors.add(FIELD, _("The exam is OGE (“oge”), EGE (“ege”) or none."))
        return None, None
    if exam is not None and mode != Mode.TRAINING:
        errors.add(FIELD, _("A test for exam preparation must be in training mode: unlimited attempts."))
    task = _bounded(given.get("exam_task"), 1, MAX_EXAM_TASK)
    if task is False:
        errors.add(FIELD, _("The exam's task is a number from 1 to %(max)d.") % {"max": MAX_EXAM_TASK})
        task = None
    elif task is not None and exam is None:
        errors.add(FIELD, _("Choose the exam the task is from."))
        task = None
    return exam, task


def _check_sections(raw: Any, errors: FieldErrors) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw or len(raw) > MAX_SECTIONS:
        errors.add(FIELD, _("A test needs one to %(max)d sections.") % {"max": MAX_SECTIONS})
        return []
    sections: list[dict[str, Any]] = []
    seen: set[str] = set()
    number = 0
    for s_number, item in enumerate(raw, start=1):
        section = item if isinstance(item, dict) else {}
        title = str(section.get("title", "")).strip()[:MAX_TITLE]
        given = section.get("questions")
        if not isinstance(given, list) or not given:
            errors.add(FIELD, _("Section %(n)d: add at least one question.") % {"n": s_number})
            given = []
        clean_questions = []
        for question in given:
            number += 1
            if number > questions.MAX_QUESTIONS_PER_TEST:
                errors.add(
                    FIELD,
                    _("A test holds at most %(max)d questions.") % {"max": questions.MAX_QUESTIONS_PER_TEST},
                )
                break
            clean = questions.check_question(question, number, errors, FIELD)
            if clean.get("id") in seen:
                errors.add(FIELD, _("Question %(n)d: another question has its id.") % {"n": number})
            seen.add(clean.get("id", ""))
            clean_questions.append(clean)
        draw = _bounded(section.get("draw"), 1, max(len(clean_questions), 1))
        if draw is False:
            errors.add(
                FIELD,
                _("Section %(n)d: draw from 1 to as many questions as it has.") % {"n": s_number},
            )
        sections.append(
            {
                "title": title,
                "draw": draw or None,
                "shuffle": bool(section.get("shuffle", False)),
                "questions": clean_questions,
            }
        )
    return sections


def summary(test: dict[str, Any]) -> dict[str, Any]:
    """What a student (or anyone not signed in) is shown of a test before taking it."""
    drawn = [_drawn_count(section) for section in test.get("sections", [])]
    return {
        "mode": test.get("mode"),
        "time_limit_minutes": test.get("time_limit_minutes"),
        "attempts": test.get("attempts"),
        "results": test.get("results"),
        "exam": test.get("exam"),
        "exam_task": test.get("exam_task"),
        "questions": sum(drawn),
    }


def lines(test: dict[str, Any]) -> list[str]:
    """The test as text, for comparing two versions: settings, then each question."""
    out = [
        f"[{test.get('mode')}] "
        + _("time limit: %(t)s; attempts: %(a)s; results: %(r)s")
        % {
            "t": test.get("time_limit_minutes") or "—",
            "a": test.get("attempts") or "∞",
            "r": test.get("results"),
        }
    ]
    if test.get("exam"):
        exam = str(EXAM_NAMES.get(test["exam"], test["exam"]))
        exam += f" {test['exam_task']}" if test.get("exam_task") else ""
        out[0] += "; " + _("exam preparation: %(exam)s") % {"exam": exam}
    for section in test.get("sections", []):
        draw = section.get("draw")
        out.append(f"## {section.get('title', '')}" + (f" ({draw})" if draw else ""))
        for question in section.get("questions", []):
            rest = {k: v for k, v in question.items() if k not in ("id", "type", "text", "points")}
            head = f"{question.get('id')} [{question.get('type')}, {question.get('points')}]"
            out.append(f"- {head} {question.get('text')}")
            out.append(json.dumps(rest, ensure_ascii=False, sort_keys=True))
    return out


def _drawn_count(section: dict[str, Any]) -> int:
    return int(section.get("draw") or len(section.get("questions", [])))


@dataclass(frozen=True)
class Drawn:
    """The questions of one attempt, in the order shown, by id."""

    order: list[str]
    by_id: dict[str, dict[str, Any]]

    @property
    def max_points(self) -> int:
        return sum(int(self.by_id[qid].get("points", 1)) for qid in self.order)


def draw(test: dict[str, Any], seed: int) -> Drawn:
    """The questions an attempt with ``seed`` gets: each section's draw, in its order or shuffled."""
    chance = random.Random(seed)
    order: list[str] = []
    by_id: dict[str, dict[str, Any]] = {}
    for section in test.get("sections", []):
        pool = list(section.get("questions", []))
        count = _drawn_count(section)
        picked = chance.sample(pool, count) if count < len(pool) else pool
        if count < len(pool) and not section.get("shuffle"):
            # Drawn questions keep the author's order unless the section shuffles.
            picked.sort(key=pool.index)
        elif section.get("shuffle"):
            picked = chance.sample(picked, len(picked))
        order.extend(question["id"] for question in picked)
        by_id.update({question["id"]: question for question in picked})
    return Drawn(order, by_id)


def questions_of(test: dict[str, Any], ids: list[str]) -> dict[str, dict[str, Any]]:
    """The questions ``ids`` names, from the test's version an attempt keeps."""
    wanted = set(ids)
    return {
        question["id"]: question
        for section in test.get("sections", [])
        for question in section.get("questions", [])
        if question.get("id") in wanted
    }


def links(user: Any, material: Any) -> list[tuple[str, str]]:
    """On the test's library page: a student takes it; staff see its statistics; whoever may
    change it (the library says who) edits its questions in the constructor."""
    roles = roles_of(user)
    found = []
    if roles.is_student:
        found.append((_("Take the test"), reverse("assessment-test", args=[material.pk])))
    if roles.staff_school_ids or roles.is_superuser:
        found.append((_("Results and statistics"), reverse("assessment-statistics", args=[material.pk])))
    if is_author(user, material):
        found.append((_("Edit questions"), reverse("assessment-test-questions", args=[material.pk])))
    return found


PART = ContentPart(
    key=KEY, kinds=frozenset({Kind.TEST}), check=check_test, summary=summary, lines=lines, links=links
)


def register() -> None:
    register_part(PART)
