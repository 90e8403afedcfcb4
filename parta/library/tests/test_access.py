"""Who sees which material: the wrong teacher, the wrong school, the wrong family get 404."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from parta.library.access import access_material, access_own_material
from parta.library.models import Material, Visibility
from parta.library.services.assignments import material_attach_to_lesson
from parta.testing.library import published, text_material
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def readers(world: World, material: Material) -> set[str]:
    people = {
        "author": world.a.subject_teacher,
        "colleague": world.a.class_teacher,
        "admin": world.a.admin,
        "student": world.a.student,
        "parent": world.a.parent,
        "classmate_parent": world.a.classmate_parent,
        "other_school_teacher": world.b.subject_teacher,
        "other_school_student": world.b.student,
        "outsider": world.outsider,
        "methodologist": world.methodologist,
        "anonymous": AnonymousUser(),
    }
    seen = set()
    for name, person in people.items():
        try:
            access_material(person, material.pk)
        except Http404:
            continue
        seen.add(name)
    return seen


def test_a_private_draft_is_its_authors_alone(world: World) -> None:
    assert readers(world, text_material(world.a.subject_teacher)) == {"author"}


def test_a_submitted_material_is_also_the_methodologists(world: World) -> None:
    from parta.library.services.moderation import material_submit

    material = text_material(world.a.subject_teacher)
    material_submit(world.a.subject_teacher, material.pk, visibility=Visibility.CITY)
    assert readers(world, material) == {"author", "methodologist"}


def test_a_school_material_stays_in_its_school(world: World) -> None:
    material = published(text_material(world.a.subject_teacher), world.methodologist, Visibility.SCHOOL)
    assert readers(world, material) == {
        "author",
        "colleague",
        "admin",
        "student",
        "parent",
        "classmate_parent",
        "methodologist",
    }


def test_a_city_material_is_everyone_signed_in(world: World) -> None:
    material = published(text_material(world.a.subject_teacher), world.methodologist, Visibility.CITY)
    assert "anonymous" not in readers(world, material)
    assert {"other_school_teacher", "other_school_student", "outsider"} <= readers(world, material)


def test_a_public_material_is_open_without_signing_in(world: World) -> None:
    material = published(text_material(world.a.subject_teacher), world.methodologist, Visibility.PUBLIC)
    assert "anonymous" in readers(world, material)


def test_a_private_material_given_to_a_lesson_opens_to_that_class_only(world: World) -> None:
    material = text_material(world.a.subject_teacher)
    material_attach_to_lesson(world.a.subject_teacher, lesson_id=world.a.lesson.pk, material_id=material.pk)
    assert readers(world, material) == {
        "author",
        "colleague",
        "admin",
        "student",
        "parent",
        "classmate_parent",
    }


def test_only_the_author_changes_a_material(world: World) -> None:
    material = published(text_material(world.a.subject_teacher), world.methodologist, Visibility.CITY)
    for person in (world.a.class_teacher, world.a.admin, world.methodologist, world.b.subject_teacher):
        with pytest.raises(Http404):
            access_own_material(person, material.pk)


def test_a_teacher_attaches_only_to_lessons_they_teach(world: World) -> None:
    material = text_material(world.a.subject_teacher)
    with pytest.raises(Http404):
        material_attach_to_lesson(
            world.a.subject_teacher, lesson_id=world.b.lesson.pk, material_id=material.pk
        )
    with pytest.raises(Http404):  # another's private material
        material_attach_to_lesson(
            world.a.class_teacher, lesson_id=world.a.other_lesson.pk, material_id=material.pk
        )
