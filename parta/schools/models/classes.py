"""Subjects, class groups and subgroups, who learns in them, and students' moves between them."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from parta.schools.models.calendar import AcademicYear
from parta.schools.models.places import Building, Room, School


class Subject(models.Model):
    """The city's catalogue of subjects, shared by every school and by the topic framework."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["order", "code"]

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "ru").startswith("en") else self.name_ru

    def __str__(self) -> str:
        return self.name


class ClassGroup(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="class_groups", verbose_name=_("school")
    )
    year = models.ForeignKey(
        AcademicYear,
        on_delete=models.CASCADE,
        related_name="class_groups",
        verbose_name=_("academic year"),
        db_index=False,
    )
    grade = models.PositiveSmallIntegerField(_("grade"))
    letter = models.CharField(_("letter"), max_length=4)
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="class_groups", verbose_name=_("building")
    )
    home_room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("home room")
    )
    class_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="homeroom_groups",
        verbose_name=_("class teacher"),
    )

    class Meta:
        verbose_name = _("class group")
        verbose_name_plural = _("class groups")
        ordering = ["grade", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["year", "grade", "letter"], name="class_group_unique_name"),
            models.CheckConstraint(
                condition=models.Q(grade__gte=1, grade__lte=11), name="class_group_grade_range"
            ),
        ]

    @property
    def name(self) -> str:
        return f"{self.grade}{self.letter}"

    def __str__(self) -> str:
        return self.name


class Subgroup(models.Model):
    """Part of a class group taught separately in one subject (foreign language, informatics…)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    class_group = models.ForeignKey(
        ClassGroup,
        on_delete=models.CASCADE,
        related_name="subgroups",
        verbose_name=_("class group"),
        db_index=False,
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="+", verbose_name=_("subject")
    )
    number = models.PositiveSmallIntegerField(_("number"))

    class Meta:
        verbose_name = _("subgroup")
        verbose_name_plural = _("subgroups")
        ordering = ["class_group", "subject", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["class_group", "subject", "number"], name="subgroup_unique_number"
            ),
        ]

    @property
    def name(self) -> str:
        return f"{self.class_group.name}/{self.number}"

    def __str__(self) -> str:
        return self.name


class Enrolment(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    year = models.ForeignKey(
        AcademicYear,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("academic year"),
        db_index=False,
    )
    class_group = models.ForeignKey(
        ClassGroup, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("class group")
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrolments",
        verbose_name=pgettext_lazy("model field", "student"),
        db_index=False,
    )
    # The day the student joined this class group; empty for the start of the academic year.
    # A move to another class group ends this row and starts another (the history is StudentMove).
    starts_on = models.DateField(_("in the class since"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            # One class group per student per year.
            models.UniqueConstraint(fields=["year", "student"], name="enrolment_one_class_per_year"),
        ]
        indexes = [models.Index(fields=["student", "year"])]

    def __str__(self) -> str:
        return f"{self.student} — {self.class_group}"


class StudentMove(models.Model):
    """A student's move to another class group of the same school and year, or out of the school
    (``to_class_group`` empty): who moved whom, from where to where, from which day and why.

    The current placement is the student's one Enrolment of the year; these rows are the history
    of the placements it replaced. Marks, attendance and period marks are never touched by a move:
    they keep the lessons and class group they were given in.
    """

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("academic year")
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=pgettext_lazy("model field", "student"),
    )
    from_class_group = models.ForeignKey(
        ClassGroup, on_delete=models.CASCADE, related_name="moves_out", verbose_name=_("from class group")
    )
    to_class_group = models.ForeignKey(
        ClassGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="moves_in",
        verbose_name=_("to class group"),
    )
    moved_on = models.DateField(_("from the day"))
    reason = models.CharField(_("reason"), max_length=500)
    # The subgroups the student left with the old class group, as they were named then:
    # [{"name": "7А/1", "ru": "Английский язык", "en": "English"}], read in the reader's language.
    left_subgroups = models.JSONField(_("subgroups left"), default=list, blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("moved by"),
        db_index=False,
    )
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("student move")
        verbose_name_plural = _("student moves")
        ordering = ["-moved_on", "-created_at"]
        indexes = [models.Index(fields=["school", "moved_on"])]

    @property
    def is_withdrawal(self) -> bool:
        return self.to_class_group_id is None

    def __str__(self) -> str:
        return f"{self.student_id}: {self.from_class_group_id} → {self.to_class_group_id or '—'}"


class SubgroupMembership(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    subgroup = models.ForeignKey(
        Subgroup,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("subgroup"),
        db_index=False,
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="subgroup_memberships",
        verbose_name=pgettext_lazy("model field", "student"),
    )

    class Meta:
        verbose_name = _("subgroup membership")
        verbose_name_plural = _("subgroup memberships")
        constraints = [
            models.UniqueConstraint(fields=["subgroup", "student"], name="subgroup_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.student_id} → {self.subgroup_id}"
