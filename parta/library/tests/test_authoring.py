"""Making materials: every save a version, restore, what others see while a new version waits."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from parta.curriculum.models import Section, Topic
from parta.library.access import access_material, sees_latest
from parta.library.models import Material, Status, Visibility
from parta.library.services.authoring import MaterialData, material_create, material_restore, material_save
from parta.library.services.moderation import material_publish, material_return, material_submit
from parta.testing.library import png_file, published, text_material
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def data(title: str = "Линейные уравнения", **kwargs: object) -> MaterialData:
    return MaterialData(title=title, content={"body": "Текст"}, **kwargs)  # type: ignore[arg-type]


def test_a_new_material_is_a_private_draft_of_the_authors_school(world: World) -> None:
    material = text_material(world.a.subject_teacher)
    assert material.status == Status.DRAFT
    assert material.visibility == Visibility.PRIVATE
    assert material.school_id == world.a.school.pk
    assert material.latest is not None and material.latest.number == 1


def test_every_save_is_a_version_and_a_restore_saves_the_old_one_again(world: World) -> None:
    teacher = world.a.subject_teacher
    material = text_material(teacher, title="Первое")
    material_save(teacher, material.pk, data=data("Второе"), note="заголовок")
    restored = material_restore(teacher, material.pk, number=1)
    material.refresh_from_db()
    assert [v.number for v in material.versions.all()] == [3, 2, 1]
    assert restored.title == "Первое" and restored.note == "Restored version 1"
    assert material.title == "Первое"


def test_bad_input_names_each_field_and_writes_nothing(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        material_create(
            world.a.subject_teacher,
            kind="scenario",
            data=MaterialData(
                title="", grades=[12], subject_ids=[999_999], content={"blocks": [{"type": "x"}]}
            ),
        )
    assert set(error.value.message_dict) == {"title", "grades", "subjects", "content"}
    assert not Material.objects.exists()


def test_a_file_kind_needs_its_file_and_keeps_it_across_versions(world: World) -> None:
    teacher = world.a.subject_teacher
    with pytest.raises(ValidationError) as error:
        material_create(teacher, kind="image", data=MaterialData(title="Схема"))
    assert "file" in error.value.message_dict
    png = png_file()
    material = material_create(teacher, kind="image", data=MaterialData(title="Схема"), file=png)
    version = material_save(teacher, material.pk, data=MaterialData(title="Схема опыта"))
    assert version.file.name == material.versions.get(number=1).file.name
    assert version.file_size == png.size


def test_a_topic_brings_its_subject_and_grade(world: World) -> None:
    subject = world.a.assignment.subject
    section = Section.objects.create(subject=subject, grade=7, code="S1", title_ru="Р", title_en="S", order=1)
    topic = Topic.objects.create(
        section=section, subject=subject, grade=7, code="T1", title_ru="Т", title_en="T", hours=2, order=1
    )
    material = text_material(world.a.subject_teacher, topic_ids=[topic.pk])
    assert list(material.subjects.all()) == [subject]
    assert material.grades == [7]


def test_a_scenario_composes_elements_its_author_may_open(world: World) -> None:
    teacher = world.a.subject_teacher
    element = text_material(teacher)
    others = text_material(world.b.subject_teacher)
    blocks = [{"type": "heading", "text": "Начало"}, {"type": "material", "material": element.pk}]
    scenario = material_create(
        teacher, kind="scenario", data=MaterialData(title="Урок", content={"blocks": blocks})
    )
    assert scenario.latest is not None and scenario.latest.content["blocks"] == blocks
    with pytest.raises(ValidationError):
        material_create(
            teacher,
            kind="scenario",
            data=MaterialData(
                title="Урок", content={"blocks": [{"type": "material", "material": others.pk}]}
            ),
        )
    with pytest.raises(ValidationError):  # a scenario is not an element of another
        material_create(
            teacher,
            kind="scenario",
            data=MaterialData(
                title="Урок", content={"blocks": [{"type": "material", "material": scenario.pk}]}
            ),
        )


def test_students_and_families_do_not_author(world: World) -> None:
    for person in (world.a.student, world.a.parent, world.outsider):
        with pytest.raises(Http404):
            text_material(person)


def test_editing_a_published_material_keeps_the_published_version_visible(world: World) -> None:
    teacher = world.a.subject_teacher
    material = published(text_material(teacher, title="Опубликовано"), world.methodologist)
    material_save(teacher, material.pk, data=data("Черновик"))
    material_submit(teacher, material.pk, visibility=Visibility.PUBLIC)
    colleague = access_material(world.b.subject_teacher, material.pk)
    assert colleague.title == "Опубликовано" and colleague.visibility == Visibility.CITY
    assert not sees_latest(world.b.subject_teacher, colleague)
    assert sees_latest(world.methodologist, colleague)
    material_return(world.methodologist, material.pk, comment="Исправьте опечатку")
    material.refresh_from_db()
    assert material.status == Status.RETURNED and material.title == "Опубликовано"
    material_submit(teacher, material.pk, visibility=Visibility.PUBLIC)
    material_publish(world.methodologist, material.pk)
    material.refresh_from_db()
    assert material.title == "Черновик" and material.visibility == Visibility.PUBLIC
    assert material.published_id == material.latest_id


def test_a_return_needs_a_comment_and_only_a_submitted_material_is_decided(world: World) -> None:
    material = text_material(world.a.subject_teacher)
    with pytest.raises(Http404):  # a draft is not in the queue
        material_publish(world.methodologist, material.pk)
    material_submit(world.a.subject_teacher, material.pk, visibility=Visibility.SCHOOL)
    with pytest.raises(ValidationError) as error:
        material_return(world.methodologist, material.pk, comment=" ")
    assert "comment" in error.value.message_dict
    with pytest.raises(Http404):
        material_publish(world.a.admin, material.pk)


def test_ids_no_row_can_have_are_no_such_rows(world: World) -> None:
    huge = 2**70
    with pytest.raises(ValidationError) as error:
        material_create(
            world.a.subject_teacher,
            kind="scenario",
            data=MaterialData(
                title="Урок",
                subject_ids=[huge],
                topic_ids=[huge],
                content={"blocks": [{"type": "material", "material": huge}]},
            ),
        )
    assert set(error.value.message_dict) == {"subjects", "topics", "content"}


def test_what_the_author_may_submit_and_take_back(world: World) -> None:
    from parta.library.access import may_submit, may_unshare

    teacher = world.a.subject_teacher
    draft = text_material(teacher)
    assert may_submit(draft) and not may_unshare(draft)
    material_submit(teacher, draft.pk, visibility=Visibility.CITY)
    draft.refresh_from_db()
    assert not may_submit(draft) and may_unshare(draft)
    material_publish(world.methodologist, draft.pk)
    draft.refresh_from_db()
    assert not may_submit(draft) and may_unshare(draft)
    material_save(teacher, draft.pk, data=data("Новая версия"))
    draft.refresh_from_db()
    assert may_submit(draft)
