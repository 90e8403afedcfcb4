"""The school's org and its academic sessions: years, study periods and holidays."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _

from parta.interop import binding as b
from parta.interop.parser import Row, parse_date
from parta.interop.report import SKIPPED
from parta.interop.services.importing.common import Kind, Target
from parta.interop.services.importing.state import _State
from parta.schools.models import AcademicYear, StudyPeriod


class _Calendar(_State):
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
