"""The home page's panel of each child: today's entry and exit (``core.home``)."""

from __future__ import annotations

from parta.core.home import ChildPanel, register_child_panel
from parta.passage.selectors import home_panel


def register() -> None:
    register_child_panel(ChildPanel("passage", "passage/_home_panel.html", home_panel))
