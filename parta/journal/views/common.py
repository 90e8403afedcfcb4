"""What the journal's pages share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from parta.journal import scales, selectors
from parta.journal.models import Attendance, JournalChange, Remark
from parta.journal.selectors import HistoryRow
from parta.journal.services import StaleVersion

T = TypeVar("T")


# --- helpers ----------------------------------------------------------------------------


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for values in error.message_dict.values() for message in values]
    return list(error.messages)


def _stale_message(request: HttpRequest, lesson_id: int, student_id: int) -> str:
    """«Changed meanwhile by X»: who wrote the cell last, from its history (one query)."""
    history = selectors.cell_history(request.user, lesson_id, student_id)
    if history:
        return _("Changed meanwhile by %(name)s; the cell has been reloaded.") % {"name": history[0].actor}
    return _("Changed meanwhile by someone else; the cell has been reloaded.")


@dataclass(frozen=True)
class Outcome:
    """What a write came to: ``errors`` (field → messages) or ``stale`` (someone wrote first)."""

    errors: dict[str, list[str]]
    stale: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not self.stale


def _attempt(call: Callable[[], Any]) -> Outcome:
    try:
        call()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            return Outcome(dict(error.message_dict))
        return Outcome({"__all__": list(error.messages)})
    except StaleVersion:
        return Outcome({}, stale=True)
    return Outcome({})


def _describe_mark(state: dict[str, Any]) -> str:
    text = scales.display(state.get("scale") or scales.DEFAULT_SCALE, state.get("value"))
    if state.get("weight", 1) != 1:
        text += f" ({_('weight %(weight)s') % {'weight': state.get('weight')}})"
    if state.get("owed_until"):
        text += " " + _("owed until %(date)s") % {"date": state["owed_until"]}
    if state.get("comment"):
        text += f" «{state['comment']}»"
    if state.get("origin"):
        text += " · " + _("from %(origin)s") % {"origin": state["origin"]}
    return text


def _describe_attendance(state: dict[str, Any]) -> str:
    status = state.get("status") or ""
    label = str(Attendance.Status(status).label) if status in Attendance.Status.values else status
    return f"{label} «{state['reason']}»" if state.get("reason") else label


def _describe_remark(state: dict[str, Any]) -> str:
    label = dict(Remark.Kind.choices).get(state.get("kind") or "", "")
    return f"{label}: «{state.get('text', '')}»"


def _describe_period_mark(state: dict[str, Any]) -> str:
    return scales.display_final(state.get("scale") or scales.DEFAULT_SCALE, state.get("value"))


_DESCRIBE: dict[str, Callable[[dict[str, Any]], str]] = {
    JournalChange.Kind.MARK: _describe_mark,
    JournalChange.Kind.ATTENDANCE: _describe_attendance,
    JournalChange.Kind.REMARK: _describe_remark,
    JournalChange.Kind.PERIOD_MARK: _describe_period_mark,
}


def _describe(kind: str, state: Any) -> str:
    """A history row's old or new value in a few words."""
    if not isinstance(state, dict):
        return "—" if state is None else str(state)
    if kind in _DESCRIBE:
        return _DESCRIBE[kind](state)
    if kind in (JournalChange.Kind.PERIOD, JournalChange.Kind.YEAR):
        state = {"code": _("closed") if state.get("closed") else _("open")}
    if kind in (JournalChange.Kind.TOPIC, JournalChange.Kind.PERIOD, JournalChange.Kind.YEAR):
        return str(state.get("code") or "—")
    return str(state)


@dataclass(frozen=True)
class HistoryLine:
    row: HistoryRow
    kind_label: str
    old: str
    new: str


def _gone(kind: str) -> str:
    """What a row that no longer is became: a remark is withdrawn (its row stays), the rest removed."""
    return _("withdrawn") if kind == JournalChange.Kind.REMARK else _("removed")


def _history_lines(rows: list[HistoryRow]) -> list[HistoryLine]:
    labels = dict(JournalChange.Kind.choices)
    return [
        HistoryLine(
            row,
            str(labels.get(row.kind, row.kind)),
            _describe(row.kind, row.old) if row.old is not None else "—",
            _describe(row.kind, row.new) if row.new is not None else _gone(row.kind),
        )
        for row in rows
    ]
