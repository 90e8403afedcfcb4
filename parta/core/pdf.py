"""What every PDF of Parta shares: DejaVu Sans, a font with Cyrillic, registered with reportlab
once per process — the copy in ``parta/core/fonts`` (so a fresh machine works), else the system's."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
_FONT_DIRS = (Path(__file__).resolve().parent / "fonts", Path("/usr/share/fonts/truetype/dejavu"))


def register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for folder in _FONT_DIRS:
        regular, bold = folder / f"{FONT}.ttf", folder / f"{FONT_BOLD}.ttf"
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont(FONT, str(regular)))
            pdfmetrics.registerFont(TTFont(FONT_BOLD, str(bold)))
            return
    raise RuntimeError("DejaVu Sans not found: a PDF needs a font with Cyrillic.")
