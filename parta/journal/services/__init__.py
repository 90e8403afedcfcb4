"""Writes of the journal: marks, attendance, period and year marks, lesson topics, closing
periods, absence notices. One module per use-case (``common`` holds what they share); every
public name is importable from here.

Every service takes the acting user first, checks access through ``parta.journal.access``
(404 for what is not theirs, 403 for a journal they may only read), validates every rule and
either writes everything — the row, its :class:`JournalChange` history and, where the event
contract has one, the outbox event, all in one transaction — or raises ``ValidationError``
with a dict of field messages and writes nothing. The field names are those of the API's input.

Rows carry a ``version``: a write names the version it was based on, and a write based on an
older version raises :class:`StaleVersion` (HTTP 409 with the current row) instead of silently
overwriting someone else's change. For attendance and period marks, which may not exist yet,
``version=None`` means “I saw no entry”.

- ``marks`` — ``mark_create`` / ``mark_update`` / ``mark_delete``;
- ``attendance`` — ``attendance_set``, by a teacher or a machine; ``attendance_restore``, a machine
  giving back what its own entry replaced;
- ``period_marks`` — ``period_mark_set`` (period and year marks, «н/а»), ``period_close`` /
  ``period_reopen`` and ``year_close`` / ``year_reopen`` (``is_running``: closing needs a confirmation);
- ``lessons`` — ``lesson_topic_set``;
- ``notices`` — ``absence_notice_create`` / ``absence_notice_withdraw``;
- ``remarks`` — a teacher's ``remark_create`` / ``remark_withdraw`` (remarks and praise);
- ``grading`` — the administrator's ``grading_scheme_save`` / ``grading_scheme_delete`` and
  ``control_form_save`` / ``control_form_delete``;
- ``common`` — ``StaleVersion``, ``grading_scheme_for``, ``journal_defaults_ensure`` and the checks
  and history the writes share.
"""

from parta.journal.services.attendance import (
    MACHINE_SOURCES,
    attendance_restore,
    attendance_set,
)
from parta.journal.services.common import (
    DEFAULT_CONTROL_FORMS,
    MAX_REASON,
    StaleVersion,
    attendance_data,
    grading_scheme_for,
    journal_defaults_ensure,
)
from parta.journal.services.grading import (
    control_form_delete,
    control_form_save,
    grading_scheme_delete,
    grading_scheme_save,
)
from parta.journal.services.lessons import (
    lesson_topic_set,
)
from parta.journal.services.marks import (
    MAX_COMMENT,
    MAX_ORIGIN,
    UNSET,
    mark_create,
    mark_data,
    mark_delete,
    mark_update,
)
from parta.journal.services.notices import (
    MAX_NOTICE_DAYS,
    NoticeResult,
    absence_notice_create,
    absence_notice_withdraw,
)
from parta.journal.services.period_marks import (
    is_running,
    period_close,
    period_mark_data,
    period_mark_set,
    period_reopen,
    year_close,
    year_reopen,
)
from parta.journal.services.remarks import (
    MAX_REMARK,
    remark_create,
    remark_data,
    remark_withdraw,
)

__all__ = [
    "DEFAULT_CONTROL_FORMS",
    "MACHINE_SOURCES",
    "MAX_COMMENT",
    "MAX_NOTICE_DAYS",
    "MAX_ORIGIN",
    "MAX_REASON",
    "MAX_REMARK",
    "UNSET",
    "NoticeResult",
    "StaleVersion",
    "absence_notice_create",
    "absence_notice_withdraw",
    "attendance_data",
    "attendance_restore",
    "attendance_set",
    "control_form_delete",
    "control_form_save",
    "grading_scheme_delete",
    "grading_scheme_for",
    "grading_scheme_save",
    "is_running",
    "journal_defaults_ensure",
    "lesson_topic_set",
    "mark_create",
    "mark_data",
    "mark_delete",
    "mark_update",
    "period_close",
    "period_mark_data",
    "period_mark_set",
    "period_reopen",
    "remark_create",
    "remark_data",
    "remark_withdraw",
    "year_close",
    "year_reopen",
]
