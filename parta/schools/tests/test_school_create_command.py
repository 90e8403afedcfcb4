"""manage.py school_create: an empty installation gets its first school and administrator."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from parta.accounts.models import User
from parta.schools.models import City, School, StaffMembership

pytestmark = pytest.mark.django_db

ARGS = [
    "--city", "Москва",
    "--district", "Хамовники",
    "--name", "Школа № 57",
    "--admin-username", "director",
    "--admin-last-name", "Ермакова",
    "--admin-first-name", "Ксения",
]  # fmt: skip


def create(*args: str) -> str:
    out = StringIO()
    call_command("school_create", *args, stdout=out)
    return out.getvalue()


def test_the_first_school_and_its_administrator_who_can_sign_in() -> None:
    out = create(*ARGS)
    school = School.objects.get()
    assert (school.name, school.short_name, school.city.name, school.district.name) == (
        "Школа № 57",
        "Школа № 57",
        "Москва",
        "Хамовники",
    )
    admin = User.objects.get(username="director")
    assert StaffMembership.objects.filter(school=school, user=admin, role=StaffMembership.Role.ADMIN).exists()
    password = out.strip().rsplit(" ", 1)[1]
    assert admin.check_password(password)
    browser = Client()
    assert browser.post("/login/", {"username": "director", "password": password}).status_code == 302
    staff = f"/school/{school.pk}/staff/"
    assert browser.get(staff)["Location"].startswith("/password/")  # the printed one is for once
    new = "ocean-violet-42-kettle"
    changed = browser.post(
        "/password/", {"old_password": password, "new_password1": new, "new_password2": new, "next": staff}
    )
    assert changed["Location"] == staff
    assert browser.get(staff).status_code == 200


def test_a_second_school_of_the_city_reuses_the_city() -> None:
    create(*ARGS)
    create(*ARGS[:4], "--name", "Лицей № 2", "--admin-username", "director2", *ARGS[8:])
    assert City.objects.count() == 1
    assert School.objects.count() == 2


def test_bad_input_names_the_options_and_writes_nothing() -> None:
    create(*ARGS)
    with pytest.raises(CommandError) as refused:
        create(*ARGS[:4], "--name", " ", *ARGS[6:])
    assert "--name: This field is required." in str(refused.value)
    assert "--admin-username: This login is already in use." in str(refused.value)
    assert School.objects.count() == 1
    assert User.objects.count() == 1
