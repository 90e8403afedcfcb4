"""Importing a OneRoster bundle into one school: check everything first, then write everything in
one transaction, or nothing (docs/decisions/0013-oneroster.md has the mapping).

The importer is keyed by sourcedIds (``SourcedId`` rows scoped by the school): a row met again
is compared with what Parta holds and written only when it differs, so the same bundle imported
twice writes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils.text import slugify
from django.utils.translation import gettext as _

from parta.accounts.models import Guardianship, User
from parta.interop import binding as b
from parta.interop.models import SourcedId
from parta.interop.parser import Bundle, Row, parse, parse_date
from parta.interop.report import CREATED, DELETED, SKIPPED, UNCHANGED, UPDATED, Report
from parta.schools.models import (
    AcademicYear,
    Building,
    City,
    ClassGroup,
    District,
    Enrolment,
    School,
    StaffMembership,
    StudyPeriod,
    Subgroup,
    SubgroupMembership,
    Subject,
    TeachingAssignment,
)
from parta.schools.services import CLASS_LETTER, MAX_GRADE, MIN_GRADE
from parta.timetable.models import Bell, Lesson

Kind = SourcedId.Kind
Target = SourcedId.Target

# What OneRoster does not carry, until the administrator sets it.
DEFAULT_HOURS_PER_WEEK = 2
# A school with no bells gets seven 45-minute lessons from 8:30, with the long breaks for meals.
DEFAULT_BELLS: tuple[tuple[int, dt.time, dt.time], ...] = (
    (1, dt.time(8, 30), dt.time(9, 15)),
    (2, dt.time(9, 25), dt.time(10, 10)),
    (3, dt.time(10, 30), dt.time(11, 15)),
    (4, dt.time(11, 35), dt.time(12, 20)),
    (5, dt.time(12, 30), dt.time(13, 15)),
    (6, dt.time(13, 25), dt.time(14, 10)),
    (7, dt.time(14, 20), dt.time(15, 5)),
)
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


def bundle_import(
    *,
    files: Mapping[str, bytes],
    school: School | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import ``files`` (name → bytes) into ``school``, or into a new school when None. The caller
    has checked who may do it (``bundle_import_for_school`` for a page; the command is the
    operator's)."""

    def known(file: str) -> Iterable[str]:
        if school is None:
            return ()
        return SourcedId.objects.filter(school=school, kind=KIND_OF_FILE[file]).values_list(
            "sourced_id", flat=True
        )

    bundle, report = parse(files, known)
    if report.refused:
        return ImportResult(report.only_errors(), school, dry_run)
    importer = _Importer(bundle, report, school, progress)
    try:
        with transaction.atomic():
            importer.run()
            if dry_run:
                transaction.set_rollback(True)
    except Refused as refused:
        return ImportResult(refused.report.only_errors(), school, dry_run)
    return ImportResult(
        importer.final_report(), None if dry_run and school is None else importer.school, dry_run
    )


@dataclass
class _Outcome:
    sourced_id: str
    outcome: str = UNCHANGED
    message: str = ""
    column: str = ""


@dataclass
class _Importer:
    bundle: Bundle
    parse_report: Report
    school: School | None
    progress: Progress | None
    ids: dict[tuple[str, str], SourcedId] = field(default_factory=dict)
    outcomes: dict[tuple[str, int], _Outcome] = field(default_factory=dict)
    errors: Report = field(default_factory=Report)
    org: str = ""
    done: int = 0
    total: int = 0
    building: Building | None = None
    years: dict[str, AcademicYear] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    roles: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    class_groups: dict[str, ClassGroup] = field(default_factory=dict)
    # What the import made up for what OneRoster does not carry, said at the top of the report.
    defaults: list[str] = field(default_factory=list)

    # --- bookkeeping ---------------------------------------------------------------------------

    def note(self, row: Row, outcome: str, message: str = "", column: str = "") -> None:
        key = (row.file, row.number)
        current = self.outcomes.get(key)
        if current is None:
            self.outcomes[key] = _Outcome(row.sourced_id, outcome, message, column)
            return
        if outcome in (SKIPPED, DELETED) or RANK.get(outcome, 0) > RANK.get(current.outcome, 0):
            current.outcome = outcome
        if message:
            current.message = f"{current.message} {message}".strip()
            current.column = current.column or column

    def changed(self, row: Row, created: bool, updated: bool, message: str = "") -> None:
        self.note(row, CREATED if created else UPDATED if updated else UNCHANGED, message)

    def error(self, row: Row, column: str, message: str) -> None:
        self.errors.error(row.file, row.number, column, message, sourced_id=row.sourced_id)

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None and (self.done % 25 == 0 or self.done == self.total):
            self.progress(self.done, self.total)

    def final_report(self) -> Report:
        report = Report([entry for entry in self.parse_report.entries if entry.row == 0])
        for message in self.defaults:
            report.add("", 0, CREATED, message=message)
        order = {file: index for index, file in enumerate(FILE_ORDER)}
        for (file, number), outcome in sorted(
            self.outcomes.items(), key=lambda item: (order.get(item[0][0], 99), item[0][1])
        ):
            report.add(
                file,
                number,
                outcome.outcome,
                sourced_id=outcome.sourced_id,
                column=outcome.column,
                message=outcome.message,
            )
        return report

    # --- the mapping of sourcedIds -----------------------------------------------------------------

    def mapped(self, kind: str, sid: str, target: str | None = None) -> SourcedId | None:
        mapping = self.ids.get((kind, sid))
        if mapping is None or (target is not None and mapping.target != target):
            return None
        return mapping

    def remember(self, row: Row, kind: str, target: str, object_id: int | None) -> bool:
        """Keep the row's sourcedId → the Parta row; True when that wrote anything."""
        assert self.school is not None
        fields = kept_fields(row)
        mapping = self.ids.get((kind, row.sourced_id))
        if mapping is None:
            self.ids[(kind, row.sourced_id)] = SourcedId.objects.create(
                school=self.school,
                kind=kind,
                sourced_id=row.sourced_id,
                target=target,
                object_id=object_id,
                fields=fields,
            )
            return True
        if (mapping.target, mapping.object_id, mapping.fields) == (target, object_id, fields):
            return False
        mapping.target, mapping.object_id, mapping.fields = target, object_id, fields
        mapping.save(update_fields=["target", "object_id", "fields", "updated_at"])
        return True

    def forget(self, kind: str, sid: str) -> None:
        mapping = self.ids.pop((kind, sid), None)
        if mapping is not None:
            mapping.delete()

    @staticmethod
    def save_changes(instance: Model, values: Mapping[str, Any]) -> bool:
        changed = [name for name, value in values.items() if getattr(instance, name) != value]
        for name in changed:
            setattr(instance, name, values[name])
        if changed:
            instance.save(update_fields=changed)
        return bool(changed)

    # --- the run ---------------------------------------------------------------------------

    def run(self) -> None:
        bundle = self.bundle
        self.total = sum(len(rows) for rows in bundle.rows.values())
        self.resolve_school()
        self.check_parta_rules()
        if self.errors.refused:
            raise Refused(self.errors)
        self.delete_rows()
        self.import_orgs()
        self.import_sessions()
        self.collect_roles()
        self.import_users()
        self.import_demographics()
        self.import_homerooms()
        self.import_homeroom_enrollments()
        self.import_scheduled()
        self.import_guardianships()
        self.import_courses_left()
        if self.errors.refused:
            raise Refused(self.errors)
        if not Bell.objects.filter(school=self.school).exists():
            Bell.objects.bulk_create(
                Bell(school=self.school, number=number, starts_at=start, ends_at=end)
                for number, start, end in DEFAULT_BELLS
            )
            self.defaults.append(_("Bells: seven lessons from 8:30; change them in the back office."))
        # Every row is in the report: one no step took up depends on something skipped.
        for rows in self.bundle.rows.values():
            for row in rows:
                if (row.file, row.number) not in self.outcomes:
                    self.note(row, SKIPPED, _("Not imported: what it refers to was skipped."))

    def active(self, file: str) -> list[Row]:
        return [row for row in self.bundle.of(file) if not row.deleted]

    # --- the school ------------------------------------------------------------------------

    def resolve_school(self) -> None:
        schools = [row for row in self.active(b.ORGS) if row["type"] == "school"]
        if len(schools) > 1:
            self.error(
                schools[1],
                "type",
                _("The bundle holds %(count)d schools; a bundle is imported into one school.")
                % {"count": len(schools)},
            )
            raise Refused(self.errors)
        if self.school is not None:
            self.ids = {
                (mapping.kind, mapping.sourced_id): mapping
                for mapping in SourcedId.objects.filter(school=self.school)
            }
            ours = [
                m.sourced_id for m in self.ids.values() if m.kind == Kind.ORG and m.target == Target.SCHOOL
            ]
            if schools and ours and schools[0].sourced_id not in ours:
                self.error(
                    schools[0],
                    "sourcedId",
                    _("This school was imported from the org %(org)s; this bundle is of another school.")
                    % {"org": ours[0]},
                )
                raise Refused(self.errors)
            if schools:
                self.org = schools[0].sourced_id
            elif ours:
                self.org = ours[0]
            else:
                self.errors.error(b.ORGS, 0, "type", _("The bundle has no org of type school."))
                raise Refused(self.errors)
            return
        if not schools:
            self.errors.error(b.ORGS, 0, "type", _("The bundle has no org of type school."))
            raise Refused(self.errors)
        row = schools[0]
        self.org = row.sourced_id
        orgs = self.bundle.by_id(b.ORGS)
        parent = orgs.get(row["parentSourcedId"])
        top = parent
        while top is not None and top["parentSourcedId"] in orgs and top["parentSourcedId"] != top.sourced_id:
            top = orgs[top["parentSourcedId"]]
        city = City.objects.order_by("pk").first()
        if city is None:
            city = City.objects.create(
                name=(top["name"] if top is not None and top is not parent else row["name"])[:200]
            )
        district_name = (parent["name"] if parent is not None else row["name"])[:200]
        district = District.objects.filter(city=city, name=district_name).order_by("pk").first()
        district = district or District.objects.create(city=city, name=district_name)
        self.school = School.objects.create(
            city=city, district=district, name=row["name"][:300], short_name=row["name"][:100]
        )

    def check_parta_rules(self) -> None:
        """What Parta needs beyond the binding, checked before anything is written."""
        for row in self.active(b.USERS):
            for column in ("givenName", "familyName", "middleName"):
                if len(row[column]) > NAME_LIMIT:
                    self.error(row, column, _("Use at most %(max)d characters.") % {"max": NAME_LIMIT})
        for row in self.active(b.SESSIONS):
            start, end = parse_date(row["startDate"]), parse_date(row["endDate"])
            if start and end and end <= start and self.session_is_year(row):
                self.error(row, "endDate", _("A school year must end after it starts."))

    # --- deletions (delta files) -------------------------------------------------------------

    def delete_rows(self) -> None:
        for file in (
            b.ENROLLMENTS,
            b.CLASSES,
            b.ROLES,
            b.USERS,
            b.DEMOGRAPHICS,
            b.COURSES,
            b.SESSIONS,
            b.ORGS,
        ):
            for row in self.bundle.of(file):
                if not row.deleted:
                    continue
                self.tick()
                kind = KIND_OF_FILE[file]
                mapping = self.mapped(kind, row.sourced_id)
                if mapping is None:
                    self.note(row, SKIPPED, _("Nothing to delete: this sourcedId was never imported."))
                    continue
                reason = getattr(self, f"delete_{kind}")(mapping)
                if reason:
                    self.note(row, SKIPPED, reason)
                else:
                    self.forget(kind, row.sourced_id)
                    self.note(row, DELETED)

    def delete_enrollment(self, mapping: SourcedId) -> str:  # noqa: PLR0911 — one answer per case
        assert self.school is not None
        fields = mapping.fields
        klass = self.mapped(Kind.CLASS, fields.get("classSourcedId", ""))
        person = self.mapped(Kind.USER, fields.get("userSourcedId", ""), Target.USER)
        if klass is None or person is None or klass.object_id is None:
            return ""
        role = fields.get("role")
        if klass.target == Target.CLASS_GROUP:
            if role == "student":
                Enrolment.objects.filter(class_group_id=klass.object_id, student_id=person.object_id).delete()
            elif role == "teacher":
                ClassGroup.objects.filter(pk=klass.object_id, class_teacher_id=person.object_id).update(
                    class_teacher=None
                )
            return ""
        if klass.target == Target.ASSIGNMENT:
            assignment = TeachingAssignment.objects.filter(pk=klass.object_id).first()
            if assignment is None:
                return ""
            if role == "teacher":
                return _("A teaching assignment needs a teacher: enrol the new teacher instead.")
            if role == "student" and assignment.subgroup_id:
                SubgroupMembership.objects.filter(
                    subgroup_id=assignment.subgroup_id, student_id=person.object_id
                ).delete()
                return ""
            if role == "student":
                return _("The whole class group is taught together: move the student to another class group.")
        return ""

    def delete_class(self, mapping: SourcedId) -> str:
        if mapping.target == Target.CLASS_GROUP:
            if Lesson.objects.filter(assignment__class_group_id=mapping.object_id).exists():
                return _("The class group has lessons; Parta keeps it.")
            ClassGroup.objects.filter(pk=mapping.row_id).delete()
        elif mapping.target == Target.ASSIGNMENT:
            if Lesson.objects.filter(assignment_id=mapping.object_id).exists():
                return _("The teaching assignment has lessons; Parta keeps it.")
            TeachingAssignment.objects.filter(pk=mapping.row_id).delete()
        return ""

    def delete_role(self, mapping: SourcedId) -> str:
        role = b.PARTA_ROLE.get(mapping.fields.get("role", ""))
        staff = {"admin": StaffMembership.Role.ADMIN, "teacher": StaffMembership.Role.TEACHER}.get(role or "")
        if staff is None:
            return ""
        if (
            staff == StaffMembership.Role.TEACHER
            and TeachingAssignment.objects.filter(school=self.school, teacher_id=mapping.object_id).exists()
        ):
            return _("The teacher still has teaching assignments; Parta keeps the teacher.")
        StaffMembership.objects.filter(school=self.school, user_id=mapping.row_id, role=staff).delete()
        return ""

    def delete_user(self, mapping: SourcedId) -> str:
        assert self.school is not None
        user_id = mapping.row_id
        if TeachingAssignment.objects.filter(school=self.school, teacher_id=user_id).exists():
            return _("The teacher still has teaching assignments; Parta keeps the teacher.")
        StaffMembership.objects.filter(school=self.school, user_id=user_id).delete()
        Enrolment.objects.filter(school=self.school, student_id=user_id).delete()
        students = Enrolment.objects.filter(school=self.school).values("student_id")
        Guardianship.objects.filter(guardian_id=user_id, student_id__in=students).delete()
        ClassGroup.objects.filter(school=self.school, class_teacher_id=user_id).update(class_teacher=None)
        # The account stays: marks and messages name it; it only leaves this school.
        return ""

    def delete_demographic(self, mapping: SourcedId) -> str:
        return ""

    def delete_course(self, mapping: SourcedId) -> str:
        return ""

    def delete_session(self, mapping: SourcedId) -> str:
        if mapping.target:
            return _("Parta keeps academic years and study periods; change them on the school's pages.")
        return ""

    def delete_org(self, mapping: SourcedId) -> str:
        if mapping.target == Target.SCHOOL:
            return _("An import does not delete a school.")
        return ""

    # --- orgs ----------------------------------------------------------------------------------

    def import_orgs(self) -> None:
        assert self.school is not None
        for row in self.active(b.ORGS):
            self.tick()
            if row.sourced_id == self.org:
                updated = self.save_changes(self.school, {"name": row["name"][:300]})
                created = self.mapped(Kind.ORG, row.sourced_id) is None
                mapped = self.remember(row, Kind.ORG, Target.SCHOOL, self.school.pk)
                self.changed(row, created, updated or mapped)
            elif row["type"] == "school":
                self.note(row, SKIPPED, _("Another school: import its own bundle into it."))
            else:
                created = self.mapped(Kind.ORG, row.sourced_id) is None
                self.changed(row, created, self.remember(row, Kind.ORG, Target.NONE, None))

    # --- academic sessions ---------------------------------------------------------------------

    def session_is_year(self, row: Row) -> bool:
        if row["type"] == "schoolYear":
            return True
        parent = row["parentSourcedId"]
        return not parent or (
            parent not in self.bundle.by_id(b.SESSIONS) and self.mapped(Kind.SESSION, parent) is None
        )

    def year_of_session(self, sid: str, depth: int = 0) -> AcademicYear | None:
        if sid in self.years:
            return self.years[sid]
        rows = self.bundle.by_id(b.SESSIONS)
        row = rows.get(sid)
        if row is not None and not row.deleted and depth < 10:
            return (
                None if self.session_is_year(row) else self.year_of_session(row["parentSourcedId"], depth + 1)
            )
        mapping = self.mapped(Kind.SESSION, sid)
        if mapping is None or mapping.object_id is None:
            return None
        if mapping.target == Target.YEAR:
            year = AcademicYear.objects.filter(pk=mapping.row_id, school=self.school).first()
        elif mapping.target == Target.PERIOD:
            year = AcademicYear.objects.filter(periods__pk=mapping.row_id, school=self.school).first()
        else:
            year = None
        if year is not None:
            self.years[sid] = year
        return year

    def import_sessions(self) -> None:
        assert self.school is not None
        rows = self.active(b.SESSIONS)
        for row in rows:
            if not self.session_is_year(row):
                continue
            self.tick()
            values: dict[str, Any] = {
                "name": row["title"][:20],
                "starts_on": parse_date(row["startDate"]),
                "ends_on": parse_date(row["endDate"]),
            }
            mapping = self.mapped(Kind.SESSION, row.sourced_id, Target.YEAR)
            year = AcademicYear.objects.filter(pk=mapping.row_id).first() if mapping else None
            if year is None:
                year = AcademicYear.objects.filter(
                    school=self.school, starts_on=values["starts_on"] or ""
                ).first()
            created = year is None
            if year is None:
                year = AcademicYear.objects.create(school=self.school, **values)
                updated = False
            else:
                updated = self.save_changes(year, values)
            self.years[row.sourced_id] = year
            mapped = self.remember(row, Kind.SESSION, Target.YEAR, year.pk)
            self.changed(row, created, updated or mapped)
        # The periods of each year, numbered by their start within their kind.
        kinds: dict[str, str] = {}
        by_year: dict[int, list[Row]] = defaultdict(list)
        for row in rows:
            if self.session_is_year(row):
                continue
            year = self.year_of_session(row["parentSourcedId"])
            if year is None:
                self.error(row, "parentSourcedId", _("This session belongs to no school year."))
                continue
            by_year[year.pk].append(row)
        for year_rows in by_year.values():
            terms = [row for row in year_rows if row["type"] != "semester"]
            term_kind = {3: StudyPeriod.Kind.TRIMESTER, 2: StudyPeriod.Kind.SEMESTER}.get(
                len(terms), StudyPeriod.Kind.QUARTER
            )
            for row in year_rows:
                kinds[row.sourced_id] = StudyPeriod.Kind.SEMESTER if row["type"] == "semester" else term_kind
        for year_id, year_rows in by_year.items():
            mine = {row.sourced_id for row in year_rows}
            others = [
                (period.kind, period.starts_on)
                for period in StudyPeriod.objects.filter(year_id=year_id)
                if not any(
                    m.object_id == period.pk and m.target == Target.PERIOD and sid in mine
                    for (kind, sid), m in self.ids.items()
                    if kind == Kind.SESSION
                )
            ]
            for row in sorted(year_rows, key=lambda r: (r["startDate"], r.sourced_id)):
                self.tick()
                kind = kinds[row.sourced_id]
                start = parse_date(row["startDate"])
                assert start is not None
                number = (
                    1
                    + sum(
                        1
                        for other in year_rows
                        if kinds[other.sourced_id] == kind
                        and (other["startDate"], other.sourced_id) < (row["startDate"], row.sourced_id)
                    )
                    + sum(
                        1 for other_kind, other_start in others if other_kind == kind and other_start < start
                    )
                )
                values = {
                    "year_id": year_id,
                    "kind": kind,
                    "number": number,
                    "starts_on": start,
                    "ends_on": parse_date(row["endDate"]),
                }
                mapping = self.mapped(Kind.SESSION, row.sourced_id, Target.PERIOD)
                period = StudyPeriod.objects.filter(pk=mapping.row_id).first() if mapping else None
                if period is None:
                    period = StudyPeriod.objects.filter(year_id=year_id, kind=kind, number=number).first()
                    if period is not None and any(
                        m.target == Target.PERIOD and m.object_id == period.pk for m in self.ids.values()
                    ):
                        period = None
                created = period is None
                if period is None:
                    period = StudyPeriod.objects.create(school=self.school, **values)
                    updated = False
                else:
                    updated = self.save_changes(period, values)
                mapped = self.remember(row, Kind.SESSION, Target.PERIOD, period.pk)
                self.changed(row, created, updated or mapped)

    # --- users and their roles -----------------------------------------------------------------

    def collect_roles(self) -> None:
        """Each user's roles in this school, from roles.csv (1.2) or users.csv (1.1); what Parta
        has no use for is reported on its row and skipped."""
        if self.bundle.version == "1.1":
            for row in self.active(b.USERS):
                role = b.PARTA_ROLE.get(row["role"])
                if self.org not in row.list("orgSourcedIds"):
                    continue
                if role is None:
                    self.note(
                        row,
                        SKIPPED,
                        _("Parta has no use for the role %(role)s.") % {"role": row["role"]},
                        "role",
                    )
                else:
                    self.roles[row.sourced_id].add(role)
        # (A 1.1 bundle has no roles.csv: this loop is empty then.)
        for row in self.active(b.ROLES):
            role = b.PARTA_ROLE.get(row["role"])
            if row["orgSourcedId"] != self.org:
                self.tick()
                self.note(row, SKIPPED, _("A role at another org."), "orgSourcedId")
            elif role is None:
                self.tick()
                self.note(
                    row, SKIPPED, _("Parta has no use for the role %(role)s.") % {"role": row["role"]}, "role"
                )
            else:
                self.roles[row["userSourcedId"]].add(role)
        # A teacher or a student enrolled in one of the school's classes is one, whatever roles.csv says.
        classes = self.bundle.by_id(b.CLASSES)
        for row in self.active(b.ENROLLMENTS):
            if row["role"] in ("student", "teacher") and (
                row["classSourcedId"] in classes or self.mapped(Kind.CLASS, row["classSourcedId"])
            ):
                self.roles[row["userSourcedId"]].add(row["role"])

    def user_for(self, sid: str) -> User | None:
        if sid in self.users:
            return self.users[sid]
        mapping = self.mapped(Kind.USER, sid, Target.USER)
        user = User.objects.filter(pk=mapping.row_id).first() if mapping else None
        if user is not None:
            self.users[sid] = user
        return user

    def login_for(self, row: Row) -> tuple[str, str]:
        wanted = row["username"] or row["email"].split("@")[0] or row.sourced_id
        base = re.sub(r"[^\w.@+-]", "", wanted)[:140] or "user"
        login, number = base, 1
        while User.objects.filter(username=login).exists():
            number += 1
            login = f"{base}-{number}"
        message = (
            ""
            if login == wanted
            else _("The login %(wanted)s was taken or not allowed; the login is %(login)s.")
            % {"wanted": wanted, "login": login}
        )
        return login, message

    def import_users(self) -> None:
        assert self.school is not None
        for row in self.active(b.USERS):
            self.tick()
            roles = self.roles.get(row.sourced_id, set())
            mapping = self.mapped(Kind.USER, row.sourced_id, Target.USER)
            if not roles and mapping is None:
                if (row.file, row.number) not in self.outcomes:
                    self.note(row, SKIPPED, _("The user has no role at this school that Parta uses."))
                continue
            values = {
                "first_name": row["givenName"],
                "last_name": row["familyName"],
                "middle_name": row["middleName"],
                "email": row["email"][:254],
                "is_active": row["enabledUser"].lower() != "false",
            }
            user = self.user_for(row.sourced_id)
            message = ""
            if user is None:
                login, message = self.login_for(row)
                user = User(username=login, **values)
                # No password: the person sets one from an invitation (docs/user-guide.md).
                user.set_unusable_password()
                user.save()
                self.users[row.sourced_id] = user
                created, updated = True, False
            else:
                created, updated = False, self.save_changes(user, values)
            mapped = self.remember(row, Kind.USER, Target.USER, user.pk)
            staff = False
            for role, staff_role in (
                ("admin", StaffMembership.Role.ADMIN),
                ("teacher", StaffMembership.Role.TEACHER),
            ):
                if role in roles:
                    _membership, made = StaffMembership.objects.get_or_create(
                        school=self.school, user=user, role=staff_role
                    )
                    staff = staff or made
            self.changed(row, created, updated or mapped or staff, message)
        if self.bundle.version == "1.2":
            for row in self.active(b.ROLES):
                if (row.file, row.number) in self.outcomes:
                    continue
                self.tick()
                user = self.user_for(row["userSourcedId"])
                created = self.mapped(Kind.ROLE, row.sourced_id) is None
                self.changed(
                    row, created, self.remember(row, Kind.ROLE, Target.USER, user.pk if user else None)
                )

    def import_demographics(self) -> None:
        for row in self.active(b.DEMOGRAPHICS):
            self.tick()
            user = self.user_for(row.sourced_id)
            created = self.mapped(Kind.DEMOGRAPHIC, row.sourced_id) is None
            self.changed(
                row, created, self.remember(row, Kind.DEMOGRAPHIC, Target.USER, user.pk if user else None)
            )

    # --- classes -----------------------------------------------------------------------------

    def class_year(self, row: Row) -> AcademicYear | None:
        for sid in row.list("termSourcedIds"):
            year = self.year_of_session(sid)
            if year is not None:
                return year
        self.error(row, "termSourcedIds", _("None of these sessions is in a school year."))
        return None

    def default_building(self) -> Building:
        assert self.school is not None
        if self.building is None:
            self.building = Building.objects.filter(school=self.school).order_by("pk").first()
        if self.building is None:
            self.building = Building.objects.create(school=self.school, name=_("Main building"), address="")
            self.defaults.append(
                _("A building named “Main building” for the class groups; rename it in the back office.")
            )
        return self.building

    def import_homerooms(self) -> None:
        assert self.school is not None
        taken: dict[tuple[int, int], set[str]] = defaultdict(set)
        for existing in ClassGroup.objects.filter(school=self.school).values("year_id", "grade", "letter"):
            taken[(existing["year_id"], existing["grade"])].add(existing["letter"])
        for row in self.active(b.CLASSES):
            if row["classType"] != "homeroom":
                continue
            self.tick()
            if row["schoolSourcedId"] != self.org:
                self.note(row, SKIPPED, _("A class of another school."), "schoolSourcedId")
                continue
            year = self.class_year(row)
            grade, letter = grade_and_letter(row["title"], row.list("grades"))
            if year is None:
                continue
            if grade is None:
                self.error(
                    row, "grades", _("A homeroom class needs a grade from 1 to 11 in grades or in its title.")
                )
                continue
            mapping = self.mapped(Kind.CLASS, row.sourced_id, Target.CLASS_GROUP)
            group: ClassGroup | None = (
                ClassGroup.objects.filter(pk=mapping.row_id).first() if mapping else None
            )
            message = ""
            if not letter:
                if group is not None and group.grade == grade:
                    letter = group.letter
                else:
                    letter = next(item for item in LETTERS if item not in taken[(year.pk, grade)])
                    message = _("Its title gives no letter; it is %(name)s.") % {"name": f"{grade}{letter}"}
            if group is None:
                group = ClassGroup.objects.filter(year=year, grade=grade, letter=letter).first()
                if group is not None and any(
                    m.target == Target.CLASS_GROUP and m.object_id == group.pk for m in self.ids.values()
                ):
                    self.error(
                        row,
                        "title",
                        _("Class group %(name)s already exists this year.") % {"name": f"{grade}{letter}"},
                    )
                    continue
            created = group is None
            if group is None:
                group = ClassGroup.objects.create(
                    school=self.school,
                    year=year,
                    grade=grade,
                    letter=letter,
                    building=self.default_building(),
                )
                updated = False
            else:
                updated = self.save_changes(group, {"year_id": year.pk, "grade": grade, "letter": letter})
            taken[(year.pk, grade)].add(letter)
            self.class_groups[row.sourced_id] = group
            mapped = self.remember(row, Kind.CLASS, Target.CLASS_GROUP, group.pk)
            self.changed(row, created, updated or mapped, message)

    def enrollments_by_class(self) -> dict[str, list[Row]]:
        result: dict[str, list[Row]] = defaultdict(list)
        for row in self.active(b.ENROLLMENTS):
            result[row["classSourcedId"]].append(row)
        return result

    def group_for_class(self, sid: str) -> ClassGroup | None:
        if sid in self.class_groups:
            return self.class_groups[sid]
        mapping = self.mapped(Kind.CLASS, sid, Target.CLASS_GROUP)
        group = ClassGroup.objects.filter(pk=mapping.row_id).first() if mapping else None
        if group is not None:
            self.class_groups[sid] = group
        return group

    def enrollment_row(self, row: Row, created: bool, updated: bool = False, message: str = "") -> None:
        # An enrollment is a link: the first time its sourcedId is met, it is created.
        was_new = self.mapped(Kind.ENROLLMENT, row.sourced_id) is None
        mapped = self.remember(row, Kind.ENROLLMENT, Target.NONE, None)
        self.changed(row, created or was_new, updated or mapped, message)

    @staticmethod
    def teachers_first(rows: list[Row]) -> list[Row]:
        return sorted(
            (row for row in rows if row["role"] == "teacher"),
            key=lambda row: (row["primary"].lower() != "true", row.sourced_id),
        )

    def import_homeroom_enrollments(self) -> None:
        assert self.school is not None
        seen: dict[tuple[int, int], Row] = {}
        for sid, rows in self.enrollments_by_class().items():
            group = self.group_for_class(sid)
            if group is None:
                continue
            for row in rows:
                if row["role"] not in ("student", "teacher"):
                    self.tick()
                    self.note(
                        row,
                        SKIPPED,
                        _("Parta has no use for the role %(role)s in a class.") % {"role": row["role"]},
                        "role",
                    )
            teachers = self.teachers_first(rows)
            for index, row in enumerate(teachers):
                self.tick()
                user = self.user_for(row["userSourcedId"])
                if user is None:
                    self.note(row, SKIPPED, _("The user was not imported."), "userSourcedId")
                elif index == 0:
                    updated = self.save_changes(group, {"class_teacher_id": user.pk})
                    self.enrollment_row(row, False, updated)
                else:
                    self.enrollment_row(
                        row,
                        False,
                        False,
                        _("A class group has one class teacher: %(name)s.")
                        % {"name": teachers[0]["userSourcedId"]},
                    )
            for row in rows:
                if row["role"] != "student":
                    continue
                self.tick()
                user = self.user_for(row["userSourcedId"])
                if user is None:
                    self.note(row, SKIPPED, _("The user was not imported."), "userSourcedId")
                    continue
                earlier = seen.get((group.year_id, user.pk))
                if earlier is not None:
                    self.error(
                        row,
                        "classSourcedId",
                        _("The student is already in a homeroom class this year (row %(row)d).")
                        % {"row": earlier.number},
                    )
                    continue
                seen[(group.year_id, user.pk)] = row
                enrolment = Enrolment.objects.filter(year_id=group.year_id, student=user).first()
                if enrolment is None:
                    Enrolment.objects.create(
                        school=self.school, year_id=group.year_id, class_group=group, student=user
                    )
                    self.enrollment_row(row, True)
                elif enrolment.class_group_id != group.pk:
                    if enrolment.school_id != self.school.pk:
                        self.error(
                            row, "userSourcedId", _("The student is enrolled in another school this year.")
                        )
                        continue
                    self.save_changes(enrolment, {"class_group_id": group.pk})
                    self.enrollment_row(row, False, True)
                else:
                    self.enrollment_row(row, False)

    # --- scheduled classes: teaching assignments ---------------------------------------------

    def subject_for(self, course_sid: str) -> Subject | None:
        mapping = self.mapped(Kind.COURSE, course_sid, Target.SUBJECT)
        if mapping is not None:
            subject = Subject.objects.filter(pk=mapping.row_id).first()
            if subject is not None:
                return subject
        course = self.bundle.by_id(b.COURSES).get(course_sid)
        if course is None:
            return None
        code, title = course["courseCode"], course["title"]
        subject = (
            (Subject.objects.filter(code=code).first() if code else None)
            or (Subject.objects.filter(code=slugify(code)).first() if slugify(code) else None)
            or Subject.objects.filter(name_ru__iexact=title).first()
            or Subject.objects.filter(name_en__iexact=title).first()
        )
        for name in course.list("subjects"):
            subject = (
                subject
                or Subject.objects.filter(name_ru__iexact=name).first()
                or Subject.objects.filter(name_en__iexact=name).first()
            )
        if subject is None:
            base = (slugify(code) or slugify(title) or "course")[:36]
            new_code, number = base, 1
            while Subject.objects.filter(code=new_code).exists():
                number += 1
                new_code = f"{base}-{number}"
            subject = Subject.objects.create(code=new_code, name_ru=title[:200], name_en=title[:200])
        created = self.mapped(Kind.COURSE, course_sid) is None
        self.tick()
        self.changed(course, created, self.remember(course, Kind.COURSE, Target.SUBJECT, subject.pk))
        return subject

    def import_scheduled(self) -> None:
        assert self.school is not None
        enrollments = self.enrollments_by_class()
        for row in sorted(self.active(b.CLASSES), key=lambda r: r.sourced_id):
            if row["classType"] != "scheduled":
                continue
            self.tick()
            if row["schoolSourcedId"] != self.org:
                self.note(row, SKIPPED, _("A class of another school."), "schoolSourcedId")
                continue
            year = self.class_year(row)
            subject = self.subject_for(row["courseSourcedId"])
            if year is None or subject is None:
                continue
            rows = enrollments.get(row.sourced_id, [])
            for other in rows:
                if other["role"] not in ("student", "teacher"):
                    self.tick()
                    self.note(
                        other,
                        SKIPPED,
                        _("Parta has no use for the role %(role)s in a class.") % {"role": other["role"]},
                        "role",
                    )
            teachers = [
                (r, user)
                for r in self.teachers_first(rows)
                if (user := self.user_for(r["userSourcedId"])) is not None
            ]
            students = {
                user.pk: r
                for r in rows
                if r["role"] == "student" and (user := self.user_for(r["userSourcedId"])) is not None
            }
            if not teachers:
                self.note(row, SKIPPED, _("No teacher is enrolled: a teaching assignment needs one."))
                self.skip_enrollments(rows)
                continue
            groups = Counter(
                Enrolment.objects.filter(year=year, student_id__in=students, school=self.school).values_list(
                    "class_group_id", flat=True
                )
            )
            if not groups:
                self.note(
                    row,
                    SKIPPED,
                    _(
                        "None of its students is in a class group: OneRoster does not say "
                        "which class group it teaches."
                    ),
                )
                self.skip_enrollments(rows)
                continue
            top = max(groups.values())
            group = ClassGroup.objects.get(pk=min(pk for pk, count in groups.items() if count == top))
            group_students = set(
                Enrolment.objects.filter(class_group=group).values_list("student_id", flat=True)
            )
            members = set(students) & group_students
            teacher_row, teacher = teachers[0]
            message = ""
            if len(groups) > 1:
                message = _("Its students are in several class groups; it is kept with %(name)s.") % {
                    "name": group.name
                }
            mapping = self.mapped(Kind.CLASS, row.sourced_id, Target.ASSIGNMENT)
            assignment = (
                TeachingAssignment.objects.filter(pk=mapping.row_id).select_related("subgroup").first()
                if mapping
                else None
            )
            whole = members == group_students
            created = assignment is None
            updated = False
            if assignment is None:
                if whole:
                    assignment = TeachingAssignment.objects.filter(
                        class_group=group, subject=subject, subgroup__isnull=True
                    ).first()
                    if assignment is not None and any(
                        m.target == Target.ASSIGNMENT and m.object_id == assignment.pk
                        for m in self.ids.values()
                    ):
                        self.note(
                            row,
                            SKIPPED,
                            _("%(group)s already has a class of this subject.") % {"group": group.name},
                        )
                        self.skip_enrollments(rows)
                        continue
                    created = assignment is None
                subgroup = None if whole else self.new_subgroup(group, subject)
                if assignment is None:
                    assignment = TeachingAssignment.objects.create(
                        school=self.school,
                        year=year,
                        class_group=group,
                        subgroup=subgroup,
                        subject=subject,
                        teacher=teacher,
                        hours_per_week=DEFAULT_HOURS_PER_WEEK,
                    )
                else:
                    updated = self.save_changes(assignment, {"teacher_id": teacher.pk})
            else:
                subgroup = assignment.subgroup
                if whole and subgroup is not None:
                    subgroup = None
                elif not whole and (
                    subgroup is None
                    or subgroup.class_group_id != group.pk
                    or subgroup.subject_id != subject.pk
                ):
                    subgroup = self.new_subgroup(group, subject)
                updated = self.save_changes(
                    assignment,
                    {
                        "class_group_id": group.pk,
                        "subject_id": subject.pk,
                        "teacher_id": teacher.pk,
                        "subgroup_id": subgroup.pk if subgroup else None,
                        "year_id": year.pk,
                    },
                )
            if subgroup is not None:
                existing = set(
                    SubgroupMembership.objects.filter(subgroup=subgroup).values_list("student_id", flat=True)
                )
                SubgroupMembership.objects.filter(subgroup=subgroup).exclude(student_id__in=members).delete()
                SubgroupMembership.objects.bulk_create(
                    [
                        SubgroupMembership(school=self.school, subgroup=subgroup, student_id=pk)
                        for pk in sorted(members - existing)
                    ]
                )
                updated = updated or existing != members
            mapped = self.remember(row, Kind.CLASS, Target.ASSIGNMENT, assignment.pk)
            self.changed(row, created, updated or mapped, message)
            for index, (r, _user) in enumerate(teachers):
                self.tick()
                note = (
                    ""
                    if index == 0
                    else _("A teaching assignment has one teacher: %(name)s.")
                    % {"name": teacher_row["userSourcedId"]}
                )
                self.enrollment_row(r, False, False, note)
            for pk, r in students.items():
                self.tick()
                note = "" if pk in members else _("The student is not in %(name)s.") % {"name": group.name}
                self.enrollment_row(r, False, False, note)

    def skip_enrollments(self, rows: list[Row]) -> None:
        for row in rows:
            if (row.file, row.number) not in self.outcomes:
                self.tick()
                self.note(row, SKIPPED, _("Its class was not imported."), "classSourcedId")

    def new_subgroup(self, group: ClassGroup, subject: Subject) -> Subgroup:
        assert self.school is not None
        numbers = Subgroup.objects.filter(class_group=group, subject=subject).values_list("number", flat=True)
        return Subgroup.objects.create(
            school=self.school, class_group=group, subject=subject, number=max(numbers, default=0) + 1
        )

    # --- families --------------------------------------------------------------------------

    def relation(self, sid: str) -> str:
        row = self.bundle.by_id(b.USERS).get(sid)
        role = row["role"] if row is not None and self.bundle.version == "1.1" else ""
        if not role:
            roles = [r["role"] for r in self.active(b.ROLES) if r["userSourcedId"] == sid]
            role = next((r for r in roles if b.PARTA_ROLE.get(r) == "guardian"), "")
        if role == "relative":
            return Guardianship.Relation.GRANDPARENT
        sex = self.bundle.by_id(b.DEMOGRAPHICS).get(sid)
        if role == "parent" and sex is not None:
            return {"female": Guardianship.Relation.MOTHER, "male": Guardianship.Relation.FATHER}.get(
                sex["sex"], Guardianship.Relation.OTHER
            )
        return Guardianship.Relation.OTHER

    def import_guardianships(self) -> None:
        rows = self.bundle.by_id(b.USERS)
        pairs: dict[tuple[str, str], Row] = {}
        for row in self.active(b.USERS):
            for agent in row.list("agentSourcedIds"):
                if "guardian" in self.roles.get(row.sourced_id, ()) and "student" in self.roles.get(
                    agent, ()
                ):
                    pairs.setdefault((row.sourced_id, agent), row)
                elif "student" in self.roles.get(row.sourced_id, ()) and "guardian" in self.roles.get(
                    agent, ()
                ):
                    pairs.setdefault((agent, row.sourced_id), rows.get(agent) or row)
        for (guardian_sid, student_sid), row in sorted(pairs.items()):
            guardian, student = self.user_for(guardian_sid), self.user_for(student_sid)
            if guardian is None or student is None or guardian.pk == student.pk:
                continue
            _link, made = Guardianship.objects.get_or_create(
                guardian=guardian, student=student, defaults={"relation": self.relation(guardian_sid)}
            )
            if made:
                self.note(row, UPDATED)

    def import_courses_left(self) -> None:
        """Courses no scheduled class uses (a homeroom's course): kept for the export only."""
        for row in self.active(b.COURSES):
            if (row.file, row.number) in self.outcomes:
                continue
            self.tick()
            mapping = self.mapped(Kind.COURSE, row.sourced_id)
            created = mapping is None
            target, object_id = (mapping.target, mapping.object_id) if mapping else (Target.NONE, None)
            self.changed(row, created, self.remember(row, Kind.COURSE, target, object_id))
