"""The run: the school the bundle is for, the files in their order, Parta's own rules, and
``bundle_import``, which does it all in one transaction or not at all."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from parta.interop import binding as b
from parta.interop.models import SourcedId
from parta.interop.parser import parse, parse_date
from parta.interop.report import SKIPPED
from parta.interop.services.importing.common import (
    DEFAULT_BELLS,
    KIND_OF_FILE,
    NAME_LIMIT,
    ImportResult,
    Kind,
    Progress,
    Refused,
    Target,
)
from parta.interop.services.importing.deletions import _Deletions
from parta.schools.models import City, District, School
from parta.timetable.models import Bell


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


class _Importer(_Deletions):
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
