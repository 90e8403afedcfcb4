"""Whom each role may write to, and that a conversation opens only for its participants."""

from __future__ import annotations

import pytest
from django.http import Http404

from parta.messaging import services
from parta.messaging.access import (
    access_announce_class_group,
    access_conversation,
    contacts_for,
    is_contact,
    shared_school,
    student_link_school,
)
from parta.schools.models import StaffMembership
from parta.testing import factories as f


def ids(user) -> set[int]:
    return set(contacts_for(user).values_list("pk", flat=True))


def test_a_guardian_writes_to_the_teachers_of_their_childrens_classes_and_the_admin(world):
    a = world.a
    assert ids(a.parent) == {a.class_teacher.pk, a.subject_teacher.pk, a.admin.pk}


def test_a_guardian_cannot_write_to_another_schools_teacher(world):
    assert not is_contact(world.a.parent, world.b.class_teacher.pk)
    assert not is_contact(world.a.parent, world.b.admin.pk)
    assert not is_contact(world.a.parent, world.b.parent.pk)


def test_a_guardian_cannot_write_to_a_teacher_of_their_school_who_does_not_teach_their_children(world):
    a = world.a
    stranger = f.UserFactory.create()
    f.StaffMembershipFactory.create(school=a.school, user=stranger, role=StaffMembership.Role.TEACHER)
    assert not is_contact(a.parent, stranger.pk)


def test_a_teacher_who_left_the_school_is_no_longer_a_contact(world):
    a = world.a
    StaffMembership.objects.filter(user=a.subject_teacher).delete()
    assert not is_contact(a.parent, a.subject_teacher.pk)


def test_a_student_cannot_write_to_anyone(world):
    assert ids(world.a.student) == set()
    assert ids(world.a.sibling) == set()
    assert ids(world.outsider) == set()


def test_a_teacher_writes_to_the_families_of_the_classes_they_teach_and_to_colleagues(world):
    a = world.a
    assert ids(a.subject_teacher) == {a.parent.pk, a.classmate_parent.pk, a.class_teacher.pk, a.admin.pk}


def test_a_teacher_cannot_write_to_a_family_whose_children_they_do_not_teach(world):
    a = world.a
    other_parent = f.UserFactory.create()
    f.GuardianshipFactory.create(guardian=other_parent, student=a.sibling)  # the sibling is in other_group
    assert not is_contact(a.subject_teacher, other_parent.pk)
    assert is_contact(a.class_teacher, other_parent.pk)  # who teaches other_group
    assert not is_contact(a.subject_teacher, world.b.parent.pk)


def test_an_admin_writes_to_every_family_and_member_of_staff_of_their_school(world):
    a = world.a
    assert ids(a.admin) == {a.parent.pk, a.classmate_parent.pk, a.class_teacher.pk, a.subject_teacher.pk}
    assert not is_contact(a.admin, world.b.parent.pk)


def test_nobody_is_their_own_contact(world):
    assert world.a.admin.pk not in ids(world.a.admin)


def test_an_inactive_person_is_not_a_contact(world):
    world.a.subject_teacher.is_active = False
    world.a.subject_teacher.save(update_fields=["is_active"])
    assert not is_contact(world.a.parent, world.a.subject_teacher.pk)


def test_a_child_links_a_guardian_and_a_teacher_of_their_class_only(world):
    a = world.a
    assert student_link_school(a.parent, a.subject_teacher, a.student.pk) == a.school.pk
    assert student_link_school(a.subject_teacher, a.parent, a.student.pk) == a.school.pk
    # The subject teacher does not teach the sibling's class.
    assert student_link_school(a.parent, a.subject_teacher, a.sibling.pk) is None
    # A child of neither.
    assert student_link_school(a.class_teacher, a.subject_teacher, a.student.pk) is None
    assert student_link_school(world.b.parent, a.subject_teacher, world.b.student.pk) is None


def test_a_shared_school_is_where_both_belong(world):
    a = world.a
    assert shared_school(a.parent, a.admin) == a.school.pk
    assert shared_school(a.class_teacher, a.subject_teacher) == a.school.pk
    assert shared_school(a.parent, world.b.admin) is None


def test_the_child_cannot_open_the_parent_teacher_conversation(world):
    a = world.a
    conversation = services.conversation_start(
        a.parent,
        recipient_id=a.subject_teacher.pk,
        student_id=a.student.pk,
        topic="Тест",
        body="Здравствуйте",
    )
    assert access_conversation(a.parent, conversation.pk) == conversation
    assert access_conversation(a.subject_teacher, conversation.pk) == conversation
    for stranger in (a.student, a.class_teacher, a.admin, world.b.parent, world.outsider):
        with pytest.raises(Http404):
            access_conversation(stranger, conversation.pk)


def test_only_the_class_teacher_or_an_admin_announces_to_a_class(world):
    a = world.a
    assert access_announce_class_group(a.class_teacher, a.group.pk) == a.group
    assert access_announce_class_group(a.admin, a.group.pk) == a.group
    for stranger in (a.subject_teacher, a.parent, a.student, world.b.class_teacher, world.b.admin):
        with pytest.raises(Http404):
            access_announce_class_group(stranger, a.group.pk)
    # other_group has no class teacher: only the admin.
    with pytest.raises(Http404):
        access_announce_class_group(a.class_teacher, a.other_group.pk)


def test_a_teacher_who_is_also_a_parent_writes_to_their_childs_teachers_too(world):
    """Work and family add up: a teacher whose child is at another school may write to the child's
    class teacher and that school's administrator as well as to their own colleagues and families."""
    a, b = world.a, world.b
    f.GuardianshipFactory.create(guardian=a.subject_teacher, student=b.student)
    teacher = type(a.subject_teacher).objects.get(pk=a.subject_teacher.pk)
    assert {b.class_teacher.pk, b.admin.pk, a.class_teacher.pk, a.parent.pk} <= ids(teacher)
    assert b.parent.pk not in ids(teacher)
