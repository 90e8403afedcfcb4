"""Attempts at tests, their answers, the teachers' gradings and the attempts' statements.

A test is a library material of type "test" whose content holds a ``test`` part
(``parta.assessment.definition``); an attempt is made at one version of it and keeps that version,
the seed of its variants and the questions it drew, so that the test's later versions never change
an attempt once started.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parta.homework.models import Homework
from parta.library.models import Material, MaterialVersion
from parta.schools.models import School


class Mode(models.TextChoices):
    # Unlimited attempts, the right answer and its explanation after every answer.
    TRAINING = "training", _("training")
    # Attempts as the test allows, the results when the test says (after the deadline by default).
    CONTROL = "control", _("control")


class Attempt(models.Model):
    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        SUBMITTED = "submitted", _("submitted")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    material = models.ForeignKey(
        Material, on_delete=models.CASCADE, related_name="+", verbose_name=_("test"), db_index=False
    )
    version = models.ForeignKey(
        MaterialVersion, on_delete=models.RESTRICT, related_name="+", verbose_name=_("version")
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("student"),
        db_index=False,
    )
    homework = models.ForeignKey(
        Homework,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("homework"),
        db_index=False,
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    number = models.PositiveSmallIntegerField(_("attempt"))
    seed = models.PositiveIntegerField(_("seed"))
    # The ids of the questions drawn, in the order the student sees them.
    questions = models.JSONField(_("questions"), default=list)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    started_at = models.DateTimeField(_("started at"))
    # The time limit's end (or the homework's deadline, if sooner): answers after it are refused.
    deadline_at = models.DateTimeField(_("answers until"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # When the student may see the score (and the answers, if the test shows them).
    results_at = models.DateTimeField(_("results from"), null=True, blank=True)
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2, null=True, blank=True)
    max_points = models.PositiveIntegerField(_("of points"), default=0)
    # Answers waiting for a teacher to check them; the score is final at 0.
    waiting = models.PositiveSmallIntegerField(_("answers to check"), default=0)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["-started_at", "-id"]
        constraints = [
            # One attempt in progress per test (and homework): two tabs starting at once resume one.
            models.UniqueConstraint(
                fields=["student", "material"],
                condition=Q(state="in_progress", homework__isnull=True),
                name="attempt_one_open",
            ),
            models.UniqueConstraint(
                fields=["student", "homework", "material"],
                condition=Q(state="in_progress", homework__isnull=False),
                name="attempt_one_open_for_homework",
            ),
            models.UniqueConstraint(
                fields=["student", "material", "number"],
                condition=Q(homework__isnull=True),
                name="attempt_number_once",
            ),
            models.UniqueConstraint(
                fields=["student", "homework", "material", "number"],
                condition=Q(homework__isnull=False),
                name="attempt_number_once_for_homework",
            ),
        ]
        indexes = [
            models.Index(fields=["material", "submitted_at"], name="attempt_material_submitted"),
            models.Index(
                fields=["homework", "student"],
                condition=Q(homework__isnull=False),
                name="attempt_homework",
            ),
            models.Index(
                fields=["deadline_at"], condition=Q(state="in_progress"), name="attempt_open_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.material_id} #{self.number} ({self.student_id})"


class Answer(models.Model):
    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="answers", verbose_name=_("attempt"), db_index=False
    )
    question_id = models.CharField(_("question"), max_length=40)
    response = models.JSONField(_("response"), default=dict)
    # The points counted: the automatic ones, or a teacher's (checked by hand or overridden).
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, null=True, blank=True)
    auto_points = models.DecimalField(
        _("automatic points"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    comment = models.TextField(_("teacher's comment"), blank=True)
    # Saved how many times: a client that names the revision it changes gets 409 when another
    # tab has saved since.
    revision = models.PositiveIntegerField(_("revision"), default=1)
    saved_at = models.DateTimeField(_("saved at"))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["attempt", "question_id"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.attempt_id}:{self.question_id}"


class AnswerFile(models.Model):
    """A file a student attaches to an open answer while taking the test (a photo of the working,
    a document); the answer's response names it by id."""

    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="files", verbose_name=_("attempt")
    )
    question_id = models.CharField(_("question"), max_length=40)
    file = models.FileField(_("file"), upload_to="answers/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("answer file")
        verbose_name_plural = _("answer files")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Grading(models.Model):
    """A teacher's points for an answer: checked by hand or overridden; every change a row."""

    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, related_name="gradings", verbose_name=_("answer")
    )
    points_before = models.DecimalField(
        _("points before"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked by")
    )
    graded_at = models.DateTimeField(_("checked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("grading")
        verbose_name_plural = _("gradings")
        ordering = ["graded_at", "id"]

    def __str__(self) -> str:
        return f"{self.answer_id}: {self.points_before} → {self.points}"


class Verb(models.TextChoices):
    """The xAPI verbs of an attempt's statements (``parta.assessment.statements`` gives their IRIs)."""

    ATTEMPTED = "attempted", _("attempt started")
    RESUMED = "resumed", _("attempt resumed")
    VIEWED = "viewed", _("question shown")
    ANSWERED = "answered", _("answer given")
    COMPLETED = "completed", _("attempt finished")
    SCORED = "scored", _("checked by a teacher")


class Statement(models.Model):
    """One event of an attempt, shaped as an xAPI statement (actor, verb, object, result,
    context, timestamp) and kept in the platform's own store."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="+", verbose_name=_("attempt"), db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("actor")
    )
    verb = models.CharField(_("verb"), max_length=12, choices=Verb.choices)
    question_id = models.CharField(_("question"), max_length=40, blank=True)
    # xAPI's result: score, success, completion, response, duration (ISO 8601).
    result = models.JSONField(_("result"), default=dict, blank=True)
    timestamp = models.DateTimeField(_("timestamp"))
    stored = models.DateTimeField(_("stored"), auto_now_add=True)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["timestamp", "stored"]
        indexes = [models.Index(fields=["attempt", "timestamp"], name="statement_attempt")]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.verb} {self.attempt_id}:{self.question_id}"
