"""The meals panel of a child's card on the home page: the balance and this month's spending."""

from __future__ import annotations

from parta.core.home import ChildPanel, register_child_panel
from parta.meals.selectors import home_panels


def register_panel() -> None:
    register_child_panel(ChildPanel("meals", "meals/_home_panel.html", home_panels))
