"""Reads of the journal for pages and the API: plain dataclasses built from ``values()`` rows, in
a fixed number of queries whatever the size of the class or the number of marks. One module per
use-case (``common`` holds what they share); every public name is importable from here.

- ``journal_assignments`` — the journals a user may open;
- ``journal_page`` — a journal (assignment × study period): lessons × students with marks and
  attendance, weighted averages, suggested and set period marks;
- ``lesson_page`` — one lesson with its students, the topic picker and the active absence notices;
- ``cell_history`` / ``lesson_history`` / ``history_report`` — the history of a cell, of a lesson, and the
  administrator's report;
- ``student_marks`` — a student's marks per subject (the diary; families and staff);
- ``absence_notices_for_student`` — a child's absence notices;
- ``lesson_remarks`` / ``remark_rows`` — teachers' remarks and praise at a lesson, or of any rows;
- ``grading`` — the school's grading schemes and control forms (the administrator's page).
"""

from parta.journal.selectors.common import (
    MAX_HISTORY,
    AttendanceCell,
    Cell,
    ControlFormRef,
    MarkCell,
    PeriodMarkCell,
    PeriodRef,
    StudentRef,
    choose_period,
    open_period_names,
)
from parta.journal.selectors.grading import ControlFormRow, Grading, SchemeRow, grading
from parta.journal.selectors.history import (
    HistoryReport,
    HistoryRow,
    cell_history,
    history_report,
    lesson_history,
)
from parta.journal.selectors.journals import (
    AssignmentRef,
    JournalPage,
    LessonColumn,
    journal_assignments,
    journal_page,
    journal_page_of,
    journal_reading,
)
from parta.journal.selectors.lessons import (
    LessonPage,
    LessonStudent,
    NoticeRef,
    TopicOption,
    lesson_page,
    lesson_topic,
)
from parta.journal.selectors.marks import (
    DiaryMark,
    StudentMarks,
    SubjectMarks,
    student_marks,
)
from parta.journal.selectors.notices import (
    ClassNotice,
    absence_notices_for_class_teacher,
    absence_notices_for_student,
)
from parta.journal.selectors.remarks import (
    RemarkRow,
    lesson_remarks,
    remark_rows,
    remark_rows_of,
    remarks_in_force,
)

__all__ = [
    "MAX_HISTORY",
    "AssignmentRef",
    "AttendanceCell",
    "Cell",
    "ClassNotice",
    "ControlFormRef",
    "ControlFormRow",
    "DiaryMark",
    "Grading",
    "HistoryReport",
    "HistoryRow",
    "JournalPage",
    "LessonColumn",
    "LessonPage",
    "LessonStudent",
    "MarkCell",
    "NoticeRef",
    "PeriodMarkCell",
    "PeriodRef",
    "RemarkRow",
    "SchemeRow",
    "StudentMarks",
    "StudentRef",
    "SubjectMarks",
    "TopicOption",
    "absence_notices_for_class_teacher",
    "absence_notices_for_student",
    "cell_history",
    "choose_period",
    "grading",
    "history_report",
    "journal_assignments",
    "journal_page",
    "journal_page_of",
    "journal_reading",
    "lesson_history",
    "lesson_page",
    "lesson_remarks",
    "lesson_topic",
    "open_period_names",
    "remark_rows",
    "remark_rows_of",
    "remarks_in_force",
    "student_marks",
]
