"""Importing the tiny bundles of tests/bundles/: the 1.2 and 1.1 layouts, a folder and a zip,
re-imports, changes, deltas, skipped roles and every kind of refusal."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parta.accounts.models import Guardianship, User
from parta.interop.models import SourcedId
from parta.interop.parser import read_path
from parta.interop.report import Report
from parta.interop.services import bundle_export, bundle_import, zip_bytes
from parta.schools.models import (
    AcademicYear,
    ClassGroup,
    Enrolment,
    School,
    StaffMembership,
    StudyPeriod,
    SubgroupMembership,
    TeachingAssignment,
)
from parta.timetable.models import Bell

BUNDLES = Path(__file__).parent / "bundles"


def files(version: str = "v12") -> dict[str, bytes]:
    return read_path(BUNDLES / version)


def replace(data: dict[str, bytes], name: str, old: str, new: str) -> dict[str, bytes]:
    text = data[name].decode()
    assert old in text, old
    return {**data, name: text.replace(old, new).encode()}


def imported(data: dict[str, bytes], school: School | None = None) -> School:
    result = bundle_import(files=data, school=school)
    assert not result.refused, result.report.lines()
    assert result.school is not None
    return result.school


def entry(report: Report, file: str, sourced_id: str) -> tuple[str, str]:
    found = [e for e in report.entries if e.file == file and e.sourced_id == sourced_id]
    assert found, (file, sourced_id, report.lines())
    return found[0].outcome, found[0].message


def check_school_seven(school: School) -> None:
    assert school.name == "School No. 7"
    assert school.district.name == "Central District"
    year = AcademicYear.objects.get(school=school)
    assert (year.name, year.starts_on, year.ends_on) == (
        "2026/2027",
        dt.date(2026, 9, 1),
        dt.date(2027, 5, 31),
    )
    periods = list(StudyPeriod.objects.filter(year=year).values_list("kind", "number", "starts_on"))
    # Two terms in a year: two semesters.
    assert periods == [("semester", 1, dt.date(2026, 9, 1)), ("semester", 2, dt.date(2027, 1, 9))]
    groups = {group.name: group for group in ClassGroup.objects.filter(school=school)}
    # «5A» with a Latin A is the school's «5А».
    assert set(groups) == {"5А", "5Б"}
    five_a = groups["5А"]
    teacher = User.objects.get(first_name="Tatiana")
    assert five_a.class_teacher == teacher
    assert teacher.middle_name == "Petrovna"
    assert five_a.building.school == school
    assert sorted(
        Enrolment.objects.filter(class_group=five_a).values_list("student__username", flat=True)
    ) == [
        "pupil1",
        "pupil2",
        "pupil3",
    ]
    staff = set(StaffMembership.objects.filter(school=school).values_list("user__username", "role"))
    assert staff == {("ivanova.t", "teacher"), ("smith.j", "teacher"), ("orlov.a", "admin")}
    maths = TeachingAssignment.objects.get(school=school, subject__code="math5")
    assert (maths.class_group, maths.subgroup, maths.teacher, maths.hours_per_week) == (
        five_a,
        None,
        teacher,
        2,
    )
    english = TeachingAssignment.objects.filter(school=school, subject__code="eng5").order_by(
        "subgroup__number"
    )
    assert [a.subgroup.number for a in english if a.subgroup] == [1, 2]
    assert sorted(
        SubgroupMembership.objects.filter(subgroup=english[0].subgroup).values_list(
            "student__username", flat=True
        )
    ) == ["pupil1", "pupil2"]
    mother = User.objects.get(username="belova.m")
    link = Guardianship.objects.get(guardian=mother)
    assert link.student.username == "pupil1"
    assert link.relation == Guardianship.Relation.MOTHER  # parent + demographics' sex
    assert not mother.has_usable_password()
    assert not User.objects.filter(username="proctor1").exists()
    # What OneRoster does not carry: defaults.
    assert Bell.objects.filter(school=school).count() == 7


@pytest.mark.parametrize("version", ["v12", "v11"])
def test_a_bundle_makes_a_school(db, version):
    result = bundle_import(files=files(version), school=None)
    assert not result.refused, result.report.lines()
    assert result.school is not None
    check_school_seven(result.school)
    # Nothing is e-mailed: the administrator sends sign-in invitations when the school is ready.
    assert mail.outbox == []
    # The proctor: reported and skipped, in users.csv (1.1) or roles.csv (1.2) and in enrollments.csv.
    proctor_file = "roles.csv" if version == "v12" else "users.csv"
    proctor_id = "r-x1" if version == "v12" else "u-x1"
    outcome, message = entry(result.report, proctor_file, proctor_id)
    assert outcome == "skipped" and "proctor" in message
    assert entry(result.report, "enrollments.csv", "e-10")[0] == "skipped"
    assert entry(result.report, "users.csv", "u-x1")[0] == "skipped"
    assert entry(result.report, "users.csv", "u-t1") == ("created", "")


def test_a_zip_imports_as_the_folder_does(db):
    school = imported(read_path_zip(files()))
    check_school_seven(school)


def read_path_zip(data: dict[str, bytes], prefix: str = "export/") -> dict[str, bytes]:
    from parta.interop.parser import read_zip

    return read_zip(zip_bytes({prefix + name: value for name, value in data.items()}))


def test_the_same_bundle_again_writes_nothing(db):
    school = imported(files())
    stamps = dict(SourcedId.objects.values_list("pk", "updated_at"))
    counts = (User.objects.count(), Enrolment.objects.count(), SourcedId.objects.count())
    with CaptureQueriesContext(connection) as queries:
        result = bundle_import(files=files(), school=school)
    assert not result.refused
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]
    assert writes == []
    assert result.report.counts()["created"] == result.report.counts()["updated"] == 0
    assert result.report.counts()["unchanged"] > 20
    assert dict(SourcedId.objects.values_list("pk", "updated_at")) == stamps
    assert (User.objects.count(), Enrolment.objects.count(), SourcedId.objects.count()) == counts


def test_a_changed_bundle_updates(db):
    school = imported(files())
    changed = replace(files(), "users.csv", "Boris,Volkov", "Boris,Volkov-Zaitsev")
    # Vera moves from 5А to 5Б.
    changed = replace(changed, "enrollments.csv", "e-4,,,hr-5a,s-7,u-s3", "e-4,,,hr-5b,s-7,u-s3")
    result = bundle_import(files=changed, school=school)
    assert not result.refused, result.report.lines()
    assert entry(result.report, "users.csv", "u-s2")[0] == "updated"
    assert entry(result.report, "enrollments.csv", "e-4")[0] == "updated"
    assert entry(result.report, "users.csv", "u-s1")[0] == "unchanged"
    assert User.objects.get(username="pupil2").last_name == "Volkov-Zaitsev"
    assert Enrolment.objects.get(student__username="pupil3").class_group.name == "5Б"


DELTA_MANIFEST = (
    "propertyName,value\r\nmanifest.version,1.0\r\noneroster.version,1.2\r\n"
    "file.academicSessions,absent\r\nfile.classes,absent\r\nfile.courses,absent\r\n"
    "file.demographics,absent\r\nfile.enrollments,delta\r\nfile.orgs,absent\r\n"
    "file.roles,absent\r\nfile.users,delta\r\n"
)


def test_a_delta_honours_tobedeleted(db):
    school = imported(files())
    header_e = files()["enrollments.csv"].decode().splitlines()[0]
    header_u = files()["users.csv"].decode().splitlines()[0]
    delta = {
        "manifest.csv": DELTA_MANIFEST.encode(),
        "enrollments.csv": f"{header_e}\r\ne-3,tobedeleted,2026-10-01T08:00:00Z,,,,,,,\r\n".encode(),
        "users.csv": (
            f"{header_u}\r\n"
            "u-p1,tobedeleted,2026-10-01T08:00:00Z,,,,,,,,,,,,,,,,,,,,\r\n"
            "u-s4,active,2026-10-01T08:00:00Z,false,pupil4,,Gleb,Dmitriev,,S4,,,,,05,,,,,,,s-7,\r\n"
        ).encode(),
    }
    result = bundle_import(files=delta, school=school)
    assert not result.refused, result.report.lines()
    assert entry(result.report, "enrollments.csv", "e-3")[0] == "deleted"
    assert entry(result.report, "users.csv", "u-p1")[0] == "deleted"
    assert entry(result.report, "users.csv", "u-s4")[0] == "updated"
    assert not Enrolment.objects.filter(student__username="pupil2").exists()
    assert not Guardianship.objects.filter(guardian__username="belova.m").exists()
    assert not User.objects.get(username="pupil4").is_active
    assert not SourcedId.objects.filter(school=school, kind="user", sourced_id="u-p1").exists()
    # The same delta again: nothing left to delete.
    again = bundle_import(files=delta, school=school)
    assert entry(again.report, "users.csv", "u-p1")[0] == "skipped"


def test_a_dry_run_reports_the_same_and_writes_nothing(db):
    before = (School.objects.count(), User.objects.count(), SourcedId.objects.count())
    dry = bundle_import(files=files(), school=None, dry_run=True)
    assert not dry.refused
    assert (School.objects.count(), User.objects.count(), SourcedId.objects.count()) == before
    real = bundle_import(files=files(), school=None)
    assert [(e.file, e.row, e.outcome) for e in dry.report.entries] == [
        (e.file, e.row, e.outcome) for e in real.report.entries
    ]


def drop_column(data: dict[str, bytes], name: str, column: str) -> dict[str, bytes]:
    lines = data[name].decode().split("\r\n")
    index = lines[0].split(",").index(column)
    cut = [
        ",".join(part for i, part in enumerate(line.split(",")) if i != index) if line else line
        for line in lines
    ]
    return {**data, name: "\r\n".join(cut).encode()}


REFUSALS = [
    ("missing file", lambda d: {k: v for k, v in d.items() if k != "users.csv"}, ("users.csv", 0, "")),
    (
        "missing manifest",
        lambda d: {k: v for k, v in d.items() if k != "manifest.csv"},
        ("manifest.csv", 0, ""),
    ),
    ("missing column", lambda d: drop_column(d, "orgs.csv", "identifier"), ("orgs.csv", 1, "identifier")),
    (
        "columns out of order",
        lambda d: replace(d, "orgs.csv", "name,type,identifier", "type,name,identifier"),
        ("orgs.csv", 1, "name"),
    ),
    (
        "broken reference",
        lambda d: replace(
            d, "classes.csv", "math-5a,,,Mathematics 5A,05,c-math", "math-5a,,,Mathematics 5A,05,c-nope"
        ),
        ("classes.csv", 4, "courseSourcedId"),
    ),
    (
        "bad date",
        lambda d: replace(
            d, "academicSessions.csv", "t-2,,,Spring,term,2027-01-09", "t-2,,,Spring,term,2027-13-09"
        ),
        ("academicSessions.csv", 4, "startDate"),
    ),
    (
        "end before start",
        lambda d: replace(
            d, "academicSessions.csv", "2026-09-01,2027-05-31,,2027", "2027-09-01,2027-05-31,,2027"
        ),
        ("academicSessions.csv", 2, "endDate"),
    ),
    (
        "bad enumeration",
        lambda d: replace(d, "classes.csv", "c-home,,homeroom,Room 12", "c-home,,homerooms,Room 12"),
        ("classes.csv", 2, "classType"),
    ),
    (
        "missing value",
        lambda d: replace(d, "users.csv", "u-s2,,,true,pupil2,,Boris,Volkov", "u-s2,,,true,pupil2,,,Volkov"),
        ("users.csv", 6, "givenName"),
    ),
    (
        "duplicate sourcedId",
        lambda d: replace(d, "enrollments.csv", "e-5,,,hr-5b", "e-4,,,hr-5b"),
        ("enrollments.csv", 6, "sourcedId"),
    ),
    (
        "a student in two homerooms",
        lambda d: replace(d, "enrollments.csv", "e-5,,,hr-5b,s-7,u-s4", "e-5,,,hr-5b,s-7,u-s1"),
        ("enrollments.csv", 6, "classSourcedId"),
    ),
    (
        "not UTF-8",
        lambda d: {**d, "orgs.csv": "sourcedId,status\r\nя,\r\n".encode("cp1251")},
        ("orgs.csv", 0, ""),
    ),
    (
        "unknown version",
        lambda d: replace(d, "manifest.csv", "oneroster.version,1.2", "oneroster.version,1.0"),
        ("manifest.csv", 3, "value"),
    ),
]


@pytest.mark.parametrize(
    ("change", "where"), [(c, w) for _n, c, w in REFUSALS], ids=[n for n, _c, _w in REFUSALS]
)
def test_a_broken_bundle_is_refused_naming_file_row_and_column(db, change, where):
    before = (
        School.objects.count(),
        User.objects.count(),
        ClassGroup.objects.count(),
        SourcedId.objects.count(),
    )
    result = bundle_import(files=change(files()), school=None)
    assert result.refused
    assert all(e.outcome == "error" for e in result.report.entries)
    assert where in [(e.file, e.row, e.column) for e in result.report.entries], result.report.lines()
    assert all(e.message for e in result.report.entries)
    after = (
        School.objects.count(),
        User.objects.count(),
        ClassGroup.objects.count(),
        SourcedId.objects.count(),
    )
    assert after == before


def test_a_refused_reimport_leaves_the_school_as_it_was(db):
    school = imported(files())
    broken = replace(files(), "users.csv", "Boris,Volkov", "Boris,Volkov-Zaitsev")
    broken = replace(broken, "classes.csv", "termSourcedIds", "termSourcedId")
    result = bundle_import(files=broken, school=school)
    assert result.refused
    assert User.objects.get(username="pupil2").last_name == "Volkov"


def test_an_import_then_an_export_keeps_the_bundles_columns(db):
    school = imported(files())
    exported = bundle_export(school=school)
    users = exported["users.csv"].decode()
    # What Parta does not keep comes back from the mapping: identifiers, phones, the login asked for.
    assert "u-p1,,,true,belova.m,,Maria,Belova,,,m.belova@mail.test,,+70000000001,u-s1,,,,,,,,s-7," in users
    assert "u-x1" not in users  # the proctor was skipped
    assert exported["demographics.csv"].decode().count("female") == 2
    again = imported(exported, school)
    assert again == school
    assert bundle_export(school=school) == exported


def test_the_command_imports_and_reports(db, tmp_path):
    out = StringIO()
    call_command("oneroster_import", str(BUNDLES / "v12"), "--dry-run", stdout=out)
    assert "Dry run, nothing written" in out.getvalue()
    assert "skipped   roles.csv:10 [role] r-x1" in out.getvalue()
    assert School.objects.count() == 0
    call_command("oneroster_import", str(BUNDLES / "v12"), stdout=StringIO())
    school = School.objects.get()
    out = StringIO()
    # Found again by its org: the same school, nothing to change.
    call_command("oneroster_import", str(BUNDLES / "v12"), "--quiet-rows", stdout=out)
    assert f"school {school.pk}" in out.getvalue() and "created 0, updated 0" in out.getvalue()
    target = tmp_path / "out"
    call_command("oneroster_export", str(target), "--school", str(school.pk), stdout=StringIO())
    assert (target / "manifest.csv").exists() and (target / "roles.csv").exists()


def test_the_command_refuses_with_the_rows(db, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for name, data in replace(
        files(), "classes.csv", "c-home,,homeroom,Room 12", "c-home,,homerooms,Room 12"
    ).items():
        (broken / name).write_bytes(data)
    out = StringIO()
    with pytest.raises(CommandError, match="refused"):
        call_command("oneroster_import", str(broken), stdout=out)
    assert "error     classes.csv:2 [classType] hr-5a" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("oneroster_import", str(tmp_path / "nothing.zip"))
