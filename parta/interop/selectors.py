"""Reads of the upload page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from parta.interop.models import ImportRun
from parta.interop.report import Entry, Report
from parta.interop.services.runs import import_run_progress
from parta.schools.models import School

RECENT_RUNS = 10


@dataclass
class RunView:
    run: ImportRun
    progress: int
    finished: bool
    counts: dict[str, int]
    by_file: dict[str, dict[str, int]]
    entries: list[Entry]


def recent_runs(school: School) -> QuerySet[ImportRun]:
    return (
        ImportRun.objects.filter(school=school)
        .defer("bundle", "report")
        .select_related("started_by")
        .order_by("-created_at")[:RECENT_RUNS]
    )


def run_view(run: ImportRun) -> RunView:
    report = Report.from_json(run.report)
    finished = run.status in (ImportRun.Status.DONE, ImportRun.Status.REFUSED, ImportRun.Status.FAILED)
    return RunView(
        run=run,
        progress=import_run_progress(run),
        finished=finished,
        counts=report.counts(),
        by_file=report.counts_by_file(),
        entries=report.entries,
    )
