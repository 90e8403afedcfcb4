"""The journal: marks, attendance, period and year marks, teachers' remarks, their history, absence
notices.

Every row carries ``school`` (invariant 1). Marks, attendance and period marks carry a
``version`` that each write increments: a write based on an older version is refused
(HTTP 409), so that two devices never silently overwrite each other. Every change writes
an append-only :class:`JournalChange` (invariant 3).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parta.schools.models import AcademicYear, ClassGroup, School, StudyPeriod, Subject
from parta.timetable.models import Lesson


class Scale(models.TextChoices):
    """The marking scales a school may use; the bounds live in ``parta.journal.scales``."""

    FIVE = "five", _("5-point")
    TEN = "ten", _("10-point")
    HUNDRED = "hundred", _("100-point")
    PASS_FAIL = "pass_fail", _("pass/fail")


class GradingScheme(models.Model):
    """The school's scale and rounding rule; a row with a subject overrides the school's default."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("subject")
    )
    scale = models.CharField(_("scale"), max_length=20, choices=Scale.choices, default=Scale.FIVE)
    # An average whose fractional part reaches this threshold is rounded up: 0.50 is ordinary
    # rounding (3.50 → 4), 0.60 is the stricter rule many Moscow schools use (3.59 → 3).
    round_up_from = models.DecimalField(_("round up from"), max_digits=3, decimal_places=2, default=0.5)
    # Period and year marks may be given on another scale than the lessons' marks: a subject
    # marked 1–5 through the year whose period result is pass/fail. Blank: the same scale.
    final_scale = models.CharField(
        _("scale of period and year marks"),
        max_length=20,
        choices=Scale.choices,
        blank=True,
        default="",
        help_text=_("Blank: the same scale as the lessons' marks."),
    )

    class Meta:
        verbose_name = _("grading scheme")
        verbose_name_plural = _("grading schemes")
        constraints = [
            models.UniqueConstraint(
                fields=["school"], condition=models.Q(subject__isnull=True), name="grading_one_default"
            ),
            models.UniqueConstraint(
                fields=["school", "subject"],
                condition=models.Q(subject__isnull=False),
                name="grading_one_per_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(round_up_from__gt=0, round_up_from__lte=1), name="grading_threshold_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_id}/{self.subject_id or '*'}: {self.scale}"

    @property
    def final(self) -> str:
        """The scale of the period and year marks."""
        return self.final_scale or self.scale


class ControlForm(models.Model):
    """What a mark is for — a test, independent work, an oral answer — with the school's default weight."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    code = models.SlugField(_("code"), max_length=40)
    name_ru = models.CharField(_("name (Russian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    default_weight = models.PositiveSmallIntegerField(_("default weight"), default=1)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("control form")
        verbose_name_plural = _("control forms")
        ordering = ["school", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="control_form_unique_code"),
            models.CheckConstraint(
                condition=models.Q(default_weight__gte=1, default_weight__lte=10),
                name="control_form_weight_range",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Mark(models.Model):
    """One mark in a journal cell; a cell may hold several. No value means an owed mark."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="marks", verbose_name=_("lesson"), db_index=False
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="marks",
        verbose_name=_("student"),
        db_index=False,
    )
    # Denormalised from the lesson for the diary's and the averages' reads.
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="+", verbose_name=_("subject")
    )
    date = models.DateField(_("date"))
    scale = models.CharField(_("scale"), max_length=20, choices=Scale.choices, default=Scale.FIVE)
    value = models.SmallIntegerField(_("value"), null=True, blank=True)
    control_form = models.ForeignKey(
        ControlForm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("control form"),
    )
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    owed_until = models.DateField(_("to be made up by"), null=True, blank=True)
    # Which record of another app made the mark ("homework.handin:45", "assessment.attempt:12:q3"),
    # in that app's namespace; null for a teacher's mark. mark_create is idempotent by it.
    origin = models.CharField(_("origin"), max_length=100, null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=1, weight__lte=10), name="mark_weight_range"
            ),
            models.CheckConstraint(
                condition=models.Q(value__isnull=False) | models.Q(owed_until__isnull=False),
                name="mark_value_or_owed",
            ),
            # Per school, as every school-scoped key: a school's rows can move to a shard of their own.
            models.UniqueConstraint(
                fields=["school", "origin"],
                condition=models.Q(origin__isnull=False),
                name="mark_one_per_origin",
            ),
        ]
        indexes = [
            models.Index(fields=["student", "subject", "date"]),
            models.Index(fields=["lesson", "student"]),
            models.Index(fields=["school", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.date} {self.value}"


class Attendance(models.Model):
    """A student's absence or lateness at a lesson; no row means present."""

    class Status(models.TextChoices):
        ABSENT = "absent", _("absent")
        LATE = "late", _("late")
        SICK = "sick", _("sick")
        EXCUSED = "excused", _("excused")

    class Source(models.TextChoices):
        TEACHER = "teacher", _("teacher")
        PARENT_NOTICE = "parent_notice", _("parent's notice")
        CLINIC = "clinic", _("clinic record")
        TURNSTILE = "turnstile", _("turnstile")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("lesson"), db_index=False
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("student"),
        db_index=False,
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="+", verbose_name=_("subject")
    )
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.TEACHER)
    notice = models.ForeignKey(
        "AbsenceNotice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attendance",
        verbose_name=_("absence notice"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("attendance entry")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "student"], name="attendance_one_per_lesson"),
        ]
        indexes = [models.Index(fields=["student", "date"]), models.Index(fields=["school", "date"])]

    def __str__(self) -> str:
        return f"{self.student_id} {self.date} {self.status}"


class PeriodMark(models.Model):
    """A study-period mark, or (with no period) the year mark, set by the teacher. No value means
    «н/а», not attested: the student could not be assessed (too many lessons missed)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("academic year")
    )
    period = models.ForeignKey(
        StudyPeriod,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("study period"),
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="period_marks",
        verbose_name=_("student"),
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="+", verbose_name=_("subject")
    )
    class_group = models.ForeignKey(
        ClassGroup, on_delete=models.CASCADE, related_name="+", verbose_name=_("class group"), db_index=False
    )
    scale = models.CharField(_("scale"), max_length=20, choices=Scale.choices, default=Scale.FIVE)
    value = models.SmallIntegerField(_("value"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )
    set_at = models.DateTimeField(_("set at"), auto_now=True)

    class Meta:
        verbose_name = _("period mark")
        verbose_name_plural = _("period marks")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "subject", "period"],
                condition=models.Q(period__isnull=False),
                name="period_mark_one_per_period",
            ),
            models.UniqueConstraint(
                fields=["student", "subject", "year"],
                condition=models.Q(period__isnull=True),
                name="period_mark_one_per_year",
            ),
        ]
        indexes = [models.Index(fields=["class_group", "subject"])]

    def __str__(self) -> str:
        return f"{self.student_id} {self.subject_id} {self.period_id or 'year'}: {self.value}"

    @property
    def not_attested(self) -> bool:
        return self.value is None


class JournalChange(models.Model):
    """Append-only history of the journal: who changed what, when, from what to what, and why."""

    class Kind(models.TextChoices):
        MARK = "mark", _("mark")
        ATTENDANCE = "attendance", _("attendance")
        PERIOD_MARK = "period_mark", _("period mark")
        TOPIC = "topic", pgettext_lazy("journal change", "lesson topic")
        PERIOD = "period", pgettext_lazy("journal change", "study period closed or reopened")
        YEAR = "year", pgettext_lazy("journal change", "academic year closed or reopened")
        REMARK = "remark", pgettext_lazy("journal change", "remark or praise")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The changed row's id; the row itself may since have been deleted, the history stays.
    object_id = models.BigIntegerField(_("object id"))
    lesson = models.ForeignKey(
        Lesson,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lesson"),
        db_index=False,
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("student"),
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("subject")
    )
    # A person's change names them; a machine's (a clinic's system, a turnstile) has no User: actor
    # is null and principal names the machine (principals.principal_key, "machine:3").
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    principal = models.CharField(_("changed by machine"), max_length=64, blank=True)
    at = models.DateTimeField(_("changed at"), auto_now_add=True)
    old = models.JSONField(_("old value"), null=True, blank=True)
    new = models.JSONField(_("new value"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("journal change")
        verbose_name_plural = _("journal history")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(actor__isnull=False) | ~models.Q(principal=""),
                name="journal_change_by_someone",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "object_id"]),
            models.Index(fields=["lesson", "student"]),
            models.Index(fields=["school", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} @ {self.at}"


class Remark(models.Model):
    """A teacher's note about a student at a lesson for the family to read: a remark («Не выполнил
    домашнее задание») or a praise («Активно работал на уроке»). An official record: it is never
    edited, and a withdrawn one keeps its row (and its history) with ``withdrawn_at``."""

    class Kind(models.TextChoices):
        REMARK = "remark", _("remark")
        PRAISE = "praise", _("praise")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="remarks", verbose_name=_("lesson"), db_index=False
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="remarks",
        verbose_name=_("student"),
        db_index=False,
    )
    # Denormalised from the lesson, as on marks: the diary reads a student's remarks by date.
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="+", verbose_name=_("subject")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.CharField(_("text"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )

    class Meta:
        verbose_name = _("remark")
        verbose_name_plural = _("remarks")
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | models.Q(withdrawn_by__isnull=False),
                name="remark_withdrawn_by_someone",
            ),
        ]
        indexes = [
            models.Index(fields=["student", "date"]),
            models.Index(fields=["lesson", "student"]),
            models.Index(fields=["school", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.date} {self.kind}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class AbsenceNotice(models.Model):
    """A parent's notice that their child is or will be away; it excuses the lessons it covers."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="absence_notices",
        verbose_name=_("student"),
        db_index=False,
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("absence notice")
        verbose_name_plural = _("absence notices")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="notice_ends_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["student", "starts_on"]),
            models.Index(fields=["school", "starts_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.starts_on}–{self.ends_on}"
