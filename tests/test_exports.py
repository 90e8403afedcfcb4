"""The journal's XLSX and CSV exports: the same rows as the page, through the same access."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from parta.accounts.models import User
from parta.journal import services
from parta.journal.tests.conftest import Journal, build_journal
from parta.testing import factories as f

pytestmark = pytest.mark.django_db


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def filled() -> Journal:
    journal = build_journal(3)
    first, second = journal.students[0], journal.students[1]
    services.mark_create(journal.teacher, lesson_id=journal.lessons[0].pk, student_id=first.pk, value=5)
    services.mark_create(
        journal.teacher,
        lesson_id=journal.lessons[0].pk,
        student_id=first.pk,
        value=4,
        control_form_id=journal.forms["test"].pk,
    )
    services.attendance_set(
        journal.teacher, lesson_id=journal.lessons[1].pk, student_id=second.pk, status="absent"
    )
    services.mark_create(journal.teacher, lesson_id=journal.lessons[2].pk, student_id=second.pk, value=3)
    services.period_mark_set(
        journal.teacher,
        student_id=first.pk,
        subject_id=journal.assignment.subject_id,
        class_group_id=journal.group.pk,
        period_id=journal.q1.pk,
        value=4,
    )
    return journal


def url(journal: Journal, kind: str) -> str:
    return reverse(f"journal-export-{kind}", args=[journal.assignment.pk]) + f"?period={journal.q1.pk}"


def test_the_xlsx_has_the_header_the_marks_the_average_and_frozen_panes(filled):
    response = client_of(filled.teacher).get(url(filled, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    header = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2).value for r in range(2, 7)}
    assert filled.school.name in header.values()
    assert "5А" in header.values()
    assert filled.assignment.subject.name_en in header.values() or "Математика" in header.values()
    table_row = 8  # title, five header lines, an empty line, then the column titles
    titles = [c.value for c in sheet[table_row]]
    assert titles[2:6] == ["07.09", "14.09", "21.09", "28.09"]
    assert sheet.freeze_panes == f"C{table_row + 1}"
    assert sheet.column_dimensions["B"].width == 28
    rows = {
        sheet.cell(row=r, column=2).value: [c.value for c in sheet[r]]
        for r in range(table_row + 1, table_row + 4)
    }
    first = rows[filled.students[0].short_name]
    assert first[2] == "5 4(3)"
    assert first[6] == pytest.approx(4.25)  # (5×1 + 4×3) / 4
    assert first[7] == 4  # suggested
    assert first[8] == 4  # set
    second = rows[filled.students[1].short_name]
    assert second[3] in ("A", "Н")
    assert second[4] == 3  # a single plain mark is a number a spreadsheet can add up


def test_the_csv_parses_with_semicolons_and_a_bom(filled):
    response = client_of(filled.admin).get(url(filled, "csv"))
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][1] == filled.school.name
    header_index = next(i for i, row in enumerate(rows) if row and row[0] == "№")
    table = {row[1]: row for row in rows[header_index + 1 :]}
    first = table[filled.students[0].short_name]
    assert first[2] == "5 4(3)"
    assert first[6].replace(",", ".") == "4.25"
    assert first[8] == "4"
    assert len(table) == 3


def test_the_class_teacher_may_export_too(filled):
    assert client_of(filled.class_teacher).get(url(filled, "csv")).status_code == 200


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_wrong_teacher_parent_or_school_gets_404(filled, kind):
    other = build_journal(1)
    parent = f.UserFactory.create()
    f.GuardianshipFactory.create(guardian=parent, student=filled.student)
    stranger = f.UserFactory.create()
    f.StaffMembershipFactory.create(school=filled.school, user=stranger)
    for user in (other.teacher, other.admin, parent, stranger, filled.student):
        assert client_of(user).get(url(filled, kind)).status_code == 404


def test_a_period_of_another_year_is_404(filled):
    other = build_journal(1)
    bad = reverse("journal-export-csv", args=[filled.assignment.pk]) + f"?period={other.q1.pk}"
    assert client_of(filled.teacher).get(bad).status_code == 404
