"""Sign-in invitations: the school's people who never signed in get a link to choose a password."""

from __future__ import annotations

import pytest
from django.core import mail
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parta.accounts.models import User
from parta.schools.selectors import never_signed_in, people_of_school
from parta.schools.services import sign_in_invitations_send
from parta.testing import factories as f

pytestmark = pytest.mark.django_db


def _never_signed_in(*users: User, email: bool = True) -> None:
    for user in users:
        user.email = f"{user.username}@example.org" if email else ""
        user.last_login = None
        user.save()


def test_the_school_s_people_are_its_staff_students_and_their_guardians(world) -> None:
    school = world.a.school.pk
    mine = set(User.objects.filter(people_of_school(school)).values_list("pk", flat=True))
    a = world.a
    assert {
        a.admin.pk,
        a.class_teacher.pk,
        a.student.pk,
        a.sibling.pk,
        a.parent.pk,
        a.classmate_parent.pk,
    } <= mine
    assert not {world.b.student.pk, world.b.parent.pk, world.outsider.pk} & mine
    students = set(User.objects.filter(people_of_school(school, "students")).values_list("pk", flat=True))
    assert students == {a.student.pk, a.sibling.pk, a.classmate.pk}


def test_invitations_go_to_the_chosen_with_an_address_who_never_signed_in(world) -> None:
    a = world.a
    _never_signed_in(a.student, a.classmate)
    _never_signed_in(a.sibling, email=False)
    signed_in = a.parent
    signed_in.email, signed_in.last_login = "parent@example.org", timezone.now()
    signed_in.save()

    result = sign_in_invitations_send(
        actor=a.admin,
        school_id=a.school.pk,
        user_ids=[a.student.pk, a.classmate.pk, a.sibling.pk, signed_in.pk],
    )
    assert (result.queued, result.without_email, result.signed_in) == (2, 1, 1)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.student.email, a.classmate.email])
    assert all("/password/welcome/" in m.body for m in mail.outbox)
    assert User.objects.get(pk=a.student.pk).invited_at is not None
    assert User.objects.get(pk=signed_in.pk).invited_at is None


@pytest.mark.parametrize("who", ["b.admin", "a.class_teacher", "a.parent", "outsider"])
def test_only_the_school_s_administrator_may_send(world, who: str) -> None:
    side, name = who.split(".") if "." in who else ("", who)
    actor = getattr(getattr(world, side), name) if side else getattr(world, name)
    _never_signed_in(world.a.student)
    with pytest.raises(Http404):
        sign_in_invitations_send(actor=actor, school_id=world.a.school.pk, user_ids=[world.a.student.pk])
    assert mail.outbox == []


def test_someone_of_another_school_is_a_404_and_nobody_is_sent_anything(world) -> None:
    _never_signed_in(world.a.student, world.b.student)
    with pytest.raises(Http404):
        sign_in_invitations_send(
            actor=world.a.admin,
            school_id=world.a.school.pk,
            user_ids=[world.a.student.pk, world.b.student.pk],
        )
    assert mail.outbox == []


def test_the_page_lists_who_never_signed_in_and_sends(
    world, client: Client, django_assert_max_num_queries
) -> None:
    a = world.a
    _never_signed_in(a.student, a.classmate)
    client.force_login(a.admin)
    url = reverse("school-sign-in", args=[a.school.pk])
    with django_assert_max_num_queries(12):
        page = client.get(url + "?role=students")
    html = page.content.decode()
    assert a.student.username in html and a.classmate.username in html
    assert "7А" in html
    sent = client.post(url + "?role=students", {"person": [a.student.pk]}, follow=True)
    assert len(mail.outbox) == 1
    assert "Invitations being sent: 1" in sent.content.decode()
    assert client.get(url + "?role=nobody").status_code == 404


def test_the_list_pages_a_large_school(world) -> None:
    group = world.a.group
    for _ in range(105):
        f.EnrolmentFactory.create(class_group=group, student=f.UserFactory.create(email="x@example.org"))
    first, with_email = never_signed_in(world.a.school, "students", 1)
    second, _ = never_signed_in(world.a.school, "students", 2)
    assert len(first.object_list) == 100
    assert first.paginator.count == 108
    assert len(second.object_list) == 8
    assert with_email == 105
