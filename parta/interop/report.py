"""What an import did to each row of a bundle, or why it refused the bundle.

Plain data that goes into JSON (the import run's row) and back; no Django models.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
DELETED = "deleted"
SKIPPED = "skipped"
ERROR = "error"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, DELETED, SKIPPED, ERROR)


@dataclass(frozen=True)
class Entry:
    """One row's outcome. ``row`` counts the header as row 1 (0: the file as a whole);
    ``column`` names the column an error or a note is about."""

    file: str
    row: int
    outcome: str
    sourced_id: str = ""
    column: str = ""
    message: str = ""


@dataclass
class Report:
    entries: list[Entry] = field(default_factory=list)

    def add(
        self,
        file: str,
        row: int,
        outcome: str,
        *,
        sourced_id: str = "",
        column: str = "",
        message: str = "",
    ) -> None:
        self.entries.append(Entry(file, row, outcome, sourced_id, column, message))

    def error(self, file: str, row: int, column: str, message: str, *, sourced_id: str = "") -> None:
        self.add(file, row, ERROR, sourced_id=sourced_id, column=column, message=message)

    @property
    def errors(self) -> list[Entry]:
        return [entry for entry in self.entries if entry.outcome == ERROR]

    @property
    def refused(self) -> bool:
        return any(entry.outcome == ERROR for entry in self.entries)

    def counts(self) -> dict[str, int]:
        counted = Counter(entry.outcome for entry in self.entries)
        return {outcome: counted.get(outcome, 0) for outcome in OUTCOMES}

    def counts_by_file(self) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {}
        for entry in self.entries:
            per_file = result.setdefault(entry.file, dict.fromkeys(OUTCOMES, 0))
            per_file[entry.outcome] += 1
        return result

    def only_errors(self) -> Report:
        return Report([entry for entry in self.entries if entry.outcome == ERROR])

    def to_json(self) -> list[dict[str, Any]]:
        return [asdict(entry) for entry in self.entries]

    @classmethod
    def from_json(cls, data: list[dict[str, Any]] | None) -> Report:
        return cls([Entry(**item) for item in data or []])

    def lines(self) -> list[str]:
        """The report as text lines, for the command: one per row that is not ``unchanged``."""
        lines = []
        for entry in self.entries:
            if entry.outcome == UNCHANGED:
                continue
            where = entry.file + (f":{entry.row}" if entry.row else "")
            where += f" [{entry.column}]" if entry.column else ""
            ident = f" {entry.sourced_id}" if entry.sourced_id else ""
            note = f": {entry.message}" if entry.message else ""
            lines.append(f"{entry.outcome:9} {where}{ident}{note}")
        return lines
