"""A school's calendar: academic years, study periods and holidays."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext_lazy as _

from parta.schools.models.places import School


class Closable(models.Model):
    """A study period or year the administrator closes: its marks lock, and a later change needs a
    reason, kept in the journal history (a closed year also locks its year marks)."""

    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        abstract = True


class AcademicYear(Closable):
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="years", verbose_name=_("school"), db_index=False
    )
    name = models.CharField(_("name"), max_length=20)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("academic year")
        verbose_name_plural = _("academic years")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["school", "starts_on"], name="year_unique_start"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="year_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StudyPeriod(Closable):
    class Kind(models.TextChoices):
        QUARTER = "quarter", _("quarter")
        TRIMESTER = "trimester", _("trimester")
        SEMESTER = "semester", _("semester")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="study_periods", verbose_name=_("school")
    )
    year = models.ForeignKey(
        AcademicYear,
        on_delete=models.CASCADE,
        related_name="periods",
        verbose_name=_("academic year"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.QUARTER)
    number = models.PositiveSmallIntegerField(_("number"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("study period")
        verbose_name_plural = _("study periods")
        ordering = ["year", "kind", "number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "kind", "number"], name="period_unique_number"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="period_ends_after_start"
            ),
        ]

    # A whole phrase per kind, so that each language puts the number where it belongs:
    # “Quarter 1” in English, «1 четверть» in Russian. The choices' labels stay as they are.
    NAME_FORMATS: ClassVar[dict[str, StrPromise]] = {
        Kind.QUARTER: _("Quarter %(number)d"),
        Kind.TRIMESTER: _("Trimester %(number)d"),
        Kind.SEMESTER: _("Semester %(number)d"),
    }

    @property
    def name(self) -> str:
        template = self.NAME_FORMATS.get(self.kind)
        if template is None or self.number is None:
            return f"{self.number} {self.get_kind_display()}"
        return str(template) % {"number": self.number}

    def __str__(self) -> str:
        return self.name


class Holiday(models.Model):
    """School holidays and public days off: no lessons are generated on them."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="holidays", verbose_name=_("school")
    )
    year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="holidays", verbose_name=_("academic year")
    )
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="holiday_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name
