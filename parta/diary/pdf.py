"""The report card as a PDF, drawn with reportlab.

Reportlab's built-in fonts have no Cyrillic, so the card uses DejaVu Sans: the copy vendored in
``parta/core/fonts`` (core.pdf).
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from parta.core.pdf import FONT, FONT_BOLD, register_fonts
from parta.diary.summaries import FinalMark, ReportCard


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: reportlab reads markup in a paragraph, names may hold ``&`` or ``<``."""
    return Paragraph(escape(text), style)


COLUMN_WIDTHS = (62 * mm, 22 * mm, 27 * mm, 34 * mm, 29 * mm)
CELL_PADDING = 4  # points, each side: reportlab's default, kept explicit for the width check


def marks_table(card: ReportCard, base: ParagraphStyle) -> Table:
    """The subjects' table. Headers and subject names are paragraphs that wrap inside their
    column: Russian headers («Отметка за период») are wider than their English ones."""
    head = ParagraphStyle("head", parent=base, fontName=FONT_BOLD, alignment=TA_CENTER)
    final_label = _("Period mark") if card.choice.period else _("Year mark")
    labels = [_("Subject"), _("Marks"), _("Average"), final_label, _("Missed")]
    data: list[list[Any]] = [[_p(labels[0], ParagraphStyle("head0", parent=head, alignment=TA_LEFT))]]
    data[0] += [_p(label, head) for label in labels[1:]]
    for row in card.rows:
        final = row.period_mark if card.choice.period else row.year_mark
        data.append(
            [_p(row.subject, base), str(row.marks), _average(row.average), _final(final), str(row.missed)]
        )
    table = Table(data, colWidths=COLUMN_WIDTHS, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 10),
                ("ALIGN", (1, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#b9c3d3")),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _average(value: Decimal | None) -> str:
    return formats.number_format(value, 2) if value is not None else "—"


def _final(mark: FinalMark | None) -> str:
    return mark.display if mark else "—"


def report_card_pdf(card: ReportCard) -> bytes:
    """The report card on one A4 page (more for a long list of subjects)."""
    register_fonts()
    buffer = io.BytesIO()
    student = card.student
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Report card: %(name)s") % {"name": student.name},
        author=student.school,
    )
    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=13)
    title = ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=4)
    muted = ParagraphStyle("muted", parent=base, textColor=colors.HexColor("#525d70"))
    story: list[object] = [
        _p(_("Report card"), title),
        _p(student.school, base),
        _p(
            _("%(student)s, class %(group)s, %(year)s")
            % {"student": student.name, "group": student.class_group, "year": student.year},
            base,
        ),
        _p(
            _("%(period)s: %(start)s – %(end)s")
            % {
                "period": card.title,
                "start": formats.date_format(card.choice.date_from, "SHORT_DATE_FORMAT"),
                "end": formats.date_format(card.choice.date_to, "SHORT_DATE_FORMAT"),
            },
            base,
        ),
        Spacer(1, 6 * mm),
    ]
    counts = card.attendance
    story += [
        marks_table(card, base),
        Spacer(1, 6 * mm),
        _p(_("Attendance"), ParagraphStyle("h2", parent=base, fontName=FONT_BOLD, fontSize=12, leading=16)),
        _p(
            _(
                "Lessons: %(lessons)d; missed: %(missed)d (of which excused: %(excused)d, sick: %(sick)d); "
                "late: %(late)d."
            )
            % {
                "lessons": counts.lessons,
                "missed": counts.missed,
                "excused": counts.excused,
                "sick": counts.sick,
                "late": counts.late,
            },
            base,
        ),
        Spacer(1, 8 * mm),
        _p(
            _("Generated on %(date)s") % {"date": formats.date_format(card.generated_on, "DATE_FORMAT")},
            muted,
        ),
    ]
    doc.build(story)
    return buffer.getvalue()
