"""Bells, the weekly template and the lessons generated from it for the year.

A lesson's ``teacher`` is whoever actually teaches it; a substitution keeps the planned
teacher in ``replaced_teacher``. Partial unique constraints make double-booking of a
teacher, a room, a class group or a subgroup impossible at the database level.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parta.curriculum.models import Topic
from parta.schools.models import AcademicYear, ClassGroup, Room, School, Subgroup, Subject, TeachingAssignment

# The bells of a usual Moscow school day: 8:30 start, 45-minute lessons, the long breaks after the
# 2nd and 3rd lessons for meals. What a school gets until it sets its own (the demo, an import).
USUAL_BELLS: tuple[tuple[int, dt.time, dt.time], ...] = (
    (1, dt.time(8, 30), dt.time(9, 15)),
    (2, dt.time(9, 25), dt.time(10, 10)),
    (3, dt.time(10, 30), dt.time(11, 15)),
    (4, dt.time(11, 35), dt.time(12, 20)),
    (5, dt.time(12, 30), dt.time(13, 15)),
    (6, dt.time(13, 25), dt.time(14, 10)),
    (7, dt.time(14, 20), dt.time(15, 5)),
)


class Bell(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="bells", verbose_name=_("school"), db_index=False
    )
    number = models.PositiveSmallIntegerField(_("lesson number"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))

    class Meta:
        verbose_name = _("bell")
        verbose_name_plural = _("bell schedule")
        ordering = ["school", "number"]
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="bell_unique_number"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="bell_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class TemplateSlot(models.Model):
    """One weekly lesson of the timetable template (weekday 1 = Monday)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    year = models.ForeignKey(
        AcademicYear,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("academic year"),
        db_index=False,
    )
    assignment = models.ForeignKey(
        TeachingAssignment,
        on_delete=models.CASCADE,
        related_name="template_slots",
        verbose_name=pgettext_lazy("model field", "teaching assignment"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    number = models.PositiveSmallIntegerField(_("lesson number"))
    # Denormalised from the assignment so that the constraints below can see them.
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("teacher")
    )
    class_group = models.ForeignKey(
        ClassGroup, on_delete=models.CASCADE, related_name="+", verbose_name=_("class group")
    )
    subgroup = models.ForeignKey(
        Subgroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subgroup"),
    )
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("room")
    )

    class Meta:
        verbose_name = _("timetable template slot")
        verbose_name_plural = _("timetable template")
        ordering = ["weekday", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "teacher", "weekday", "number"], name="slot_teacher_free"
            ),
            models.UniqueConstraint(
                fields=["year", "room", "weekday", "number"],
                condition=models.Q(room__isnull=False),
                name="slot_room_free",
            ),
            models.UniqueConstraint(
                fields=["class_group", "weekday", "number"],
                condition=models.Q(subgroup__isnull=True),
                name="slot_class_group_free",
            ),
            models.UniqueConstraint(
                fields=["subgroup", "weekday", "number"],
                condition=models.Q(subgroup__isnull=False),
                name="slot_subgroup_free",
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__gte=1, weekday__lte=6), name="slot_weekday_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weekday}/{self.number} {self.assignment_id}"


class Lesson(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        CANCELLED = "cancelled", _("cancelled")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("academic year")
    )
    assignment = models.ForeignKey(
        TeachingAssignment,
        on_delete=models.CASCADE,
        related_name="lessons",
        verbose_name=pgettext_lazy("model field", "teaching assignment"),
        db_index=False,
    )
    date = models.DateField(_("date"))
    number = models.PositiveSmallIntegerField(_("lesson number"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    class_group = models.ForeignKey(
        ClassGroup, on_delete=models.CASCADE, related_name="+", verbose_name=_("class group"), db_index=False
    )
    subgroup = models.ForeignKey(
        Subgroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subgroup"),
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="+", verbose_name=_("subject")
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("teacher"),
        db_index=False,
    )
    replaced_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replaced teacher"),
    )
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("room")
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("topic")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    note = models.CharField(_("note"), max_length=300, blank=True)
    online_link = models.URLField(_("online lesson link"), blank=True)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["date", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "date", "number"],
                condition=models.Q(status="scheduled"),
                name="lesson_teacher_free",
            ),
            models.UniqueConstraint(
                fields=["room", "date", "number"],
                condition=models.Q(status="scheduled", room__isnull=False),
                name="lesson_room_free",
            ),
            models.UniqueConstraint(
                fields=["class_group", "date", "number"],
                condition=models.Q(status="scheduled", subgroup__isnull=True),
                name="lesson_class_group_free",
            ),
            models.UniqueConstraint(
                fields=["subgroup", "date", "number"],
                condition=models.Q(status="scheduled", subgroup__isnull=False),
                name="lesson_subgroup_free",
            ),
        ]
        indexes = [
            models.Index(fields=["class_group", "date"]),
            models.Index(fields=["teacher", "date"]),
            models.Index(fields=["school", "date"]),
            models.Index(fields=["assignment", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.date} #{self.number} {self.subject} {self.class_group}"


class Unavailability(models.Model):
    """A lesson time at which a teacher cannot teach (a methodical day, another school's hours):
    the solver places none of their lessons there, and the administrator's edits are refused."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    year = models.ForeignKey(
        AcademicYear,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("academic year"),
        db_index=False,
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("teacher")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    number = models.PositiveSmallIntegerField(_("lesson number"))

    class Meta:
        verbose_name = _("time a teacher cannot teach")
        verbose_name_plural = _("times teachers cannot teach")
        ordering = ["weekday", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "teacher", "weekday", "number"], name="unavailability_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher_id} {self.weekday}/{self.number}"


class Publication(models.Model):
    """One publishing of the weekly template into the year's lessons from a date: the page polls
    it while the task runs, and it stays as the timetable's history (who published what, when)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("academic year")
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    since = models.DateField(_("from"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # What publishing did: lessons made, removed, changed, unchanged, kept for their records, and
    # the template's lessons that could not be made beside a kept one.
    result = models.JSONField(_("result"), default=dict)

    class Meta:
        verbose_name = _("timetable publication")
        verbose_name_plural = _("timetable publications")
        indexes = [models.Index(fields=["school", "created_at"], name="publication_school_created")]

    def __str__(self) -> str:
        return f"{self.year_id} {self.since} ({self.status})"


class LessonChange(models.Model):
    """One substitution, hand-back, cancellation or restoration of a lesson: the lesson's history,
    which families and teachers are told of (the outbox event ``timetable.lesson_change``)."""

    class Kind(models.TextChoices):
        SUBSTITUTED = "substituted", _("substituted")
        RETURNED = "returned", _("handed back")
        CANCELLED = "cancelled", _("cancelled")
        RESTORED = "restored", _("restored")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="changes", verbose_name=_("lesson")
    )
    kind = models.CharField(_("change"), max_length=20, choices=Kind.choices)
    # Who teaches the lesson after the change, and who taught it before.
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("teacher")
    )
    previous_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("previous teacher"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("changed by")
    )
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("lesson change")
        verbose_name_plural = _("lesson changes")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["school", "created_at"], name="lessonchange_school_created")]

    def __str__(self) -> str:
        return f"{self.lesson_id} {self.kind}"
