"""The upload page's imports: a run row, the task that does it, and its progress.

The progress lives in the cache while the task runs (the import's transaction hides its own
writes from the page until it commits); the run's row gets the final status and the report.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parta.core.progress import progress_read, progress_write
from parta.interop.models import ImportRun
from parta.interop.parser import BundleUnreadable, read_zip
from parta.interop.report import Report
from parta.interop.services.importing import bundle_import
from parta.schools.access import access_school

log = logging.getLogger(__name__)


def _progress_key(run_id: int) -> str:
    return f"parta:interop:run:{run_id}:progress"


def import_run_progress(run: ImportRun) -> int:
    """How far the run is, in per cent."""
    finished = (ImportRun.Status.DONE, ImportRun.Status.REFUSED, ImportRun.Status.FAILED)
    return 100 if run.status in finished else progress_read(_progress_key(run.pk))


def import_run_start(*, actor: Any, school_id: int, file_name: str, data: bytes, dry_run: bool) -> ImportRun:
    """A school administrator's upload: the run's row, and the task queued once it is committed."""
    from parta.interop.tasks import import_run_task

    school = access_school(actor, school_id, for_admin=True)
    if not data:
        raise ValidationError({"bundle": [_("Choose a zip file of a OneRoster bundle.")]})
    if len(data) > settings.PARTA_MAX_UPLOAD_BYTES:
        limit = settings.PARTA_MAX_UPLOAD_BYTES // 2**20
        raise ValidationError({"bundle": [_("The file is larger than %(mb)d MB.") % {"mb": limit}]})
    try:
        read_zip(data)
    except BundleUnreadable as error:
        raise ValidationError({"bundle": [str(error)]}) from None
    run = ImportRun.objects.create(
        school=school,
        started_by=actor,
        file_name=file_name[:255],
        bundle=data,
        dry_run=dry_run,
        language=translation.get_language() or "",
    )
    transaction.on_commit(lambda: import_run_task.delay(run.pk))
    return run


def import_run_execute(run_id: int) -> None:
    """The task's work: import the run's bundle into its school and keep the report."""
    run = ImportRun.objects.select_related("school").filter(pk=run_id).first()
    if run is None or run.status != ImportRun.Status.QUEUED:
        return
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING)
    with translation.override(run.language or None):
        try:
            files = read_zip(bytes(run.bundle))
            result = bundle_import(
                files=files,
                school=run.school,
                dry_run=run.dry_run,
                progress=lambda done, total: progress_write(_progress_key(run.pk), done, total),
            )
            report, status = (
                result.report,
                (ImportRun.Status.REFUSED if result.refused else ImportRun.Status.DONE),
            )
        except BundleUnreadable as error:
            report = Report()
            report.error("", 0, "", str(error))
            status = ImportRun.Status.REFUSED
        except Exception:
            log.exception("interop: import run %s failed", run.pk)
            report = Report()
            report.error(
                "",
                0,
                "",
                _("The import failed; nothing was written. The operator has the details in the log."),
            )
            status = ImportRun.Status.FAILED
    ImportRun.objects.filter(pk=run.pk).update(
        status=status, report=report.to_json(), finished_at=timezone.now(), bundle=b""
    )
