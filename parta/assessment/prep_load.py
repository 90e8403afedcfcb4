"""The project's own training tests for the final exams (``prep_items/*.json``), loaded into the
library as published tests for the city: ``manage.py prep_tests_load``, or :func:`prep_tests_load`
from code (the demo loader calls it).

Each file is one test, written for the project (no exam's real tasks), in Russian::

    {"format": "parta-prep/1",
     "title": "…", "former_titles": ["…"],   # the titles it had, so that a renamed test is found
     "exam": "oge" | "ege", "exam_task": null | n,
     "subject": {"code": "math", "name_ru": "…", "name_en": "…", "order": 5},
     "grades": [9], "duration_minutes": 30, "description": "…",
     "sections": [{"title": "…", "questions": [<question>, …]}]}

A question is ``parta.assessment.questions``' shape, plus ``topics``: codes of the city's topic
framework (``parta.curriculum``; those not loaded are left out) and ``solution``: the response a
student who knows the answer gives, typed as they would type it (kept out of the library: the
tests answer every question with it and expect full points).

Loading is idempotent. A test is found by its title (or a former one) among the tests of the
author's city made by a methodologist: when what the file makes equals its latest version nothing
happens; otherwise a new version is saved by the test's author. Either way a version that is not
published yet is submitted for the city and published by ``author``, a methodologist of the city
(the project's items are reviewed where they are written). The subjects are made when missing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parta.accounts.models import User
from parta.assessment.selectors_prep import PREP_AUDIENCES
from parta.curriculum.models import Topic
from parta.library.models import Kind, Material, Status, Visibility
from parta.library.services.authoring import MaterialData, clean_data, material_create, material_save
from parta.library.services.moderation import material_publish, material_submit
from parta.schools.access import roles_of
from parta.schools.models import CityRole, Subject

ITEMS = Path(__file__).resolve().parent / "prep_items"
FORMAT = "parta-prep/1"
AUTHORS = "Проект Parta"
# Kept in the files, never in the library.
_FILE_ONLY = ("topics", "solution")


class PrepLoadError(Exception):
    """The author is no methodologist, or a file is not a test the library takes."""


def prep_item_files() -> list[Path]:
    return sorted(ITEMS.glob("*.json"))


def prep_items() -> list[dict[str, Any]]:
    """Every test of the project, as its file holds it."""
    items = []
    for path in prep_item_files():
        item = json.loads(path.read_text(encoding="utf-8"))
        if item.get("format") != FORMAT:
            raise PrepLoadError(f"{path.name}: not in the format {FORMAT}")
        items.append(item)
    return items


def prep_questions(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The questions of an item as its file holds them (with their topics' codes and solutions)."""
    return [question for section in item["sections"] for question in section["questions"]]


def prep_test_part(item: dict[str, Any], topic_ids: dict[str, int]) -> dict[str, Any]:
    """The ``test`` part of the item's content: its questions with their topics' ids (those
    loaded), without the file's solutions."""
    sections = []
    for section in item["sections"]:
        questions = []
        for question in section["questions"]:
            ids = [topic_ids[code] for code in question.get("topics", []) if code in topic_ids]
            kept = {key: value for key, value in question.items() if key not in _FILE_ONLY}
            questions.append({**kept, "topic_ids": ids})
        sections.append({"title": section["title"], "questions": questions})
    return {
        "mode": "training",
        "exam": item["exam"],
        "exam_task": item.get("exam_task"),
        "sections": sections,
    }


def prep_author(username: str | None = None) -> User:
    """The methodologist who loads the tests: ``username``, or the first methodologist of any city."""
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or not roles_of(user).methodologist_city_ids:
            raise PrepLoadError(_("%(name)s is not a city methodologist.") % {"name": username})
        return user
    role = (
        CityRole.objects.filter(role=CityRole.Role.METHODOLOGIST, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if role is None:
        raise PrepLoadError(_("There is no city methodologist to author the tests."))
    return role.user


@dataclass
class PrepLoadReport:
    """The tests' titles by what loading did to them."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _subject(spec: dict[str, Any]) -> Subject:
    subject, _created = Subject.objects.get_or_create(
        code=spec["code"],
        defaults={"name_ru": spec["name_ru"], "name_en": spec["name_en"], "order": spec.get("order", 0)},
    )
    return subject


def _material_data(item: dict[str, Any], topic_ids: dict[str, int]) -> MaterialData:
    return MaterialData(
        title=item["title"],
        description=item.get("description", ""),
        authors=AUTHORS,
        duration_minutes=item.get("duration_minutes"),
        subject_ids=[_subject(item["subject"]).pk],
        grades=list(item.get("grades", [])),
        content={"test": prep_test_part(item, topic_ids)},
    )


def _found(item: dict[str, Any], city_ids: frozenset[int]) -> Material | None:
    """The test loaded from the item before: by its title or a former one, made by a
    methodologist of the author's city."""
    methodologists = CityRole.objects.filter(city_id__in=city_ids, role=CityRole.Role.METHODOLOGIST).values(
        "user_id"
    )
    titles = [item["title"], *item.get("former_titles", [])]
    return (
        Material.objects.filter(
            kind=Kind.TEST, city_id__in=city_ids, owner_id__in=methodologists, title__in=titles
        )
        .select_related("owner", "latest")
        .order_by("pk")
        .first()
    )


def _load_one(item: dict[str, Any], author: User, topic_ids: dict[str, int], report: PrepLoadReport) -> None:
    data = _material_data(item, topic_ids)
    material = _found(item, roles_of(author).methodologist_city_ids)
    title = item["title"]
    if material is None:
        material = material_create(author, kind=Kind.TEST, data=data)
        report.created.append(title)
    else:
        owner = material.owner
        wanted = clean_data(owner, Kind.TEST, data, has_file=False)
        assert material.latest is not None
        if MaterialData.of_version(material.latest) != wanted:
            material_save(owner, material.pk, data=data, note=_("The project's exam items changed."))
            material.refresh_from_db()
            report.updated.append(title)
        elif material.published_id == material.latest_id and material.visibility in PREP_AUDIENCES:
            report.unchanged.append(title)
            return
        else:
            report.published.append(title)
    if material.status != Status.SUBMITTED:
        material_submit(material.owner, material.pk, visibility=Visibility.CITY)
    material_publish(author, material.pk, comment=_("The project's training test for the final exams."))


def prep_tests_load(*, author: User | None = None) -> PrepLoadReport:
    """Every test of ``prep_items`` in the library, published for the author's city (see the
    module's rules); ``author`` is a city methodologist (by default the first one). Each test is
    loaded in its own transaction."""
    author = author or prep_author()
    if not roles_of(author).methodologist_city_ids:
        raise PrepLoadError(_("%(name)s is not a city methodologist.") % {"name": author.username})
    items = prep_items()
    codes = {
        code for item in items for question in prep_questions(item) for code in question.get("topics", ())
    }
    topic_ids = dict(Topic.objects.filter(code__in=codes).values_list("code", "pk"))
    report = PrepLoadReport()
    for item in items:
        try:
            with transaction.atomic():
                _load_one(item, author, topic_ids, report)
        except ValidationError as error:
            raise PrepLoadError(f"{item['title']}: {' '.join(error.messages)}") from error
    return report
