import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from parta.demo.generator import generate_city
from parta.schools.models import School
from parta.testing import factories as f


def test_if_empty_leaves_a_database_with_a_school_alone(db):
    f.SchoolFactory()
    out = StringIO()
    call_command("demo_load", "--if-empty", stdout=out)
    assert "already has a school" in out.getvalue()
    assert School.objects.count() == 1


def test_loading_over_an_existing_school_is_refused(db):
    f.SchoolFactory()
    with pytest.raises(CommandError):
        call_command("demo_load", stdout=StringIO())


def test_demo_load_prints_counts_and_the_logins(db, monkeypatch):
    seeds = []

    def small_demo(*, seed):
        seeds.append(seed)
        return generate_city(
            schools=1,
            seed=seed,
            grades=(3, 7),
            groups_per_grade=1,
            students_per_group=3,
            today=dt.date(2026, 11, 23),
            load_framework=False,
            with_lessons=False,
            demo_accounts=True,
        )

    monkeypatch.setattr("parta.demo.management.commands.demo_load.generate_demo", small_demo)
    out = StringIO()
    call_command("demo_load", "--if-empty", "--seed", "42", stdout=out)
    text = out.getvalue()
    assert seeds == [42]
    assert "students" in text and "teachers" in text
    for login in ("admin", "teacher", "student", "parent", "methodologist", "root", "parta-demo"):
        assert login in text
    assert School.objects.count() == 1
