"""The test constructor's rules: what it edits of a test (``definition``'s part), how a save
becomes a library version, where the check's messages belong, and a question's preview.

Every save goes through the library's services (``material_create`` / ``material_save``), so it
is a new version checked by the test part's ``check``; nothing is written when the check refuses.
The constructor edits the test's title, description, subjects, grades and framework topics, and
the part's settings and sections; any other key of the part (one a newer page adds, such as an
exam's details) is kept as the latest version has it, and so is the rest of the version.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parta.assessment import definition, pages, questions
from parta.assessment.access import access_test_to_edit
from parta.assessment.models import Mode
from parta.core.errors import FieldErrors
from parta.library.content import Constructor, register_constructor
from parta.library.models import Kind, Language, Material, MaterialVersion
from parta.library.selectors.authoring import topic_choices
from parta.library.services.authoring import MaterialData, clean_data, material_create, material_save

Row = dict[str, Any]

# The keys of the part the constructor edits (the settings are the page's form fields); any other
# is kept as it is.
SETTINGS = ("mode", "time_limit_minutes", "attempts", "results", "show_answers")
EDITED = (*SETTINGS, "sections")


def blank_part() -> Row:
    """A new test: training, one section waiting for its questions."""
    return {
        "mode": Mode.TRAINING.value,
        "time_limit_minutes": None,
        "attempts": None,
        "results": "on_submit",
        "show_answers": True,
        "sections": [{"title": "", "draw": None, "shuffle": False, "questions": []}],
    }


def part_of(version: MaterialVersion | None) -> Row:
    """The test part of a version, or a blank one for a test that is still a file or a link."""
    part = ((version.content or {}) if version is not None else {}).get(definition.KEY)
    return part if isinstance(part, dict) else blank_part()


def part_to_save(edited: Row, stored: Row | None) -> Row:
    """The constructor's part: its settings and sections, and every other key as the latest
    version has it (as given when there is none)."""
    kept = stored if isinstance(stored, dict) else edited
    return {
        **{key: value for key, value in kept.items() if key not in EDITED},
        **{key: value for key, value in edited.items() if key in EDITED},
    }


def _language(language: str) -> str:
    code = (language or "").split("-")[0]
    return code if code in Language.values else Language.RU


@dataclass(frozen=True)
class Edited:
    """What the constructor's page sets of a test: its title and description, where it belongs
    (the subjects, grades and framework topics a lesson's homework form offers it by), and its part."""

    title: str
    description: str
    part: Row
    subject_ids: list[int] = field(default_factory=list)
    grades: list[int] = field(default_factory=list)
    topic_ids: list[int] = field(default_factory=list)

    def applied_to(self, data: MaterialData, stored: Row | None) -> MaterialData:
        """``data`` (a version's, or a new test's) with what the page sets; its part keeping the
        keys of ``stored`` the page does not edit."""
        return replace(
            data,
            title=self.title,
            description=self.description,
            subject_ids=self.subject_ids,
            grades=self.grades,
            topic_ids=self.topic_ids,
            content={**(data.content or {}), definition.KEY: part_to_save(self.part, stored)},
        )


def constructor_create(actor: Any, edited: Edited, *, language: str) -> Material:
    """A new test, its first version holding the edited part (the library's draft, only its author's)."""
    data = edited.applied_to(MaterialData(title="", language=_language(language)), None)
    return material_create(actor, kind=Kind.TEST, data=data)


@transaction.atomic
def constructor_save(actor: Any, material_id: int, edited: Edited, *, note: str = "") -> MaterialVersion:
    """A new version of the test as edited: the rest of the latest version (its licence, a file
    or a text beside the questions) stays as it was."""
    material = access_test_to_edit(actor, material_id, lock=True)
    latest = material.latest
    if latest is None:
        raise Http404
    data = edited.applied_to(MaterialData.of_version(latest), (latest.content or {}).get(definition.KEY))
    return material_save(actor, material.pk, data=data, note=note)


def constructor_check(actor: Any, *, part: Row) -> ValidationError | None:
    """The test part's check alone, saving nothing: the problems of a part sent with a form that is
    refused for another reason (a missing title), so that the author sees them all at once."""
    data = MaterialData(title="-", content={definition.KEY: part})
    try:
        clean_data(actor, Kind.TEST, data, has_file=False)
    except ValidationError as error:
        return error
    return None


# --- where the check's messages belong ----------------------------------------------------------


@dataclass
class Problems:
    """A refused save's messages: by question (numbered through the test, as the check numbers
    them), by section, and the rest as the service gave them (the test's settings, the title)."""

    questions: dict[int, list[str]] = field(default_factory=dict)
    sections: dict[int, list[str]] = field(default_factory=dict)
    rest: dict[str, list[str]] = field(default_factory=dict)


def _numbered(template: str, placeholder: str) -> re.Pattern[str]:
    """The head of a numbered message in the reader's language ("Question 3:") as a pattern."""
    before, _found, after = template.partition(placeholder)
    colon = after.find(":")
    return re.compile(re.escape(before) + r"(\d+)" + re.escape(after[: colon + 1] if colon >= 0 else after))


def problems_of(error: ValidationError) -> Problems:
    """Each message of the check beside the question or section it names; the others kept."""
    # The very templates the check writes its messages with, in the language it wrote them in.
    question_head = _numbered(_("Question %(number)d: %(problem)s"), "%(number)d")
    section_head = _numbered(_("Section %(n)d: add at least one question."), "%(n)d")
    problems = Problems()
    messages = error.message_dict if hasattr(error, "error_dict") else {"content": error.messages}
    for name, texts in messages.items():
        for text in texts:
            question = question_head.match(text) if name == definition.FIELD else None
            section = section_head.match(text) if name == definition.FIELD else None
            if question:
                problems.questions.setdefault(int(question[1]), []).append(text)
            elif section:
                problems.sections.setdefault(int(section[1]), []).append(text)
            else:
                problems.rest.setdefault(name, []).append(text)
    return problems


# --- what the page shows --------------------------------------------------------------------------


def _topic_ids(part: Row) -> list[int]:
    found: list[int] = []
    for section in part.get("sections") or []:
        for question in (section.get("questions") or []) if isinstance(section, dict) else []:
            ids = question.get("topic_ids") if isinstance(question, dict) else None
            found += [i for i in ids or [] if isinstance(i, int) and not isinstance(i, bool)]
    return found


def topics_for(subject_ids: list[int], grades: list[int], part: Row) -> list[Any]:
    """The framework topics a question may be tagged with: those of the test's subjects and
    grades (as the page has them chosen), grouped by section, and any a question has already."""
    return topic_choices(subject_ids, grades, _topic_ids(part))


def part_json(part: Row) -> str:
    return json.dumps(part, ensure_ascii=False)


@dataclass(frozen=True)
class Preview:
    """One question as a student is shown it, with its key; or the check's messages."""

    question: Row | None
    errors: list[str]


def question_preview(raw: str, number: int) -> Preview:
    """A question of the constructor (JSON, not saved) checked and laid out as a student sees it,
    with the right answer and the explanation; parameterised numbers drawn anew each time."""
    try:
        given = json.loads(raw or "null")
    except ValueError:
        given = None
    errors = FieldErrors()
    clean = questions.check_question(given, number, errors, definition.FIELD)
    if errors:
        return Preview(None, [text for texts in errors.by_field.values() for text in texts])
    seed = secrets.randbelow(2**31)
    shown = {**questions.shown(clean, seed), "answer": None, "feedback": questions.feedback(clean, seed)}
    return Preview({**pages.laid_out(shown), "number": number}, [])


# --- registered with the library ------------------------------------------------------------------


def _new_url() -> str:
    return reverse("assessment-test-new")


def _edit_url(material_id: int) -> str:
    return reverse("assessment-test-questions", args=[material_id])


CONSTRUCTOR = Constructor(
    kind=Kind.TEST,
    label=gettext_lazy("Build the questions in the test constructor"),
    new_url=_new_url,
    edit_url=_edit_url,
)


def register() -> None:
    register_constructor(CONSTRUCTOR)
