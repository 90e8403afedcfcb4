"""The back office: every registered model's list, search and add pages open for a superuser."""

import pytest
from django.contrib import admin
from django.urls import reverse

from parta.accounts.models import User
from parta.testing.factories import PASSWORD, api_key

MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_admin_pages_open(world, client, model):
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(root)
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert client.get(changelist).status_code == 200
    if admin.site._registry[model].search_fields:
        assert client.get(changelist, {"q": "Ива"}).status_code == 200
    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    assert client.get(add).status_code in {200, 403}
    instance = model._default_manager.first()
    if instance is not None:
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[instance.pk])
        assert client.get(change).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_every_field_has_a_translatable_label(model):
    """A field without ``verbose_name`` shows its attribute name («Home room») in both languages."""
    fields = [field for field in model._meta.get_fields() if field.concrete and not field.auto_created]
    unlabelled = [field.name for field in fields if getattr(field, "_verbose_name", None) is None]
    assert unlabelled == []


def test_user_autocomplete_finds_people(world, client):
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(root)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": world.a.student.last_name,
            "app_label": "schools",
            "model_name": "enrolment",
            "field_name": "student",
        },
    )
    assert response.status_code == 200
    assert str(world.a.student.pk) in {item["id"] for item in response.json()["results"]}


def test_school_staff_are_not_let_into_the_back_office(world, client):
    client.force_login(world.a.admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_a_password_set_in_the_back_office_revokes_the_api_tokens_and_calendar_address(world, client):
    from parta.accounts.models import ApiToken

    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(root)
    student = world.a.student
    api_key(student)
    old_calendar = student.calendar_token
    url = reverse("admin:auth_user_password_change", args=[student.pk])
    new_password = "a-much-better-pass-42"
    response = client.post(
        url, {"password1": new_password, "password2": new_password, "usable_password": "true"}
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.check_password(new_password)
    assert not ApiToken.objects.filter(user=student).exists()
    assert student.calendar_token != old_calendar


def test_a_refused_back_office_password_change_revokes_nothing(world, client):
    from parta.accounts.models import ApiToken

    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(root)
    student = world.a.student
    api_key(student)
    token = ApiToken.objects.get(user=student)
    url = reverse("admin:auth_user_password_change", args=[student.pk])
    response = client.post(url, {"password1": "a-much-better-pass-42", "password2": "different-pass-42"})
    assert response.status_code == 200
    assert ApiToken.objects.get(user=student) == token
