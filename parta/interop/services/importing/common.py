"""What the parts of the import share: the defaults for what OneRoster does not carry, the
refusal, the result, and reading a homeroom's grade and letter from its title."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from parta.interop import binding as b
from parta.interop.models import SourcedId
from parta.interop.parser import Row, parse
from parta.interop.report import CREATED, UNCHANGED, UPDATED, Report
from parta.schools.models import School
from parta.schools.services import CLASS_LETTER, MAX_GRADE, MIN_GRADE
from parta.timetable.models import USUAL_BELLS

Kind = SourcedId.Kind
Target = SourcedId.Target

# What OneRoster does not carry, until the administrator sets it.
DEFAULT_HOURS_PER_WEEK = 2
# A school with no bells gets the usual day: seven 45-minute lessons from 8:30.
DEFAULT_BELLS = USUAL_BELLS
LETTERS = "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯ"
# Latin capitals that look like Russian ones: «7A» from an English system is the school's «7А».
LOOKALIKES = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")
HOMEROOM_TITLE = re.compile(r"\s*(\d{1,2})\s*[-–—.\s]?\s*(\w{1,4})\s*")
NAME_LIMIT = 150
# Fields an export reads from the mapping rather than from Parta: never the password.
NOT_KEPT = ("status", "dateLastModified", "password")
KIND_OF_FILE = {
    b.ORGS: Kind.ORG,
    b.SESSIONS: Kind.SESSION,
    b.COURSES: Kind.COURSE,
    b.CLASSES: Kind.CLASS,
    b.USERS: Kind.USER,
    b.ROLES: Kind.ROLE,
    b.ENROLLMENTS: Kind.ENROLLMENT,
    b.DEMOGRAPHICS: Kind.DEMOGRAPHIC,
}
FILE_ORDER = (b.ORGS, b.SESSIONS, b.COURSES, b.USERS, b.ROLES, b.DEMOGRAPHICS, b.CLASSES, b.ENROLLMENTS)
RANK = {UNCHANGED: 0, UPDATED: 1, CREATED: 2}

Progress = Callable[[int, int], None]


class Refused(Exception):
    def __init__(self, report: Report) -> None:
        super().__init__("the bundle was refused")
        self.report = report


@dataclass
class ImportResult:
    report: Report
    school: School | None
    dry_run: bool

    @property
    def refused(self) -> bool:
        return self.report.refused


def kept_fields(row: Row) -> dict[str, str]:
    return {name: value for name, value in row.values.items() if name not in NOT_KEPT}


def school_orgs(files: Mapping[str, bytes]) -> list[str]:
    """The sourcedIds of the bundle's orgs of type school (read leniently, to find the school a
    bundle goes into before it is checked; the check reports what is wrong)."""
    bundle, _report = parse({b.MANIFEST: files.get(b.MANIFEST, b"")} | {b.ORGS: files.get(b.ORGS, b"")})
    return [row.sourced_id for row in bundle.of(b.ORGS) if row["type"] == "school" and not row.deleted]


def schools_of_org(sourced_id: str) -> list[int]:
    return list(
        SourcedId.objects.filter(kind=Kind.ORG, target=Target.SCHOOL, sourced_id=sourced_id)
        .order_by("school_id")
        .values_list("school_id", flat=True)
    )


def grade_and_letter(title: str, grades: Iterable[str]) -> tuple[int | None, str]:
    """A homeroom class's grade (from ``grades``, else its title) and letter (from its title:
    «7А», «7-А», «7 A»; "" when it gives none Parta allows)."""
    grade: int | None = None
    for value in grades:
        if value.isdigit() and MIN_GRADE <= int(value) <= MAX_GRADE:
            grade = int(value)
            break
    match = HOMEROOM_TITLE.fullmatch(title)
    letter = ""
    if match:
        number = int(match.group(1))
        grade = grade or (number if MIN_GRADE <= number <= MAX_GRADE else None)
        letter = match.group(2).upper().translate(LOOKALIKES)
    return grade, letter if CLASS_LETTER.fullmatch(letter) else ""


@dataclass
class _Outcome:
    sourced_id: str
    outcome: str = UNCHANGED
    message: str = ""
    column: str = ""
