"""Homework's notifications: every family of the class group (or of the subgroup) is told."""

from __future__ import annotations

from typing import Any

from parta.messaging import notifications as n
from parta.messaging.models import Notification
from parta.testing import factories as f
from parta.testing.notifications import deliver, recipients
from parta.testing.world import World


def test_homework_tells_every_family_of_the_class_group(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    a = world.a
    classmate, classmate_parent = a.classmate, a.classmate_parent
    homework = f.HomeworkFactory.create(lesson=a.lesson)
    event = deliver(
        "homework.set",
        {
            "homework_id": homework.pk,
            "class_group_id": a.group.pk,
            "subgroup_id": None,
            "subject_id": a.lesson.subject_id,
            "due_on": "2026-09-09",
            "change": "created",
            "actor_id": a.subject_teacher.pk,
        },
        a.school.pk,
        django_capture_on_commit_callbacks,
    )
    assert recipients(event) == {a.student.pk, a.parent.pk, classmate.pk, classmate_parent.pk}
    note = Notification.objects.get(event_id=event.pk, recipient=classmate)
    assert n.row_of(note).text == "Homework in Algebra for 9 September"


def test_homework_for_a_subgroup_tells_only_its_families(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    a = world.a
    classmate = f.UserFactory.create()
    f.EnrolmentFactory.create(class_group=a.group, student=classmate)
    subgroup = f.SubgroupFactory.create(class_group=a.group, subject=a.lesson.subject)
    f.SubgroupMembershipFactory.create(subgroup=subgroup, student=classmate)
    event = deliver(
        "homework.set",
        {
            "homework_id": 1,
            "class_group_id": a.group.pk,
            "subgroup_id": subgroup.pk,
            "subject_id": a.lesson.subject_id,
            "due_on": "2026-09-09",
            "change": "changed",
            "actor_id": a.subject_teacher.pk,
        },
        a.school.pk,
        django_capture_on_commit_callbacks,
    )
    assert recipients(event) == {classmate.pk}
    assert (
        n.row_of(Notification.objects.get(event_id=event.pk)).text
        == "Homework in Algebra for 9 September changed"
    )
