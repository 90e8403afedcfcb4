"""A one-time password from the enrolment slip is replaced before any other page opens."""

import pytest
from django.test import Client
from django.urls import reverse

from parta.accounts.models import User
from parta.schools.services import NewPerson, student_enrol
from parta.testing import factories as f

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "ocean-violet-42-kettle"


def test_an_enrolled_newcomer_must_choose_a_password_first(world, client: Client) -> None:
    result = student_enrol(
        actor=world.a.admin,
        class_group=world.a.group,
        new_student=NewPerson(last_name="Новикова", first_name="Дарья"),
    )
    [(student, slip_password)] = result.new_accounts
    student = User.objects.get(pk=student.pk)
    assert student.must_change_password
    signed_in = client.post(reverse("login"), {"username": student.username, "password": slip_password})
    assert signed_in.status_code == 302

    diary = reverse("diary")
    response = client.get(diary)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('password_change')}?next=%2Fdiary%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Choose your own password before you go on" in page
    assert "Cancel" not in page

    changed = client.post(
        reverse("password_change"),
        {
            "old_password": slip_password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
            "next": diary,
        },
    )
    assert changed.status_code == 302
    assert changed["Location"] == diary
    student.refresh_from_db()
    assert not student.must_change_password
    assert client.get(diary, follow=True).redirect_chain[-1][0].startswith("/diary/")


def test_an_htmx_request_is_sent_to_the_change_as_a_whole_page(client: Client) -> None:
    user = f.UserFactory.create(must_change_password=True)
    client.force_login(user)
    response = client.get(reverse("home"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("password_change"))


def test_signing_out_and_the_api_stay_open(client: Client) -> None:
    user = f.UserFactory.create(must_change_password=True)
    client.force_login(user)
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["password_change_required"] is True
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_an_offsite_next_is_ignored(client: Client) -> None:
    user = f.UserFactory.create(must_change_password=True)
    client.force_login(user)
    response = client.post(
        reverse("password_change") + "?next=https://evil.example/",
        {"old_password": f.PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("home")


def test_nobody_else_is_stopped(client: Client) -> None:
    client.force_login(f.UserFactory.create())
    assert client.get(reverse("home")).status_code == 200
