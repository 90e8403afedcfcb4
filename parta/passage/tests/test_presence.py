"""The class teacher's "in the building now", and the turnstile's flags at the class's lessons:
marked absent yet in the building, or never through the turnstile yet not marked absent. The
lesson's teacher accepts one (the attendance changes, its source "turnstile") or dismisses it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from parta.journal.models import Attendance, JournalChange
from parta.journal.services.attendance import attendance_set
from parta.passage import services
from parta.passage.access import access_class_presence
from parta.passage.models import Card, FlagDecision, PassageEvent
from parta.passage.selectors import ABSENT_BUT_ENTERED, PRESENT_BUT_NOT_ENTERED, class_presence
from parta.passage.tests.conftest import NOW, Gate
from parta.testing import factories as f
from parta.testing.world import MONDAY, World

pytestmark = pytest.mark.django_db


def at(hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(MONDAY, dt.time(hour, minute)))


def passes(gate: Gate, *events: tuple[str, str, dt.datetime]) -> None:
    body = {
        "events": [
            {
                "event_id": f"{number}-{direction}-{moment:%H%M}",
                "card": number,
                "direction": direction,
                "occurred_at": moment.isoformat(),
            }
            for number, direction, moment in events
        ]
    }
    answer = gate.post(body)
    assert answer.status_code == 200 and answer.json()["rejected"] == 0, answer.content


@pytest.fixture
def morning(world: World, gate: Gate, cards: dict[str, Card], clock: Any) -> World:
    """The student came at 08:40 and is marked absent at lesson 2 (10:00); the classmate never
    came and is marked nothing; the class teacher came at 08:05 and went out at 10:20."""
    passes(
        gate,
        ("A-STUDENT", "in", at(8, 40)),
        ("A-TEACHER", "in", at(8, 5)),
        ("A-TEACHER", "out", at(10, 20)),
    )
    f.AttendanceFactory.create(lesson=world.a.lesson, student=world.a.student)
    return world


def kinds(presence: Any) -> set[tuple[str, int]]:
    return {(flag.kind, flag.student_id) for flag in presence.flags}


def test_the_class_teacher_sees_who_is_in_and_the_flags(morning: World, client: Any) -> None:
    a = morning.a
    presence = class_presence(a.class_teacher, a.group, NOW)
    assert [s.id for s in presence.inside] == [a.student.pk]
    assert [s.id for s in presence.outside] == [a.classmate.pk]
    assert kinds(presence) == {(ABSENT_BUT_ENTERED, a.student.pk), (PRESENT_BUT_NOT_ENTERED, a.classmate.pk)}
    absent = next(flag for flag in presence.flags if flag.kind == ABSENT_BUT_ENTERED)
    assert (absent.suggested, absent.entered_at.strftime("%H:%M"), absent.version) == (None, "08:40", 1)  # type: ignore[union-attr]
    # The class teacher does not teach this lesson: reads the flags, its teacher answers them.
    assert not any(flag.can_accept for flag in presence.flags)
    assert all(flag.can_accept for flag in class_presence(a.admin, a.group, NOW).flags)
    client.force_login(a.class_teacher)
    page = client.get(reverse("passage-class", args=[a.group.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "marked absent, but entered at 08:40" in text and "the lesson's teacher corrects it" in text


def test_lessons_not_begun_raise_no_flag(morning: World, clock: Any) -> None:
    clock(at(9, 30))
    assert class_presence(morning.a.class_teacher, morning.a.group).flags == []


def test_no_passage_at_all_today_raises_no_never_came_flag(
    world: World, cards: dict[str, Card], clock: Any
) -> None:
    # The turnstiles were down (or the school has none): nobody is said to be missing.
    assert class_presence(world.a.class_teacher, world.a.group).flags == []


def test_a_student_without_a_card_is_not_flagged(world: World, gate: Gate, clock: Any) -> None:
    Card.objects.create(school=world.a.school, holder=world.a.student, number="ONLY")
    passes(gate, ("ONLY", "in", at(8, 30)))
    assert kinds(class_presence(world.a.class_teacher, world.a.group)) == set()


def test_the_lessons_teacher_accepts_an_absence_the_turnstile_contradicts(morning: World) -> None:
    a = morning.a
    services.flag_decide(
        actor=a.subject_teacher,
        lesson_id=a.lesson.pk,
        student_id=a.student.pk,
        kind=ABSENT_BUT_ENTERED,
        accept=True,
    )
    assert not Attendance.objects.filter(lesson=a.lesson, student=a.student).exists()
    change = JournalChange.objects.filter(student=a.student).latest("id")
    assert (change.actor_id, change.new, change.reason) == (
        a.subject_teacher.pk,
        None,
        "Turnstile: entered at 08:40",
    )
    decision = FlagDecision.objects.get()
    assert (decision.decision, decision.decided_by, decision.flag) == (
        "accepted",
        a.subject_teacher,
        ABSENT_BUT_ENTERED,
    )
    assert kinds(class_presence(a.class_teacher, a.group)) == {(PRESENT_BUT_NOT_ENTERED, a.classmate.pk)}


def test_accepting_that_one_never_came_records_the_turnstile_as_the_source(morning: World) -> None:
    a = morning.a
    services.flag_decide(
        actor=a.subject_teacher,
        lesson_id=a.lesson.pk,
        student_id=a.classmate.pk,
        kind=PRESENT_BUT_NOT_ENTERED,
        accept=True,
    )
    entry = Attendance.objects.get(lesson=a.lesson, student=a.classmate)
    assert (entry.status, entry.source, entry.updated_by) == ("absent", "turnstile", a.subject_teacher)


def test_one_who_came_during_the_lesson_is_suggested_late(
    world: World, gate: Gate, cards: dict[str, Card], clock: Any
) -> None:
    a = world.a
    passes(gate, ("A-STUDENT", "in", at(10, 12)))
    f.AttendanceFactory.create(lesson=a.lesson, student=a.student)
    flag = next(f for f in class_presence(a.admin, a.group).flags if f.kind == ABSENT_BUT_ENTERED)
    assert flag.suggested == "late"
    services.flag_decide(
        actor=a.admin, lesson_id=a.lesson.pk, student_id=a.student.pk, kind=ABSENT_BUT_ENTERED, accept=True
    )
    entry = Attendance.objects.get(lesson=a.lesson, student=a.student)
    assert (entry.status, entry.source, entry.reason, entry.version) == (
        "late",
        "turnstile",
        "Turnstile: entered at 10:12",
        2,
    )


def test_a_dismissed_flag_stays_dismissed_and_changes_nothing(morning: World) -> None:
    a = morning.a
    services.flag_decide(
        actor=a.subject_teacher,
        lesson_id=a.lesson.pk,
        student_id=a.student.pk,
        kind=ABSENT_BUT_ENTERED,
        accept=False,
    )
    assert Attendance.objects.get(lesson=a.lesson, student=a.student).status == "absent"
    assert (ABSENT_BUT_ENTERED, a.student.pk) not in kinds(class_presence(a.class_teacher, a.group))
    with pytest.raises(ValidationError):
        services.flag_decide(
            actor=a.subject_teacher,
            lesson_id=a.lesson.pk,
            student_id=a.student.pk,
            kind=ABSENT_BUT_ENTERED,
            accept=True,
        )


def test_who_may_answer_a_flag(morning: World) -> None:
    a = morning.a

    def accept(actor: Any, student_id: int) -> None:
        services.flag_decide(
            actor=actor, lesson_id=a.lesson.pk, student_id=student_id, kind=ABSENT_BUT_ENTERED, accept=True
        )

    # The class teacher reads the lesson's journal but does not write it.
    with pytest.raises(PermissionDenied):
        accept(a.class_teacher, a.student.pk)
    for stranger in (a.parent, morning.b.admin, morning.b.subject_teacher, morning.outsider):
        with pytest.raises(Http404):
            accept(stranger, a.student.pk)
    # A student of another class at this lesson: 404; a flag that is not raised: 400.
    with pytest.raises(Http404):
        accept(a.admin, a.sibling.pk)
    with pytest.raises(ValidationError):
        accept(a.admin, a.classmate.pk)
    assert Attendance.objects.filter(lesson=a.lesson, student=a.student).exists()
    assert not FlagDecision.objects.exists()


def test_the_flag_form_answers_and_goes_back(morning: World, client: Any) -> None:
    a = morning.a
    client.force_login(a.admin)
    page = reverse("passage-class", args=[a.group.pk])
    answer = client.post(
        reverse("passage-flag"),
        {
            "lesson": a.lesson.pk,
            "student": a.classmate.pk,
            "flag": PRESENT_BUT_NOT_ENTERED,
            "decision": "accept",
            "next": page,
        },
    )
    assert answer.status_code == 302 and answer["Location"] == page
    assert Attendance.objects.get(lesson=a.lesson, student=a.classmate).source == "turnstile"
    # Somewhere else than this site: home instead.
    answer = client.post(
        reverse("passage-flag"),
        {
            "lesson": a.lesson.pk,
            "student": a.student.pk,
            "flag": ABSENT_BUT_ENTERED,
            "decision": "dismiss",
            "next": "https://evil.example/",
        },
    )
    assert answer["Location"] == "/"


def test_who_sees_the_class_page(morning: World, client: Any) -> None:
    a = morning.a
    assert access_class_presence(a.class_teacher, a.group.pk) == a.group
    assert access_class_presence(a.admin, a.group.pk) == a.group
    for user in (
        a.subject_teacher,
        a.parent,
        a.student,
        morning.b.admin,
        morning.b.class_teacher,
        morning.outsider,
    ):
        client.force_login(user)
        assert client.get(reverse("passage-class", args=[a.group.pk])).status_code == 404, user


def test_the_page_reads_a_fixed_number_of_queries(
    morning: World, client: Any, django_assert_max_num_queries: Any
) -> None:
    a = morning.a
    client.force_login(a.class_teacher)
    url = reverse("passage-class", args=[a.group.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for index in range(15):
        student = f.UserFactory.create()
        f.EnrolmentFactory.create(class_group=a.group, student=student)
        Card.objects.create(school=a.school, holder=student, number=f"N-{index}")
    with django_assert_max_num_queries(len(few)):
        client.get(url)
    assert PassageEvent.objects.count() == 3


def test_a_teacher_records_the_turnstile_as_source_only_confirming_it(morning: World) -> None:
    """journal.services.attendance: a person gives the source "turnstile" only when confirming what
    the turnstile says (the passage app's flags), never otherwise (the API), and never a clinic's."""
    a = morning.a
    with pytest.raises(ValidationError) as error:
        attendance_set(
            a.subject_teacher,
            lesson_id=a.lesson.pk,
            student_id=a.classmate.pk,
            status="absent",
            source="turnstile",
        )
    assert "source" in error.value.message_dict
    entry = attendance_set(
        a.subject_teacher,
        lesson_id=a.lesson.pk,
        student_id=a.classmate.pk,
        status="absent",
        source="turnstile",
        confirms_turnstile=True,
    )
    assert entry is not None and entry.source == "turnstile"
    with pytest.raises(ValidationError) as error:
        attendance_set(
            a.subject_teacher,
            lesson_id=a.lesson.pk,
            student_id=a.classmate.pk,
            status="sick",
            source="clinic",
            version=1,
            confirms_turnstile=True,
        )
    assert "source" in error.value.message_dict
