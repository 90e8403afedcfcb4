"""Homework set on a lesson: text, files, links and library materials (tests among them), due by
a date (by default the class group's next lesson of the subject), for the class group, a subgroup
or chosen students, with the time it should take. Each student's work on it has a status — not
started (no row), in progress, handed in, checked, returned for rework — with what they handed in,
the teacher's comment and the history of both."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parta.library.models import Material
from parta.schools.models import ClassGroup, School, Subgroup, Subject
from parta.timetable.models import Lesson


class Homework(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    lesson = models.ForeignKey(
        Lesson,
        on_delete=models.CASCADE,
        related_name="homework_set",
        verbose_name=_("set at lesson"),
        db_index=False,
    )
    # Denormalised from the lesson: the diary reads homework by class group and due date.
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
    text = models.TextField(_("assignment"))
    due_on = models.DateField(_("due on"))
    due_lesson = models.ForeignKey(
        Lesson,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="homework_due",
        verbose_name=_("due at lesson"),
    )
    minutes = models.PositiveSmallIntegerField(_("time it should take, minutes"), null=True, blank=True)
    # Set for chosen students only (``HomeworkStudent``): the family reads skip the join otherwise.
    chosen = models.BooleanField(_("for chosen students"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("homework")
        verbose_name_plural = _("homework")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["class_group", "due_on"]),
            models.Index(fields=["lesson"]),
            models.Index(fields=["school", "due_on"]),
            # A student's split-lesson homework by due date (the diary's week, the homework list).
            models.Index(
                fields=["subgroup", "due_on"],
                condition=models.Q(subgroup__isnull=False),
                name="homework_subgroup_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_id} → {self.due_on}"


class HomeworkLink(models.Model):
    homework = models.ForeignKey(
        Homework, on_delete=models.CASCADE, related_name="links", verbose_name=_("homework")
    )
    url = models.URLField(_("address"), max_length=1000)
    title = models.CharField(_("title"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("homework link")
        verbose_name_plural = _("homework links")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title or self.url


class HomeworkFile(models.Model):
    homework = models.ForeignKey(
        Homework, on_delete=models.CASCADE, related_name="files", verbose_name=_("homework")
    )
    file = models.FileField(_("file"), upload_to="homework/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)

    class Meta:
        verbose_name = _("homework file")
        verbose_name_plural = _("homework files")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class HomeworkStudent(models.Model):
    """A student homework is set for, when it is set for chosen students of the group only."""

    homework = models.ForeignKey(
        Homework,
        on_delete=models.CASCADE,
        related_name="students",
        verbose_name=_("homework"),
        db_index=False,
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("student")
    )

    class Meta:
        verbose_name = _("student given homework")
        verbose_name_plural = _("students given homework")
        constraints = [models.UniqueConstraint(fields=["homework", "student"], name="homework_student_once")]

    def __str__(self) -> str:
        return f"{self.homework_id} → {self.student_id}"


class WorkStatus(models.TextChoices):
    # "Not started" is no row at all.
    IN_PROGRESS = "in_progress", _("in progress")
    HANDED_IN = "handed_in", _("handed in")
    CHECKED = "checked", _("checked")
    RETURNED = "returned", _("returned for rework")


# What counts as done for the student's list and the diary's tick.
DONE_STATUSES = (WorkStatus.HANDED_IN, WorkStatus.CHECKED)


class HomeworkCompletion(models.Model):
    """A student's work on homework: its status, the text handed in (files in ``WorkFile``),
    the teacher's last comment. A plain "done" tick is a hand-in with nothing attached."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    homework = models.ForeignKey(
        Homework,
        on_delete=models.CASCADE,
        related_name="completions",
        verbose_name=_("homework"),
        db_index=False,
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("student"),
        db_index=False,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=WorkStatus.choices, default=WorkStatus.HANDED_IN
    )
    text = models.TextField(_("answer"), blank=True)
    # When it was last handed in (null while it never was).
    done_at = models.DateTimeField(_("handed in at"), null=True, blank=True)
    comment = models.TextField(_("teacher's comment"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("homework work")
        verbose_name_plural = _("homework work")
        constraints = [models.UniqueConstraint(fields=["homework", "student"], name="homework_done_once")]
        indexes = [models.Index(fields=["student", "homework"])]

    def __str__(self) -> str:
        return f"{self.homework_id} {self.status} {self.student_id}"

    @property
    def done(self) -> bool:
        return self.status in DONE_STATUSES


class WorkFile(models.Model):
    """A file a student handed in with their work."""

    work = models.ForeignKey(
        HomeworkCompletion, on_delete=models.CASCADE, related_name="files", verbose_name=_("work")
    )
    file = models.FileField(_("file"), upload_to="handins/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)

    class Meta:
        verbose_name = _("handed-in file")
        verbose_name_plural = _("handed-in files")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class WorkEvent(models.Model):
    """The history of a student's work: each hand-in (with the text as it was), check and
    return (with the comment). Never changed or deleted but with the work."""

    work = models.ForeignKey(
        HomeworkCompletion, on_delete=models.CASCADE, related_name="events", verbose_name=_("work")
    )
    status = models.CharField(_("status"), max_length=12, choices=WorkStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    text = models.TextField(_("text"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("work history entry")
        verbose_name_plural = _("work history")
        ordering = ["work", "at", "id"]

    def __str__(self) -> str:
        return f"{self.work_id} {self.status} {self.at:%Y-%m-%d %H:%M}"


class HomeworkMaterial(models.Model):
    """A library material given with the homework: the students of the class open it from the
    homework and the diary (the library's ``Assignment`` with origin ``homework:<id>`` lets them)."""

    # The unique (homework, material) index serves the homework's lookups.
    homework = models.ForeignKey(
        Homework,
        on_delete=models.CASCADE,
        related_name="materials",
        verbose_name=_("homework"),
        db_index=False,
    )
    material = models.ForeignKey(
        Material, on_delete=models.CASCADE, related_name="+", verbose_name=_("material")
    )

    class Meta:
        verbose_name = _("homework material")
        verbose_name_plural = _("homework materials")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["homework", "material"], name="homework_material_once")
        ]

    def __str__(self) -> str:
        return f"{self.homework_id} → {self.material_id}"
