"""The school's grading schemes and control forms, for the administrator's page."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef

from parta.core.i18n import pick
from parta.journal.models import ControlForm, GradingScheme, Mark, Scale


@dataclass(frozen=True)
class SchemeRow:
    id: int
    subject: str | None  # None: the school's default
    scale: str
    round_up_from: Decimal
    final_scale: str  # of the period and year marks


@dataclass(frozen=True)
class ControlFormRow:
    id: int
    code: str
    name: str
    name_ru: str
    name_en: str
    default_weight: int
    order: int
    in_use: bool


@dataclass(frozen=True)
class Grading:
    schemes: list[SchemeRow]
    control_forms: list[ControlFormRow]


def grading(school_id: int) -> Grading:
    """The default scheme first, then the subjects' by the subjects' order; the control forms in
    their order, each saying whether a mark was given for it: two queries."""
    schemes = (
        GradingScheme.objects.filter(school_id=school_id)
        .select_related("subject")
        .order_by("subject__order", "subject__code")
    )
    scheme_rows = sorted(
        (
            SchemeRow(
                id=s.pk,
                subject=s.subject.name if s.subject else None,
                scale=str(Scale(s.scale).label),
                round_up_from=Decimal(s.round_up_from),
                final_scale=str(Scale(s.final).label),
            )
            for s in schemes
        ),
        key=lambda row: row.subject is not None,
    )
    forms = (
        ControlForm.objects.filter(school_id=school_id)
        .annotate(in_use=Exists(Mark.objects.filter(control_form_id=OuterRef("pk"))))
        .order_by("order", "code")
    )
    return Grading(
        schemes=scheme_rows,
        control_forms=[
            ControlFormRow(
                id=f.pk,
                code=f.code,
                name=pick(f.name_ru, f.name_en),
                name_ru=f.name_ru,
                name_en=f.name_en,
                default_weight=f.default_weight,
                order=f.order,
                in_use=f.in_use,
            )
            for f in forms
        ],
    )
