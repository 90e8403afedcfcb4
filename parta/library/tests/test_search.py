"""Full-text search: stemming in both languages, every word a prefix and all required, and no
input that can make it fail — on SQLite (FTS5) and on PostgreSQL (the GIN-indexed expressions)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from parta.library import search
from parta.library.models import Language, Material, Visibility
from parta.library.selectors.catalogue import material_search
from parta.library.services.authoring import MaterialData, material_save
from parta.library.services.moderation import material_unshare
from parta.testing.library import published, text_material
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def found(world: World, q: str) -> set[str]:
    return {row.title for row in material_search(world.a.subject_teacher, q=q).rows}


@pytest.fixture
def shelf(world: World) -> list[Material]:
    teacher = world.a.subject_teacher
    return [
        text_material(teacher, title="Линейные уравнения", description="Решение уравнений первой степени."),
        text_material(teacher, title="Квадратные уравнения", authors="Петров И. С."),
        text_material(teacher, title="Linear equation", language=Language.EN, description="Solving them."),
        text_material(teacher, title="Ёлки и ели", description="Хвойные леса России."),
    ]


def test_a_russian_word_finds_its_other_forms(world: World, shelf: list[Material]) -> None:
    assert found(world, "уравнениями") == {"Линейные уравнения", "Квадратные уравнения"}
    assert found(world, "линейное") == {"Линейные уравнения"}


def test_an_english_word_finds_its_other_forms(world: World, shelf: list[Material]) -> None:
    assert found(world, "equations") == {"Linear equation"}
    assert found(world, "solve") == {"Linear equation"}


def test_every_word_is_a_prefix_and_all_are_required(world: World, shelf: list[Material]) -> None:
    assert found(world, "уравн") == {"Линейные уравнения", "Квадратные уравнения"}
    assert found(world, "лин уравн") == {"Линейные уравнения"}
    assert found(world, "линейные квадратные") == set()
    # Authors and the description are searched too; «ё» is read as «е».
    assert found(world, "петров") == {"Квадратные уравнения"}
    assert found(world, "елки хвойн") == {"Ёлки и ели"}


def test_the_title_weighs_more_than_the_description(world: World) -> None:
    teacher = world.a.subject_teacher
    text_material(teacher, title="Дроби", description="Про уравнения немного.")
    text_material(teacher, title="Уравнения с дробями")
    rows = material_search(teacher, q="уравнения", sort="relevance").rows
    assert [row.title for row in rows] == ["Уравнения с дробями", "Дроби"]


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "'",
        "уравн*",
        '"уравнения" OR NEAR(a b)',
        "NOT AND OR",
        "a:* & !b | (c",
        "\\'); DROP TABLE library_material; --",
        "title:уравнения",
        "^уравнения",
        "x" * 10_000,
        "уравнения " * 2_000,
        "\x00\u202e\U0001f600",
        "_ _ _",
    ],
)
def test_no_query_makes_the_search_fail(world: World, shelf: list[Material], q: str) -> None:
    material_search(world.a.subject_teacher, q=q)
    material_search(AnonymousUser(), q=q, sort="relevance")


def test_a_query_of_no_words_filters_nothing(world: World, shelf: list[Material]) -> None:
    assert len(found(world, " -- ?! ")) == len(shelf)


def test_a_new_version_is_found_by_its_new_words_and_not_its_old(world: World, shelf: list[Material]) -> None:
    material = shelf[0]
    material_save(
        world.a.subject_teacher,
        material.pk,
        data=MaterialData(title="Системы неравенств", content={"body": "Текст."}),
    )
    assert found(world, "неравенства") == {"Системы неравенств"}
    assert found(world, "линейные") == set()


def test_a_published_material_is_found_by_its_published_version(world: World) -> None:
    teacher = world.a.subject_teacher
    material = published(text_material(teacher, title="Окружность"), world.methodologist, Visibility.CITY)
    material_save(teacher, material.pk, data=MaterialData(title="Эллипс", content={"body": "Черновик."}))
    # Others read the published version, so they find it by its words until the next publication.
    reader = world.b.subject_teacher
    assert [row.title for row in material_search(reader, q="окружность").rows] == ["Окружность"]
    assert material_search(reader, q="эллипс").count == 0
    material_unshare(teacher, material.pk)
    assert material_search(teacher, q="эллипс").count == 1


def test_the_sqlite_index_is_kept_and_rebuilt(world: World, shelf: list[Material]) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's stored column and its index follow the rows by themselves")
    search.search_forget(shelf[0].pk)
    assert found(world, "линейные") == set()
    assert search.search_rebuild() == len(shelf)
    assert found(world, "линейные") == {"Линейные уравнения"}


def test_postgresql_uses_the_index_of_the_stored_column(world: World, shelf: list[Material]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the GIN index is PostgreSQL's")
    matched = search.text_match("уравнения")
    assert matched is not None
    queryset = Material.objects.filter(matched[0])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert search.PG_INDEX in plan, plan
    # Inside a subquery too (the facets count through one), under the subquery's own alias.
    inner = Material.objects.filter(pk__in=queryset.values("pk"))
    assert inner.count() == queryset.count() == 2
