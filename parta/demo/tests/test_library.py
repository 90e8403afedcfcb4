"""The demo's library: hundreds of materials of every state, consistent with the library's own
rules (versions, reviews, who may open what), given at topic-matched lessons, counted."""

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction

from parta.demo.generator import framework_load, generate_city
from parta.demo.generator.library import library_generate
from parta.demo.generator.library_city import inflections, library_generate_city, search_words
from parta.library.access import access_material, materials_readable_by
from parta.library.models import (
    ATOMIC_KINDS,
    Assignment,
    Kind,
    Material,
    MaterialVersion,
    Rating,
    Review,
    Status,
    Use,
    Visibility,
    grades_from_bits,
)
from parta.schools.models import TeachingAssignment

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    """A small whole school with the topic framework and a year of lessons, made once."""
    with django_db_blocker.unblock(), transaction.atomic():
        assert framework_load() == []
        yield generate_city(
            schools=1,
            seed=3,
            grades=(3, 7, 8),
            groups_per_grade=1,
            students_per_group=6,
            today=TODAY,
            load_framework=False,
            with_journal=False,
            demo_accounts=True,
        )
        transaction.set_rollback(True)


@pytest.fixture
def made(city, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return generate(city)


def generate(city):
    return library_generate(
        city=city.city,
        school=city.schools[0].school,
        methodologist=city.demo["methodologist"],
        teacher=city.demo["teacher"],
        today=TODAY,
        seed=1537,
    )


def test_a_few_hundred_materials_of_every_kind_and_state(made):
    assert 300 <= Material.objects.count() <= 500
    assert made["library materials"] == Material.objects.count()
    kinds = Counter(Material.objects.values_list("kind", flat=True))
    for kind in (Kind.TEXT, Kind.TEST, Kind.LINK, Kind.VIDEO, Kind.IMAGE, Kind.SCENARIO, Kind.TEXTBOOK):
        assert kinds[kind] > 0, kind
    states = Counter(Material.objects.values_list("status", flat=True))
    assert states[Status.PUBLISHED] > Material.objects.count() / 2
    assert states[Status.SUBMITTED] > 0 and states[Status.RETURNED] > 0 and states[Status.DRAFT] > 0
    audiences = Counter(Material.objects.filter(status=Status.PUBLISHED).values_list("visibility", flat=True))
    assert audiences[Visibility.SCHOOL] and audiences[Visibility.CITY] and audiences[Visibility.PUBLIC]
    languages = Counter(Material.objects.values_list("language", flat=True))
    assert languages["en"] and languages["ru"] > languages["en"]
    assert len(set(Material.objects.values_list("licence", flat=True))) >= 4
    assert Material.objects.filter(school__isnull=True).exists()  # the methodologist's


def test_every_material_has_its_versions_and_its_shown_copy(made):
    for m in Material.objects.select_related("latest", "published"):
        assert m.latest is not None and m.latest.material_id == m.pk
        assert (m.published_id is not None) == (m.status == Status.PUBLISHED or m.versions.count() > 1)
        shown = m.published or m.latest
        assert (m.title, m.language, m.licence) == (shown.title, shown.language, shown.licence)
        assert grades_from_bits(m.grade_bits) == shown.grades
        assert sorted(m.subjects.values_list("pk", flat=True)) == sorted(shown.subject_ids)
        assert sorted(m.topics.values_list("pk", flat=True)) == sorted(shown.topic_ids)
        if m.published_id is None:
            assert m.visibility == Visibility.PRIVATE
    # Reviews as the moderation writes them: published ones and returned ones with a comment.
    for m in Material.objects.filter(status=Status.PUBLISHED):
        assert Review.objects.filter(material=m, decision=Review.Decision.PUBLISHED).exists()
    returned = Review.objects.filter(decision=Review.Decision.RETURNED)
    assert returned.exists() and all(r.comment for r in returned)
    # The demo teacher's own, made through the services, has a newer draft after its publication.
    assert MaterialVersion.objects.filter(number=3).exists()


def test_composed_materials_name_elements_their_author_may_open(made, city):
    scenarios = Material.objects.filter(kind=Kind.SCENARIO).select_related("latest", "owner")
    assert scenarios.exists()
    for scenario in scenarios:
        assert scenario.latest is not None
        blocks = scenario.latest.content["blocks"]
        ids = [b["material"] for b in blocks if b["type"] == "material"]
        assert len(ids) >= 2 and len(blocks) >= 3
        readable = Material.objects.filter(materials_readable_by(scenario.owner), pk__in=ids)
        assert readable.count() == len(ids)
        assert all(
            kind in ATOMIC_KINDS or kind == Kind.TEST for kind in readable.values_list("kind", flat=True)
        )
    textbook = Material.objects.filter(kind=Kind.TEXTBOOK).select_related("latest").first()
    assert textbook is not None and textbook.latest is not None
    assert textbook.cover and textbook.latest.content["chapters"]


def test_pictures_are_real_files(made):
    image = Material.objects.filter(kind=Kind.IMAGE).select_related("latest").first()
    assert image is not None and image.latest is not None
    with image.latest.file.open("rb") as stored:
        assert stored.read(8) == b"\x89PNG\r\n\x1a\n"
    assert image.latest.file_size > 1000 and image.cover


def test_links_lead_to_searches_on_public_sites(made):
    for url in MaterialVersion.objects.filter(material__kind__in=[Kind.LINK, Kind.VIDEO]).values_list(
        "content__url", flat=True
    ):
        assert url.startswith(
            (
                "https://ru.wikipedia.org/w/index.php?search=",
                "https://en.wikipedia.org/w/index.php?search=",
                "https://www.youtube.com/results?search_query=",
            )
        )


def test_materials_given_at_lessons_match_the_lessons_topic_and_teacher(made, city):
    assignments = Assignment.objects.select_related("lesson", "material")
    assert assignments.exists()
    for a in assignments:
        assert a.lesson is not None
        assert a.origin == f"lesson:{a.lesson_id}"
        assert a.class_group_id == a.lesson.class_group_id and a.added_by_id == a.lesson.teacher_id
        assert a.lesson.topic_id in set(a.material.topics.values_list("pk", flat=True))
        access_material(a.lesson.teacher, a.material_id)  # the teacher may open what they gave
    assert Use.objects.filter(kind=Use.Kind.LESSON).count() == assignments.count()


def test_counters_are_what_the_usage_rows_count(made):
    assert not Use.objects.filter(counted=False).exists()
    for m in Material.objects.all():
        uses = Counter(Use.objects.filter(material=m).values_list("kind", flat=True))
        stars = list(Rating.objects.filter(material=m).values_list("stars", flat=True))
        assert (m.views, m.downloads, m.lesson_uses) == (uses["view"], uses["download"], uses["lesson"])
        assert (m.rating_count, m.rating_sum) == (len(stars), sum(stars))
        assert all(
            r != m.owner_id for r in Rating.objects.filter(material=m).values_list("user_id", flat=True)
        )
    assert (
        Material.objects.filter(views__gt=20).exists() and Material.objects.filter(popularity__gt=0).exists()
    )
    latest_use = Use.objects.order_by("-at").first()
    assert latest_use is not None and latest_use.at.date() <= TODAY


def test_the_same_seed_makes_the_same_library(city, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    def contents():
        return sorted(Material.objects.values_list("title", "kind", "status", "visibility", "views"))

    with transaction.atomic():
        generate(city)
        first = contents()
        transaction.set_rollback(True)
    assert not Material.objects.exists()
    generate(city)
    assert contents() == first


def test_nothing_without_the_topic_framework(city, db, monkeypatch):
    monkeypatch.setattr("parta.demo.generator.library.topics_load", list)
    assert generate(city) == {}
    assert not Material.objects.exists()


def test_the_city_library_is_of_the_authors_courses_and_topics(city, db):
    made = library_generate_city(city=city.city, materials=300, authors=8, seed=2, today=TODAY)
    assert made["materials"] == Material.objects.count() == 300
    assert made["material authors"] == Material.objects.values("owner").distinct().count() <= 8
    taught = set(TeachingAssignment.objects.values_list("teacher_id", "subject_id", "class_group__grade"))
    with_topic = 0
    for m in Material.objects.select_related("latest").prefetch_related("subjects", "topics"):
        assert m.latest is not None and m.latest.title == m.title
        (subject,) = m.subjects.all()
        assert (m.owner_id, subject.pk, *m.grades) in taught
        for topic in m.topics.all():
            with_topic += 1
            assert (topic.subject_id, topic.grade) == (subject.pk, m.grades[0])
            assert topic.title_ru in m.title or topic.title_en in m.title
    # Subjects outside the bundled framework (music, PE…) have no topics to name.
    assert with_topic > 100


def test_the_search_vocabulary_has_inflected_forms():
    assert inflections("уравнение") == ["уравнения", "уравнением", "уравнении"]
    assert inflections("уравнения") == ["уравнение", "уравнений", "уравнениями"]
    assert inflections("отрезков") == ["отрезкам", "отрезками"]
    assert inflections("дробь") == []


def test_search_words_come_from_the_framework(city, db):
    words = search_words()
    assert "уравнения" in words and "уравнение" in words
    assert all(len(word) >= 5 for word in words)


def test_the_demo_library_is_found_by_full_text_search(made):
    from parta.library.selectors.catalogue import material_search

    material = Material.objects.filter(published__isnull=False, language="ru").select_related("owner").first()
    assert material is not None
    assert material_search(material.owner, q=material.title.split()[0]).count > 0
