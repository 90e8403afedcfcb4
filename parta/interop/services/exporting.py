"""Exporting a school as a OneRoster 1.2 bulk bundle.

Each row starts from what the bundle it was imported from said (kept on its ``SourcedId``), and
the columns Parta keeps are written from Parta: names, dates, class groups, who teaches and who
learns what. A Parta row without a sourcedId gets one (a UUID) here and keeps it, so that the
next export, and an import of this one, name it the same. Bulk files leave ``status`` and
``dateLastModified`` empty (the binding allows it), so that two exports of an unchanged school are
the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.accounts.models import Guardianship, User
from parta.interop import binding as b
from parta.interop.models import SourcedId
from parta.interop.services.importing import NOT_KEPT, grade_and_letter
from parta.schools.models import (
    AcademicYear,
    ClassGroup,
    Enrolment,
    School,
    StaffMembership,
    StudyPeriod,
    SubgroupMembership,
    Subject,
    TeachingAssignment,
)

Kind = SourcedId.Kind
Target = SourcedId.Target
HOMEROOM_CODE = "homeroom"
# A fixed time for the zip's entries: the same school gives the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
PARTA_ROLE_ORDER = ("admin", "teacher", "student", "guardian")
DEFAULT_ROLE = {
    "admin": "siteAdministrator",
    "teacher": "teacher",
    "student": "student",
    "guardian": "parent",
}

Rows = list[dict[str, str]]


def bundle_export(*, school: School) -> dict[str, bytes]:
    """The school's bundle: file name → bytes (manifest first)."""
    with transaction.atomic():
        return _Exporter(school).run()


def write_bundle(files: Mapping[str, bytes], out: Path) -> None:
    """Into a folder, or a zip when ``out`` ends with .zip."""
    if out.suffix.lower() == ".zip":
        out.write_bytes(zip_bytes(files))
        return
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def csv_bytes(columns: Iterable[str], rows: Rows) -> bytes:
    columns = tuple(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in sorted(rows, key=lambda row: row["sourcedId"]):
        writer.writerow([row.get(column, "") for column in columns])
    return buffer.getvalue().encode()


class _Exporter:
    def __init__(self, school: School) -> None:
        self.school = school
        self.by_id: dict[tuple[str, str], SourcedId] = {}
        self.by_target: dict[tuple[str, str, int], list[SourcedId]] = defaultdict(list)
        for mapping in SourcedId.objects.filter(school=school).order_by("sourced_id"):
            self.add(mapping)
        self.written: dict[int, SourcedId] = {}

    def add(self, mapping: SourcedId) -> None:
        self.by_id[(mapping.kind, mapping.sourced_id)] = mapping
        if mapping.object_id is not None:
            self.by_target[(mapping.kind, mapping.target, mapping.object_id)].append(mapping)

    def new(
        self, kind: str, target: str, object_id: int | None, fields: dict[str, str] | None = None
    ) -> SourcedId:
        mapping = SourcedId.objects.create(
            school=self.school,
            kind=kind,
            sourced_id=str(uuid.uuid4()),
            target=target,
            object_id=object_id,
            fields=fields or {},
        )
        self.add(mapping)
        return mapping

    def sid_for(self, kind: str, target: str, object_id: int) -> SourcedId:
        found = self.by_target.get((kind, target, object_id))
        return found[0] if found else self.new(kind, target, object_id)

    def row(self, columns: Iterable[str], mapping: SourcedId, owned: Mapping[str, str]) -> dict[str, str]:
        columns = tuple(columns)
        row = dict.fromkeys(columns, "")
        row.update(
            {name: value for name, value in mapping.fields.items() if name in row and isinstance(value, str)}
        )
        row.update(owned)
        row.update(sourcedId=mapping.sourced_id, status="", dateLastModified="", password="")
        # The mapping keeps the row as written, so that importing this bundle back finds it unchanged.
        fields = {**mapping.fields, **{name: value for name, value in row.items() if name not in NOT_KEPT}}
        if fields != mapping.fields:
            mapping.fields = fields
            self.written[mapping.pk] = mapping
        return row

    def kept(self, mapping: SourcedId, name: str, default: str) -> str:
        value = mapping.fields.get(name)
        return value if isinstance(value, str) and value else default

    # --- the files ---------------------------------------------------------------------------

    def run(self) -> dict[str, bytes]:
        columns = b.COLUMNS_12
        self.org = self.export_org_id()
        files = {
            b.ORGS: self.orgs(),
            b.SESSIONS: self.sessions(),
        }
        classes = self.classes_and_memberships()
        files[b.COURSES] = self.courses()
        files[b.CLASSES] = classes
        users, roles = self.users_and_roles()
        files[b.USERS] = users
        files[b.ROLES] = roles
        files[b.ENROLLMENTS] = self.enrollment_rows
        demographics = self.demographics({row["sourcedId"] for row in users})
        if demographics:
            files[b.DEMOGRAPHICS] = demographics
        present = {b.MANIFEST_NAME[name] for name in files}
        manifest = [
            ("manifest.version", "1.0"),
            ("oneroster.version", "1.2"),
            *((f"file.{name}", "bulk" if name in present else "absent") for name in b.MANIFEST_FILES_12),
            ("source.systemName", "Parta"),
            ("source.systemCode", "parta"),
        ]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(b.MANIFEST_COLUMNS)
        writer.writerows(manifest)
        result = {b.MANIFEST: buffer.getvalue().encode()}
        for name in (
            b.ORGS,
            b.SESSIONS,
            b.COURSES,
            b.CLASSES,
            b.USERS,
            b.ROLES,
            b.ENROLLMENTS,
            b.DEMOGRAPHICS,
        ):
            if name in files:
                result[name] = csv_bytes(columns[name], files[name])
        now = timezone.now()
        for mapping in self.written.values():
            mapping.updated_at = now
        SourcedId.objects.bulk_update(list(self.written.values()), ["fields", "updated_at"], batch_size=500)
        return result

    def export_org_id(self) -> str:
        found = self.by_target.get((Kind.ORG, Target.SCHOOL, self.school.pk))
        if found:
            return found[0].sourced_id
        district = self.new(
            Kind.ORG, Target.NONE, None, {"name": self.school.district.name, "type": "district"}
        )
        org = self.new(Kind.ORG, Target.SCHOOL, self.school.pk, {"parentSourcedId": district.sourced_id})
        return org.sourced_id

    def orgs(self) -> Rows:
        columns = b.COLUMNS_12[b.ORGS]
        rows = []
        for (kind, _sid), mapping in self.by_id.items():
            if kind != Kind.ORG:
                continue
            if mapping.target == Target.SCHOOL:
                if mapping.object_id != self.school.pk:
                    continue
                rows.append(self.row(columns, mapping, {"name": self.school.name, "type": "school"}))
            else:
                rows.append(self.row(columns, mapping, {}))
        return rows

    def sessions(self) -> Rows:
        columns = b.COLUMNS_12[b.SESSIONS]
        rows = []
        self.year_ids: dict[int, str] = {}
        years = list(AcademicYear.objects.filter(school=self.school).order_by("starts_on"))
        for year in years:
            mapping = self.sid_for(Kind.SESSION, Target.YEAR, year.pk)
            self.year_ids[year.pk] = mapping.sourced_id
            title = self.kept(mapping, "title", year.name)
            rows.append(
                self.row(
                    columns,
                    mapping,
                    {
                        "title": title if title[:20] == year.name else year.name,
                        "type": self.kept(mapping, "type", "schoolYear"),
                        "startDate": year.starts_on.isoformat(),
                        "endDate": year.ends_on.isoformat(),
                        "schoolYear": self.kept(mapping, "schoolYear", str(year.ends_on.year)),
                    },
                )
            )
        self.period_years: dict[str, int] = {}
        for period in StudyPeriod.objects.filter(school=self.school).order_by(
            "year__starts_on", "kind", "number"
        ):
            mapping = self.sid_for(Kind.SESSION, Target.PERIOD, period.pk)
            self.period_years[mapping.sourced_id] = period.year_id
            parent = self.kept(mapping, "parentSourcedId", self.year_ids[period.year_id])
            rows.append(
                self.row(
                    columns,
                    mapping,
                    {
                        "title": self.kept(mapping, "title", period.name),
                        "type": self.kept(
                            mapping,
                            "type",
                            "semester" if period.kind == StudyPeriod.Kind.SEMESTER else "term",
                        ),
                        "startDate": period.starts_on.isoformat(),
                        "endDate": period.ends_on.isoformat(),
                        "parentSourcedId": parent,
                        "schoolYear": self.kept(mapping, "schoolYear", str(period.year.ends_on.year)),
                    },
                )
            )
        return rows

    def terms(self, mapping: SourcedId, year_id: int) -> str:
        """The class's termSourcedIds as imported while they are still of its year, else the year."""
        kept = [sid.strip() for sid in self.kept(mapping, "termSourcedIds", "").split(",") if sid.strip()]
        years = {self.session_year(sid) for sid in kept}
        return ",".join(kept) if kept and years == {year_id} else self.year_ids[year_id]

    def session_year(self, sid: str) -> int | None:
        mapping = self.by_id.get((Kind.SESSION, sid))
        if mapping is None:
            return None
        if mapping.target == Target.YEAR:
            return mapping.object_id
        return self.period_years.get(sid)

    # --- courses and classes -------------------------------------------------------------------

    def course_of_subject(self, subject: Subject) -> str:
        found = self.by_target.get((Kind.COURSE, Target.SUBJECT, subject.pk))
        if found:
            return found[0].sourced_id
        return self.new(Kind.COURSE, Target.SUBJECT, subject.pk).sourced_id

    def homeroom_course(self) -> str:
        for (kind, sid), mapping in self.by_id.items():
            if (
                kind == Kind.COURSE
                and mapping.target == Target.NONE
                and mapping.fields.get("courseCode") == HOMEROOM_CODE
            ):
                return sid
        return self.new(
            Kind.COURSE, Target.NONE, None, {"title": _("Homeroom"), "courseCode": HOMEROOM_CODE}
        ).sourced_id

    def courses(self) -> Rows:
        columns = b.COLUMNS_12[b.COURSES]
        subjects = Subject.objects.in_bulk(
            [
                m.object_id
                for (kind, _s), m in self.by_id.items()
                if kind == Kind.COURSE and m.target == Target.SUBJECT and m.object_id
            ]
        )
        rows = []
        for (kind, _sid), mapping in self.by_id.items():
            if kind != Kind.COURSE:
                continue
            owned = {"orgSourcedId": self.kept(mapping, "orgSourcedId", self.org)}
            if mapping.target == Target.SUBJECT:
                subject = subjects.get(mapping.object_id or 0)
                if subject is None:
                    continue
                owned["title"] = self.kept(mapping, "title", subject.name_ru)
                owned["courseCode"] = self.kept(mapping, "courseCode", subject.code)
            rows.append(self.row(columns, mapping, owned))
        return rows

    def course_for_class(self, mapping: SourcedId, subject: Subject | None) -> str:
        kept = self.by_id.get((Kind.COURSE, self.kept(mapping, "courseSourcedId", "")))
        if subject is None:
            if kept is not None and kept.target == Target.NONE:
                return kept.sourced_id
            return self.homeroom_course()
        if kept is not None and kept.target == Target.SUBJECT and kept.object_id == subject.pk:
            return kept.sourced_id
        return self.course_of_subject(subject)

    def classes_and_memberships(self) -> Rows:
        columns = b.COLUMNS_12[b.CLASSES]
        classes: Rows = []
        # (class, user, role, primary): the memberships, named by Parta's row ids for now.
        self.memberships: list[tuple[str, int, str, str]] = []
        students_of: dict[int, list[int]] = defaultdict(list)
        for class_group_id, student_id in Enrolment.objects.filter(school=self.school).values_list(
            "class_group_id", "student_id"
        ):
            students_of[class_group_id].append(student_id)
        self.grade_of: dict[int, tuple[dt.date, int]] = {}
        groups = (
            ClassGroup.objects.filter(school=self.school)
            .select_related("year")
            .order_by("year__starts_on", "grade", "letter")
        )
        for group in groups:
            mapping = self.sid_for(Kind.CLASS, Target.CLASS_GROUP, group.pk)
            kept_title = self.kept(mapping, "title", "")
            kept_grades = self.kept(mapping, "grades", "")
            title_ok = kept_title and grade_and_letter(kept_title, kept_grades.split(",")) == (
                group.grade,
                group.letter,
            )
            classes.append(
                self.row(
                    columns,
                    mapping,
                    {
                        "title": kept_title if title_ok else group.name,
                        "grades": kept_grades if title_ok else f"{group.grade:02d}",
                        "courseSourcedId": self.course_for_class(mapping, None),
                        "classType": "homeroom",
                        "schoolSourcedId": self.org,
                        "termSourcedIds": self.terms(mapping, group.year_id),
                    },
                )
            )
            if group.class_teacher_id:
                self.memberships.append((mapping.sourced_id, group.class_teacher_id, "teacher", "true"))
            for student_id in students_of[group.pk]:
                self.memberships.append((mapping.sourced_id, student_id, "student", "false"))
                self.grade_of[student_id] = max(
                    self.grade_of.get(student_id, (group.year.starts_on, group.grade)),
                    (group.year.starts_on, group.grade),
                )
        members_of: dict[int, list[int]] = defaultdict(list)
        for subgroup_id, student_id in SubgroupMembership.objects.filter(school=self.school).values_list(
            "subgroup_id", "student_id"
        ):
            members_of[subgroup_id].append(student_id)
        assignments = TeachingAssignment.objects.filter(school=self.school).select_related(
            "subject", "class_group", "subgroup"
        )
        for assignment in assignments.order_by("pk"):
            mapping = self.sid_for(Kind.CLASS, Target.ASSIGNMENT, assignment.pk)
            group = assignment.class_group
            classes.append(
                self.row(
                    columns,
                    mapping,
                    {
                        "title": self.kept(
                            mapping, "title", f"{assignment.subject.name_ru} {assignment.group_name}"
                        ),
                        "grades": self.kept(mapping, "grades", f"{group.grade:02d}"),
                        "courseSourcedId": self.course_for_class(mapping, assignment.subject),
                        "classType": "scheduled",
                        "schoolSourcedId": self.org,
                        "termSourcedIds": self.terms(mapping, assignment.year_id),
                    },
                )
            )
            self.memberships.append((mapping.sourced_id, assignment.teacher_id, "teacher", "true"))
            students = members_of[assignment.subgroup_id] if assignment.subgroup_id else students_of[group.pk]
            for student_id in students:
                self.memberships.append((mapping.sourced_id, student_id, "student", "false"))
        return classes

    # --- people ------------------------------------------------------------------------------

    def users_and_roles(self) -> tuple[Rows, Rows]:
        roles_of: dict[int, set[str]] = defaultdict(set)
        for user_id, role in StaffMembership.objects.filter(school=self.school).values_list(
            "user_id", "role"
        ):
            roles_of[user_id].add("admin" if role == StaffMembership.Role.ADMIN else "teacher")
        for student_id in Enrolment.objects.filter(school=self.school).values_list("student_id", flat=True):
            roles_of[student_id].add("student")
        agents: dict[int, set[int]] = defaultdict(set)
        relations: dict[int, set[str]] = defaultdict(set)
        students = [pk for pk, roles in roles_of.items() if "student" in roles]
        for guardian_id, student_id, relation in Guardianship.objects.filter(
            student_id__in=students
        ).values_list("guardian_id", "student_id", "relation"):
            roles_of[guardian_id].add("guardian")
            agents[guardian_id].add(student_id)
            agents[student_id].add(guardian_id)
            relations[guardian_id].add(relation)
        for _class, user_id, role, _primary in self.memberships:
            # A teacher of a class is one, staff row or not (the import makes it so).
            roles_of[user_id].add(role)
        users = User.objects.in_bulk(list(roles_of))
        sids = {pk: self.sid_for(Kind.USER, Target.USER, pk) for pk in sorted(users)}
        user_rows: Rows = []
        role_rows: Rows = []
        user_columns = b.COLUMNS_12[b.USERS]
        for pk, mapping in sids.items():
            user = users[pk]
            agent_ids = sorted(sids[agent].sourced_id for agent in agents.get(pk, ()) if agent in sids)
            kept_agents = self.kept(mapping, "agentSourcedIds", "")
            grades = self.kept(mapping, "grades", "")
            if pk in self.grade_of:
                grade = self.grade_of[pk][1]
                if str(grade) not in [value.lstrip("0") for value in grades.split(",")]:
                    grades = f"{grade:02d}"
            user_rows.append(
                self.row(
                    user_columns,
                    mapping,
                    {
                        "enabledUser": "true" if user.is_active else "false",
                        "username": self.kept(mapping, "username", user.username),
                        "givenName": user.first_name,
                        "familyName": user.last_name,
                        "middleName": user.middle_name,
                        "email": user.email,
                        "agentSourcedIds": kept_agents
                        if sorted(v.strip() for v in kept_agents.split(",") if v.strip()) == agent_ids
                        else ",".join(agent_ids),
                        "grades": grades,
                        "primaryOrgSourcedId": self.kept(mapping, "primaryOrgSourcedId", self.org),
                    },
                )
            )
            role_rows.extend(self.roles_of(pk, mapping.sourced_id, roles_of[pk], relations.get(pk, set())))
        self.user_sids = {pk: mapping.sourced_id for pk, mapping in sids.items()}
        self.enrollment_rows = self.enrollments()
        return user_rows, role_rows

    def roles_of(self, user_id: int, user_sid: str, roles: set[str], relations: set[str]) -> Rows:
        columns = b.COLUMNS_12[b.ROLES]
        kept = list(self.by_target.get((Kind.ROLE, Target.USER, user_id), []))
        rows = []
        first = True
        for role in PARTA_ROLE_ORDER:
            if role not in roles:
                continue
            mapping = next(
                (
                    m
                    for m in kept
                    if b.PARTA_ROLE.get(m.fields.get("role", "")) == role
                    and m.fields.get("orgSourcedId") in (self.org, None)
                ),
                None,
            )
            default = DEFAULT_ROLE[role]
            if role == "guardian" and relations == {Guardianship.Relation.GRANDPARENT}:
                default = "relative"
            if mapping is None:
                mapping = self.new(
                    Kind.ROLE,
                    Target.USER,
                    user_id,
                    {"role": default, "roleType": "primary" if first else "secondary"},
                )
            first = False
            rows.append(
                self.row(
                    columns,
                    mapping,
                    {
                        "userSourcedId": user_sid,
                        "role": self.kept(mapping, "role", default),
                        "roleType": self.kept(mapping, "roleType", "secondary"),
                        "orgSourcedId": self.org,
                    },
                )
            )
        return rows

    def enrollments(self) -> Rows:
        columns = b.COLUMNS_12[b.ENROLLMENTS]
        kept: dict[tuple[str, str, str], SourcedId] = {}
        for (kind, _sid), mapping in self.by_id.items():
            if kind == Kind.ENROLLMENT:
                fields = mapping.fields
                key = (
                    fields.get("classSourcedId", ""),
                    fields.get("userSourcedId", ""),
                    fields.get("role", ""),
                )
                kept.setdefault(key, mapping)
        rows = []
        for class_sid, user_id, role, primary in self.memberships:
            user_sid = self.user_sids[user_id]
            found = kept.get((class_sid, user_sid, role))
            if found is None:
                mapping = self.new(
                    Kind.ENROLLMENT,
                    Target.NONE,
                    None,
                    {
                        "classSourcedId": class_sid,
                        "userSourcedId": user_sid,
                        "role": role,
                        "primary": primary,
                    },
                )
                kept[(class_sid, user_sid, role)] = mapping
            else:
                mapping = found
            rows.append(
                self.row(
                    columns,
                    mapping,
                    {
                        "classSourcedId": class_sid,
                        "schoolSourcedId": self.org,
                        "userSourcedId": user_sid,
                        "role": role,
                        "primary": self.kept(mapping, "primary", primary),
                    },
                )
            )
        return rows

    def demographics(self, user_sids: set[str]) -> Rows:
        columns = b.COLUMNS_12[b.DEMOGRAPHICS]
        return [
            self.row(columns, mapping, {})
            for (kind, sid), mapping in self.by_id.items()
            if kind == Kind.DEMOGRAPHIC and sid in user_sids
        ]
