"""Teachers' remarks and praise: the lesson's (for its journal and the API) and a student's (for the
diary), each one query."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from parta.core.i18n import picker
from parta.core.names import short_name
from parta.journal.access import access_lesson
from parta.journal.models import Remark


@dataclass(frozen=True)
class RemarkRow:
    id: int
    lesson_id: int
    student_id: int
    date: dt.date
    subject: str
    kind: str
    kind_label: str
    text: str
    author_id: int
    author: str
    created_at: dt.datetime

    @property
    def is_praise(self) -> bool:
        return self.kind == Remark.Kind.PRAISE


_COLUMNS = (
    "id",
    "lesson_id",
    "student_id",
    "date",
    "subject__name_ru",
    "subject__name_en",
    "kind",
    "text",
    "created_by_id",
    "created_by__last_name",
    "created_by__first_name",
    "created_by__middle_name",
    "created_at",
)


def remark_rows(remarks: Any) -> list[RemarkRow]:
    """The rows of a queryset of remarks (the caller has filtered it to what the reader may see),
    the ones in force only, in the order written: one query."""
    return remark_rows_of(remarks_in_force(remarks))


def remarks_in_force(remarks: Any) -> Any:
    """The values of the remarks in force among these, in the order written."""
    return remarks.filter(withdrawn_at__isnull=True).order_by("date", "id").values(*_COLUMNS)


def remark_rows_of(values: Iterable[dict[str, Any]]) -> list[RemarkRow]:
    """:func:`remarks_in_force`'s values as rows."""
    pick = picker()
    labels = dict(Remark.Kind.choices)
    return [
        RemarkRow(
            id=r["id"],
            lesson_id=r["lesson_id"],
            student_id=r["student_id"],
            date=r["date"],
            subject=pick(r["subject__name_ru"], r["subject__name_en"]),
            kind=r["kind"],
            kind_label=str(labels.get(r["kind"], r["kind"])),
            text=r["text"],
            author_id=r["created_by_id"],
            author=short_name(
                r["created_by__last_name"], r["created_by__first_name"], r["created_by__middle_name"]
            ),
            created_at=r["created_at"],
        )
        for r in values
    ]


def lesson_remarks(user: Any, lesson_id: int) -> list[RemarkRow]:
    """The remarks in force at the lesson, for the readers of its journal (404 for anyone else)."""
    lesson = access_lesson(user, lesson_id, display=False)
    return remark_rows(Remark.objects.filter(lesson_id=lesson.pk, school_id=lesson.school_id))
