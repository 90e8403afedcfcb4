"""The demo school's library: about four hundred materials written for the project from the topic
framework (``library_texts``), by the school's teachers and the city methodologist.

What it looks like:
- per topic (half of them topics of the school's lessons of these weeks, so lessons find
  materials) an explanation and two or three more of: a worked example, a practice sheet, a test,
  a link to an encyclopedia search, a video search, a drawn picture (``library_images``); lesson
  scenarios composed of 3–6 of those elements; a few e-textbooks of chapters with covers;
- English lessons' materials in English, everything else in Russian; licences varied;
- three in four published after review (school, city or everyone), some waiting for review, a
  few returned with the methodologist's comment, the rest private drafts;
- materials given to the school's lessons of the last four weeks and the next one (origin
  ``lesson:<id>``, the lesson's topic), views, downloads and ratings over the last six weeks,
  counted into the materials' figures and days by the library's own counting.

A handful are made through the library's services (versions, submission, review and its
outbox events as a teacher's clicks make them); the rest are written in bulk with explicit keys,
since a material and its version point at each other. The same seed gives the same library.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from parta.accounts.models import User
from parta.demo.generator import library_images
from parta.demo.generator.bulk import reserve_ids
from parta.demo.generator.courses import aware, insert_rows
from parta.demo.generator.library_activity import (
    ASSIGNMENT_FIELDS,
    LESSONS_AFTER,
    LESSONS_BEFORE,
    RATING_FIELDS,
    REVIEW_FIELDS,
    USE_FIELDS,
    lesson_assignments,
    reviews_of,
    usage_and_ratings,
)
from parta.demo.generator.library_rows import Planned, db_time, materials_insert, weighted
from parta.demo.generator.library_texts import (
    BODIES,
    REVIEW_COMMENTS,
    TopicInfo,
    description_make,
    language_of,
    link_url,
    title_make,
    topics_load,
)
from parta.library.models import (
    Assignment,
    Kind,
    Licence,
    Material,
    MaterialVersion,
    Rating,
    Review,
    Status,
    Use,
    Visibility,
)
from parta.library.search import search_rebuild
from parta.library.services.authoring import MaterialData, material_create, material_save
from parta.library.services.moderation import material_publish, material_return, material_submit
from parta.library.services.usage import BATCH, popularity_refresh, uses_count
from parta.schools.models import City, School, Subject, TeachingAssignment
from parta.timetable.models import Lesson

TOPICS = 100
# What a topic's materials are, besides its explanation, and the kind of each.
EXTRA_SORTS = ("example", "practice", "test", "link", "video", "image")
LICENCES = (
    (Licence.CC_BY, 0.4),
    (Licence.CC_BY_SA, 0.15),
    (Licence.CC_BY_NC, 0.15),
    (Licence.CC0, 0.05),
    (Licence.CITY, 0.2),
    (Licence.RESERVED, 0.05),
)
STATES = ((Status.PUBLISHED, 0.75), (Status.SUBMITTED, 0.08), (Status.RETURNED, 0.05), (Status.DRAFT, 0.12))
AUDIENCES = ((Visibility.SCHOOL, 0.35), (Visibility.CITY, 0.45), (Visibility.PUBLIC, 0.2))


class _Demo:
    """The state of one demo library while it is made."""

    def __init__(
        self,
        *,
        city: City,
        school: School,
        methodologist: User,
        teacher: User | None,
        today: dt.date,
        seed: int,
    ) -> None:
        self.city, self.school, self.methodologist, self.teacher = city, school, methodologist, teacher
        self.today = today
        self.now = min(timezone.now(), aware(today, 18))
        self.rng = random.Random(seed)
        self.materials: list[Planned] = []
        self.subject_names = {
            pk: (ru, en) for pk, ru, en in Subject.objects.values_list("pk", "name_ru", "name_en")
        }
        self.teaching: dict[tuple[int, int], list[int]] = defaultdict(list)
        for teacher_id, subject_id, grade in (
            TeachingAssignment.objects.filter(school=school)
            .order_by("pk")
            .values_list("teacher_id", "subject_id", "class_group__grade")
        ):
            if teacher_id not in self.teaching[(subject_id, grade)]:
                self.teaching[(subject_id, grade)].append(teacher_id)
        self.names = {
            pk: f"{last} {first[:1]}. {middle[:1]}.".replace(" .", "").strip()
            for pk, last, first, middle in User.objects.filter(
                pk__in={t for ts in self.teaching.values() for t in ts} | {methodologist.pk}
            ).values_list("pk", "last_name", "first_name", "middle_name")
        }
        # Keys of the materials planned from now on, once drawn (see library_generate).
        self.keys: Iterator[int] | None = None

    def when(self, days_back: int, hour: int | None = None) -> dt.datetime:
        day = self.today - dt.timedelta(days=days_back)
        moment = aware(day, hour if hour is not None else self.rng.randint(8, 21), self.rng.randrange(60))
        return min(moment, self.now)

    def plan(
        self,
        *,
        sort: str,
        topic: TopicInfo | None,
        owner: int,
        school: int | None,
        title: str,
        language: str,
        content: dict[str, Any],
        subject_ids: list[int],
        grades: list[int],
        topic_ids: list[int],
    ) -> Planned:
        rng = self.rng
        status = weighted(rng, STATES)
        visibility = weighted(rng, AUDIENCES)
        if school is None and visibility == Visibility.SCHOOL:
            visibility = Visibility.CITY
        age = rng.randint(3, 150)
        created = self.when(age)
        material = Planned(
            pk=next(self.keys) if self.keys is not None else 0,
            owner=owner,
            school=school,
            sort=sort,
            title=title,
            description=description_make(rng, sort, language),
            language=language,
            licence=weighted(rng, LICENCES),
            authors=self.names.get(owner, ""),
            subject_ids=subject_ids,
            grades=grades,
            topic_ids=topic_ids,
            content=content,
            status=status,
            visibility=visibility,
            created_at=created,
        )
        if status == Status.PUBLISHED:
            material.published_at = min(
                self.now, created + dt.timedelta(days=rng.randint(1, 3), hours=rng.randint(1, 9))
            )
        self.materials.append(material)
        return material

    # --- the materials of a topic ---

    def topic_materials(self, topic: TopicInfo) -> list[Planned]:
        rng = self.rng
        language = language_of(topic.subject_code)
        teachers = self.teaching.get((topic.subject_id, topic.grade)) or [self.methodologist.pk]
        sorts = ["explanation", *rng.sample(EXTRA_SORTS, rng.randint(1, 3))]
        if "image" in sorts and topic.subject_code not in library_images.DRAWINGS:
            sorts.remove("image")
        made = []
        for sort in sorts:
            by_methodologist = rng.random() < 0.12
            owner = self.methodologist.pk if by_methodologist else rng.choice(teachers)
            title = title_make(rng, sort, language, topic=topic.title(language))
            content: dict[str, Any]
            if sort in BODIES:
                content = {"body": BODIES[sort](rng, topic, language)}
            elif sort in ("link", "video"):
                content = {"url": link_url(topic.title(language), language, sort)}
            else:
                content = {}
            material = self.plan(
                sort=sort,
                topic=topic,
                owner=owner,
                school=None if by_methodologist else self.school.pk,
                title=title,
                language=language,
                content=content,
                subject_ids=[topic.subject_id],
                grades=[topic.grade],
                topic_ids=[topic.pk],
            )
            if sort == "image":
                self.picture(material, topic)
            made.append(material)
        return made

    def picture(self, material: Planned, topic: TopicInfo) -> None:
        draw = self.rng.choice(library_images.DRAWINGS[topic.subject_code])
        data = draw(self.rng)
        name = default_storage.save(
            f"library/files/demo/{draw.__name__}-{len(self.materials)}.png", ContentFile(data)
        )
        material.file, material.file_name, material.file_size, material.cover = (
            name,
            f"{draw.__name__}.png",
            len(data),
            name,
        )

    def readable_by(self, owner: int, material: Planned) -> bool:
        """Whether ``owner`` may put ``material`` into their own (the services' rule for blocks)."""
        if material.owner == owner:
            return True
        if not material.published:
            return False
        return material.visibility != Visibility.SCHOOL or material.school == self.school.pk

    def scenario(self, topic: TopicInfo, elements: list[Planned]) -> None:
        rng = self.rng
        language = language_of(topic.subject_code)
        author = rng.choice(elements).owner
        usable = [m for m in elements if self.readable_by(author, m)]
        if len(usable) < 2:
            return
        ru = language == "ru"
        blocks: list[dict[str, Any]] = [
            {"type": "heading", "text": "Цель урока" if ru else "The aim of the lesson"},
            {"type": "text", "text": rng.choice(topic.outcomes(language) or (topic.title(language),))},
        ]
        for element in usable[: rng.randint(2, 5)]:
            blocks.append({"type": "material", "material": element.pk})
        if rng.random() < 0.5:
            blocks.append(
                {
                    "type": "link",
                    "url": link_url(topic.title(language), language, "link"),
                    "title": topic.title(language),
                }
            )
        blocks.append(
            {
                "type": "text",
                "text": "Рефлексия: что нового узнали на уроке?" if ru else "Round-up: what was new today?",
            }
        )
        school = None if author == self.methodologist.pk else self.school.pk
        self.plan(
            sort="scenario",
            topic=topic,
            owner=author,
            school=school,
            title=title_make(rng, "scenario", language, topic=topic.title(language)),
            language=language,
            content={"blocks": blocks},
            subject_ids=[topic.subject_id],
            grades=[topic.grade],
            topic_ids=[topic.pk],
        )

    def textbook(self, topics: list[TopicInfo], by_topic: dict[int, list[Planned]]) -> None:
        rng = self.rng
        first = topics[0]
        language = language_of(first.subject_code)
        chapters: dict[str, list[dict[str, Any]]] = {}
        for topic in topics:
            blocks: list[dict[str, Any]] = [
                {"type": "text", "text": "\n".join(topic.outcomes(language)) or topic.title(language)}
            ]
            blocks += [
                {"type": "material", "material": m.pk}
                for m in by_topic.get(topic.pk, [])
                if m.published and m.visibility != Visibility.SCHOOL and m.sort != "scenario"
            ]
            chapters.setdefault(topic.section(language), []).append(
                {"title": topic.title(language), "blocks": blocks}
            )
        subject = self.subject_names.get(first.subject_id, ("", ""))[language == "en"]
        material = self.plan(
            sort="textbook",
            topic=None,
            owner=self.methodologist.pk,
            school=None,
            title=title_make(rng, "textbook", language, subject=subject, grade=str(first.grade)),
            language=language,
            content={"chapters": [{"title": t, "sections": s} for t, s in chapters.items()]},
            subject_ids=[first.subject_id],
            grades=[first.grade],
            topic_ids=[t.pk for t in topics],
        )
        # E-textbooks are the city's: published for everyone.
        material.status, material.visibility = Status.PUBLISHED, Visibility.PUBLIC
        material.published_at = material.published_at or min(
            self.now, material.created_at + dt.timedelta(days=2)
        )
        data = library_images.cover(rng, first.subject_code)
        material.cover = default_storage.save(
            f"library/covers/demo/textbook-{len(self.materials)}.png", ContentFile(data)
        )


def _topics_chosen(
    rng: random.Random, topics: list[TopicInfo], school: School, today: dt.date, taught: set[tuple[int, int]]
) -> list[TopicInfo]:
    """Half the topics of the school's lessons around today (so lessons find materials), half
    any topic taught at the school."""
    near = set(
        Lesson.objects.filter(
            school=school,
            topic__isnull=False,
            date__gte=today - dt.timedelta(days=LESSONS_BEFORE),
            date__lt=today + dt.timedelta(days=LESSONS_AFTER),
        ).values_list("topic_id", flat=True)
    )
    eligible = [t for t in topics if (t.subject_id, t.grade) in taught] or topics
    current = [t for t in eligible if t.pk in near]
    chosen = rng.sample(current, min(len(current), TOPICS // 2))
    others = [t for t in eligible if t.pk not in {c.pk for c in chosen}]
    chosen += rng.sample(others, min(len(others), TOPICS - len(chosen)))
    return chosen


TEXTBOOKS = 4


def _by_services(demo: _Demo, topics: list[TopicInfo]) -> list[Planned]:
    """The demo teacher's own materials, made as clicks make them: a published explanation with
    a newer draft after it, a test returned with a comment, a link waiting for review, a draft."""
    teacher, rng = demo.teacher, demo.rng
    if teacher is None:
        return []
    mine = [t for t in topics if teacher.pk in demo.teaching.get((t.subject_id, t.grade), [])] or topics
    topic = mine[0]
    language = language_of(topic.subject_code)

    def data(sort: str, content: dict[str, Any]) -> MaterialData:
        return MaterialData(
            title=title_make(rng, sort, language, topic=topic.title(language)),
            description=description_make(rng, sort, language),
            language=language,
            authors=demo.names.get(teacher.pk, ""),
            topic_ids=[topic.pk],
            content=content,
        )

    first = data("explanation", {"body": BODIES["explanation"](rng, topic, language)})
    explanation = material_create(teacher, kind=Kind.TEXT, data=first)
    better = {"body": first.content["body"] + "\n" + BODIES["example"](rng, topic, language)}
    material_save(
        teacher,
        explanation.pk,
        data=MaterialData(**{**first.__dict__, "content": better}),
        note="Добавлен разобранный пример",
    )
    material_submit(teacher, explanation.pk, visibility=Visibility.CITY)
    material_publish(demo.methodologist, explanation.pk, comment="Хороший материал, публикую.")
    material_save(
        teacher,
        explanation.pk,
        data=MaterialData(**{**first.__dict__, "content": better, "licence": Licence.CC_BY_SA}),
        note="Сменил лицензию",
    )
    test = material_create(
        teacher, kind=Kind.TEST, data=data("test", {"body": BODIES["test"](rng, topic, language)})
    )
    material_submit(teacher, test.pk, visibility=Visibility.SCHOOL)
    material_return(demo.methodologist, test.pk, comment=rng.choice(REVIEW_COMMENTS))
    link = material_create(
        teacher, kind=Kind.LINK, data=data("link", {"url": link_url(topic.title(language), language, "link")})
    )
    material_submit(teacher, link.pk, visibility=Visibility.PUBLIC)
    material_create(
        teacher, kind=Kind.TEXT, data=data("practice", {"body": BODIES["practice"](rng, topic, language)})
    )
    published = Material.objects.get(pk=explanation.pk)
    return [
        Planned(
            pk=published.pk,
            owner=teacher.pk,
            school=published.school_id,
            sort="explanation",
            title=published.title,
            description=published.description,
            language=language,
            licence=published.licence,
            subject_ids=[topic.subject_id],
            grades=[topic.grade],
            topic_ids=[topic.pk],
            content={},
            status=Status.PUBLISHED,
            visibility=published.visibility,
            created_at=published.created_at,
            published_at=published.published_at,
            stored=True,
        )
    ]


def _textbook_topics(chosen: list[TopicInfo], topics: list[TopicInfo]) -> list[list[TopicInfo]]:
    """The (subject, grade) courses most covered by the chosen topics, each with all its topics."""
    covered: dict[tuple[int, int], int] = defaultdict(int)
    for t in chosen:
        covered[(t.subject_id, t.grade)] += 1
    best = sorted(covered, key=lambda key: (-covered[key], key))[:TEXTBOOKS]
    return [[t for t in topics if (t.subject_id, t.grade) == key] for key in best]


def library_generate(
    *, city: City, school: School, methodologist: User, teacher: User | None, today: dt.date, seed: int
) -> dict[str, int]:
    """The demo school's library (see the module's docstring); returns what was made, counted.
    Nothing when the topic framework is not loaded: the texts are made of it. Run it inside a
    transaction: a material and its version point at each other until both are written."""
    topics = topics_load()
    if not topics:
        return {}
    demo = _Demo(
        city=city, school=school, methodologist=methodologist, teacher=teacher, today=today, seed=seed
    )
    stored = _by_services(demo, topics)
    made_by_services = Material.objects.filter(owner=teacher).count() if teacher else 0
    chosen = _topics_chosen(demo.rng, topics, school, today, set(demo.teaching))
    by_topic = {topic.pk: demo.topic_materials(topic) for topic in chosen}
    courses = _textbook_topics(chosen, topics)
    # Keys first: scenarios and textbooks name their elements by key.
    keys = iter(reserve_ids(Material, len(demo.materials) + len(chosen) + len(courses)))
    for material in demo.materials:
        material.pk = next(keys)
    atoms = list(demo.materials)
    demo.keys = keys
    for topic in chosen:
        if demo.rng.random() < 0.6:
            demo.scenario(topic, by_topic[topic.pk])
    for course in courses:
        demo.textbook(course, by_topic)
    for material, version in zip(
        demo.materials, reserve_ids(MaterialVersion, len(demo.materials)), strict=True
    ):
        material.version_pk = version
    for topic_pk, materials in by_topic.items():
        by_topic[topic_pk] = [*materials, *(m for m in stored if topic_pk in m.topic_ids)]
        by_topic[topic_pk] += [
            m for m in demo.materials[len(atoms) :] if m.sort == "scenario" and topic_pk in m.topic_ids
        ]
    demo.materials += stored
    uses: list[tuple[Any, ...]] = []
    assignments = lesson_assignments(demo, by_topic, uses)
    ratings = usage_and_ratings(demo, uses)
    materials_insert(city.pk, [m for m in demo.materials if not m.stored])
    insert_rows(Review, REVIEW_FIELDS, reviews_of(demo))
    insert_rows(Assignment, ASSIGNMENT_FIELDS, assignments)
    insert_rows(Rating, RATING_FIELDS, ratings)
    uses.sort(key=lambda u: u[3])
    insert_rows(Use, USE_FIELDS, [(m, k, u, db_time(at), False) for m, k, u, at in uses])
    # As the minute's task would: the figures, the days of the authors' charts, the scores.
    uses_count(max_batches=len(uses) // BATCH + 1)
    popularity_refresh()
    # The bulk rows bypassed the services: SQLite's full-text table learns them here.
    search_rebuild()
    return {
        "library materials": len(demo.materials) - len(stored) + made_by_services,
        "library uses": len(uses),
        "library ratings": len(ratings),
        "materials at lessons": len(assignments),
    }
