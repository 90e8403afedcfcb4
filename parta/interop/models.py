"""What OneRoster bundles left in Parta: the sourcedId of every imported or exported row, and
each import's run (its progress and its report).

The sourcedIds live here, not as columns of the other apps' tables: a school's OneRoster
identity is the business of this app only. A mapping is scoped by the school that imported or
exported it, so one bundle can be imported as two schools (each gets its own rows).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parta.core.runs import RunStatus
from parta.schools.models import School


class SourcedId(models.Model):
    class Kind(models.TextChoices):
        ORG = "org", "orgs"
        SESSION = "session", "academicSessions"
        COURSE = "course", "courses"
        CLASS = "class", "classes"
        USER = "user", "users"
        ROLE = "role", "roles"
        ENROLLMENT = "enrollment", "enrollments"
        DEMOGRAPHIC = "demographic", "demographics"

    class Target(models.TextChoices):
        NONE = "", _("kept in the bundle only")
        SCHOOL = "school", _("school")
        YEAR = "year", _("academic year")
        PERIOD = "period", _("study period")
        SUBJECT = "subject", _("subject")
        CLASS_GROUP = "class_group", _("class group")
        ASSIGNMENT = "assignment", _("teaching assignment")
        USER = "user", _("user")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sourced_id = models.CharField(_("sourcedId"), max_length=255)
    target = models.CharField(_("Parta row"), max_length=20, choices=Target.choices, blank=True)
    object_id = models.BigIntegerField(_("Parta row id"), null=True, blank=True)
    # The row as the bundle gave it (without status, dateLastModified and password): an export
    # writes back the columns Parta does not keep from here.
    fields = models.JSONField(_("fields"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("OneRoster sourcedId")
        verbose_name_plural = _("OneRoster sourcedIds")
        constraints = [
            models.UniqueConstraint(fields=["school", "kind", "sourced_id"], name="sourcedid_unique"),
        ]
        indexes = [models.Index(fields=["school", "target", "object_id"], name="sourcedid_target")]

    def __str__(self) -> str:
        return f"{self.kind} {self.sourced_id}"

    @property
    def row_id(self) -> int:
        """The Parta row's id, 0 (which names no row) when the sourcedId names none."""
        return self.object_id or 0


class ImportRun(models.Model):
    """One upload of a bundle: the page polls it while the task runs, then shows its report."""

    Status = RunStatus

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    file_name = models.CharField(_("file name"), max_length=255)
    # The uploaded zip, kept until the task has read it: the worker may run on another machine.
    bundle = models.BinaryField(_("bundle"), blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    report = models.JSONField(_("report"), default=list)

    class Meta:
        verbose_name = _("OneRoster import")
        verbose_name_plural = _("OneRoster imports")
        indexes = [models.Index(fields=["school", "created_at"], name="importrun_school_created")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"
