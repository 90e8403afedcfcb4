"""Who may see an import run: the administrators of its school (and the superuser); 404 else."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from parta.interop.models import ImportRun
from parta.schools.access import access_school


def access_import_run(user: Any, school_id: int, run_id: int) -> ImportRun:
    school = access_school(user, school_id, for_admin=True)
    run = ImportRun.objects.filter(school=school, pk=run_id).defer("bundle").first()
    if run is None:
        raise Http404
    return run
