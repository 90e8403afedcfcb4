"""Meals' reports: a child's statement of a month (PDF, for the family) and a school's day (XLSX,
for the cafeteria's operator: what was sold, the free meals by category, each desk, the refusals).

Reportlab's built-in fonts have no Cyrillic: the statement uses DejaVu Sans, as the report card
does (the copy vendored with the diary, else the system's).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.db.models import Count, Q, Sum
from django.utils import formats
from django.utils.translation import gettext as _

from parta.core.i18n import picker
from parta.core.pdf import FONT, FONT_BOLD, register_fonts
from parta.meals import selectors
from parta.meals.access import MealsChild
from parta.meals.models import Entitlement, LedgerEntry, Meal, MenuItem, Sale, SaleLine
from parta.meals.money import rubles
from parta.schools.models import School

# --- a child's statement of a month ----------------------------------------------------------------


@dataclass
class Statement:
    child: MealsChild
    month: dt.date
    opening: int
    rows: list[selectors.HistoryRow]  # oldest first

    @property
    def closing(self) -> int:
        return self.rows[-1].balance_after if self.rows else self.opening

    def total(self, kind: str) -> int:
        return sum(row.amount for row in self.rows if row.kind == kind)

    @property
    def free_meals(self) -> int:
        return sum(1 for row in self.rows if not row.refunded for line in row.lines if line.free)


def statement(child: MealsChild, month: dt.date) -> Statement:
    """The month's entries of the child's account with the balance before and after: three queries."""
    account = selectors.account_view(child.id)
    start, _end = selectors.local_range(month, selectors.next_month(month))
    opening = 0
    if account.number is not None:
        opening = (
            LedgerEntry.objects.filter(account_id=account.number, created_at__lt=start)
            .order_by("-created_at", "-pk")
            .values_list("balance_after", flat=True)
            .first()
        ) or 0
    rows = selectors.history(account.number, month, selectors.next_month(month))
    rows.reverse()
    return Statement(child, month, opening, rows)


def _what(row: selectors.HistoryRow) -> str:
    text = row.label
    if row.lines:
        parts = []
        for line in row.lines:
            part = line.name if line.quantity == 1 else f"{line.name} × {line.quantity}"
            parts.append(part + (f" ({_('free')})" if line.free else ""))
        text += ": " + ", ".join(parts)
    if row.reason:
        text += f" — {row.reason}"
    if row.refunded:
        text += f" ({_('refunded')})"
    return text


def statement_pdf(child: MealsChild, month: dt.date, today: dt.date) -> bytes:
    """The statement on A4: the balance at the start, each entry, the totals, the balance at the end."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    register_fonts()
    data = statement(child, month)
    buffer = io.BytesIO()
    month_name = formats.date_format(month, "F Y")
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=_("Meal account statement: %(name)s, %(month)s") % {"name": child.name, "month": month_name},
    )
    base = ParagraphStyle("base", fontName=FONT, fontSize=9.5, leading=12)
    bold = ParagraphStyle("bold", parent=base, fontName=FONT_BOLD)
    title = ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=15, leading=19, spaceAfter=4)
    muted = ParagraphStyle("muted", parent=base, textColor=colors.HexColor("#525d70"))

    def p(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(text), style)

    story: list[Any] = [
        p(_("Meal account statement"), title),
        p(_("%(name)s, class %(group)s") % {"name": child.name, "group": child.class_group}),
        p(_("%(month)s · account No. %(number)s") % {"month": month_name, "number": child.id}),
        Spacer(1, 5 * mm),
        p(_("Balance at the start of the month: %(amount)s") % {"amount": rubles(data.opening)}, bold),
        Spacer(1, 3 * mm),
    ]
    table: list[list[Any]] = [
        [p(_("Date"), bold), p(_("Operation"), bold), p(_("Amount"), bold), p(_("Balance"), bold)]
    ]
    for row in data.rows:
        table.append(
            [
                p(formats.date_format(row.at, "SHORT_DATETIME_FORMAT")),
                p(_what(row)),
                p(rubles(row.amount, sign=True)),
                p(rubles(row.balance_after)),
            ]
        )
    if not data.rows:
        table.append([p("—"), p(_("No operations this month.")), p(""), p("")])
    grid = Table(table, colWidths=(32 * mm, 96 * mm, 25 * mm, 25 * mm), repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor("#1f4fd1")),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#d4d9e3")),
                ("ALIGN", (2, 0), (3, -1), "RIGHT"),
            ]
        )
    )
    story += [
        grid,
        Spacer(1, 5 * mm),
        p(_("Topped up: %(amount)s") % {"amount": rubles(data.total(LedgerEntry.Kind.TOP_UP))}),
        p(_("Spent on meals: %(amount)s") % {"amount": rubles(-data.total(LedgerEntry.Kind.PURCHASE))}),
        p(_("Refunded: %(amount)s") % {"amount": rubles(data.total(LedgerEntry.Kind.REFUND))}),
        p(_("Corrections: %(amount)s") % {"amount": rubles(data.total(LedgerEntry.Kind.CORRECTION))}),
        p(_("Free meals (entitlement): %(count)d") % {"count": data.free_meals}),
        Spacer(1, 2 * mm),
        p(_("Balance at the end of the month: %(amount)s") % {"amount": rubles(data.closing)}, bold),
        Spacer(1, 6 * mm),
        p(_("Generated on %(date)s") % {"date": formats.date_format(today, "DATE_FORMAT")}, muted),
    ]
    doc.build(story)
    return buffer.getvalue()


# --- a school's day --------------------------------------------------------------------------------


def _money(kopecks: int | None) -> Decimal:
    return Decimal(kopecks or 0) / 100


def day_items(school_id: int, day: dt.date) -> list[dict[str, Any]]:
    """Each item sold on the day (refunded sales left out): quantity, of which free, paid."""
    name = picker()
    found = (
        SaleLine.objects.filter(sale__school_id=school_id, sale__day=day, sale__refunded_at__isnull=True)
        .values("item_id", "item__name_ru", "item__name_en", "item__kind", "item__meal")
        .annotate(
            sold=Sum("quantity"),
            free=Sum("quantity", filter=Q(entitlement__isnull=False), default=0),
            paid=Sum("amount"),
            subsidised=Sum("price", filter=Q(entitlement__isnull=False), default=0),
        )
        .order_by("item__kind", "item__meal", "item__name_ru")
    )
    return [
        {
            "name": name(row["item__name_ru"], row["item__name_en"]),
            "kind": str(MenuItem.Kind(row["item__kind"]).label),
            "meal": str(Meal(row["item__meal"]).label) if row["item__meal"] else "",
            "quantity": row["sold"],
            "free": row["free"],
            "paid": row["paid"],
            "subsidised": row["subsidised"],
        }
        for row in found
    ]


def day_free_meals(school_id: int, day: dt.date) -> list[dict[str, Any]]:
    """The free meals of the day by the entitlement's category and the meal: how many, at what cost."""
    found = (
        SaleLine.objects.filter(
            sale__school_id=school_id,
            sale__day=day,
            sale__refunded_at__isnull=True,
            entitlement__isnull=False,
        )
        .values("entitlement__category", "meal")
        .annotate(n=Count("pk"), cost=Sum("price"))
        .order_by("entitlement__category", "meal")
    )
    return [
        {
            "category": str(Entitlement.Category(row["entitlement__category"]).label),
            "meal": str(Meal(row["meal"]).label) if row["meal"] else "",
            "count": row["n"],
            "cost": row["cost"],
        }
        for row in found
    ]


def day_desks(school_id: int, day: dt.date) -> list[dict[str, Any]]:
    found = (
        Sale.objects.filter(school_id=school_id, day=day, refunded_at__isnull=True)
        .values("device_id", "device__name", "building__name")
        .annotate(n=Count("pk"), paid=Sum("total"), subsidised=Sum("subsidised_total"))
        .order_by("building__name", "device__name")
    )
    return [
        {
            "desk": row["device__name"],
            "building": row["building__name"],
            "sales": row["n"],
            "paid": row["paid"],
            "subsidised": row["subsidised"],
        }
        for row in found
    ]


def school_day_xlsx(school: School, day: dt.date) -> bytes:
    """The day's report: a summary, the items, the free meals by category, the desks, the refusals."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    figures = selectors.school_day(school.pk, day)
    book = Workbook()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E8EEFC")
    money = "#,##0.00"

    def sheet_of(title: str, header: list[str], rows: list[list[Any]], money_columns: set[int]) -> None:
        sheet = book.create_sheet(title[:31])
        for column, text in enumerate(header, start=1):
            cell = sheet.cell(row=1, column=column, value=text)
            cell.font = bold
            cell.fill = fill
            sheet.column_dimensions[cell.column_letter].width = 34 if column == 1 else 16
        for index, row in enumerate(rows, start=2):
            for column, value in enumerate(row, start=1):
                cell = sheet.cell(row=index, column=column, value=value)
                if column in money_columns:
                    cell.number_format = money
        sheet.freeze_panes = "A2"

    summary = book.active
    assert summary is not None
    summary.title = _("Summary")[:31]
    lines: list[tuple[str, Any, bool]] = [
        (_("School"), school.name, False),
        (_("Day"), day, False),
        (_("Sales"), figures.sales, False),
        (_("Paid by families, ₽"), _money(figures.paid), True),
        (_("Free meals"), figures.free_meals, False),
        (_("Free meals' cost (the school's budget), ₽"), _money(figures.subsidised), True),
        (_("Top-ups, ₽"), _money(figures.topped_up), True),
        (_("Refused sales"), sum(figures.refusals.values()), False),
    ]
    summary.cell(row=1, column=1, value=_("Meals: the day's report")).font = Font(bold=True, size=14)
    for index, (label, value, is_money) in enumerate(lines, start=3):
        summary.cell(row=index, column=1, value=label).font = bold
        cell = summary.cell(row=index, column=2, value=value)
        if is_money:
            cell.number_format = money
        elif isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
    summary.column_dimensions["A"].width = 44
    summary.column_dimensions["B"].width = 40

    sheet_of(
        _("Items"),
        [
            _("Item"),
            _("Kind"),
            _("Meal"),
            _("Sold"),
            _("Of which free"),
            _("Paid, ₽"),
            _("Free meals' cost, ₽"),
        ],
        [
            [
                r["name"],
                r["kind"],
                r["meal"],
                r["quantity"],
                r["free"],
                _money(r["paid"]),
                _money(r["subsidised"]),
            ]
            for r in day_items(school.pk, day)
        ],
        {6, 7},
    )
    sheet_of(
        _("Free meals"),
        [_("Category"), _("Meal"), _("Meals"), _("Cost, ₽")],
        [[r["category"], r["meal"], r["count"], _money(r["cost"])] for r in day_free_meals(school.pk, day)],
        {4},
    )
    sheet_of(
        _("Cash desks"),
        [_("Cash desk"), _("Building"), _("Sales"), _("Paid, ₽"), _("Free meals' cost, ₽")],
        [
            [r["desk"], r["building"], r["sales"], _money(r["paid"]), _money(r["subsidised"])]
            for r in day_desks(school.pk, day)
        ],
        {4, 5},
    )
    sheet_of(
        _("Refusals"),
        [_("Code"), _("Refused")],
        [[code, count] for code, count in sorted(figures.refusals.items())],
        set(),
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
