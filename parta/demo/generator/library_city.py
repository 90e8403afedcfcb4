"""The benchmark city's library: it grows with the city, about 2,000,000 materials by 34,000
authors at S = 1 (400,000 at S = 0.2, 20,000 at S = 0.01).

Authors are drawn from the city's teachers, and a few write most (a Zipf-like share each); a
material is of a subject and grade its author teaches, mostly of one of its framework topics,
titled from the topic with the demo's templates (``library_texts``); a test (15 %) carries one
of its subject's tests with real questions (``question_bank``), which classes are later given as
homework (``city_tests``). About 60 % are published (school, city or everyone), the rest drafts,
waiting for review or returned. Views, downloads, uses and ratings of published materials are
heavy-tailed (Pareto), so a few are very popular and most are seldom opened; the counters are
written directly, as the aggregation task would leave them.

Rows go in chunks through ``copy_rows`` (COPY on PostgreSQL), each chunk in its own
transaction with its keys drawn first: one version per material, its subject and topic links.
Nothing is written for search: PostgreSQL's full-text search indexes Material's own columns.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from parta.demo.generator.bulk import reserve_ids
from parta.demo.generator.courses import aware
from parta.demo.generator.library_rows import Planned, materials_insert, weighted
from parta.demo.generator.library_texts import (
    TopicInfo,
    description_make,
    language_of,
    link_url,
    title_make,
    topics_load,
)
from parta.demo.generator.question_bank import templates_of
from parta.library.models import Licence, Material, MaterialVersion, Status, Visibility
from parta.library.services.usage import popularity_of
from parta.schools.models import City, Subject, TeachingAssignment

MATERIALS_PER_CITY = 2_000_000
AUTHORS_PER_CITY = 34_000
CHUNK = 20_000
# The sorts of the city's materials (no pictures: files would only fill the disk) and their shares.
SORTS = (
    ("explanation", 0.25),
    ("example", 0.12),
    ("practice", 0.18),
    ("test", 0.15),
    ("link", 0.1),
    ("video", 0.08),
    ("scenario", 0.1),
    ("textbook", 0.02),
)
STATES = ((Status.PUBLISHED, 0.6), (Status.DRAFT, 0.25), (Status.SUBMITTED, 0.1), (Status.RETURNED, 0.05))
AUDIENCES = ((Visibility.SCHOOL, 0.4), (Visibility.CITY, 0.45), (Visibility.PUBLIC, 0.15))
LICENCES = (
    (Licence.CC_BY, 0.45),
    (Licence.CC_BY_SA, 0.15),
    (Licence.CC_BY_NC, 0.1),
    (Licence.CC0, 0.05),
    (Licence.CITY, 0.2),
    (Licence.RESERVED, 0.05),
)
# Added to some titles, so that one topic's many materials are told apart.
VARIANTS = {
    "ru": (
        " (базовый уровень)",
        " (углублённый уровень)",
        ", вариант 2",
        " — для дистанционного урока",
        ", {grade} класс",
    ),
    "en": (" (basic level)", " (advanced level)", ", version 2", ", grade {grade}"),
}
# The 80/20 rule's Pareto shape: a fifth of the materials get four fifths of the views.
PARETO = 1.16


def materials_for(scale: float) -> int:
    return max(1, round(MATERIALS_PER_CITY * scale))


def authors_for(scale: float) -> int:
    return max(1, round(AUTHORS_PER_CITY * scale))


def _usage(rng: random.Random, today: dt.date) -> dict[str, Any]:
    views = min(500_000, int((rng.paretovariate(PARETO) - 1) * 25))
    ratings = views // rng.randint(20, 60)
    counters: dict[str, Any] = {
        "views": views,
        "downloads": views // rng.randint(3, 10),
        "lesson_uses": views // rng.randint(15, 40),
        "homework_uses": views // rng.randint(30, 80),
        "rating_count": ratings,
        "rating_sum": round(ratings * rng.choice((3.4, 3.9, 4.2, 4.5, 4.8))),
    }
    # All of it as if used today: the city has no usage days to decay.
    counters["popularity"] = popularity_of(
        [{"day": today, **counters}],
        today=today,
        rating_count=counters["rating_count"],
        rating_sum=counters["rating_sum"],
    )
    return counters


class _City:
    """What every material of the city is drawn from."""

    def __init__(
        self, city: City, authors: int, rng: random.Random, today: dt.date, forms: random.Random
    ) -> None:
        # ``forms`` chooses the tests' questions: its own stream leaves every other draw as it was.
        self.rng, self.today, self.forms = rng, today, forms
        self.topics: dict[tuple[int, int], list[TopicInfo]] = defaultdict(list)
        for topic in topics_load():
            self.topics[(topic.subject_id, topic.grade)].append(topic)
        self.subjects = {
            pk: (code, ru, en)
            for pk, code, ru, en in Subject.objects.values_list("pk", "code", "name_ru", "name_en")
        }
        courses: dict[int, set[tuple[int, int, int]]] = defaultdict(set)
        for teacher, subject, grade, school in TeachingAssignment.objects.filter(
            school__city=city
        ).values_list("teacher_id", "subject_id", "class_group__grade", "school_id"):
            courses[teacher].add((subject, grade, school))
        pool = sorted(courses)
        chosen = rng.sample(pool, min(authors, len(pool)))
        self.authors = [(teacher, sorted(courses[teacher])) for teacher in chosen]
        # A Zipf-like share per author: a few prolific ones, most with a handful.
        self.author_weights = list(itertools.accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(chosen))))

    def material(self, created_days: int) -> Planned:
        rng = self.rng
        teacher, courses = rng.choices(self.authors, cum_weights=self.author_weights)[0]
        subject, grade, school = rng.choice(courses)
        code, name_ru, name_en = self.subjects[subject]
        language = language_of(code)
        sort = weighted(rng, SORTS)
        topics = self.topics.get((subject, grade))
        # A textbook is of the whole course; most other materials of one of its topics.
        topic = rng.choice(topics) if topics and sort != "textbook" and rng.random() < 0.9 else None
        about = topic.title(language) if topic else (name_en if language == "en" else name_ru)
        subject_name = name_en if language == "en" else name_ru
        title = title_make(rng, sort, language, topic=about, subject=subject_name, grade=str(grade))
        if sort != "textbook" and rng.random() < 0.3:
            title += rng.choice(VARIANTS[language]).format(grade=grade)
        content: dict[str, Any]
        description = description_make(rng, sort, language)
        if sort in ("link", "video"):
            content = {"url": link_url(about, language, sort)}
        elif sort == "scenario":
            content = {"blocks": [{"type": "heading", "text": about}, {"type": "text", "text": description}]}
        elif sort == "textbook":
            content = {"chapters": [{"title": about, "sections": [{"title": about, "blocks": []}]}]}
        elif sort == "test":
            content = {"body": description, "test": self.forms.choice(templates_of(code))}
        else:
            content = {"body": description}
        status = weighted(rng, STATES)
        created = aware(self.today - dt.timedelta(days=created_days), rng.randint(7, 22), rng.randrange(60))
        material = Planned(
            pk=0,
            owner=teacher,
            school=school,
            sort=sort,
            title=title[:300],
            description=description,
            language=language,
            licence=weighted(rng, LICENCES),
            subject_ids=[subject],
            grades=[grade],
            topic_ids=[topic.pk] if topic else [],
            content=content,
            status=status,
            visibility=weighted(rng, AUDIENCES),
            created_at=created,
        )
        if status == Status.PUBLISHED:
            material.published_at = min(timezone.now(), created + dt.timedelta(days=rng.randint(1, 10)))
            material.counters = _usage(rng, self.today)
        return material


def library_generate_city(
    *,
    city: City,
    materials: int,
    authors: int,
    seed: int,
    today: dt.date | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """``materials`` materials of ``city`` by up to ``authors`` of its teachers (see the module's
    docstring); ``on_chunk(done)`` after each chunk. Returns the rows written, counted."""
    rng = random.Random(seed * 7919 + 19)
    source = _City(city, authors, rng, today or timezone.localdate(), random.Random(seed * 7919 + 23))
    if not source.authors:
        return {}
    made = published = 0
    while made < materials:
        count = min(CHUNK, materials - made)
        chunk = [source.material(rng.randint(0, 730)) for _ in range(count)]
        with transaction.atomic():
            for material, pk, version in zip(
                chunk, reserve_ids(Material, count), reserve_ids(MaterialVersion, count), strict=True
            ):
                material.pk, material.version_pk = pk, version
            materials_insert(city.pk, chunk)
        made += count
        published += sum(1 for m in chunk if m.published)
        if on_chunk is not None:
            on_chunk(made)
    return {"materials": made, "published materials": published, "material authors": len(source.authors)}


# --- what the benchmark searches for -----------------------------------------------------------

_WORD = re.compile(r"[а-яё]{5,}|[a-z]{5,}")
# Russian endings and the forms a query may use instead (a crude inflection: the search must stem).
_ENDINGS = (
    ("ения", ("ение", "ений", "ениями")),
    ("ение", ("ения", "ением", "ении")),
    ("ость", ("ости", "остью")),
    ("ости", ("ость", "остями")),
    ("ция", ("ции", "цию", "цией")),
    ("ная", ("ной", "ную")),
    ("ые", ("ых", "ыми")),
    ("ов", ("ам", "ами")),
)


def inflections(word: str) -> list[str]:
    """Other case forms of a Russian word by its ending (none for other words)."""
    for ending, forms in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            stem = word[: -len(ending)]
            return [stem + form for form in forms]
    return []


def search_words() -> list[str]:
    """The words of the subjects' names and the framework's topic titles (what the generated
    titles are made of), and other case forms of the Russian ones, sorted: what a teacher types
    into the search."""
    texts = [f"{ru} {en}" for ru, en in Subject.objects.values_list("name_ru", "name_en")]
    texts += [f"{topic.title_ru} {topic.title_en}" for topic in topics_load()]
    words: set[str] = set()
    for word in _WORD.findall(" ".join(texts).lower()):
        words.add(word)
        words.update(inflections(word))
    return sorted(words)
