"""The catalogue's selector: filters, facets under the other filters, sorting, paging, what each
reader may see (facet counts included) and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parta.core import versions
from parta.library.freshness import CATALOGUE
from parta.library.models import Language, Material, UsageDay, Visibility
from parta.library.selectors.catalogue import SearchResult, material_search
from parta.library.services.assignments import material_attach_to_lesson, material_detach_from_lesson
from parta.library.services.authoring import MaterialData, material_save
from parta.library.services.moderation import material_publish, material_submit, material_unshare
from parta.library.services.usage import popularity_refresh
from parta.schools.models import Subject
from parta.testing.library import published, text_material
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def facet(result: SearchResult, name: str) -> dict[Any, int]:
    return {value.value: value.count for value in result.facets[name]}


@pytest.fixture
def shelf(world: World) -> dict[str, Material]:
    teacher, methodologist = world.a.subject_teacher, world.methodologist
    algebra = Subject.objects.get(code="algebra")
    russian = Subject.objects.get(code="russian")
    shelf = {
        "algebra7": published(
            text_material(teacher, title="Линейные уравнения", subject_ids=[algebra.pk], grades=[7]),
            methodologist,
            Visibility.PUBLIC,
        ),
        "algebra8": published(
            text_material(teacher, title="Квадратные уравнения", subject_ids=[algebra.pk], grades=[8, 9]),
            methodologist,
            Visibility.CITY,
        ),
        "russian7": published(
            text_material(teacher, title="Причастия", subject_ids=[russian.pk], grades=[7]),
            methodologist,
            Visibility.SCHOOL,
        ),
        "english": published(
            text_material(teacher, title="Linear equation", language=Language.EN, grades=[7]),
            methodologist,
            Visibility.PUBLIC,
        ),
        "draft": text_material(teacher, title="Черновик про уравнения", subject_ids=[algebra.pk], grades=[7]),
    }
    Material.objects.filter(pk=shelf["algebra8"].pk).update(popularity=5.0, views=40)
    Material.objects.filter(pk=shelf["english"].pk).update(popularity=2.0)
    return shelf


def titles(result: SearchResult) -> list[str]:
    return [row.title for row in result.rows]


def test_the_author_finds_their_drafts_and_everything_shared(
    world: World, shelf: dict[str, Material]
) -> None:
    result = material_search(world.a.subject_teacher)
    assert result.count == 5
    draft = next(row for row in result.rows if row.id == shelf["draft"].pk)
    assert (draft.status, draft.verified) == ("draft", False)


def test_facets_count_under_every_filter_but_their_own(world: World, shelf: dict[str, Material]) -> None:
    algebra = Subject.objects.get(code="algebra")
    result = material_search(world.a.class_teacher, grades=[7], subjects=["algebra"])
    assert titles(result) == ["Линейные уравнения"]
    # Grades under "algebra": the grade-7 one and the grade-8-and-9 one.
    assert facet(result, "grade") == {7: 1, 8: 1, 9: 1}
    # Subjects under "grade 7": algebra and Russian (the English one has no subject).
    assert facet(result, "subject") == {algebra.pk: 1, Subject.objects.get(code="russian").pk: 1}
    assert [v.selected for v in result.facets["subject"] if v.value == algebra.pk] == [True]
    # The facets not filtered on count under both filters.
    assert facet(result, "language") == {"ru": 1}
    assert facet(result, "type") == {"text": 1}
    assert facet(result, "verified") == {True: 1}


def test_filters_by_id_or_code_type_language_verified_author(
    world: World, shelf: dict[str, Material]
) -> None:
    teacher = world.a.subject_teacher
    algebra = Subject.objects.get(code="algebra")
    assert material_search(teacher, subjects=[algebra.pk]).count == 3
    assert material_search(teacher, subjects=["algebra", "russian"]).count == 4
    assert titles(material_search(teacher, language="en")) == ["Linear equation"]
    assert titles(material_search(teacher, verified=False)) == ["Черновик про уравнения"]
    assert material_search(teacher, verified=True).count == 4
    assert material_search(teacher, kinds=["video"]).count == 0
    assert material_search(teacher, author=world.b.admin.pk).count == 0
    assert material_search(teacher, author=teacher.pk, grades=[9]).count == 1


def test_a_chosen_value_with_nothing_left_still_shows_to_be_unchosen(world: World, shelf: Any) -> None:
    result = material_search(world.a.class_teacher, kinds=["video"], grades=[11])
    assert result.count == 0
    assert {(v.value, v.count, v.selected) for v in result.facets["type"]} >= {("video", 0, True)}
    assert (11, 0, True) in {(v.value, v.count, v.selected) for v in result.facets["grade"]}


def test_sorting(world: World, shelf: dict[str, Material]) -> None:
    teacher = world.b.subject_teacher
    assert titles(material_search(teacher, sort="popular"))[:2] == ["Квадратные уравнения", "Linear equation"]
    # Without words, relevance is popularity.
    assert titles(material_search(teacher, sort="relevance")) == titles(
        material_search(teacher, sort="popular")
    )
    tomorrow = timezone.now() + dt.timedelta(days=1)
    Material.objects.filter(pk=shelf["algebra7"].pk).update(published_at=tomorrow)
    assert titles(material_search(teacher, sort="new"))[0] == "Линейные уравнения"
    # Equal matches: the more popular first.
    assert titles(material_search(teacher, q="уравнения")) == ["Квадратные уравнения", "Линейные уравнения"]


def test_paging(world: World, shelf: dict[str, Material]) -> None:
    teacher = world.a.subject_teacher
    first = material_search(teacher, page=1, page_size=2, sort="popular")
    second = material_search(teacher, page=2, page_size=2, sort="popular")
    last = material_search(teacher, page=3, page_size=2, sort="popular")
    assert (first.count, first.pages) == (5, 3)
    ids = [row.id for result in (first, second, last) for row in result.rows]
    assert len(ids) == len(set(ids)) == 5
    assert material_search(teacher, page=9, page_size=2).rows == []


@pytest.mark.parametrize(
    ("reader", "expected"),
    [
        ("anonymous", {"Линейные уравнения", "Linear equation"}),
        ("b.student", {"Линейные уравнения", "Linear equation", "Квадратные уравнения"}),
        ("b.subject_teacher", {"Линейные уравнения", "Linear equation", "Квадратные уравнения"}),
        ("a.student", {"Линейные уравнения", "Linear equation", "Квадратные уравнения", "Причастия"}),
        ("a.class_teacher", {"Линейные уравнения", "Linear equation", "Квадратные уравнения", "Причастия"}),
    ],
)
def test_nobody_finds_or_counts_what_they_may_not_open(
    world: World, shelf: dict[str, Material], reader: str, expected: set[str]
) -> None:
    user = AnonymousUser() if reader == "anonymous" else world
    for part in reader.split(".") if reader != "anonymous" else []:
        user = getattr(user, part)
    result = material_search(user)
    assert set(titles(result)) == expected
    assert result.count == len(expected)
    # Facet counts leak nothing either: they add up to what the reader may see.
    assert sum(facet(result, "language").values()) == len(expected)
    assert sum(facet(result, "verified").values()) == len(expected)
    assert facet(result, "grade").get(7, 0) == len(
        expected & {"Линейные уравнения", "Linear equation", "Причастия"}
    )
    # The draft's words find nothing for anyone but its author.
    assert material_search(user, q="черновик").count == 0
    assert all(row.status is None for row in result.rows)


def test_a_fixed_number_of_queries(world: World, django_assert_max_num_queries: Any) -> None:
    teacher = world.a.subject_teacher
    algebra = Subject.objects.get(code="algebra")
    for number in range(30):
        published(
            text_material(
                teacher, title=f"Уравнения {number}", subject_ids=[algebra.pk], grades=[5 + number % 5]
            ),
            world.methodologist,
            Visibility.CITY,
        )
    reader = world.b.subject_teacher
    reader.refresh_from_db()
    # Every filter that is a facet is set: the most queries the search makes (one of them what was
    # given at the reader's school, kept for its staff after this first read).
    with django_assert_max_num_queries(11):
        result = material_search(
            reader,
            q="уравнения",
            subjects=["algebra"],
            grades=[5, 6],
            kinds=["text"],
            verified=True,
            language="ru",
            sort="relevance",
            page_size=50,
        )
    assert result.count == 12


def read_cache(settings: Any) -> None:
    settings.PARTA_READ_CACHE = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # A local-memory cache outlives a test: another test's entries and tokens must not answer.
    cache.clear()
    # The fixtures' writes never commit in a test: their keys would keep the cache out of use.
    versions.forget_pending()


def counting(queries: Any) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]


def materials_read(queries: Any) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if 'FROM "library_material"' in q["sql"]]


def test_what_readers_share_is_counted_once_for_all_of_them(
    world: World, shelf: dict[str, Material], settings: Any, django_assert_num_queries: Any
) -> None:
    read_cache(settings)
    first = material_search(AnonymousUser(), grades=[7], sort="new")
    # Again: the first page's rows are kept with the counts, the subjects' names with the city's.
    with django_assert_num_queries(0) as queries:
        assert material_search(AnonymousUser(), grades=[7], sort="new") == first
    assert not counting(queries)
    assert material_search(AnonymousUser(), grades=[8]).count == 0
    # Signed in, the shared parts are the city's and the school's, and the reader's own part is
    # searched live.
    other = world.b.subject_teacher
    assert material_search(other, grades=[7]).count == 2
    with CaptureQueriesContext(connection) as queries:
        assert material_search(other, grades=[7]).count == 2
    # Only their own part (nothing here) is read: one statement over a few indexed rows, which
    # are counted and sorted here.
    assert len(materials_read(queries)) == 1
    assert not counting(queries)
    author = world.a.subject_teacher
    assert material_search(author, grades=[7]).count == 4
    with CaptureQueriesContext(connection) as queries:
        assert material_search(author, grades=[7]).count == 4
    # Their own part (the draft): one statement; and the rows of the page's materials that are
    # their own (they show their state to them).
    assert len(materials_read(queries)) == 2
    assert not counting(queries)


@pytest.mark.parametrize("visibility", [Visibility.CITY, Visibility.SCHOOL])
def test_a_kept_search_follows_publishing_and_taking_back(
    world: World,
    shelf: dict[str, Material],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    visibility: Visibility,
) -> None:
    """The city's kept part and each school's follow publishing; another school's part never
    holds a school's materials."""
    read_cache(settings)
    author = world.a.subject_teacher
    readers = (world.a.class_teacher, world.a.parent, world.b.subject_teacher)
    seeing = readers if visibility == Visibility.CITY else readers[:2]
    for reader in readers:
        assert titles(material_search(reader, q="черновик")) == []
    with django_capture_on_commit_callbacks(execute=True):
        published(shelf["draft"], world.methodologist, visibility)
    for reader in readers:
        found = titles(material_search(reader, q="черновик"))
        assert found == (["Черновик про уравнения"] if reader in seeing else [])
    with django_capture_on_commit_callbacks(execute=True):
        material_unshare(author, shelf["draft"].pk)
    for reader in readers:
        assert titles(material_search(reader, q="черновик")) == []
    # The author still finds it: their own part is never kept.
    assert titles(material_search(author, q="черновик")) == ["Черновик про уравнения"]


def test_what_is_given_at_a_school_shows_at_once_and_goes_when_taken_back(
    world: World, shelf: dict[str, Material], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """What was given at a school beyond the city's part is kept for its staff and for its classes'
    families (``access._given_here``): giving a material, or taking it back, shows on the next read."""
    read_cache(settings)
    a = world.a
    draft = shelf["draft"]  # its author's, never published
    readers = (a.class_teacher, a.student, a.parent)
    outsiders = (world.b.subject_teacher, world.b.parent)
    for reader in (*readers, *outsiders):
        assert titles(material_search(reader, q="черновик")) == []
    with django_capture_on_commit_callbacks(execute=True):
        material_attach_to_lesson(a.subject_teacher, lesson_id=a.lesson.pk, material_id=draft.pk)
    for reader in readers:
        assert titles(material_search(reader, q="черновик")) == ["Черновик про уравнения"]
    for reader in outsiders:
        assert titles(material_search(reader, q="черновик")) == []
    with django_capture_on_commit_callbacks(execute=True):
        material_detach_from_lesson(a.subject_teacher, lesson_id=a.lesson.pk, material_id=draft.pk)
    for reader in readers:
        assert titles(material_search(reader, q="черновик")) == []


def test_a_new_version_waiting_for_review_keeps_the_shared_searches(
    world: World, shelf: dict[str, Material], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Others still see the published version: an author's draft of it renews no token, so a
    city's authors at work do not empty everyone's kept searches."""
    read_cache(settings)
    before = versions.current([CATALOGUE])[CATALOGUE]
    material = shelf["algebra8"]
    with django_capture_on_commit_callbacks(execute=True):
        material_save(
            material.owner,
            material.pk,
            data=MaterialData(title="Квадратные уравнения, черновик", content={"body": "Новое."}),
        )
    assert versions.current([CATALOGUE])[CATALOGUE] == before
    with django_capture_on_commit_callbacks(execute=True):
        material_submit(material.owner, material.pk, visibility=Visibility.CITY)
        material_publish(world.methodologist, material.pk)
    assert versions.current([CATALOGUE])[CATALOGUE] != before


def test_the_days_popularity_reorders_a_kept_search(
    world: World, shelf: dict[str, Material], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    read_cache(settings)
    reader = world.b.subject_teacher
    assert titles(material_search(reader, q="уравнения", sort="popular"))[0] == "Квадратные уравнения"
    Material.objects.filter(pk=shelf["algebra7"].pk).update(views=10_000)
    UsageDay.objects.create(material=shelf["algebra7"], day=timezone.localdate(), views=10_000)
    with django_capture_on_commit_callbacks(execute=True):
        popularity_refresh()
    assert titles(material_search(reader, q="уравнения", sort="popular"))[0] == "Линейные уравнения"


def test_a_failing_cache_is_read_around(world: World, shelf: dict[str, Material], settings: Any) -> None:
    settings.PARTA_READ_CACHE = True
    settings.CACHES = {
        "default": {"BACKEND": "parta.core.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    assert material_search(AnonymousUser()).count == 2
