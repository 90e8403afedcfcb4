"""The library's notifications: the author hears the outcome of a review, the city's
methodologists hear of a new submission; the person who acted is never told."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from parta.library.services.authoring import MaterialData, material_save
from parta.library.services.moderation import material_publish, material_return, material_submit
from parta.messaging import notifications as n
from parta.messaging.models import Delivery, Notification, NotificationPreference
from parta.schools.models import City, CityRole
from parta.testing import factories as f
from parta.testing.library import text_material
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def test_the_citys_methodologists_hear_of_a_submission(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    colleague = f.UserFactory.create()
    CityRole.objects.create(city=world.a.school.city, user=colleague, role=CityRole.Role.METHODOLOGIST)
    elsewhere = f.UserFactory.create()
    CityRole.objects.create(
        city=City.objects.create(name="Другой"), user=elsewhere, role=CityRole.Role.METHODOLOGIST
    )
    teacher = world.a.subject_teacher
    material = text_material(teacher, title="Дроби")
    with django_capture_on_commit_callbacks(execute=True):
        material_submit(teacher, material.pk, visibility="city")
    told = Notification.objects.filter(kind="library_review")
    assert set(told.values_list("recipient_id", flat=True)) == {world.methodologist.pk, colleague.pk}
    row = n.row_of(told.get(recipient=world.methodologist))
    assert row.text == f"“Дроби” by {teacher.short_name} waits for review"
    assert row.link == f"/library/review/{material.pk}/"
    with translation.override("ru"):
        # The same stored notification reads in Russian (its title and author as written).
        ru = n.row_of(told.get(recipient=colleague)).text
    assert "Дроби" in ru and teacher.last_name in ru


def test_a_new_version_is_named_so(world: World, django_capture_on_commit_callbacks: Any) -> None:
    teacher = world.a.subject_teacher
    material = text_material(teacher, title="Дроби")
    with django_capture_on_commit_callbacks(execute=True):
        material_submit(teacher, material.pk, visibility="city")
        material_publish(world.methodologist, material.pk)
    material_save(teacher, material.pk, data=MaterialData(title="Дроби 2", content={"body": "Новое"}))
    with django_capture_on_commit_callbacks(execute=True):
        material_submit(teacher, material.pk, visibility="city")
    latest = Notification.objects.filter(kind="library_review").latest("pk")
    assert n.row_of(latest).text == f"A new version of “Дроби 2” by {teacher.short_name} waits for review"


def test_the_author_hears_of_the_publication_and_the_return(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    teacher = world.a.subject_teacher
    first, second = text_material(teacher, title="Дроби"), text_material(teacher, title="Проценты")
    with django_capture_on_commit_callbacks(execute=True):
        material_submit(teacher, first.pk, visibility="city")
        material_submit(teacher, second.pk, visibility="school")
    with django_capture_on_commit_callbacks(execute=True):
        material_publish(world.methodologist, first.pk)
        material_return(world.methodologist, second.pk, comment="Добавьте задачи")
    told = Notification.objects.filter(kind="library").order_by("pk")
    assert set(told.values_list("recipient_id", flat=True)) == {teacher.pk}
    texts = [n.row_of(note).text for note in told]
    assert texts == ["“Дроби” is published", "“Проценты” was returned: Добавьте задачи"]
    assert [n.row_of(note).link for note in told] == [
        f"/library/materials/{first.pk}/",
        f"/library/materials/{second.pk}/",
    ]
    with translation.override("ru"):
        ru = n.row_of(told.last()).text  # type: ignore[arg-type]
    assert "Проценты" in ru and "Добавьте задачи" in ru
    # The methodologist who decided is not told of their own decision.
    assert not Notification.objects.filter(recipient=world.methodologist, kind="library").exists()


def test_an_author_who_reviews_their_own_material_is_not_told(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    material = text_material(world.methodologist, title="Городской сценарий")
    with django_capture_on_commit_callbacks(execute=True):
        material_submit(world.methodologist, material.pk, visibility="city")
        material_publish(world.methodologist, material.pk)
    assert not Notification.objects.filter(recipient=world.methodologist).exists()


def test_each_kind_has_its_own_preference(world: World, django_capture_on_commit_callbacks: Any) -> None:
    teacher = world.a.subject_teacher
    teacher.email = "teacher@example.org"
    teacher.save(update_fields=["email"])
    NotificationPreference.objects.create(user=teacher, kind="library", email=True, push=False)
    material = text_material(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        material_submit(teacher, material.pk, visibility="city")
    with django_capture_on_commit_callbacks(execute=True):
        material_publish(world.methodologist, material.pk)
    assert Delivery.objects.filter(notification__recipient=teacher, channel=Delivery.Channel.EMAIL).exists()
    # The methodologist chose nothing: their kind goes in-app only.
    assert not Delivery.objects.filter(notification__recipient=world.methodologist).exists()
