"""The lesson page's registry of other apps' sections: the journal names none of them, renders
what is registered in order, and is whole without any."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Template
from django.test import Client
from django.urls import reverse

from parta.journal import lesson_sections
from parta.journal.lesson_sections import SectionLesson, register_lesson_section
from parta.testing.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_sections(monkeypatch: pytest.MonkeyPatch) -> None:
    """The journal as if no app above it were installed."""
    monkeypatch.setattr(lesson_sections, "_sections", {})


def page(world: World, user: Any) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("journal-lesson", args=[world.a.lesson.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_lesson_page_is_whole_without_any_section(world: World, no_sections: None) -> None:
    body = page(world, world.a.subject_teacher)
    assert "Marks and attendance" in body
    assert "lesson-materials" not in body


def test_registered_sections_render_in_order_with_what_the_lesson_tells_them(
    world: World, no_sections: None
) -> None:
    told: list[SectionLesson] = []

    def second(request: Any, lesson: SectionLesson) -> dict[str, Any]:
        told.append(lesson)
        return {"word": "second"}

    register_lesson_section(
        "b", template=Template('<p class="t">{{ section.word }}</p>'), context=second, order=20
    )
    register_lesson_section(
        "a",
        template=Template('<p class="t">first {{ lesson.id }}</p>'),
        context=lambda request, lesson: {},
        order=10,
    )
    register_lesson_section("none", template=Template("<p>never</p>"), context=lambda request, lesson: None)
    a = world.a
    body = page(world, a.subject_teacher)
    assert body.index(f'<p class="t">first {a.lesson.pk}</p>') < body.index('<p class="t">second</p>')
    assert "never" not in body
    [lesson] = told
    assert (lesson.id, lesson.class_group_id, lesson.subject_id, lesson.grade) == (
        a.lesson.pk,
        a.group.pk,
        a.lesson.subject_id,
        a.group.grade,
    )
    assert (lesson.can_write, lesson.teaches, lesson.topic_id) == (True, True, None)
    page(world, a.admin)
    assert (told[-1].can_write, told[-1].teaches) == (True, False)
    page(world, a.class_teacher)
    assert (told[-1].can_write, told[-1].teaches) == (False, False)


def test_a_code_is_registered_once(no_sections: None) -> None:
    register_lesson_section("x", template="x.html", context=lambda request, lesson: None)
    with pytest.raises(ValueError, match="registered already"):
        register_lesson_section("x", template="y.html", context=lambda request, lesson: None)
