"""The importer's state and bookkeeping: what each row came to, the report, the progress, and
the mapping of sourcedIds to Parta's rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Model

from parta.accounts.models import User
from parta.interop.models import SourcedId
from parta.interop.parser import Bundle, Row
from parta.interop.report import CREATED, DELETED, SKIPPED, UNCHANGED, UPDATED, Report
from parta.interop.services.importing.common import FILE_ORDER, RANK, Progress, _Outcome, kept_fields
from parta.schools.models import AcademicYear, Building, ClassGroup, School

_M = TypeVar("_M", bound=Model)


@dataclass
class _State:
    bundle: Bundle
    parse_report: Report
    school: School | None
    progress: Progress | None
    ids: dict[tuple[str, str], SourcedId] = field(default_factory=dict)
    outcomes: dict[tuple[str, int], _Outcome] = field(default_factory=dict)
    errors: Report = field(default_factory=Report)
    org: str = ""
    done: int = 0
    total: int = 0
    building: Building | None = None
    years: dict[str, AcademicYear] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    roles: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    class_groups: dict[str, ClassGroup] = field(default_factory=dict)
    # What the import made up for what OneRoster does not carry, said at the top of the report.
    defaults: list[str] = field(default_factory=list)

    # --- bookkeeping ---------------------------------------------------------------------------

    def note(self, row: Row, outcome: str, message: str = "", column: str = "") -> None:
        key = (row.file, row.number)
        current = self.outcomes.get(key)
        if current is None:
            self.outcomes[key] = _Outcome(row.sourced_id, outcome, message, column)
            return
        if outcome in (SKIPPED, DELETED) or RANK.get(outcome, 0) > RANK.get(current.outcome, 0):
            current.outcome = outcome
        if message:
            current.message = f"{current.message} {message}".strip()
            current.column = current.column or column

    def changed(self, row: Row, created: bool, updated: bool, message: str = "") -> None:
        self.note(row, CREATED if created else UPDATED if updated else UNCHANGED, message)

    def error(self, row: Row, column: str, message: str) -> None:
        self.errors.error(row.file, row.number, column, message, sourced_id=row.sourced_id)

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None and (self.done % 25 == 0 or self.done == self.total):
            self.progress(self.done, self.total)

    def final_report(self) -> Report:
        report = Report([entry for entry in self.parse_report.entries if entry.row == 0])
        for message in self.defaults:
            report.add("", 0, CREATED, message=message)
        order = {file: index for index, file in enumerate(FILE_ORDER)}
        for (file, number), outcome in sorted(
            self.outcomes.items(), key=lambda item: (order.get(item[0][0], 99), item[0][1])
        ):
            report.add(
                file,
                number,
                outcome.outcome,
                sourced_id=outcome.sourced_id,
                column=outcome.column,
                message=outcome.message,
            )
        return report

    # --- the mapping of sourcedIds -----------------------------------------------------------------

    def mapped(self, kind: str, sid: str, target: str | None = None) -> SourcedId | None:
        mapping = self.ids.get((kind, sid))
        if mapping is None or (target is not None and mapping.target != target):
            return None
        return mapping

    def remember(self, row: Row, kind: str, target: str, object_id: int | None) -> bool:
        """Keep the row's sourcedId → the Parta row; True when that wrote anything."""
        assert self.school is not None
        fields = kept_fields(row)
        mapping = self.ids.get((kind, row.sourced_id))
        if mapping is None:
            self.ids[(kind, row.sourced_id)] = SourcedId.objects.create(
                school=self.school,
                kind=kind,
                sourced_id=row.sourced_id,
                target=target,
                object_id=object_id,
                fields=fields,
            )
            return True
        if (mapping.target, mapping.object_id, mapping.fields) == (target, object_id, fields):
            return False
        mapping.target, mapping.object_id, mapping.fields = target, object_id, fields
        mapping.save(update_fields=["target", "object_id", "fields", "updated_at"])
        return True

    def forget(self, kind: str, sid: str) -> None:
        mapping = self.ids.pop((kind, sid), None)
        if mapping is not None:
            mapping.delete()

    @staticmethod
    def save_changes(instance: Model, values: Mapping[str, Any]) -> bool:
        changed = [name for name, value in values.items() if getattr(instance, name) != value]
        for name in changed:
            setattr(instance, name, values[name])
        if changed:
            instance.save(update_fields=changed)
        return bool(changed)

    def active(self, file: str) -> list[Row]:
        """The rows of ``file`` not marked ``tobedeleted``."""
        return [row for row in self.bundle.of(file) if not row.deleted]

    def mapped_row(self, seen: dict[str, _M], model: type[_M], kind: str, target: str, sid: str) -> _M | None:
        """The Parta row an earlier import made of ``sid``, kept in ``seen`` once read."""
        if sid in seen:
            return seen[sid]
        mapping = self.mapped(kind, sid, target)
        row = model._default_manager.filter(pk=mapping.row_id).first() if mapping else None
        if row is not None:
            seen[sid] = row
        return row
