"""Writes of the interop app: importing a OneRoster bundle into a school, exporting one, and the
runs of the administrator's upload page.

- ``importing`` — ``bundle_import`` (all or nothing, ``dry_run`` rolls back);
- ``exporting`` — ``bundle_export`` and ``write_bundle``;
- ``runs`` — ``import_run_start`` (the page) and ``import_run_execute`` (the task).
"""

from parta.interop.services.exporting import bundle_export, write_bundle, zip_bytes
from parta.interop.services.importing import ImportResult, bundle_import, school_orgs, schools_of_org
from parta.interop.services.runs import import_run_execute, import_run_progress, import_run_start

__all__ = [
    "ImportResult",
    "bundle_export",
    "bundle_import",
    "import_run_execute",
    "import_run_progress",
    "import_run_start",
    "school_orgs",
    "schools_of_org",
    "write_bundle",
    "zip_bytes",
]
