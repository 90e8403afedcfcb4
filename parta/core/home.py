"""What other apps add to a student's card on the home page (the student's own, or each child's
on a guardian's): today's passages, the meal account's balance… The home page (``web``) draws
the panels registered here; it names none of the apps that add them (invariant 11)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# read(viewer, student_ids, today) → the template's context for each student that has a panel
# (a student left out shows none). The viewer is the student or one of their guardians, already
# checked by the home page; one or two queries for all the students together.
PanelReader = Callable[[Any, list[int], dt.date], Mapping[int, Mapping[str, Any]]]


@dataclass(frozen=True)
class ChildPanel:
    name: str
    template: str  # drawn with the reader's context for the student, plus ``child_id``
    read: PanelReader


@dataclass(frozen=True)
class ShownPanel:
    name: str
    template: str
    context: Mapping[str, Any]


_PANELS: dict[str, ChildPanel] = {}


def register_child_panel(panel: ChildPanel) -> None:
    """Called from an app's ``AppConfig.ready``; panels are drawn in the order registered."""
    _PANELS[panel.name] = panel


def child_panels(viewer: Any, student_ids: list[int], today: dt.date) -> dict[int, list[ShownPanel]]:
    """Every registered panel that has something for each student."""
    shown: dict[int, list[ShownPanel]] = {pk: [] for pk in student_ids}
    if not student_ids:
        return shown
    for panel in _PANELS.values():
        for pk, context in panel.read(viewer, student_ids, today).items():
            if pk in shown:
                shown[pk].append(ShownPanel(panel.name, panel.template, {**context, "child_id": pk}))
    return shown
