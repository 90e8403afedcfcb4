"""The catalogue searches a reader's audience in two parts (what readers like them share, kept;
what only they open, live) and merges them: the answer must be the one a single search of the
whole audience gives, for every reader, sort and page, whether the reader's own part is read
whole and counted here or counted by the database."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parta.library.access import materials_readable_by
from parta.library.models import Material, Visibility
from parta.library.search import text_match
from parta.library.selectors import catalogue
from parta.library.selectors.catalogue import material_search
from parta.library.selectors.parts import Sort, merged_page
from parta.library.services.assignments import material_attach_to_lesson
from parta.schools.models import Subject
from parta.testing.library import published, text_material
from parta.testing.world import World

keys = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 10_000)), unique_by=lambda key: key[1])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shared=keys, extra=keys, first=st.integers(0, 30), size=st.integers(1, 10))
def test_two_parts_merge_as_one_sorted_list(
    shared: list[tuple[int, int]], extra: list[tuple[int, int]], first: int, size: int
) -> None:
    ids = {key[1] for key in shared}
    extra = [key for key in extra if key[1] not in ids]  # the parts never share a material
    shared.sort(reverse=True)
    extra.sort(reverse=True)
    page = slice(first, first + size)
    extra_window = extra[: page.stop]
    # As the search reads them: the shared window starts as late as the extra keys allow.
    start = max(0, min(page.start - len(extra_window), len(shared) - 1))
    window = shared[start : page.stop]
    assert merged_page(window, start, extra_window, page) == sorted(shared + extra, reverse=True)[page]


@pytest.fixture
def library(world: World) -> list[Material]:
    """Materials of every audience, by two authors, some given to a class, with popularity."""
    rng = random.Random(7)
    algebra = Subject.objects.get(code="algebra")
    made = []
    for number in range(24):
        author = world.a.subject_teacher if number % 3 else world.b.subject_teacher
        material = text_material(
            author,
            title=f"Уравнения {number}" if number % 4 else f"Дроби {number}",
            subject_ids=[algebra.pk] if number % 2 else [],
            grades=[7 + number % 3],
        )
        visibility = [Visibility.PUBLIC, Visibility.CITY, Visibility.SCHOOL, None][number % 4]
        if visibility is not None:
            material = published(material, world.methodologist, visibility)
        made.append(material)
    for material in made:
        Material.objects.filter(pk=material.pk).update(popularity=rng.choice([0.0, 1.5, 3.0]))
    # A draft of school b's teacher given to school a's class: open to that class.
    material_attach_to_lesson(world.b.subject_teacher, lesson_id=world.b.lesson.pk, material_id=made[3].pk)
    material_attach_to_lesson(world.a.subject_teacher, lesson_id=world.a.lesson.pk, material_id=made[7].pk)
    # One the shared part holds anyway, given too: still counted once.
    material_attach_to_lesson(world.a.subject_teacher, lesson_id=world.a.lesson.pk, material_id=made[1].pk)
    return made


def reference(user: Any, q: str, sort: Sort, grades: list[int]) -> list[int]:
    """The whole audience searched at once."""
    found = Material.objects.filter(materials_readable_by(user))
    if grades:
        found = found.filter(grade_bits__in=[1 << grade for grade in grades])
    matched = text_match(q)
    if sort == "new":
        order: list[Any] = [F("published_at").desc(nulls_last=True), "-updated_at", "-pk"]
    elif matched is not None and sort == "relevance":
        found = found.filter(matched[0]).annotate(rank=matched[1])
        order = ["-rank", "-popularity", "-pk"]
    else:
        order = ["-popularity", "-pk"]
    if matched is not None:
        found = found.filter(matched[0])
    return list(found.order_by(*order).values_list("pk", flat=True))


@pytest.fixture(params=[catalogue.OWN_ROWS, 0], ids=["own-read-whole", "own-counted-by-database"])
def own_rows(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalogue, "OWN_ROWS", request.param)


@pytest.mark.django_db
@pytest.mark.usefixtures("own_rows")
@pytest.mark.parametrize("sort", ["relevance", "popular", "new"])
@pytest.mark.parametrize(("q", "grades"), [("", []), ("уравнения", []), ("", [7, 8]), ("дроби", [7])])
def test_the_parts_answer_as_the_whole_audience_would(
    world: World, library: list[Material], sort: Sort, q: str, grades: list[int]
) -> None:
    readers = [
        AnonymousUser(),
        world.a.subject_teacher,
        world.b.subject_teacher,
        world.a.student,
        world.a.parent,
        world.methodologist,
        world.outsider,
    ]
    for reader in readers:
        expected = reference(reader, q, sort, grades)
        pages = []
        for page in range(1, 6):
            result = material_search(reader, q=q, grades=grades, sort=sort, page=page, page_size=5)
            assert result.count == len(expected), reader
            pages += [row.id for row in result.rows]
        assert pages == expected, reader


@pytest.mark.django_db
@pytest.mark.parametrize(
    "filters",
    [{}, {"q": "уравнения"}, {"grades": [7]}, {"subjects": ["algebra"], "q": "дроби"}, {"verified": False}],
)
def test_the_own_part_counts_alike_read_whole_or_by_the_database(
    world: World, library: list[Material], filters: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for reader in (world.a.subject_teacher, world.b.subject_teacher, world.a.parent, world.methodologist):
        whole = material_search(reader, **filters)
        monkeypatch.setattr(catalogue, "OWN_ROWS", 0)
        assert material_search(reader, **filters) == whole, reader
        monkeypatch.undo()
