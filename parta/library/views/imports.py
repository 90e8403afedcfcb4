"""Pages of the library: a teacher imports a folder's zip of materials, watches its progress
(polled by htmx every second) and reads its report. Runs are the teacher's own (404 otherwise)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _

from parta.core.forms import form_status, submit
from parta.library.access import may_author
from parta.library.selectors.imports import access_import_run, recent_runs, run_view
from parta.library.services.imports import import_run_start


class ImportForm(forms.Form):
    archive = forms.FileField(
        label=_("Folder of materials (zip)"),
        help_text=_(
            "A zip of a folder with manifest.csv (one row per material) or manifest.json, and the files "
            "the rows name; or a material exported from a library."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    if not may_author(request.user):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    run = submit(
        request, form, lambda: import_run_start(actor=request.user, archive=form.cleaned_data["archive"])
    )
    if run is not None:
        return redirect("library-import-run", run_id=run.pk)
    context = {"form": form, "runs": recent_runs(request.user)}
    return render(request, "library/import.html", context, status=form_status(request))


@login_required
def import_run(request: HttpRequest, run_id: int) -> HttpResponse:
    view = run_view(access_import_run(request.user, run_id))
    template = "library/_import_run.html" if request.headers.get("HX-Request") else "library/import_run.html"
    return render(request, template, {"view": view})


urlpatterns: list[URLPattern | URLResolver] = [
    path("import/", import_page, name="library-import"),
    path("import/<int:run_id>/", import_run, name="library-import-run"),
]
