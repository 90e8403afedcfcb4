"""What the assessment pages read besides ``selectors``: a test's start page, an attempt's
questions laid out for a template, who checks what, and the attempts made for a homework.

Reads only; every object is reached through ``parta.assessment.access`` (404 for anything not the
reader's), and what an attempt shows is ``selectors.attempt_data``'s — this module only lays it
out (the options chosen, a matching's pairs by row, the gaps inside a text, the right answer in
words) so that templates and scripts hold no rules.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.accounts.models import User
from parta.assessment import definition, marking, selectors
from parta.assessment.access import answers_checkable_by, attempts_readable_by
from parta.assessment.models import Answer, AnswerFile, Attempt, Mode
from parta.homework.models import Homework
from parta.homework.parts import WorkLine
from parta.journal.models import Mark
from parta.library.models import Material, MaterialVersion
from parta.library.selectors.authoring import version_seen
from parta.schools.access import roles_of

Row = dict[str, Any]

_GAP = re.compile(r"\[\[([1-9][0-9]?)\]\]")
_NAME_FIELDS = ("username", "first_name", "last_name", "middle_name")


def reads_whole(user: Any, attempt: Attempt) -> bool:
    """The reader sees the attempt whole, as staff through work: the rule ``selectors.attempt_data``
    follows, so that the page shows what the data holds (the answers' ids to check them)."""
    return selectors.sees_whole(user, attempt)


# --- the test's start page ---------------------------------------------------------------------


@dataclass(frozen=True)
class TestStart:
    material: Material
    version: MaterialVersion
    # The test's settings and how many questions an attempt draws; None for a test that is a file
    # or a link (taken outside Parta).
    summary: Row | None
    attempts: list[Row]
    # Attempts left in control mode with a limit; None when unlimited.
    attempts_left: int | None
    in_progress: int | None
    may_take: bool


def test_start(user: Any, material: Material, homework_id: int | None) -> TestStart:
    """The start page of ``material`` (reached through ``access_test``) for ``user``: the test's
    summary and the reader's own attempts at it — for the homework, or outside homework."""
    version = version_seen(user, material)
    if version is None:
        raise Http404
    test = (version.content or {}).get(definition.KEY)
    summary = definition.summary(test) if isinstance(test, dict) else None
    roles = roles_of(user)
    rows = [
        row
        for row in selectors.attempts_at_test(user, material.pk, roles.user_id or 0)
        if row["homework"] == homework_id
    ]
    limit = summary["attempts"] if summary and summary["mode"] == Mode.CONTROL else None
    open_ids = [row["id"] for row in rows if row["state"] == Attempt.State.IN_PROGRESS]
    return TestStart(
        material=material,
        version=version,
        summary=summary,
        attempts=rows,
        attempts_left=max(0, limit - len(rows)) if limit else None,
        in_progress=open_ids[0] if open_ids else None,
        may_take=roles.is_student and summary is not None,
    )


# --- an attempt's questions, laid out ----------------------------------------------------------


def _image_url(image: Any) -> str:
    if isinstance(image, int):
        return reverse("library-download", args=[image]) + "?shown"
    return str(image or "")


def _text_of(items: list[Row], item_id: Any) -> str:
    return next((str(item["text"]) for item in items if item["id"] == item_id), str(item_id or ""))


def _true_false() -> list[Row]:
    return [{"id": "true", "text": _("True")}, {"id": "false", "text": _("False")}]


def _describe_choice(question: Row, response: Row) -> list[str]:
    chosen = response.get("options") or ([response["option"]] if response.get("option") else [])
    return [_text_of(question["options"], option) for option in chosen]


def _describe_true_false(question: Row, response: Row) -> list[str]:
    value = response.get("value")
    return [] if value is None else [_("True") if value else _("False")]


def _describe_text(question: Row, response: Row) -> list[str]:
    value = response.get("text") if "text" in response else response.get("value")
    return [] if value in (None, "") else [str(value)]


def _describe_matching(question: Row, response: Row) -> list[str]:
    pairs = response.get("pairs") or {}
    return [
        f"{left['text']} → {_text_of(question['right'], pairs[left['id']])}"
        for left in question["left"]
        if pairs.get(left["id"])
    ]


def _describe_ordering(question: Row, response: Row) -> list[str]:
    return [
        f"{number}. {_text_of(question['items'], item)}"
        for number, item in enumerate(response.get("order") or [], start=1)
    ]


def _describe_blanks(question: Row, response: Row) -> list[str]:
    lines = []
    for number, value in (response.get("gaps") or {}).items():
        gap = question["gaps"].get(number) or {}
        text = _text_of(gap["options"], value) if gap.get("kind") == "choice" else str(value)
        lines.append(f"({number}) {text}")
    return lines


_DESCRIBE = {
    "single": _describe_choice,
    "multiple": _describe_choice,
    "true_false": _describe_true_false,
    "short_text": _describe_text,
    "numeric": _describe_text,
    "open": _describe_text,
    "matching": _describe_matching,
    "ordering": _describe_ordering,
    "blanks": _describe_blanks,
}


def describe(question: Row, response: Row | None) -> list[str]:
    """A response (the student's, or the right one from the feedback) in words, a line per part:
    the options' texts, "left → right" for pairs, the items in order, "(n) text" for gaps."""
    if not response or question["type"] not in _DESCRIBE:
        return []
    return _DESCRIBE[question["type"]](question, response)


def _options(items: list[Row], chosen: set[str], right: set[str] | None) -> list[Row]:
    return [
        {**item, "checked": item["id"] in chosen, "right": None if right is None else item["id"] in right}
        for item in items
    ]


def _blanks(question: Row, given: Row) -> list[Row]:
    """The text around the gaps and each gap with its value, in order."""
    parts: list[Row] = []
    text = str(question["text"])
    start = 0
    for match in _GAP.finditer(text):
        number = match.group(1)
        gap = question["gaps"].get(number)
        if gap is None:
            continue
        parts.append({"text": text[start : match.start()]})
        parts.append({"gap": number, **gap, "value": given.get(number, "")})
        start = match.end()
    parts.append({"text": text[start:]})
    return parts


def _ordered(items: list[Row], order: list[str]) -> list[Row]:
    by_id = {item["id"]: item for item in items}
    if order and set(order) == set(by_id):
        return [by_id[item_id] for item_id in order]
    return list(items)


def _verdict(question: Row) -> str:
    """How the answer scored, where the reader may see it: "right" (full marks), "partly",
    "wrong", "waiting" (for a teacher); "" when the points are not shown."""
    if "earned" not in question:
        return ""
    earned = question["earned"]
    if earned is None:
        return "waiting"
    if earned >= question["points"]:
        return "right"
    return "partly" if earned > 0 else "wrong"


def laid_out(question: Row) -> Row:
    """One question of ``selectors.attempt_data`` with what its template needs: the saved
    response spread over the inputs, the right answer in words where the reader may see it."""
    answer = question.get("answer") or {}
    response: Row = answer.get("response") or {}
    feedback = question.get("feedback")
    key: Row = (feedback or {}).get("answer") or {}
    kind = question["type"]
    item: Row = {
        **question,
        "image_url": _image_url(question.get("image")),
        "answered": bool(answer),
        "response_lines": describe(question, response),
        "right_lines": describe(question, key),
        "explanation": (feedback or {}).get("explanation") or "",
        "files": response.get("files") or [],
        "value": "",
        "verdict": _verdict(question),
    }
    if kind == "single":
        right = {key["option"]} if key else None
        chosen = {response["option"]} if response.get("option") else set()
        item["options"] = _options(question["options"], chosen, right)
    elif kind == "multiple":
        right = set(key.get("options") or []) if key else None
        item["options"] = _options(question["options"], set(response.get("options") or []), right)
    elif kind == "true_false":
        value = response.get("value")
        chosen = set() if value is None else {"true" if value else "false"}
        right = {"true" if key.get("value") else "false"} if key else None
        item["options"] = _options(_true_false(), chosen, right)
    elif kind == "numeric":
        item["value"] = response.get("value") or ""
    elif kind in ("short_text", "open"):
        item["value"] = response.get("text") or ""
    elif kind == "matching":
        pairs = response.get("pairs") or {}
        right_pairs = key.get("pairs") or {}
        item["rows"] = [
            {
                **left,
                "chosen": pairs.get(left["id"], ""),
                "right": (right_pairs.get(left["id"]) == pairs.get(left["id"])) if key else None,
            }
            for left in question["left"]
        ]
    elif kind == "ordering":
        item["items"] = _ordered(question["items"], response.get("order") or [])
    elif kind == "blanks":
        item["parts"] = _blanks(question, response.get("gaps") or {})
    return item


def attempt_page(user: Any, attempt: Attempt) -> Row:
    """``selectors.attempt_data`` with its questions laid out and numbered, how many answered, and
    the files of open answers by name (one query, for a test with open questions only)."""
    data = selectors.attempt_data(user, attempt)
    items = [{**laid_out(question), "number": number} for number, question in enumerate(data["questions"], 1)]
    if any(item["type"] == "open" for item in items):
        files = {
            record.pk: {"id": record.pk, "name": record.name, "size": record.size,
                        "url": reverse("assessment-answer-file", args=[record.pk])}
            for record in AnswerFile.objects.filter(attempt=attempt).only("pk", "name", "size")
        }  # fmt: skip
        for item in items:
            if item["type"] == "open":
                item["attached"] = [files[pk] for pk in item["files"] if pk in files]
    return {**data, "questions": items, "answered": sum(1 for item in items if item["answered"])}


def question_of(data: Row, question_id: str) -> Row:
    """One question of ``attempt_page``'s data; 404 for a question not in the attempt."""
    found: Row | None = next((item for item in data["questions"] if item["id"] == question_id), None)
    if found is None:
        raise Http404
    return found


def student_of(attempt: Attempt) -> User:
    return User.objects.only(*_NAME_FIELDS).get(pk=attempt.student_id)


# --- checking ------------------------------------------------------------------------------------


def checkable_answer_ids(user: Any, attempt: Attempt) -> set[int]:
    """The answers of ``attempt`` the user may check (none while it is in progress)."""
    if attempt.state != Attempt.State.SUBMITTED:
        return set()
    return set(
        Answer.objects.filter(answers_checkable_by(user), attempt=attempt).values_list("pk", flat=True)
    )


def attempt_of_answer_to_check(user: Any, answer_id: int) -> tuple[Attempt, str]:
    """The attempt of an answer the user may check, and the answer's question; 404 otherwise."""
    found = (
        Answer.objects.filter(answers_checkable_by(user), pk=answer_id)
        .values_list("attempt_id", "question_id")
        .first()
    )
    if found is None:
        raise Http404
    attempt = (
        Attempt.objects.select_related("version", "material")
        .filter(attempts_readable_by(user), pk=found[0])
        .first()
    )
    if attempt is None:
        raise Http404
    return attempt, found[1]


def homework_attempts(user: Any, homework: Homework) -> list[Row]:
    """The attempts made for ``homework`` (reached through ``access_homework``) that the user may
    read: the student, the test, the state, the score and the answers waiting, by student."""
    attempts = list(
        Attempt.objects.filter(attempts_readable_by(user), homework_id=homework.pk).select_related("version")
    )
    students = {
        student.pk: student.full_name or student.username
        for student in User.objects.filter(pk__in={a.student_id for a in attempts}).only(*_NAME_FIELDS)
    }
    rows = [
        {
            "id": attempt.pk,
            "student": students[attempt.student_id],
            "test": attempt.version.title,
            "number": attempt.number,
            "state": attempt.state,
            "state_label": Attempt.State(attempt.state).label,
            "points": attempt.points,
            "max_points": attempt.max_points,
            "waiting": attempt.waiting,
            "submitted_at": attempt.submitted_at,
        }
        for attempt in attempts
    ]
    return sorted(rows, key=lambda row: (row["student"], row["test"], row["number"]))


def test_for_homework(material_id: int, homework_id: int) -> str:
    """Where the student it is given to opens a test given with homework."""
    return reverse("assessment-test", args=[material_id]) + f"?homework={homework_id}"


def homework_work_lines(
    reader: Any, homework: Homework, student_ids: Collection[int]
) -> dict[int, list[WorkLine]]:
    """The homework app's lines of a student's work (``parta.homework.parts``): each test of the
    homework with the student's latest attempt at it, as the reader may read it. Two queries."""
    attempts = (
        Attempt.objects.filter(
            attempts_readable_by(reader), homework_id=homework.pk, student_id__in=student_ids
        )
        .order_by("student_id", "material_id", "number")
        .values("pk", "student_id", "material_id", "state", "points", "max_points", "waiting", "results_at")
    )
    latest = {(row["student_id"], row["material_id"]): row for row in attempts}
    if not latest:
        return {}
    titles = dict(Material.objects.filter(pk__in={m for _s, m in latest}).values_list("pk", "title"))
    staff = bool(roles_of(reader).staff_school_ids) or roles_of(reader).is_superuser
    now = timezone.now()
    found: dict[int, list[WorkLine]] = {}
    for (student_id, material_id), row in latest.items():
        if row["state"] == Attempt.State.IN_PROGRESS:
            detail = _("in progress")
        elif not staff and (row["results_at"] is None or row["results_at"] > now):
            detail = _("submitted; the score is shown after the deadline")
        else:
            detail = _("%(points)s of %(most)s points") % {
                "points": f"{row['points'] or 0:f}".rstrip("0").rstrip("."),
                "most": row["max_points"],
            }
            if row["waiting"]:
                detail += ", " + _("answers to check: %(count)d") % {"count": row["waiting"]}
        url = reverse("assessment-attempt", args=[row["pk"]])
        found.setdefault(student_id, []).append(WorkLine(titles.get(material_id, ""), detail, url))
    return found


@dataclass(frozen=True)
class JournalMark:
    """Whether the reader may put the attempt's mark into the journal, and the mark made so far."""

    may_mark: bool
    mark: Mark | None


def journal_mark(user: Any, attempt: Attempt) -> JournalMark:
    if attempt.homework_id is None or attempt.state != Attempt.State.SUBMITTED:
        return JournalMark(False, None)
    try:
        marking.access_attempt_to_mark(user, attempt.pk)
    except Http404:
        return JournalMark(False, None)
    return JournalMark(True, marking.mark_of(attempt))
