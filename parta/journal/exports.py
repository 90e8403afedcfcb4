"""The journal as a table — one code path for the page's rows, the XLSX and the CSV export.

``journal_rows(page)`` turns H1's :class:`~parta.journal.selectors.JournalPage` into rows of
cells (marks with their control form's short code, the attendance letter, the cell's text),
each student's weighted average, the suggested and the set period mark. The grid template
draws these rows; ``journal_xlsx`` and ``journal_csv`` write the same rows, so what the teacher
sees and what they download never disagree.

How a cell is written in the exports
    marks in the order they were entered, separated by spaces; a weight other than 1 in
    parentheses after the value (``5 4(3)``); an owed mark as ``—``; then the attendance letter
    (Н absent, Б sick, О late, У excused in Russian; A, S, L, E in English).

CSV
    UTF-8 with a byte-order mark (so that Excel opens Cyrillic correctly), ``;`` as the
    separator and CRLF line ends — what Excel expects in the Russian locale, where ``,`` is the
    decimal separator; the average is written with the current language's decimal separator.
    A header block (school, class group, subject, period, teacher) comes first, then an empty
    line, then the table with one header row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from parta.journal.models import Attendance
from parta.journal.selectors import (
    AttendanceCell,
    ControlFormRef,
    JournalPage,
    LessonColumn,
    MarkCell,
    PeriodMarkCell,
    StudentRef,
)

# The journal's one-letter attendance codes. Translators: Russian «Н», «Б», «О», «У».
ATTENDANCE_LETTERS: dict[str, Promise] = {
    "absent": pgettext_lazy("attendance letter: absent", "A"),
    "sick": pgettext_lazy("attendance letter: sick", "S"),
    "late": pgettext_lazy("attendance letter: late", "L"),
    "excused": pgettext_lazy("attendance letter: excused", "E"),
}

# Short codes of the default control forms (parta.journal.services.DEFAULT_CONTROL_FORMS).
# Translators: the usual Russian abbreviations — УО, РУ, ДЗ, СР, ПрР, Д, Соч, ЛР, ПР, Пр, КР.
FORM_CODES: dict[str, Promise] = {
    "oral": pgettext_lazy("control form abbreviation: oral answer", "OA"),
    "classwork": pgettext_lazy("control form abbreviation: classwork", "CW"),
    "homework": pgettext_lazy("control form abbreviation: homework", "HW"),
    "independent": pgettext_lazy("control form abbreviation: independent work", "IW"),
    "quiz": pgettext_lazy("control form abbreviation: quiz", "Q"),
    "dictation": pgettext_lazy("control form abbreviation: dictation", "D"),
    "essay": pgettext_lazy("control form abbreviation: essay", "Es"),
    "lab": pgettext_lazy("control form abbreviation: lab work", "LW"),
    "practical": pgettext_lazy("control form abbreviation: practical work", "PW"),
    "project": pgettext_lazy("control form abbreviation: project", "Pr"),
    "test": pgettext_lazy("control form abbreviation: test", "T"),
}


def attendance_letter(status: str | None) -> str:
    return str(ATTENDANCE_LETTERS.get(status, "")) if status else ""


def form_short_code(form: ControlFormRef) -> str:
    """The form's abbreviation: a known default form's translated one, else the first letters
    of the name's words (at most three)."""
    known = FORM_CODES.get(form.code)
    if known is not None:
        return str(known)
    letters = "".join(word[0] for word in form.name.split() if word)[:3]
    return letters.upper() or form.code[:3]


@dataclass(frozen=True)
class MarkView:
    mark: MarkCell
    form_code: str
    form_name: str

    @property
    def text(self) -> str:
        weight = f"({self.mark.weight})" if self.mark.weight != 1 else ""
        return f"{self.mark.display}{weight}"


@dataclass(frozen=True)
class CellView:
    lesson: LessonColumn
    student_id: int
    marks: list[MarkView]
    attendance: AttendanceCell | None
    # False on a day the student was not in the class group (before joining, after leaving):
    # the cell shows what it holds and takes nothing.
    in_class: bool = True

    @property
    def letter(self) -> str:
        return attendance_letter(self.attendance.status if self.attendance else None)

    @property
    def status_label(self) -> str:
        status = self.attendance.status if self.attendance else ""
        return str(Attendance.Status(status).label) if status in Attendance.Status.values else ""

    @property
    def last_mark(self) -> MarkCell | None:
        return self.marks[-1].mark if self.marks else None

    @property
    def text(self) -> str:
        parts = [m.text for m in self.marks]
        if self.letter:
            parts.append(self.letter)
        return " ".join(parts)


@dataclass(frozen=True)
class StudentRow:
    number: int
    student: StudentRef
    cells: list[CellView]
    average: Decimal | None
    suggested: int | None
    period_mark: PeriodMarkCell | None
    # The year mark and its suggestion (from the period marks): the grid shows them in the last
    # period of the year; the exports leave them out.
    year_mark: PeriodMarkCell | None = None
    suggested_year: int | None = None
    # The day the student came, when it falls after the period began ("from 16.11" on the grid).
    joined_on: dt.date | None = None


def _forms(page: JournalPage) -> dict[int, ControlFormRef]:
    return {form.id: form for form in page.control_forms}


def cell_view(page: JournalPage, student: StudentRef, lesson: LessonColumn) -> CellView:
    forms = _forms(page)
    cell = page.cell(student.id, lesson.id)
    views = []
    for mark in cell.marks:
        form = forms.get(mark.control_form_id) if mark.control_form_id else None
        views.append(MarkView(mark, form_short_code(form) if form else "", form.name if form else ""))
    return CellView(lesson, student.id, views, cell.attendance, in_class=student.in_class_on(lesson.date))


def student_row(page: JournalPage, number: int, student: StudentRef) -> StudentRow:
    return StudentRow(
        number=number,
        student=student,
        cells=[cell_view(page, student, lesson) for lesson in page.lessons],
        average=page.averages.get(student.id),
        suggested=page.suggested.get(student.id),
        period_mark=page.period_marks.get(student.id),
        year_mark=page.year_marks.get(student.id),
        suggested_year=page.suggested_year.get(student.id),
        joined_on=student.since
        if student.since and page.period is not None and student.since > page.period.starts_on
        else None,
    )


def journal_rows(page: JournalPage) -> list[StudentRow]:
    """Every student's row of the journal page, in the page's order."""
    return [student_row(page, number, student) for number, student in enumerate(page.students, start=1)]


# --- the exports --------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportHead:
    school: str
    class_group: str
    subject: str
    period: str
    teacher: str

    def lines(self) -> list[tuple[str, str]]:
        return [
            (_("School"), self.school),
            (_("Class group"), self.class_group),
            (_("Subject"), self.subject),
            (_("Study period"), self.period),
            (_("Teacher"), self.teacher),
        ]


def export_head(page: JournalPage, school_name: str) -> ExportHead:
    return ExportHead(
        school=school_name,
        class_group=page.assignment.group_name,
        subject=page.assignment.subject,
        period=page.period.name if page.period else "",
        teacher=page.assignment.teacher,
    )


def _column_titles(page: JournalPage) -> list[str]:
    return [
        "№",
        _("Student"),
        *(lesson.date.strftime("%d.%m") for lesson in page.lessons),
        _("Average"),
        _("Suggested"),
        _("Period mark"),
    ]


def _average_text(average: Decimal | None) -> str:
    return formats.number_format(average, 2) if average is not None else ""


def _table(page: JournalPage) -> Iterable[list[str]]:
    for row in journal_rows(page):
        yield [
            str(row.number),
            row.student.short_name,
            *(cell.text for cell in row.cells),
            _average_text(row.average),
            str(row.suggested) if row.suggested is not None else "",
            row.period_mark.display if row.period_mark else "",
        ]


def journal_csv(page: JournalPage, school_name: str) -> bytes:
    """The journal as CSV bytes (see the module docstring for the format)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for title, value in export_head(page, school_name).lines():
        writer.writerow([title, value])
    writer.writerow([])
    writer.writerow(_column_titles(page))
    writer.writerows(_table(page))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def journal_xlsx(page: JournalPage, school_name: str) -> bytes:
    """The journal as an XLSX workbook: a header block, then students × lesson dates with the
    average, the suggested and the set period mark; the names and the header row stay frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = (page.assignment.group_name + " " + page.assignment.subject)[:31].replace("/", "-")
    bold = Font(bold=True)
    head = export_head(page, school_name)
    sheet.cell(row=1, column=1, value=_("Journal")).font = Font(bold=True, size=14)
    for offset, (title, value) in enumerate(head.lines(), start=2):
        sheet.cell(row=offset, column=1, value=title).font = bold
        sheet.cell(row=offset, column=2, value=value)
    header_row = len(head.lines()) + 3
    fill = PatternFill("solid", fgColor="E8EEFC")
    for column, title in enumerate(_column_titles(page), start=1):
        title_cell = sheet.cell(row=header_row, column=column, value=title)
        title_cell.font = bold
        title_cell.fill = fill
        title_cell.alignment = Alignment(horizontal="center")
    first_lesson_column = 3
    average_column = first_lesson_column + len(page.lessons)
    for index, row in enumerate(journal_rows(page), start=header_row + 1):
        sheet.cell(row=index, column=1, value=row.number)
        sheet.cell(row=index, column=2, value=row.student.short_name)
        for column, cell_view_ in enumerate(row.cells, start=first_lesson_column):
            if cell_view_.text:
                # A single plain mark is a number a spreadsheet can average; "5 4(К)", "Н" stay text.
                text = cell_view_.text
                written: int | str = int(text) if text.isdigit() else text
                sheet.cell(row=index, column=column, value=written).alignment = Alignment(horizontal="center")
        if row.average is not None:
            average = sheet.cell(row=index, column=average_column, value=float(row.average))
            average.number_format = "0.00"
        if row.suggested is not None:
            sheet.cell(row=index, column=average_column + 1, value=row.suggested)
        if row.period_mark is not None:
            final = row.period_mark
            numeric = final.value is not None and final.display.isdigit()
            shown: int | str = final.value if numeric and final.value is not None else final.display
            sheet.cell(row=index, column=average_column + 2, value=shown).font = bold
    sheet.freeze_panes = f"{get_column_letter(first_lesson_column)}{header_row + 1}"
    sheet.column_dimensions["A"].width = 5
    sheet.column_dimensions["B"].width = 28
    for column in range(first_lesson_column, average_column):
        sheet.column_dimensions[get_column_letter(column)].width = 8
    for column in range(average_column, average_column + 3):
        sheet.column_dimensions[get_column_letter(column)].width = 12
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
