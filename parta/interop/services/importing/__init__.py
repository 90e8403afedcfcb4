"""Importing a OneRoster bundle into one school: check everything first, then write everything in
one transaction, or nothing (docs/decisions/0013-oneroster.md has the mapping).

The importer is keyed by sourcedIds (``SourcedId`` rows scoped by the school): a row met again
is compared with what Parta holds and written only when it differs, so the same bundle imported
twice writes nothing the second time.

The parts, each a layer of the importer over the one before:
``common`` (defaults, the result), ``state`` (bookkeeping and the sourcedId mapping), ``calendar``
(the org and its sessions), ``people`` (users, roles, families), ``classes`` (homerooms, scheduled
classes, enrolments), ``deletions`` (delta rows) and ``importer`` (the run, ``bundle_import``).
"""

from __future__ import annotations

from parta.interop.services.importing.common import (
    DEFAULT_BELLS,
    DEFAULT_HOURS_PER_WEEK,
    NOT_KEPT,
    ImportResult,
    Refused,
    grade_and_letter,
    kept_fields,
    school_orgs,
    schools_of_org,
)
from parta.interop.services.importing.importer import bundle_import

__all__ = [
    "DEFAULT_BELLS",
    "DEFAULT_HOURS_PER_WEEK",
    "NOT_KEPT",
    "ImportResult",
    "Refused",
    "bundle_import",
    "grade_and_letter",
    "kept_fields",
    "school_orgs",
    "schools_of_org",
]
