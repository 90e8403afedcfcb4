"""Importing a folder of materials: a zip whose top holds manifest.csv or manifest.json
(``parta.library.manifest``). The upload is checked as a whole first (a bad archive is refused
with its reason and nothing is kept); then a task makes each row a private draft of the importing
teacher through ``material_create`` (the same checks as a form), and the run's report lists what
was created and each rejected row with its number and field messages. The archive is deleted
when the run ends."""

from __future__ import annotations

import csv
import io
import json
import logging
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parta.core.errors import FieldErrors
from parta.core.files import extension_of
from parta.core.progress import progress_read, progress_write
from parta.curriculum.models import Topic
from parta.library.access import may_author
from parta.library.manifest import FORMAT, MANIFEST_CSV, MANIFEST_JSON, content_blocks
from parta.library.models import ImportRun
from parta.library.services.authoring import MaterialData, clean_data, material_create
from parta.library.uploads import check_archive, limit_bytes
from parta.schools.access import roles_of
from parta.schools.models import Subject

log = logging.getLogger(__name__)
MAX_ROWS = 1000
FINISHED = (ImportRun.Status.DONE, ImportRun.Status.REFUSED, ImportRun.Status.FAILED)


class ManifestError(ValueError):
    """The archive cannot be imported at all: the reason."""


@dataclass
class Row:
    number: int
    values: dict[str, Any]
    # The folder of the manifest the row came from: its file paths are relative to it.
    folder: str = ""


def _progress_key(run_id: int) -> str:
    return f"parta:library:import:{run_id}:progress"


def import_run_progress(run: ImportRun) -> int:
    return 100 if run.status in FINISHED else progress_read(_progress_key(run.pk))


# --- reading the manifest ----------------------------------------------------------------


def _read_json(archive: zipfile.ZipFile, name: str) -> Any:
    try:
        return json.loads(archive.read(name).decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ManifestError(_("%(name)s is not valid JSON in UTF-8.") % {"name": name}) from None


def _package_rows(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> list[Row]:
    """An exported package: its elements first (so that the material's blocks can name them), then
    the material."""
    rows: list[Row] = []
    for given in manifest.get("elements") or []:
        folder = str(given)
        if f"{folder}{MANIFEST_JSON}" not in archive.namelist():
            raise ManifestError(_("The package has no %(name)s.") % {"name": f"{folder}{MANIFEST_JSON}"})
        element = _read_json(archive, f"{folder}{MANIFEST_JSON}")
        if not isinstance(element, dict):
            raise ManifestError(_("%(name)s is not a material.") % {"name": f"{folder}{MANIFEST_JSON}"})
        rows.append(Row(len(rows) + 1, element, folder))
    rows.append(Row(len(rows) + 1, manifest))
    return rows


def manifest_rows(archive: zipfile.ZipFile) -> list[Row]:
    """The rows of the archive's manifest; ManifestError when there is none to read."""
    names = archive.namelist()
    if MANIFEST_JSON in names:
        data = _read_json(archive, MANIFEST_JSON)
        if isinstance(data, dict) and data.get("format") == FORMAT:
            rows = _package_rows(archive, data)
        elif isinstance(data, list) and all(isinstance(item, dict) for item in data):
            rows = [Row(number, item) for number, item in enumerate(data, start=1)]
        else:
            raise ManifestError(_("manifest.json must be a list of materials or an exported material."))
    elif MANIFEST_CSV in names:
        try:
            text = archive.read(MANIFEST_CSV).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ManifestError(_("manifest.csv is not in UTF-8.")) from None
        reader = csv.DictReader(io.StringIO(text))
        if not {"title", "kind"} <= set(reader.fieldnames or []):
            raise ManifestError(_("manifest.csv needs at least the columns title and kind."))
        # Numbered as a spreadsheet shows them: the header is row 1.
        rows = [Row(reader.line_num, dict(values)) for values in reader]
    else:
        raise ManifestError(_("The archive has no manifest.csv or manifest.json at its top."))
    if not rows:
        raise ManifestError(_("The manifest lists no materials."))
    if len(rows) > MAX_ROWS:
        raise ManifestError(_("The manifest lists more than %(count)d materials.") % {"count": MAX_ROWS})
    return rows


def _list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    return [item.strip() for item in str(value or "").split(";") if item.strip()]


def _by_code(model: Any, codes: list[str], name: str, errors: FieldErrors) -> list[int]:
    found = dict(model.objects.filter(code__in=codes).values_list("code", "pk"))
    for code in codes:
        if code not in found:
            errors.add(
                name, _("No %(name)s with the code %(code)s.") % {"name": name.rstrip("s"), "code": code}
            )
    return [found[code] for code in codes if code in found]


def _number(value: Any, name: str, errors: FieldErrors) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        errors.add(name, _("Write a whole number."))
        return None


def _file(archive: zipfile.ZipFile, row: Row, key: str, errors: FieldErrors) -> ContentFile[bytes] | None:
    path = str(row.values.get(key) or "").strip()
    if not path:
        return None
    member = f"{row.folder}{PurePosixPath(path).as_posix()}"  # "./a.pdf" is "a.pdf"
    if member not in archive.namelist():
        errors.add(key, _("The archive has no file %(path)s.") % {"path": path})
        return None
    return ContentFile(archive.read(member), name=PurePosixPath(member).name)


def _data(row: Row, ids: dict[int, int], errors: FieldErrors) -> MaterialData:
    values = row.values
    content = values.get("content") if isinstance(values.get("content"), dict) else {}
    content = json.loads(json.dumps(content))
    # Blocks name elements by their id in the package: the new materials' ids instead.
    for blocks in content_blocks(content):
        for block in blocks:
            if isinstance(block, dict) and block.get("material") in ids:
                block["material"] = ids[block["material"]]
    for key in ("url", "body"):
        if str(values.get(key) or "").strip():
            content[key] = str(values[key])
    grades = []
    for grade in _list(values.get("grades")):
        number = _number(grade, "grades", errors)
        if number is not None:
            grades.append(number)
    return MaterialData(
        title=str(values.get("title") or ""),
        description=str(values.get("description") or ""),
        language=str(values.get("language") or "ru").strip(),
        licence=str(values.get("licence") or "cc-by").strip(),
        authors=str(values.get("authors") or ""),
        duration_minutes=_number(values.get("duration_minutes"), "duration_minutes", errors),
        subject_ids=_by_code(Subject, _list(values.get("subjects")), "subjects", errors),
        grades=grades,
        topic_ids=_by_code(Topic, _list(values.get("topics")), "topics", errors),
        content=content,
    )


def _import_row(actor: Any, archive: zipfile.ZipFile, row: Row, ids: dict[int, int]) -> int:
    """The new material's id; ValidationError with every problem of the row at once."""
    errors = FieldErrors()
    kind = str(row.values.get("kind") or "").strip()
    data = _data(row, ids, errors)
    file = _file(archive, row, "file", errors)
    cover = _file(archive, row, "cover", errors)
    if errors:
        # The row's other problems too, as the form would name them.
        try:
            clean_data(actor, kind, data, has_file=bool(row.values.get("file")))
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    errors.add(name, message)
        errors.raise_if_any()
    return material_create(actor, kind=kind, data=data, file=file, cover=cover).pk


# --- the run -----------------------------------------------------------------------------


def import_run_start(*, actor: Any, archive: Any) -> ImportRun:
    """A teacher's upload: refused as a whole when it is no safe zip with a manifest; otherwise
    stored as a run whose task is queued once it is committed."""
    from parta.library.tasks import import_run_task

    if not may_author(actor):
        raise Http404
    size = int(getattr(archive, "size", 0) or 0)
    problem = None
    if archive is None or not size:
        problem = _("Choose a zip of a folder with manifest.csv or manifest.json.")
    elif extension_of(str(archive.name or "")) != "zip":
        problem = _("The archive must be a .zip file.")
    elif size > limit_bytes("import"):
        problem = _("The archive is larger than %(mb)d MB.") % {"mb": limit_bytes("import") // 2**20}
    else:
        try:
            check_archive(archive)
            with zipfile.ZipFile(archive) as opened:
                manifest_rows(opened)
        except ValueError as error:
            problem = str(error)
        archive.seek(0)
    if problem:
        raise ValidationError({"archive": [problem]})
    roles = roles_of(actor)
    run = ImportRun.objects.create(
        owner=actor,
        school_id=min(roles.staff_school_ids) if roles.staff_school_ids else None,
        archive=archive,
        report={"language": translation.get_language() or ""},
    )
    transaction.on_commit(lambda: import_run_task.delay(run.pk))
    return run


def _rows_import(run: ImportRun, report: dict[str, Any]) -> int:
    created = 0
    with run.archive.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        rows = manifest_rows(archive)
        ImportRun.objects.filter(pk=run.pk).update(total=len(rows))
        ids: dict[int, int] = {}
        for done, row in enumerate(rows, start=1):
            title = str(row.values.get("title") or "")[:300]
            try:
                pk = _import_row(run.owner, archive, row, ids)
            except ValidationError as error:
                messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
                report["rejected"].append({"row": row.number, "title": title, "errors": messages})
            else:
                created += 1
                report["created"].append({"row": row.number, "title": title, "id": pk})
                if isinstance(row.values.get("id"), int):
                    ids[row.values["id"]] = pk
            progress_write(_progress_key(run.pk), done, len(rows))
    return created


def import_run_execute(run_id: int) -> None:
    """The task's work: every row of the run's manifest, then the report; the archive deleted."""
    run = ImportRun.objects.select_related("owner").filter(pk=run_id).first()
    if run is None or run.status != ImportRun.Status.QUEUED:
        return
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING)
    report: dict[str, Any] = {**run.report, "refused": "", "created": [], "rejected": []}
    created, status = 0, ImportRun.Status.DONE
    with translation.override(run.report.get("language") or None):
        try:
            created = _rows_import(run, report)
        except (ManifestError, zipfile.BadZipFile, FileNotFoundError) as error:
            report["refused"] = str(error) or _("The archive cannot be read.")
            status = ImportRun.Status.REFUSED
        except Exception:
            log.exception("library: import run %s failed", run.pk)
            report["refused"] = _("The import failed. The operator has the details in the log.")
            status = ImportRun.Status.FAILED
    run.archive.delete(save=False)
    ImportRun.objects.filter(pk=run.pk).update(
        status=status, created=created, report=report, archive="", finished_at=timezone.now()
    )
