"""Export → import as a second school → export again gives the same bundle, byte for byte."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management import call_command

from parta.demo.generator import generate_city
from parta.interop.models import SourcedId
from parta.interop.parser import read_path
from parta.interop.services import bundle_export, bundle_import, zip_bytes
from parta.schools.models import ClassGroup, Enrolment, School, StaffMembership, TeachingAssignment
from parta.testing import factories as f
from parta.testing.world import build_school


def _counts(school: School) -> tuple[int, int, int, int]:
    return (
        ClassGroup.objects.filter(school=school).count(),
        Enrolment.objects.filter(school=school).count(),
        StaffMembership.objects.filter(school=school).count(),
        TeachingAssignment.objects.filter(school=school).count(),
    )


def test_the_test_worlds_school_round_trips_byte_for_byte(db):
    world = build_school(1)
    first = bundle_export(school=world.school)
    result = bundle_import(files=first, school=None)
    assert not result.refused, result.report.lines()
    second_school = result.school
    assert second_school is not None and second_school.pk != world.school.pk
    assert _counts(second_school) == _counts(world.school)
    second = bundle_export(school=second_school)
    assert second == first
    # Its own export imported back into the first school: every row is as it is.
    f.BellFactory.create(school=world.school)  # (a school with no bells would get the default ones)
    back = bundle_import(files=first, school=world.school)
    assert (back.report.counts()["created"], back.report.counts()["updated"]) == (0, 0), back.report.lines()
    assert bundle_export(school=world.school) == first
    # And the same bundle again changes nothing.
    again = bundle_import(files=first, school=second_school)
    assert set(again.report.counts()) and again.report.counts()["created"] == 0
    assert again.report.counts()["updated"] == 0


def test_the_demo_school_exports_and_imports_as_a_second_school(db, tmp_path: Path):
    city = generate_city(
        schools=1,
        seed=7,
        grades=(3, 7),
        groups_per_grade=2,
        students_per_group=4,
        today=dt.date(2026, 11, 23),
        load_framework=False,
        with_lessons=False,
        demo_accounts=True,
    )
    school = School.objects.get()
    out = tmp_path / "demo.zip"
    call_command("oneroster_export", str(out), "--school", str(school.pk))
    call_command("oneroster_import", str(out), "--new-school", "--quiet-rows")
    second = School.objects.exclude(pk=school.pk).get()
    assert _counts(second) == _counts(school)
    out2 = tmp_path / "second.zip"
    call_command("oneroster_export", str(out2), "--school", str(second.pk))
    assert read_path(out2) == read_path(out)
    assert out2.read_bytes() == out.read_bytes()
    assert city is not None
    assert SourcedId.objects.filter(school=second).count() == SourcedId.objects.filter(school=school).count()
    assert zip_bytes(read_path(out)) == out.read_bytes()
