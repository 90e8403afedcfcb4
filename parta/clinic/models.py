"""Sick notes from the city's clinics, and the number by which a clinic names a child.

A clinic's system knows a child by the number the city's registries share (``PersonIdentifier``),
never by Parta's ids. A note (``SickNote``) says that the child was ill from one day to another;
it holds the attendance entries it made sick (``SickNoteLesson``, with what each cell held before)
and keeps every version the clinic sent (``SickNoteChange``), so that a repeat answers as the
first time did and a withdrawal can give every cell back. No medical detail is kept: only dates.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parta.accounts.models import MachineClient
from parta.schools.models import School
from parta.timetable.models import Lesson


class PersonIdentifier(models.Model):
    """The city-wide number of a person (``parta.clinic.identifiers``: SNILS's eleven digits with
    their check number), loaded from the city's registry; at most one per person, each number
    one person's."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="city_identifier",
        verbose_name=_("person"),
    )
    number = models.CharField(_("city registry number"), max_length=11, unique=True)
    assigned_at = models.DateTimeField(pgettext_lazy("city registry number", "assigned"), auto_now=True)

    class Meta:
        verbose_name = _("city registry number")
        verbose_name_plural = _("city registry numbers")

    def __str__(self) -> str:
        return f"{self.person_id}: {self.number}"


class SickNote(models.Model):
    """A clinic's note that a student was ill from ``starts_on`` to ``ends_on`` (both past days),
    as its latest version says; ``note_id`` is the clinic's own, unique per clinic. ``school`` is
    the student's school on those days (invariant 1: the note is the school's record too)."""

    class Status(models.TextChoices):
        RECORDED = "recorded", pgettext_lazy("sick note", "recorded")
        WITHDRAWN = "withdrawn", pgettext_lazy("sick note", "withdrawn")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    clinic = models.ForeignKey(
        MachineClient, on_delete=models.PROTECT, related_name="+", verbose_name=_("clinic"), db_index=False
    )
    note_id = models.CharField(_("clinic's note number"), max_length=64)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sick_notes",
        verbose_name=pgettext_lazy("model field", "student"),
        db_index=False,
    )
    starts_on = models.DateField(_("ill from"))
    ends_on = models.DateField(_("ill until"))
    issued_at = models.DateTimeField(pgettext_lazy("sick note", "issued"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECORDED)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(pgettext_lazy("sick note", "received"), auto_now_add=True)
    updated_at = models.DateTimeField(pgettext_lazy("sick note", "changed"), auto_now=True)
    withdrawn_at = models.DateTimeField(pgettext_lazy("sick note", "withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("sick note")
        verbose_name_plural = _("sick notes")
        constraints = [
            models.UniqueConstraint(fields=["clinic", "note_id"], name="sick_note_one_per_clinic_id"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="sick_note_ends_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["school", "starts_on"], name="clinic_note_school_day"),
            models.Index(fields=["student", "starts_on"], name="clinic_note_student_day"),
        ]

    def __str__(self) -> str:
        return f"{self.note_id}: {self.student_id} {self.starts_on}–{self.ends_on}"

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN


class SickNoteChange(models.Model):
    """One version of a note as the clinic sent it (append-only): recorded, amended (new dates,
    a later ``issued_at``) or withdrawn, with how many lessons the note held afterwards. A repeat
    of a version is answered from its row, as the first time."""

    class Kind(models.TextChoices):
        RECORDED = "recorded", pgettext_lazy("sick note", "recorded")
        AMENDED = "amended", pgettext_lazy("sick note", "amended")
        WITHDRAWN = "withdrawn", pgettext_lazy("sick note", "withdrawn")

    note = models.ForeignKey(
        SickNote,
        on_delete=models.CASCADE,
        related_name="changes",
        verbose_name=_("sick note"),
        db_index=False,  # sick_note_change_one_per_version begins with it
    )
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    number = models.CharField(_("city registry number"), max_length=11)
    starts_on = models.DateField(_("ill from"))
    ends_on = models.DateField(_("ill until"))
    issued_at = models.DateTimeField(pgettext_lazy("sick note", "issued"))
    lessons_marked = models.PositiveIntegerField(_("lessons marked"))
    lessons_restored = models.PositiveIntegerField(_("lessons given back"), default=0)
    at = models.DateTimeField(pgettext_lazy("sick note", "received"), auto_now_add=True)

    class Meta:
        verbose_name = _("sick note version")
        verbose_name_plural = _("sick note versions")
        ordering = ["note", "version"]
        constraints = [
            models.UniqueConstraint(fields=["note", "version"], name="sick_note_change_one_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.note_id} v{self.version} {self.kind}"


class SickNoteLesson(models.Model):
    """A lesson whose attendance entry the note made sick: what the cell held before (the state
    ``JournalChange.old`` records, None for no entry) and the entry's version after the note's
    write. While ``released_at`` is empty the note holds the cell; it lets go of it when it is
    withdrawn or its dates no longer cover the lesson, with the ``outcome``."""

    class Outcome(models.TextChoices):
        RESTORED = "restored", pgettext_lazy("sick note's lesson", "given back")
        KEPT = "kept", pgettext_lazy("sick note's lesson", "changed by the school since: kept")
        HANDED_OVER = "handed_over", pgettext_lazy("sick note's lesson", "covered by another note")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    note = models.ForeignKey(
        SickNote, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("sick note")
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+", verbose_name=_("lesson"))
    date = models.DateField(_("date"))
    before = models.JSONField(_("entry before the note"), null=True, blank=True)
    version = models.PositiveIntegerField(_("entry's version after the note"))
    marked_at = models.DateTimeField(pgettext_lazy("sick note's lesson", "marked"), auto_now_add=True)
    released_at = models.DateTimeField(pgettext_lazy("sick note's lesson", "let go"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)

    class Meta:
        verbose_name = _("lesson of a sick note")
        verbose_name_plural = _("lessons of sick notes")
        ordering = ["date", "lesson_id"]
        constraints = [
            # A lesson let go and covered again (an amendment back and forth) gets a new row.
            models.UniqueConstraint(
                fields=["note", "lesson"],
                condition=models.Q(released_at__isnull=True),
                name="sick_note_lesson_held_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.note_id} → {self.lesson_id}"

    @property
    def is_held(self) -> bool:
        return self.released_at is None
