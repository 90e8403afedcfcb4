"""The school's grading schemes (scale and rounding rule, the default and per subject) and control
forms with their default weights: the administrator's writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from parta.core.errors import FieldErrors
from parta.core.i18n import pick
from parta.journal import scales
from parta.journal.models import ControlForm, GradingScheme, Mark, PeriodMark, Scale
from parta.schools.access import access_school
from parta.schools.models import School, Subject
from parta.schools.services.common import _insert_unique

CODE_MAX_LENGTH = 40  # ControlForm.code
FORM_NAME_MAX_LENGTH = 100  # ControlForm.name_ru, name_en
MAX_ORDER = 999
_SLUG_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


def _marks_governed(
    school_id: int, subject_id: int | None, model: type[Mark] | type[PeriodMark]
) -> QuerySet[Mark] | QuerySet[PeriodMark]:
    """The marks (``Mark`` or ``PeriodMark``) a scheme governs: its subject's, or (the default)
    those of every subject without a scheme of its own."""
    marks = model._default_manager.filter(school_id=school_id)
    if subject_id is not None:
        return marks.filter(subject_id=subject_id)
    own = GradingScheme.objects.filter(school_id=school_id, subject__isnull=False).values("subject_id")
    return marks.exclude(subject_id__in=own)


def _scale_refusal(
    school_id: int, subject_id: int | None, scale: str, model: type[Mark] | type[PeriodMark]
) -> str | None:
    """Why the marks a scheme governs forbid this scale: marks already given on another scale
    would then be averaged with it (period and year marks: shown side by side with it)."""
    other = (
        _marks_governed(school_id, subject_id, model)
        .exclude(scale=scale)
        .values_list("scale", flat=True)
        .first()
    )
    if other is None:
        return None
    if model is PeriodMark:
        message = _(
            "Period marks on the %(scale)s scale have been given already: "
            "their scale can change only before the first one."
        )
    else:
        message = _(
            "Marks on the %(scale)s scale have been given already: "
            "the scale can change only before the first mark."
        )
    return message % {"scale": Scale(other).label}


@transaction.atomic
def grading_scheme_save(
    *,
    actor: Any,
    school: School,
    subject: Subject | None,
    scale: str,
    round_up_from: Decimal,
    final_scale: str = "",
    scheme: GradingScheme | None = None,
) -> GradingScheme:
    """Create the school's default scheme (``subject`` None) or a subject's, or change ``scheme``.
    A subject's marks are all on one scale: the scale changes only while none is on another; so
    do its period and year marks, on ``final_scale`` (blank: the lessons' scale)."""
    school = access_school(actor, school.pk, for_admin=True)
    if scheme is not None and scheme.school_id != school.pk:
        raise ValidationError({"scale": [_("This grading scheme belongs to another school.")]})
    errors = FieldErrors()
    subject_id = subject.pk if subject else None
    if scheme is not None and (scheme.subject_id is None) != (subject is None):
        errors.add(
            "subject", _("The school's default scheme stays the default, and a subject's stays a subject's.")
        )
    unchanged = scheme is not None and scheme.scale == scale and scheme.subject_id == subject_id
    if scale not in Scale.values:
        errors.add("scale", _("Choose a scale."))
    elif not unchanged and (message := _scale_refusal(school.pk, subject_id, scale, Mark)) is not None:
        errors.add("scale", message)
    final_unchanged = (
        scheme is not None and scheme.final == (final_scale or scale) and scheme.subject_id == subject_id
    )
    if final_scale and final_scale not in Scale.values:
        errors.add("final_scale", _("Choose a scale."))
    elif (
        not final_unchanged
        and scale in Scale.values
        and (message := _scale_refusal(school.pk, subject_id, final_scale or scale, PeriodMark))
    ):
        errors.add("final_scale", message)
    if not Decimal("0") < round_up_from <= Decimal("1"):
        errors.add("round_up_from", _("Give a threshold above 0 and at most 1, for example 0.50 or 0.60."))

    def taken() -> str | None:
        others = GradingScheme.objects.filter(school=school, subject=subject)
        if scheme is not None:
            others = others.exclude(pk=scheme.pk)
        if not others.exists():
            return None
        if subject is None:
            return _("The school has a default scheme already: change it instead.")
        return _("%(subject)s has a scheme already: change it instead.") % {"subject": subject.name}

    if (message := taken()) is not None:
        errors.add("subject", message)
    errors.raise_if_any()
    if scheme is None:
        return _insert_unique(
            lambda: GradingScheme.objects.create(
                school=school,
                subject=subject,
                scale=scale,
                round_up_from=round_up_from,
                final_scale=final_scale,
            ),
            taken,
            "subject",
        )
    changed = scheme

    def update() -> GradingScheme:
        changed.subject, changed.scale, changed.round_up_from = subject, scale, round_up_from
        changed.final_scale = final_scale
        changed.save(update_fields=["subject", "scale", "round_up_from", "final_scale"])
        return changed

    return _insert_unique(update, taken, "subject")


@transaction.atomic
def grading_scheme_delete(*, actor: Any, scheme: GradingScheme) -> None:
    """Delete a subject's scheme: the subject follows the school's default from then on, so its
    marks must be on the default's scale. The default scheme itself is never deleted."""
    access_school(actor, scheme.school_id, for_admin=True)
    if scheme.subject_id is None:
        raise ValidationError(
            {"scheme": [_("The school's default scheme cannot be deleted; change it instead.")]}
        )
    default = GradingScheme.objects.filter(school_id=scheme.school_id, subject__isnull=True).first()
    default_scale = default.scale if default else scales.DEFAULT_SCALE
    if _marks_governed(scheme.school_id, scheme.subject_id, Mark).exclude(scale=default_scale).exists():
        raise ValidationError(
            {
                "scheme": [
                    _(
                        "The subject's marks are on the %(scale)s scale and the school's default is another: "
                        "the scheme cannot be deleted."
                    )
                    % {"scale": Scale(scheme.scale).label}
                ]
            }
        )
    scheme.delete()


@transaction.atomic
def control_form_save(
    *,
    actor: Any,
    school: School,
    code: str,
    name_ru: str,
    name_en: str,
    default_weight: int,
    order: int,
    control_form: ControlForm | None = None,
) -> ControlForm:
    """Create a control form of the school, or change ``control_form``. Its default weight is what
    a new mark of this form gets; marks already given keep the weight they were given with."""
    school = access_school(actor, school.pk, for_admin=True)
    if control_form is not None and control_form.school_id != school.pk:
        raise ValidationError({"code": [_("This control form belongs to another school.")]})
    errors = FieldErrors()
    code, name_ru, name_en = code.strip().lower(), name_ru.strip(), name_en.strip()
    if not code:
        errors.add("code", _("Enter a short code, for example “test”."))
    elif len(code) > CODE_MAX_LENGTH:
        errors.add("code", _("Use at most %(max)d characters.") % {"max": CODE_MAX_LENGTH})
    elif not set(code) <= _SLUG_CHARACTERS:
        errors.add("code", _("Use Latin letters, digits, “-” and “_” only."))
    for name, value, empty in (
        ("name_ru", name_ru, _("Enter the name in Russian.")),
        ("name_en", name_en, _("Enter the name in English.")),
    ):
        if not value:
            errors.add(name, empty)
        elif len(value) > FORM_NAME_MAX_LENGTH:
            errors.add(name, _("Use at most %(max)d characters.") % {"max": FORM_NAME_MAX_LENGTH})
    if not scales.MIN_WEIGHT <= default_weight <= scales.MAX_WEIGHT:
        errors.add(
            "default_weight",
            _("The weight must be from %(min)d to %(max)d.")
            % {"min": scales.MIN_WEIGHT, "max": scales.MAX_WEIGHT},
        )
    if not 0 <= order <= MAX_ORDER:
        errors.add("order", _("The order must be from %(min)d to %(max)d.") % {"min": 0, "max": MAX_ORDER})

    def taken() -> str | None:
        others = ControlForm.objects.filter(school=school, code=code)
        if control_form is not None:
            others = others.exclude(pk=control_form.pk)
        if not others.exists():
            return None
        return _("The school has a control form with the code “%(code)s” already.") % {"code": code}

    if code and (message := taken()) is not None:
        errors.add("code", message)
    errors.raise_if_any()
    fields = {
        "code": code,
        "name_ru": name_ru,
        "name_en": name_en,
        "default_weight": default_weight,
        "order": order,
    }
    if control_form is None:
        return _insert_unique(lambda: ControlForm.objects.create(school=school, **fields), taken, "code")
    changed = control_form

    def update() -> ControlForm:
        for name, value in fields.items():
            setattr(changed, name, value)
        changed.save(update_fields=list(fields))
        return changed

    return _insert_unique(update, taken, "code")


@transaction.atomic
def control_form_delete(*, actor: Any, control_form: ControlForm) -> None:
    """Delete a control form no mark was given for (marks are official records and keep theirs)."""
    access_school(actor, control_form.school_id, for_admin=True)
    if Mark.objects.filter(control_form=control_form).exists():
        raise ValidationError(
            {
                "control_form": [
                    _(
                        "Marks have been given for “%(name)s”: it cannot be deleted. "
                        "Rename it or lower its weight instead."
                    )
                    % {"name": pick(control_form.name_ru, control_form.name_en)}
                ]
            }
        )
    control_form.delete()
