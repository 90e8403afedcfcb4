"""The administrator's pages for the school's structure: they open for the school's administrator
only (404 for everyone else, in both schools of the test world), show a refused form's messages
in place with nothing saved, and refuse a delete of what is in use with a message."""

from __future__ import annotations

import datetime as dt
from operator import attrgetter

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from parta.schools.models import Building, Enrolment, Holiday, Room, StudentMove, Subgroup, SubgroupMembership
from parta.testing import factories as f

EVERYONE = [
    "a.admin",
    "a.class_teacher",
    "a.subject_teacher",
    "a.parent",
    "a.student",
    "a.classmate_parent",
    "b.admin",
    "b.class_teacher",
    "b.parent",
    "b.student",
    "outsider",
    "methodologist",
]


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def kept(world):
    """A room, a holiday and a subgroup in each school."""
    made = {}
    for key in ("a", "b"):
        side = getattr(world, key)
        made[key] = {
            "room": f.RoomFactory.create(building=side.group.building, name="204"),
            "holiday": Holiday.objects.create(
                school=side.school,
                year=side.group.year,
                name="Осенние каникулы",
                starts_on=dt.date(2026, 10, 26),
                ends_on=dt.date(2026, 11, 3),
            ),
            "subgroup": f.SubgroupFactory.create(class_group=side.group),
        }
    return made


def kept_pages(world, kept, key):
    side, made = getattr(world, key), kept[key]
    school, group = side.school.pk, side.group.pk
    return [
        f"/school/{school}/rooms/{made['room'].pk}/",
        f"/school/{school}/holidays/{made['holiday'].pk}/",
        f"/school/{school}/classes/{group}/subgroups/{made['subgroup'].pk}/",
        f"/school/{school}/classes/{group}/subgroups/{made['subgroup'].pk}/edit/",
    ]


@pytest.mark.parametrize("actor", EVERYONE)
@pytest.mark.parametrize("key", ["a", "b"])
def test_the_pages_of_a_room_holiday_and_subgroup_open_for_their_schools_admin_only(
    world, kept, en, actor, key
):
    en.force_login(attrgetter(actor)(world))
    allowed = actor == f"{key}.admin"
    for url in kept_pages(world, kept, key):
        assert en.get(url).status_code == (200 if allowed else 404), url


def test_another_schools_rows_under_this_schools_address_are_not_found(world, kept, en):
    en.force_login(world.a.admin)
    school = world.a.school.pk
    b = kept["b"]
    for url in (
        f"/school/{school}/rooms/{b['room'].pk}/",
        f"/school/{school}/holidays/{b['holiday'].pk}/",
        f"/school/{school}/buildings/{world.b.group.building_id}/",
        f"/school/{school}/classes/{world.a.group.pk}/subgroups/{b['subgroup'].pk}/",
        f"/school/{school}/classes/{world.a.group.pk}/students/{world.a.sibling.pk}/move/",
    ):
        assert en.get(url).status_code == 404, url
    assert en.post(f"/school/{school}/rooms/{b['room'].pk}/delete/").status_code == 404
    assert Room.objects.filter(pk=b["room"].pk).exists()


def test_the_buildings_page_lists_buildings_and_rooms(world, kept, en):
    en.force_login(world.a.admin)
    body = en.get(f"/school/{world.a.school.pk}/buildings/").content.decode()
    assert world.a.group.building.name in body
    assert f"/school/{world.a.school.pk}/rooms/{kept['a']['room'].pk}/" in body
    assert (
        world.b.group.building.name not in body or world.b.group.building.name == world.a.group.building.name
    )


def test_a_refused_form_shows_its_messages_in_place_and_saves_nothing(world, en):
    en.force_login(world.a.admin)
    school = world.a.school.pk
    response = en.post(
        f"/school/{school}/holidays/new/",
        {"year": world.a.group.year_id, "name": "Лето", "starts_on": "2027-05-30", "ends_on": "2027-06-10"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["ends_on"]
    assert "Nothing was saved" in response.content.decode()
    assert not Holiday.objects.filter(school_id=school).exists()
    response = en.post(
        f"/school/{school}/rooms/new/",
        {"building": world.a.group.building_id, "name": "", "kind": "classroom", "capacity": "0"},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"name"}
    assert not Room.objects.filter(school_id=school).exists()


def test_a_building_a_room_and_a_holiday_are_added_through_their_pages(world, en):
    en.force_login(world.a.admin)
    school = world.a.school.pk
    response = en.post(f"/school/{school}/buildings/new/", {"name": "Корпус 2", "address": "ул. Новая, 5"})
    assert response.status_code == 302
    building = Building.objects.get(school_id=school, name="Корпус 2")
    response = en.post(
        f"/school/{school}/rooms/new/",
        {"building": building.pk, "name": "12", "kind": "computer", "capacity": "15"},
    )
    assert response.status_code == 302
    assert Room.objects.get(building=building).kind == "computer"
    response = en.post(
        f"/school/{school}/holidays/new/",
        {
            "year": world.a.group.year_id,
            "name": "Осенние",
            "starts_on": "2026-10-26",
            "ends_on": "2026-11-03",
        },
    )
    assert response.status_code == 302
    assert Holiday.objects.filter(school_id=school).count() == 1


def test_deleting_a_room_in_use_is_refused_with_a_message(world, kept, en):
    room = kept["a"]["room"]
    world.a.lesson.room = room
    world.a.lesson.save(update_fields=["room"])
    en.force_login(world.a.admin)
    response = en.post(f"/school/{world.a.school.pk}/rooms/{room.pk}/delete/", follow=True)
    assert response.status_code == 200
    assert "cannot be deleted" in response.content.decode()
    assert Room.objects.filter(pk=room.pk).exists()


def test_subgroup_members_are_ticked_among_the_class_groups_students(world, kept, en):
    subgroup: Subgroup = kept["a"]["subgroup"]
    en.force_login(world.a.admin)
    url = f"/school/{world.a.school.pk}/classes/{world.a.group.pk}/subgroups/{subgroup.pk}/"
    body = en.get(url).content.decode()
    assert world.a.student.full_name in body
    assert world.a.sibling.full_name not in body  # in 9Б
    assert en.post(url, {"students": [world.a.student.pk, world.a.classmate.pk]}).status_code == 302
    assert set(SubgroupMembership.objects.values_list("student_id", flat=True)) == {
        world.a.student.pk,
        world.a.classmate.pk,
    }
    response = en.post(url, {"students": [world.a.sibling.pk]})
    assert response.status_code == 400  # not a choice of this class group
    assert SubgroupMembership.objects.count() == 2


def test_a_student_is_moved_through_the_page_and_the_class_page_shows_the_history(world, en, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(2026, 10, 12))
    en.force_login(world.a.admin)
    school, group = world.a.school.pk, world.a.group.pk
    url = f"/school/{school}/classes/{group}/students/{world.a.student.pk}/move/"
    response = en.post(url, {"to": str(world.a.other_group.pk), "moved_on": "2026-10-05", "reason": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    assert Enrolment.objects.get(student=world.a.student).class_group_id == group
    response = en.post(
        url, {"to": str(world.a.other_group.pk), "moved_on": "2026-10-05", "reason": "Приказ № 12"}
    )
    assert response.status_code == 302
    assert Enrolment.objects.get(student=world.a.student).class_group_id == world.a.other_group.pk
    for page in (f"/school/{school}/classes/{group}/", f"/school/{school}/classes/{world.a.other_group.pk}/"):
        body = en.get(page).content.decode()
        assert "Приказ № 12" in body
    response = en.post(
        f"/school/{school}/classes/{group}/students/{world.a.classmate.pk}/move/",
        {"to": "out", "moved_on": "2026-10-12", "reason": "Переезд"},
    )
    assert response.status_code == 302
    assert not Enrolment.objects.filter(student=world.a.classmate).exists()
    assert StudentMove.objects.filter(student=world.a.classmate, to_class_group__isnull=True).exists()


def test_the_forms_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a.admin)
    response = client.post(f"/school/{world.a.school.pk}/buildings/new/", {"name": "X", "address": "Y"})
    assert response.status_code == 403
    assert not Building.objects.filter(name="X").exists()
