"""The administrator's weekly timetable pages: draft, read by class group and by teacher, edit a
weekly lesson (errors shown on the form, nothing saved), the times teachers cannot teach, and
publishing with its progress page. Anyone but the school's administrator gets 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from parta.schools.models import StaffMembership
from parta.testing import factories as f
from parta.timetable.models import Lesson, Publication, TemplateSlot, Unavailability
from parta.timetable.services import template_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(client: Client, admin: Any) -> Client:
    client.force_login(admin)
    return client


def url(small: dict[str, Any], rest: str = "") -> str:
    return f"/school/{small['school'].pk}/timetable/{rest}"


def test_the_administrator_drafts_and_reads_the_week_by_class_and_by_teacher(
    small: dict[str, Any], page: Client
) -> None:
    empty = page.get(url(small)).content.decode()
    assert "Draft the timetable" in empty and "No publications from this page yet" in empty
    assert page.post(url(small, "draft/")).status_code == 302
    assert TemplateSlot.objects.filter(year=small["year"]).count() == 16
    body = page.get(url(small)).content.decode()
    assert "Every weekly hour of every teaching assignment has its place" in body
    assert body.count('class="template-slot"') == 16
    teacher = small["math"].teacher
    mine = page.get(url(small, f"?teacher={teacher.pk}")).content.decode()
    assert mine.count('class="template-slot"') == 5
    assert page.get(url(small, "?teacher=999999")).status_code == 404


def test_a_weekly_lesson_is_moved_and_a_clash_is_shown_on_the_form(
    small: dict[str, Any], page: Client
) -> None:
    template_build(year=small["year"])
    math = small["math"]
    slot = TemplateSlot.objects.filter(assignment=math).first()
    taken = TemplateSlot.objects.exclude(assignment=math).filter(subgroup__isnull=True).first()
    assert slot is not None and taken is not None
    form = {"assignment": math.pk, "weekday": taken.weekday, "number": taken.number, "room": ""}
    refused = page.post(url(small, f"lessons/{slot.pk}/"), form)
    assert refused.status_code == 400
    assert refused.context["form"].errors["number"] == ["The class has another lesson at this time."]
    assert TemplateSlot.objects.get(pk=slot.pk).weekday == slot.weekday
    form |= {"weekday": 6, "number": 1}
    assert page.post(url(small, f"lessons/{slot.pk}/"), form).status_code == 302
    assert (TemplateSlot.objects.get(pk=slot.pk).weekday, TemplateSlot.objects.get(pk=slot.pk).number) == (
        6,
        1,
    )
    assert page.post(url(small, f"lessons/{slot.pk}/delete/")).status_code == 302
    body = page.get(url(small)).content.decode()
    assert "1 of 5 weekly lessons are not in the week" in body
    assert f"lessons/new/?year={small['year'].pk}&amp;assignment={math.pk}" in body


def test_the_times_a_teacher_cannot_teach_are_ticked_and_saved(small: dict[str, Any], page: Client) -> None:
    teacher = small["teachers"][1]
    here = url(small, f"unavailability/?teacher={teacher.pk}")
    assert page.get(here).status_code == 200
    assert page.post(here, {"times": ["1-1", "5-7"]}).status_code == 302
    assert set(Unavailability.objects.filter(teacher=teacher).values_list("weekday", "number")) == {
        (1, 1),
        (5, 7),
    }
    refused = page.post(here, {"times": ["1-99"]})
    assert refused.status_code == 400
    assert Unavailability.objects.filter(teacher=teacher).count() == 2


def test_publishing_shows_its_progress_and_what_it_did(
    small: dict[str, Any],
    page: Client,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    year = small["year"]
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: year.starts_on)
    template_build(year=year)
    assert page.post(url(small, "publish/"), {"since": "2001-01-01"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(url(small, "publish/"), {"since": str(year.starts_on)})
    assert response.status_code == 302
    publication = Publication.objects.get()
    body = page.get(response["Location"]).content.decode()
    assert 'value="100"' in body and "The timetable is published." in body
    assert f"{Lesson.objects.filter(year=year).count()} made" in body
    partial = page.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="publication"') and "hx-get" not in partial
    publication.refresh_from_db()
    assert publication.status == Publication.Status.DONE


@pytest.mark.parametrize("who", ["other_admin", "teacher", "parent"])
def test_every_page_is_404_for_anyone_but_the_schools_administrator(
    small: dict[str, Any], client: Client, who: str
) -> None:
    template_build(year=small["year"])
    slot = TemplateSlot.objects.filter(year=small["year"]).first()
    assert slot is not None
    publication = Publication.objects.create(
        school=small["school"], year=small["year"], since=small["year"].starts_on
    )
    user = f.UserFactory.create()
    if who == "other_admin":
        f.StaffMembershipFactory.create(user=user, role=StaffMembership.Role.ADMIN)
    elif who == "teacher":
        user = small["teachers"][0]
    else:
        student = f.UserFactory.create()
        f.EnrolmentFactory.create(student=student, class_group=small["group"])
        f.GuardianshipFactory.create(guardian=user, student=student)
    client.force_login(user)
    for path in (
        "",
        "unavailability/",
        "publish/",
        "lessons/new/",
        f"lessons/{slot.pk}/",
        f"publications/{publication.pk}/",
    ):
        assert client.get(url(small, path)).status_code == 404, path
    for path in ("draft/", f"lessons/{slot.pk}/delete/", "publish/"):
        assert client.post(url(small, path), {"since": str(small["year"].starts_on)}).status_code == 404, path
    assert TemplateSlot.objects.filter(pk=slot.pk).exists()
    assert Publication.objects.count() == 1
