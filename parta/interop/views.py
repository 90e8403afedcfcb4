"""The administrator's OneRoster upload page: the form, the run's progress (polled by htmx every
second) and then its per-row report. Access through ``access_school``/``access_import_run``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from parta.core.forms import form_status, submit
from parta.interop import selectors, services
from parta.interop.access import access_import_run
from parta.interop.forms import ImportForm
from parta.schools.access import access_school

# The report table shows this many rows that changed something (the counts cover all of them).
REPORT_ROWS = 500


@login_required
def import_page(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access_school(request.user, school_id, for_admin=True)
    form = ImportForm(request.POST or None, request.FILES or None)

    def start() -> object:
        upload = form.cleaned_data["bundle"]
        return services.import_run_start(
            actor=request.user,
            school_id=school.pk,
            file_name=upload.name or "",
            data=upload.read(),
            dry_run=form.cleaned_data["dry_run"],
        )

    run = submit(request, form, start)
    if run is not None:
        return redirect("school-import-run", school_id=school.pk, run_id=run.pk)  # type: ignore[attr-defined]
    context = {"school": school, "form": form, "runs": selectors.recent_runs(school), "section": "import"}
    return render(request, "interop/import.html", context, status=form_status(request))


@login_required
def import_run(request: HttpRequest, school_id: int, run_id: int) -> HttpResponse:
    run = access_import_run(request.user, school_id, run_id)
    view = selectors.run_view(run)
    changed = [entry for entry in view.entries if entry.outcome != "unchanged"]
    context = {
        "school": run.school,
        "view": view,
        "rows": changed[:REPORT_ROWS],
        "more": max(0, len(changed) - REPORT_ROWS),
        "section": "import",
    }
    template = "interop/_run.html" if request.headers.get("HX-Request") else "interop/run.html"
    return render(request, template, context)
