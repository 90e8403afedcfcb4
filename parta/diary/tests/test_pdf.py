"""The report card PDF's table: every header and subject fits its column in both languages."""

from __future__ import annotations

import pytest
from django.utils import translation
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from parta.core.pdf import FONT, register_fonts
from parta.diary import pdf
from parta.diary.summaries import report_card
from parta.testing import factories as f


def _min_width(cell: object) -> float:
    """The narrowest a cell can be drawn: a paragraph breaks between words, plain text never."""
    if isinstance(cell, Paragraph):
        return float(cell.minWidth())
    return float(stringWidth(str(cell), FONT, 10))


@pytest.mark.parametrize("language", ["ru", "en"])
def test_no_header_or_subject_is_wider_than_its_column(world, language):
    a = world.a
    a.lesson.subject.name_ru = "Основы безопасности и защиты Родины"
    a.lesson.subject.save(update_fields=["name_ru"])
    f.MarkFactory.create(lesson=a.lesson, student=a.student, value=5)
    register_fonts()
    with translation.override(language):
        for period in (None, "year"):
            card = report_card(a.parent, a.student.pk, period)
            table = pdf.marks_table(card, ParagraphStyle("base", fontName=FONT, fontSize=10, leading=13))
            for row in table._cellvalues:
                for cell, width in zip(row, pdf.COLUMN_WIDTHS, strict=True):
                    assert _min_width(cell) <= width - 2 * pdf.CELL_PADDING, (language, cell)
