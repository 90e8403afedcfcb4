"""The bell schedule kept by the school's administrator: a lesson ends after it starts, no two
lessons' times overlap, later numbers start later, and a time the weekly timetable uses stays."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from parta.testing import factories as f
from parta.timetable.models import Bell, TemplateSlot
from parta.timetable.selectors import bell_rows
from parta.timetable.services import bell_delete, bell_save


def t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def save(world, number, start, end, *, bell=None, actor=None):
    return bell_save(
        actor=actor or world.a.admin,
        school=world.a.school,
        number=number,
        starts_at=t(start),
        ends_at=t(end),
        bell=bell,
    )


def test_bells_are_saved_in_order_and_refused_when_they_overlap_or_end_first(world):
    first = save(world, 1, "08:30", "09:15")
    save(world, 2, "09:25", "10:10")
    with pytest.raises(ValidationError) as excinfo:
        save(world, 3, "10:00", "10:45")
    assert "starts_at" in excinfo.value.message_dict  # overlaps lesson 2
    with pytest.raises(ValidationError) as excinfo:
        save(world, 3, "11:00", "11:00")
    assert "ends_at" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        save(world, 2, "12:00", "12:45")
    assert "number" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        save(world, 4, "07:30", "08:15")  # before lesson 1
    assert "starts_at" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        save(world, 13, "18:00", "18:45")
    assert "number" in excinfo.value.message_dict
    # A bell's own times are no overlap when it changes.
    save(world, 1, "08:20", "09:05", bell=first)
    first.refresh_from_db()
    assert first.starts_at == t("08:20")
    assert list(Bell.objects.filter(school=world.a.school).values_list("number", flat=True)) == [1, 2]


def test_only_the_schools_administrator_keeps_its_bells(world):
    for actor in (world.b.admin, world.a.class_teacher, world.a.parent, world.a.student, world.outsider):
        with pytest.raises(Http404):
            save(world, 1, "08:30", "09:15", actor=actor)
    b_bell = Bell.objects.create(school=world.b.school, number=1, starts_at=t("08:00"), ends_at=t("08:45"))
    with pytest.raises(ValidationError):
        save(world, 1, "08:30", "09:15", bell=b_bell)
    with pytest.raises(Http404):
        bell_delete(actor=world.a.admin, bell=b_bell)


def test_a_bell_the_weekly_timetable_uses_is_not_deleted(world):
    bell = save(world, 2, "09:25", "10:10")
    TemplateSlot.objects.create(
        school=world.a.school,
        year=world.a.group.year,
        assignment=world.a.assignment,
        weekday=1,
        number=2,
        teacher=world.a.subject_teacher,
        class_group=world.a.group,
    )
    with pytest.raises(ValidationError) as excinfo:
        bell_delete(actor=world.a.admin, bell=bell)
    assert "bell" in excinfo.value.message_dict
    spare = save(world, 3, "10:30", "11:15")
    bell_delete(actor=world.a.admin, bell=spare)
    assert list(Bell.objects.filter(school=world.a.school).values_list("number", flat=True)) == [2]


def test_the_bell_rows_read_two_queries_with_the_breaks(world, django_assert_max_num_queries):
    for number, (start, end) in enumerate(
        [("08:30", "09:15"), ("09:25", "10:10"), ("10:30", "11:15")], start=1
    ):
        save(world, number, start, end)
    with django_assert_max_num_queries(2):
        rows = bell_rows(world.a.school.pk)
    assert [(r.number, r.minutes, r.break_minutes) for r in rows] == [(1, 45, None), (2, 45, 10), (3, 45, 20)]


class TestBellsNeverOverlap(HypothesisTestCase):
    @hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(
            st.tuples(st.integers(0, 12), st.integers(7 * 60, 17 * 60), st.integers(-5, 90)), max_size=12
        )
    )
    def test_whatever_is_tried_the_saved_bells_never_overlap_and_go_in_order(
        self, tries: list[tuple[int, int, int]]
    ) -> None:
        school = f.SchoolFactory.create()
        admin = f.UserFactory.create()
        f.StaffMembershipFactory.create(school=school, user=admin, role="admin")
        for number, start, length in tries:
            end = min(start + length, 23 * 60 + 59)
            with contextlib.suppress(ValidationError):
                bell_save(
                    actor=admin,
                    school=school,
                    number=number,
                    starts_at=dt.time(start // 60, start % 60),
                    ends_at=dt.time(max(end, 0) // 60, max(end, 0) % 60),
                )
        bells = list(Bell.objects.filter(school=school).order_by("number"))
        for bell in bells:
            assert bell.starts_at < bell.ends_at
        for earlier, later in itertools.pairwise(bells):
            assert earlier.ends_at <= later.starts_at


# --- the pages ---------------------------------------------------------------------------------


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_bell_pages_add_edit_and_refuse_in_place(world, en):
    en.force_login(world.a.admin)
    school = world.a.school.pk
    assert (
        en.post(
            f"/school/{school}/bells/new/", {"number": 1, "starts_at": "08:30", "ends_at": "09:15"}
        ).status_code
        == 302
    )
    response = en.post(
        f"/school/{school}/bells/new/", {"number": 2, "starts_at": "09:00", "ends_at": "09:45"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["starts_at"]
    assert Bell.objects.filter(school_id=school).count() == 1
    body = en.get(f"/school/{school}/bells/").content.decode()
    assert "08:30" in body
    bell = Bell.objects.get(school_id=school)
    assert en.get(f"/school/{school}/bells/{bell.pk}/").status_code == 200


@pytest.mark.parametrize("who", ["b.admin", "a.class_teacher", "a.parent", "a.student", "outsider"])
def test_a_bells_pages_are_404_for_anyone_but_its_schools_admin(world, en, who):
    bell = Bell.objects.create(school=world.a.school, number=1, starts_at=t("08:00"), ends_at=t("08:45"))
    owner, name = who.split(".") if "." in who else (None, who)
    en.force_login(getattr(getattr(world, owner), name) if owner else getattr(world, name))
    school = world.a.school.pk
    assert en.get(f"/school/{school}/bells/{bell.pk}/").status_code == 404
    assert en.post(f"/school/{school}/bells/{bell.pk}/delete/").status_code == 404
    assert Bell.objects.filter(pk=bell.pk).exists()
