"""The teacher's journal pages, one module per use-case (``common`` holds what they share; every
view is importable from here): the list of journals, the grid, a cell, a lesson, the exports, the
administrator's history report and the pages that close a study period and the year.

Every view reads through ``parta.journal.selectors`` and writes through
``parta.journal.services``, which go through ``parta.journal.access`` (404 for what is not the
user's, 403 for a journal they may only read). Every write is a plain form POST that redirects
back; the grid's script (``journal/journal.js``) posts the same forms with an ``HX-Request``
header and gets back the re-rendered cell with the student's average (``hx-swap-oob``) instead.
"""

from parta.journal.views.admin import (
    HISTORY_PAGE,
    history_report,
    period_close,
    year_close,
)
from parta.journal.views.cells import (
    CellPage,
    cell,
    period_mark,
)
from parta.journal.views.grid import (
    journal_grid,
    journal_list,
)
from parta.journal.views.lessons import (
    LessonRow,
    export_csv,
    export_xlsx,
    lesson,
    lesson_remark_add,
    lesson_remark_withdraw,
    lesson_topic,
)

__all__ = [
    "HISTORY_PAGE",
    "CellPage",
    "LessonRow",
    "cell",
    "export_csv",
    "export_xlsx",
    "history_report",
    "journal_grid",
    "journal_list",
    "lesson",
    "lesson_remark_add",
    "lesson_remark_withdraw",
    "lesson_topic",
    "period_close",
    "period_mark",
    "year_close",
]
