"""Reading a OneRoster CSV bundle (a folder or a zip) and checking it against the binding.

Pure: no database. ``parse`` never raises on what a bundle holds; whatever is wrong with it is an
error entry of the report naming the file, the row (the header is row 1) and the column. The
references are checked against the bundle itself and against ``known`` sourcedIds (those a
school already imported, for a delta bundle that leaves files out).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _

from parta.interop import binding as b
from parta.interop.report import SKIPPED, Report

# A zip whose files would hold more than this uncompressed is refused, whatever its size.
MAX_BUNDLE_BYTES = 200 * 1024 * 1024
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_COLUMNS = ("startDate", "endDate", "beginDate", "birthDate")
BOOLEAN_COLUMNS = ("enabledUser", "primary")


class BundleUnreadable(Exception):
    """The path or the upload is not a folder or a zip of CSV files."""


@dataclass(frozen=True)
class Row:
    file: str
    number: int
    values: Mapping[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")

    def list(self, column: str) -> list[str]:
        return split_list(self[column])

    @property
    def sourced_id(self) -> str:
        return self["sourcedId"]

    @property
    def deleted(self) -> bool:
        return self["status"] == "tobedeleted"


@dataclass
class Bundle:
    version: str = "1.2"
    modes: dict[str, str] = field(default_factory=dict)
    rows: dict[str, list[Row]] = field(default_factory=dict)

    @property
    def delta(self) -> bool:
        return any(mode == "delta" for mode in self.modes.values())

    def of(self, file: str) -> list[Row]:
        return self.rows.get(file, [])

    def by_id(self, file: str) -> dict[str, Row]:
        return {row.sourced_id: row for row in self.of(file)}


def split_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def parse_date(value: str) -> dt.date | None:
    if not DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _datetime_ok(value: str) -> bool:
    if not DATE.match(value):
        return False
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


# --- reading files -------------------------------------------------------------------------


def read_folder(path: Path) -> dict[str, bytes]:
    return {item.name: item.read_bytes() for item in sorted(path.iterdir()) if item.is_file()}


def read_zip(data: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if sum(info.file_size for info in infos) > MAX_BUNDLE_BYTES:
            raise BundleUnreadable(
                _("The zip holds more than %(mb)d MB.") % {"mb": MAX_BUNDLE_BYTES // 2**20}
            )
        files: dict[str, bytes] = {}
        for info in infos:
            name = PurePosixPath(info.filename).name
            if name.startswith(".") or "__MACOSX" in info.filename:
                continue
            if name in files:
                raise BundleUnreadable(_("The zip holds %(name)s twice.") % {"name": name})
            files[name] = archive.read(info)
        return files
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError):
        raise BundleUnreadable(_("This is not a zip file of a OneRoster bundle.")) from None


def read_path(path: Path) -> dict[str, bytes]:
    if path.is_dir():
        return read_folder(path)
    if path.is_file():
        return read_zip(path.read_bytes())
    raise BundleUnreadable(_("No folder or zip file at %(path)s.") % {"path": path})


# --- parsing ---------------------------------------------------------------------------------


def _records(file: str, data: bytes, report: Report) -> list[list[str]] | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.error(file, 0, "", _("The file is not in UTF-8."))
        return None
    try:
        return [record for record in csv.reader(io.StringIO(text, newline=""), strict=True) if record]
    except csv.Error as error:
        report.error(file, 0, "", _("The file is not valid CSV: %(error)s") % {"error": error})
        return None


def _table(file: str, data: bytes, expected: tuple[str, ...], report: Report) -> list[Row] | None:
    records = _records(file, data, report)
    if records is None:
        return None
    if not records:
        report.error(file, 1, "", _("The file has no header row."))
        return None
    header = [name.strip() for name in records[0]]
    for position, name in enumerate(expected):
        if name not in header:
            report.error(file, 1, name, _("The column %(column)s is missing.") % {"column": name})
            return None
        if header[position] != name:
            report.error(
                file,
                1,
                name,
                _("Column %(position)d must be %(column)s, not %(found)s (the binding's order).")
                % {"position": position + 1, "column": name, "found": header[position]},
            )
            return None
    for name in header[len(expected) :]:
        if not name.startswith("metadata."):
            report.error(file, 1, name, _("The binding has no column %(column)s.") % {"column": name})
            return None
    rows = []
    for index, record in enumerate(records[1:], start=2):
        if len(record) != len(header):
            report.error(
                file,
                index,
                "",
                _("The row has %(found)d values; the header has %(expected)d.")
                % {"found": len(record), "expected": len(header)},
            )
            continue
        rows.append(
            Row(file, index, {name: value.strip() for name, value in zip(header, record, strict=True)})
        )
    return rows


def _manifest(files: Mapping[str, bytes], report: Report) -> tuple[str, dict[str, str]] | None:
    if b.MANIFEST not in files:
        report.error(b.MANIFEST, 0, "", _("The bundle has no manifest.csv."))
        return None
    rows = _table(b.MANIFEST, files[b.MANIFEST], b.MANIFEST_COLUMNS, report)
    if rows is None:
        return None
    properties = {row["propertyName"]: (row["value"], row.number) for row in rows}
    version, number = properties.get("oneroster.version", ("", 0))
    if version not in b.VERSIONS:
        report.error(
            b.MANIFEST,
            number,
            "value",
            _("oneroster.version must be 1.1 or 1.2, not “%(value)s”.") % {"value": version},
        )
        return None
    modes: dict[str, str] = {}
    ok = True
    for file, name in b.MANIFEST_NAME.items():
        if version == "1.1" and file == b.ROLES:
            continue
        mode, number = properties.get(f"file.{name}", ("bulk" if file in files else "absent", 0))
        if mode not in b.MANIFEST_MODES:
            report.error(
                b.MANIFEST,
                number,
                "value",
                _("file.%(name)s must be absent, bulk or delta, not “%(value)s”.")
                % {"name": name, "value": mode},
            )
            ok = False
        modes[file] = mode
    return (version, modes) if ok else None


def parse(
    files: Mapping[str, bytes], known: Callable[[str], Iterable[str]] | None = None
) -> tuple[Bundle, Report]:
    """The bundle's rows and a report that holds an error for everything wrong with them (and a
    skipped entry for a file the manifest says is absent). ``known(file)`` names the sourcedIds of
    that file already imported, so a delta bundle may refer to them."""
    report = Report()
    bundle = Bundle()
    manifest = _manifest(files, report)
    if manifest is None:
        return bundle, report
    bundle.version, bundle.modes = manifest
    columns = b.columns(bundle.version)
    required = list(b.REQUIRED_FILES) + ([b.ROLES] if bundle.version == "1.2" else [])
    for file, mode in bundle.modes.items():
        if mode == "absent":
            if file in required and not bundle.delta:
                report.error(file, 0, "", _("A bulk bundle must have %(file)s.") % {"file": file})
            elif file in files:
                report.add(file, 0, SKIPPED, message=_("The manifest says this file is absent."))
            continue
        if file not in files:
            report.error(
                file,
                0,
                "",
                _("The manifest lists %(file)s but the bundle has no such file.") % {"file": file},
            )
            continue
        rows = _table(file, files[file], columns[file], report)
        if rows is not None:
            bundle.rows[file] = rows
    if report.refused:
        return bundle, report
    _check_values(bundle, report)
    _check_references(bundle, report, known or (lambda file: ()))
    return bundle, report


ENUMS: dict[tuple[str, str], tuple[str, ...]] = {
    (b.ORGS, "type"): b.ORG_TYPES,
    (b.SESSIONS, "type"): b.SESSION_TYPES,
    (b.CLASSES, "classType"): b.CLASS_TYPES,
    (b.ROLES, "roleType"): b.ROLE_TYPES,
    (b.ROLES, "role"): b.ROLES_12,
    (b.ENROLLMENTS, "role"): b.ENROLLMENT_ROLES,
    (b.DEMOGRAPHICS, "sex"): b.SEX,
}


def _check_values(bundle: Bundle, report: Report) -> None:
    required = b.required_values(bundle.version)
    enums = {**ENUMS, (b.USERS, "role"): b.ROLES_11} if bundle.version == "1.1" else ENUMS
    for file, rows in bundle.rows.items():
        delta = bundle.modes.get(file) == "delta"
        seen: dict[str, int] = {}
        for row in rows:
            sid = row.sourced_id

            def error(column: str, message: str, row: Row = row, sid: str = sid) -> None:
                report.error(row.file, row.number, column, message, sourced_id=sid)

            if sid and sid in seen:
                error(
                    "sourcedId",
                    _("The sourcedId %(id)s is already on row %(row)d.") % {"id": sid, "row": seen[sid]},
                )
            seen.setdefault(sid, row.number)
            status = row["status"]
            if status and status not in b.STATUS:
                error(
                    "status", _("status must be active or tobedeleted, not “%(value)s”.") % {"value": status}
                )
            elif delta and not status:
                error("status", _("A delta file needs a status on every row."))
            if row["dateLastModified"] and not _datetime_ok(row["dateLastModified"]):
                error(
                    "dateLastModified",
                    _("“%(value)s” is not a date and time (ISO 8601).") % {"value": row["dateLastModified"]},
                )
            needed = ("sourcedId",) if row.deleted else required.get(file, ())
            for column in needed:
                if not row[column]:
                    error(column, _("%(column)s must have a value.") % {"column": column})
            if row.deleted:
                continue
            for (enum_file, column), allowed in enums.items():
                if enum_file == file and row[column] and row[column] not in allowed:
                    error(
                        column,
                        _("“%(value)s” is not one of: %(allowed)s.")
                        % {"value": row[column], "allowed": ", ".join(allowed)},
                    )
            for column in DATE_COLUMNS:
                if row[column] and parse_date(row[column]) is None:
                    error(column, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": row[column]})
            for column in BOOLEAN_COLUMNS:
                if row[column] and row[column].lower() not in b.BOOLEANS:
                    error(column, _("“%(value)s” must be true or false.") % {"value": row[column]})
            for start, end in (("startDate", "endDate"), ("beginDate", "endDate")):
                first, last = parse_date(row[start]), parse_date(row[end])
                if first and last and last < first:
                    error(end, _("The end date is before the start date."))
            if file == b.SESSIONS and row["schoolYear"] and not re.fullmatch(r"\d{4}", row["schoolYear"]):
                error("schoolYear", _("schoolYear must be a year such as 2027."))


# (file, column) → the file whose sourcedIds it names.
REFERENCES: tuple[tuple[str, str, str], ...] = (
    (b.ORGS, "parentSourcedId", b.ORGS),
    (b.SESSIONS, "parentSourcedId", b.SESSIONS),
    (b.COURSES, "schoolYearSourcedId", b.SESSIONS),
    (b.COURSES, "orgSourcedId", b.ORGS),
    (b.CLASSES, "courseSourcedId", b.COURSES),
    (b.CLASSES, "schoolSourcedId", b.ORGS),
    (b.CLASSES, "termSourcedIds", b.SESSIONS),
    (b.USERS, "agentSourcedIds", b.USERS),
    (b.USERS, "orgSourcedIds", b.ORGS),
    (b.USERS, "primaryOrgSourcedId", b.ORGS),
    (b.ROLES, "userSourcedId", b.USERS),
    (b.ROLES, "orgSourcedId", b.ORGS),
    (b.ENROLLMENTS, "classSourcedId", b.CLASSES),
    (b.ENROLLMENTS, "schoolSourcedId", b.ORGS),
    (b.ENROLLMENTS, "userSourcedId", b.USERS),
    (b.DEMOGRAPHICS, "sourcedId", b.USERS),
)


def _check_references(bundle: Bundle, report: Report, known: Callable[[str], Iterable[str]]) -> None:
    ids: dict[str, set[str]] = {}

    def present(file: str) -> set[str]:
        if file not in ids:
            ids[file] = {row.sourced_id for row in bundle.of(file) if not row.deleted} | set(known(file))
        return ids[file]

    for file, column, target in REFERENCES:
        for row in bundle.of(file):
            if row.deleted:
                continue
            for value in row.list(column) if column in b.LIST_COLUMNS else [row[column]]:
                if value and value not in present(target):
                    report.error(
                        file,
                        row.number,
                        column,
                        _("%(value)s is not a sourcedId of %(target)s.") % {"value": value, "target": target},
                        sourced_id=row.sourced_id,
                    )
