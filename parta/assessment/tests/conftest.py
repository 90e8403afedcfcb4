from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from parta.accounts.models import User
from parta.homework.models import Homework
from parta.homework.services import homework_set
from parta.library.models import Material
from parta.library.services.authoring import MaterialData, material_create
from parta.testing import factories as f
from parta.testing.library import published
from parta.testing.world import World


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def single(qid: str, *, points: int = 1, right: str = "b") -> dict[str, Any]:
    return {
        "id": qid,
        "type": "single",
        "text": f"Question {qid}: 2 + 2 = ?",
        "points": points,
        "options": [{"id": "a", "text": "3"}, {"id": "b", "text": "4"}, {"id": "c", "text": "5"}],
        "correct": right,
        "explanation": "Two and two make four.",
    }


def numeric(qid: str) -> dict[str, Any]:
    return {
        "id": qid,
        "type": "numeric",
        "text": "{a} × {b} = ?",
        "points": 2,
        "params": {"a": {"min": 2, "max": 9}, "b": {"min": 2, "max": 9}},
        "answer": "a*b",
        "tolerance": 0,
    }


def open_question(qid: str) -> dict[str, Any]:
    return {"id": qid, "type": "open", "text": "Explain why.", "points": 3}


def quiz_content(mode: str = "training", **settings: Any) -> dict[str, Any]:
    """A test of three questions: a single choice (1 point), a numeric one with variants (2)
    and an open answer checked by hand (3)."""
    return {
        "test": {
            "mode": mode,
            **settings,
            "sections": [
                {"title": "Arithmetic", "questions": [single("q1"), numeric("q2"), open_question("q3")]}
            ],
        }
    }


def make_test(owner: User, methodologist: User | None = None, **content: Any) -> Material:
    material = material_create(
        owner, kind="test", data=MaterialData(title="Таблица умножения", content=quiz_content(**content))
    )
    return published(material, methodologist) if methodologist is not None else material


@pytest.fixture
def quiz(world: World) -> Material:
    """A training test by school a's subject teacher, published for the city."""
    return make_test(world.a.subject_teacher, world.methodologist)


def homework_with(world: World, material: Material, *, days: int = 3) -> Homework:
    """Homework with the test, set at a lesson of today and due in ``days`` days."""
    today = timezone.localdate()
    lesson = f.LessonFactory.create(assignment=world.a.assignment, date=today, number=4)
    return homework_set(
        world.a.subject_teacher,
        lesson_id=lesson.pk,
        text="Пройдите тест.",
        due_on=today + dt.timedelta(days=days),
        materials=[material.pk],
    )
