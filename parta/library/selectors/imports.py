"""Reads of the import pages and API: a teacher's own runs, and one run's progress and report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from parta.library.models import ImportRun
from parta.library.services.imports import FINISHED, import_run_progress
from parta.schools.access import roles_of

RECENT_RUNS = 10


@dataclass
class RunView:
    run: ImportRun
    progress: int
    finished: bool
    refused: str
    created: list[dict[str, Any]]
    rejected: list[dict[str, Any]]


def access_import_run(user: Any, run_id: int) -> ImportRun:
    """A run the user started; 404 for any other."""
    roles = roles_of(user)
    run = ImportRun.objects.filter(pk=run_id, owner_id=roles.user_id).first() if roles.user_id else None
    if run is None:
        raise Http404
    return run


def recent_runs(user: Any) -> QuerySet[ImportRun]:
    return ImportRun.objects.filter(owner_id=user.pk).defer("report").order_by("-created_at")[:RECENT_RUNS]


def run_view(run: ImportRun) -> RunView:
    report = run.report or {}
    return RunView(
        run=run,
        progress=import_run_progress(run),
        finished=run.status in FINISHED,
        refused=str(report.get("refused") or ""),
        created=list(report.get("created") or []),
        rejected=list(report.get("rejected") or []),
    )
