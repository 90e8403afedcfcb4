"""Choosing a password from a link: the reset by e-mail, and what a new password revokes."""

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from parta.accounts.models import ApiToken, User
from parta.accounts.services import password_link, sign_in_invitation_send
from parta.testing import factories as f

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "ocean-violet-42-kettle"


def _link_in(message: str, site_url: str) -> str:
    match = re.search(re.escape(site_url) + r"(/password/\S+/)", message)
    assert match, message
    return match.group(1)


def _set_password_through(client: Client, path: str, password: str = NEW_PASSWORD) -> Any:
    form = client.get(path, follow=True)  # Django moves the token into the session first
    assert form.status_code == 200
    return client.post(
        form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}, follow=True
    )


def test_a_reset_link_is_mailed_and_sets_the_password_once(client: Client, settings) -> None:
    settings.PARTA_SITE_URL = "https://school.example"
    user = f.UserFactory.create(email="Anna@Example.org", must_change_password=True)
    f.api_key(user, "phone")
    calendar = user.calendar_token

    sent = client.post(reverse("password-reset"), {"email": "anna@example.org"})
    assert sent.status_code == 302
    assert sent["Location"] == reverse("password-reset-done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["Anna@Example.org"]
    assert user.username in mail.outbox[0].body
    path = _link_in(str(mail.outbox[0].body), "https://school.example")

    done = _set_password_through(client, path)
    assert done.redirect_chain[-1][0] == reverse("login")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.must_change_password
    assert not ApiToken.objects.filter(user=user).exists()  # the old password's tokens
    assert user.calendar_token != calendar

    again = Client().get(path, follow=True)
    assert "The link does not work" in again.content.decode()


def test_an_unknown_address_is_answered_the_same_and_sends_nothing(client: Client) -> None:
    f.UserFactory.create(email="anna@example.org")
    response = client.post(reverse("password-reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password-reset-done")
    assert mail.outbox == []


def test_an_imported_account_without_a_password_may_ask_for_a_link(client: Client) -> None:
    user = f.UserFactory.create(email="new@example.org")
    user.set_unusable_password()
    user.save()
    client.post(reverse("password-reset"), {"email": "new@example.org"})
    assert len(mail.outbox) == 1


def test_an_inactive_account_gets_no_link(client: Client) -> None:
    f.UserFactory.create(email="gone@example.org", is_active=False)
    client.post(reverse("password-reset"), {"email": "gone@example.org"})
    assert mail.outbox == []


def test_a_weak_password_is_refused_on_the_page(client: Client) -> None:
    user = f.UserFactory.create(email="anna@example.org")
    before = user.password
    response = _set_password_through(client, urlsplit(password_link(user)).path, password="123")
    assert response.status_code == 200
    assert "The password is not set" in response.content.decode()
    user.refresh_from_db()
    assert user.password == before


def test_an_invitation_greets_a_newcomer_and_names_their_login(client: Client, settings) -> None:
    settings.PARTA_SITE_URL = "https://school.example"
    user = f.UserFactory.create(email="new@example.org", username="ivanova.a")
    user.set_unusable_password()
    user.save()
    sign_in_invitation_send(user=user, school_name="Школа № 1")
    user.refresh_from_db()
    assert user.invited_at is not None
    message = mail.outbox[0]
    assert "Школа № 1" in message.subject
    assert "ivanova.a" in message.body
    path = _link_in(str(message.body), "https://school.example")
    assert path.startswith("/password/welcome/")
    page = client.get(path, follow=True).content.decode()
    assert "Welcome to Parta" in page
    assert "ivanova.a" in page
    _set_password_through(client, path)
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)


def test_asking_again_for_the_same_address_soon_sends_nothing_more(client: Client) -> None:
    f.UserFactory.create(email="twice@example.org")
    for _ in range(3):
        response = client.post(reverse("password-reset"), {"email": "Twice@example.org"})
        assert response["Location"] == reverse("password-reset-done")
    assert len(mail.outbox) == 1
