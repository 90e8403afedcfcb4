"""The city library of electronic materials: what teachers make, methodologists verify and every
lesson can use.

A material is a stable identity (its author, type, audience, review state); each save is an
immutable :class:`MaterialVersion` with the whole content and metadata. The material row keeps a
copy of the metadata of the version others see (the published one, or the latest while it was
never published) so that lists and search read one row; the author's own pages read the latest
version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parta.core.runs import RunStatus
from parta.curriculum.models import Topic
from parta.schools.models import City, ClassGroup, School, Subject
from parta.timetable.models import Lesson


class Kind(models.TextChoices):
    SCENARIO = "scenario", _("lesson scenario")
    TEXT = "text", _("text")
    IMAGE = "image", _("image")
    VIDEO = "video", _("video")
    AUDIO = "audio", _("audio")
    FILE = "file", pgettext_lazy("material type", "file")
    LINK = "link", pgettext_lazy("material type", "link")
    APPLICATION = "application", _("interactive application")
    SIMULATOR = "simulator", _("simulator")
    LAB = "lab", _("virtual lab")
    TEST = "test", pgettext_lazy("material type", "test")
    TEXTBOOK = "textbook", _("e-textbook")
    AID = "aid", _("teaching aid")
    WORKBOOK = "workbook", _("workbook")
    VIDEO_LESSON = "video_lesson", _("video lesson")
    FICTION = "fiction", _("work of fiction")


# The atomic elements a scenario or a textbook is composed of (and that may be composed).
ATOMIC_KINDS = frozenset(
    {
        Kind.TEXT,
        Kind.IMAGE,
        Kind.VIDEO,
        Kind.AUDIO,
        Kind.FILE,
        Kind.LINK,
        Kind.APPLICATION,
        Kind.SIMULATOR,
        Kind.LAB,
    }
)
COMPOSED_KINDS = frozenset({Kind.SCENARIO, Kind.TEXTBOOK})


class Visibility(models.TextChoices):
    PRIVATE = "private", _("only me")
    SCHOOL = "school", _("my school")
    CITY = "city", _("the city")
    PUBLIC = "public", _("everyone, without signing in")


class Status(models.TextChoices):
    """The review state of the latest version."""

    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("waiting for review")
    RETURNED = "returned", _("returned for changes")
    PUBLISHED = "published", _("published")


class Licence(models.TextChoices):
    CC_BY = "cc-by", "CC BY 4.0"
    CC_BY_SA = "cc-by-sa", "CC BY-SA 4.0"
    CC_BY_NC = "cc-by-nc", "CC BY-NC 4.0"
    CC0 = "cc0", "CC0 1.0"
    CITY = "city", _("for the city's schools only")
    RESERVED = "reserved", _("all rights reserved")


class Language(models.TextChoices):
    RU = "ru", _("Russian")
    EN = "en", _("English")


# A version's metadata that the material row carries as it is, for lists and search to read (the
# shown version's: the published one, or the latest while none is).
SHOWN_FIELDS = ("title", "description", "language", "licence", "authors", "duration_minutes", "cover")


class Material(models.Model):
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="+", verbose_name=_("city"), db_index=False
    )
    # The author's school when it was created (none for a city methodologist's material): the
    # audience of "my school" and the tenancy of its rows.
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
        db_index=False,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
        db_index=False,
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    visibility = models.CharField(
        _("visible to"), max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The audience the author asked for when submitting: it becomes ``visibility`` on publication
    # (a published material keeps its audience while a newer version waits).
    requested_visibility = models.CharField(
        _("asked to be visible to"), max_length=10, choices=Visibility.choices, blank=True
    )
    latest = models.ForeignKey(
        "MaterialVersion",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("latest version"),
    )
    published = models.ForeignKey(
        "MaterialVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published version"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # The shown version's metadata, copied here for lists, facets and search.
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.RU)
    licence = models.CharField(_("licence"), max_length=10, choices=Licence.choices, default=Licence.CC_BY)
    authors = models.CharField(_("authors"), max_length=500, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration, minutes"), null=True, blank=True)
    cover = models.FileField(_("cover"), upload_to="library/covers/%Y/%m/", blank=True)
    subjects = models.ManyToManyField(Subject, related_name="+", blank=True, verbose_name=_("subjects"))
    topics = models.ManyToManyField(Topic, related_name="+", blank=True, verbose_name=_("topics"))
    # Grades as a bit set (bit n = grade n, 1..11): one column filters and counts without a join.
    grade_bits = models.PositiveIntegerField(_("grades"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Usage, aggregated by a background task from MaterialUse (never counted on the page).
    views = models.PositiveIntegerField(_("views"), default=0)
    downloads = models.PositiveIntegerField(_("downloads"), default=0)
    lesson_uses = models.PositiveIntegerField(_("uses in lessons"), default=0)
    homework_uses = models.PositiveIntegerField(_("uses in homework"), default=0)
    rating_count = models.PositiveIntegerField(_("ratings"), default=0)
    rating_sum = models.PositiveIntegerField(_("sum of ratings"), default=0)
    popularity = models.FloatField(_("popularity"), default=0.0)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        indexes = [
            models.Index(fields=["owner", "-updated_at"], name="material_owner"),
            models.Index(fields=["city", "status", "-updated_at"], name="material_queue"),
            models.Index(fields=["visibility", "kind", "-popularity"], name="material_popular"),
            models.Index(fields=["school", "visibility"], name="material_school"),
            # What every signed-in reader shares, most popular first: the catalogue's first page
            # of a subject or a grade reads it in order and stops.
            models.Index(
                fields=["-popularity", "-id"],
                name="material_shared_popular",
                condition=models.Q(
                    published__isnull=False, visibility__in=[Visibility.PUBLIC, Visibility.CITY]
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_verified(self) -> bool:
        return self.published_id is not None

    @property
    def grades(self) -> list[int]:
        return grades_from_bits(self.grade_bits)

    @property
    def rating(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 2) if self.rating_count else None


def grades_from_bits(bits: int) -> list[int]:
    return [grade for grade in range(1, 12) if bits & (1 << grade)]


def bits_from_grades(grades: list[int]) -> int:
    bits = 0
    for grade in grades:
        bits |= 1 << grade
    return bits


class MaterialVersion(models.Model):
    """One save: never changed afterwards. Restoring an old version saves a copy of it as the newest."""

    material = models.ForeignKey(
        Material,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("material"),
        db_index=False,
    )
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    licence = models.CharField(_("licence"), max_length=10, choices=Licence.choices)
    authors = models.CharField(_("authors"), max_length=500, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration, minutes"), null=True, blank=True)
    subject_ids = models.JSONField(_("subjects"), default=list)
    grades = models.JSONField(_("grades"), default=list)
    topic_ids = models.JSONField(_("topics"), default=list)
    # What the material is, by type: {"body": text}, {"url": …}, {"blocks": […]} for a scenario,
    # {"chapters": [{"title", "sections": [{"title", "blocks"}]}]} for a textbook.
    content = models.JSONField(_("content"), default=dict)
    file = models.FileField(_("file"), upload_to="library/files/%Y/%m/", blank=True, max_length=300)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    cover = models.FileField(_("cover"), upload_to="library/covers/%Y/%m/", blank=True, max_length=300)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("saved by")
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("material version")
        verbose_name_plural = _("material versions")
        ordering = ["material", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["material", "number"], name="material_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.material_id} v{self.number}"


class Review(models.Model):
    """A methodologist's decision on a submitted version, with the comment the author reads."""

    class Decision(models.TextChoices):
        PUBLISHED = "published", _("published")
        RETURNED = "returned", _("returned for changes")

    material = models.ForeignKey(
        Material, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("material")
    )
    version = models.ForeignKey(
        MaterialVersion, on_delete=models.CASCADE, related_name="+", verbose_name=_("version")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewer")
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("reviewed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["material", "-created_at"]

    def __str__(self) -> str:
        return f"{self.material_id}: {self.decision}"


class Assignment(models.Model):
    """A material given to a class group: at a lesson, or with homework (``origin`` says which).
    Students of the group and their guardians may open it even when it is not published."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    material = models.ForeignKey(
        Material,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("material"),
        db_index=False,
    )
    class_group = models.ForeignKey(
        ClassGroup, on_delete=models.CASCADE, related_name="+", verbose_name=_("class group"), db_index=False
    )
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("lesson")
    )
    # "lesson", or the assigning app's own reference ("homework:12").
    origin = models.CharField(_("origin"), max_length=60)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("material given to a class")
        verbose_name_plural = _("materials given to classes")
        constraints = [
            models.UniqueConstraint(fields=["material", "origin", "class_group"], name="assignment_once"),
        ]
        indexes = [models.Index(fields=["class_group", "material"], name="assignment_group")]

    def __str__(self) -> str:
        return f"{self.material_id} → {self.origin}"


class Use(models.Model):
    """One view, download or use, appended as it happens and counted later by a task."""

    class Kind(models.TextChoices):
        VIEW = "view", _("view")
        DOWNLOAD = "download", _("download")
        LESSON = "lesson", _("use in a lesson")
        HOMEWORK = "homework", _("use in homework")

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    counted = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("use of a material")
        verbose_name_plural = _("uses of materials")
        indexes = [
            models.Index(fields=["material", "kind", "at"], name="use_material"),
            models.Index(fields=["id"], condition=models.Q(counted=False), name="use_uncounted"),
        ]

    def __str__(self) -> str:
        return f"{self.material_id} {self.kind}"


class Rating(models.Model):
    """A teacher's one to five stars for a material, changed at will."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="+", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    stars = models.PositiveSmallIntegerField(_("stars"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["material", "user"], name="rating_once"),
            models.CheckConstraint(condition=models.Q(stars__gte=1, stars__lte=5), name="rating_stars"),
        ]

    def __str__(self) -> str:
        return f"{self.material_id}: {self.stars}"


class ImportRun(models.Model):
    """One upload of a folder's zip with a manifest: the page polls it, then shows its report."""

    Status = RunStatus

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("imported by")
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("school")
    )
    archive = models.FileField(_("archive"), upload_to="library/imports/%Y/%m/", max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("materials created"), default=0)
    # [{"row": n, "title": …, "errors": {field: [messages]}}] and a refusal of the whole archive.
    report = models.JSONField(_("report"), default=dict)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("library import")
        verbose_name_plural = _("library imports")

    def __str__(self) -> str:
        return f"{self.owner_id} {self.created_at:%Y-%m-%d}"


class UsageDay(models.Model):
    """A material's counted uses of one day (the city's local date): what the author's chart and
    the popularity score read, written by the counting task only."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("views"), default=0)
    downloads = models.PositiveIntegerField(_("downloads"), default=0)
    lesson_uses = models.PositiveIntegerField(_("uses in lessons"), default=0)
    homework_uses = models.PositiveIntegerField(_("uses in homework"), default=0)

    class Meta:
        verbose_name = _("usage of a day")
        verbose_name_plural = _("usage by day")
        constraints = [models.UniqueConstraint(fields=["material", "day"], name="usage_day_once")]

    def __str__(self) -> str:
        return f"{self.material_id} {self.day}"
