"""The demo school's turnstiles: a card for everyone, two turnstiles per building, a month of
passages on school days (none of a day the student was away), some unknown cards, today's told."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from parta.accounts.models import MachineClient
from parta.demo.generator import generate_city
from parta.messaging.models import Notification
from parta.passage.demo import passage_demo
from parta.passage.models import Card, PassageEvent
from parta.schools.models import Building, Enrolment, StaffMembership

TODAY = dt.date(2026, 11, 23)  # a Monday, as the generator's tests take it


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        city = generate_city(
            schools=1,
            seed=5,
            grades=(5, 9),
            groups_per_grade=1,
            students_per_group=6,
            today=TODAY,
            load_framework=False,
            demo_accounts=True,
        )
        school = city.schools[0].school
        counts = passage_demo(school=school, today=TODAY, seed=5)
        yield city, school, counts
        transaction.set_rollback(True)


def test_everyone_has_a_card_and_every_building_two_turnstiles(demo, db) -> None:
    _city, school, counts = demo
    people = set(Enrolment.objects.filter(school=school).values_list("student_id", flat=True))
    people |= set(StaffMembership.objects.filter(school=school).values_list("user_id", flat=True))
    carded = set(
        Card.objects.filter(school=school, status=Card.Status.ACTIVE).values_list("holder_id", flat=True)
    )
    assert carded == people
    assert (
        Card.objects.filter(school=school, status=Card.Status.BLOCKED, replaced_by__isnull=False).count() == 3
    )
    buildings = Building.objects.filter(school=school).count()
    assert MachineClient.objects.filter(school_id=school.pk, kind="turnstile").count() == 2 * buildings
    assert counts["turnstiles"] == 2 * buildings and counts["cards"] == len(people) + 3


def test_a_month_of_passages_on_school_days_with_some_unknown_cards(demo, db) -> None:
    _city, school, counts = demo
    days = set(PassageEvent.objects.filter(school=school).values_list("day", flat=True))
    assert len(days) >= 15 and all(day.weekday() < 6 for day in days)
    assert max(days) <= TODAY and min(days) >= TODAY - dt.timedelta(days=30)
    assert counts["passages"] == PassageEvent.objects.filter(school=school).count()
    assert PassageEvent.objects.filter(school=school, card_state="unknown").count() >= 2 * len(days)
    # Times people keep: entries in the morning, in the city's time.
    first = (
        PassageEvent.objects.filter(school=school, direction="in", card_state="known")
        .order_by("occurred_at")
        .first()
    )
    assert first is not None


def test_a_student_enters_before_leaving_each_day(demo, db) -> None:
    city, _school, _counts = demo
    student = city.demo["student"]
    for day in set(PassageEvent.objects.filter(holder=student).values_list("day", flat=True)):
        directions = list(
            PassageEvent.objects.filter(holder=student, day=day)
            .order_by("occurred_at")
            .values_list("direction", flat=True)
        )
        assert directions[0] == "in" and directions[-1] == "out"


def test_todays_passages_are_told_to_the_family(demo, db) -> None:
    city, _school, _counts = demo
    student, parent = city.demo["student"], city.demo["parent"]
    if PassageEvent.objects.filter(holder=student, day=TODAY).exists():
        assert Notification.objects.filter(recipient=parent, kind__startswith="passage.").exists()
