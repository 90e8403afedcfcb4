"""The school's structure: city → district → school → building, years and periods,
class groups and subgroups, subjects, rooms, enrolment, staff and teaching assignments.

Every school-scoped table carries ``school`` (denormalised where needed) so that hot
queries filter by it and a city can later distribute tables by school.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.functional import Promise as StrPromise
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from parta.accounts.models import Guardianship
from parta.core.names import room_label


class City(models.Model):
    # No time zone of its own: one installation serves one city, whose zone is PARTA_TIME_ZONE.
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="districts", verbose_name=_("city"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="schools", verbose_name=_("city"))
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="schools", verbose_name=_("district")
    )
    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=100)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    def __str__(self) -> str:
        return self.short_name


class Building(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="buildings", verbose_name=_("school")
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    class Kind(models.TextChoices):
        CLASSROOM = "classroom", _("classroom")
        LAB = "lab", _("laboratory")
        COMPUTER = "computer", _("computer room")
        LANGUAGE = "language", _("language room")
        WORKSHOP = "workshop", _("workshop")
        GYM = "gym", _("gym")
        HALL = "hall", _("assembly hall")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("school")
    )
    building = models.ForeignKey(
        Building, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("building"), db_index=False
    )
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CLASSROOM)
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=30)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [models.UniqueConstraint(fields=["building", "name"], name="room_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """«каб. 204» or «Спортивный зал 1», as pages show it (see ``room_label``)."""
        return room_label(self.name) or ""


class AcademicYear(models.Model):
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


class StudyPeriod(models.Model):
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
    # A closed period locks its marks: a later edit needs a reason (invariant 3).
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


class StaffMembership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("school administrator")
        TEACHER = "teacher", _("teacher")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="staff", verbose_name=_("school"), db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_memberships",
        verbose_name=_("user"),
        db_index=False,
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    position = models.CharField(_("position"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(fields=["school", "user", "role"], name="staff_membership_unique")
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class CityRole(models.Model):
    class Role(models.TextChoices):
        METHODOLOGIST = "methodologist", _("methodologist")

    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="roles", verbose_name=_("city"), db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="city_roles", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("city role")
        verbose_name_plural = _("city roles")
        constraints = [models.UniqueConstraint(fields=["city", "user", "role"], name="city_role_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class TeachingAssignment(models.Model):
    """A teacher teaches a subject to a class group (or one of its subgroups) this year."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("academic year")
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="teaching_assignments",
        verbose_name=_("teacher"),
        db_index=False,
    )
    class_group = models.ForeignKey(
        ClassGroup,
        on_delete=models.CASCADE,
        related_name="teaching_assignments",
        verbose_name=_("class group"),
    )
    subgroup = models.ForeignKey(
        Subgroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="teaching_assignments",
        verbose_name=_("subgroup"),
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="+", verbose_name=_("subject")
    )
    hours_per_week = models.PositiveSmallIntegerField(_("hours per week"))

    class Meta:
        verbose_name = _("teaching assignment")
        verbose_name_plural = _("teaching assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["class_group", "subject"],
                condition=models.Q(subgroup__isnull=True),
                name="assignment_one_teacher_per_class_subject",
            ),
            models.UniqueConstraint(
                fields=["subgroup", "subject"],
                condition=models.Q(subgroup__isnull=False),
                name="assignment_one_teacher_per_subgroup_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(hours_per_week__gte=1, hours_per_week__lte=12),
                name="assignment_hours_range",
            ),
        ]
        indexes = [models.Index(fields=["teacher", "year"])]

    @property
    def group_name(self) -> str:
        return self.subgroup.name if self.subgroup_id and self.subgroup else self.class_group.name

    def __str__(self) -> str:
        return f"{self.subject} — {self.group_name} — {self.teacher}"


class GuardianshipInvitation(models.Model):
    """A school administrator's request that the holder of an existing account become a guardian
    of a student of their school. The holder answers; only their acceptance makes the Guardianship,
    so no school links (and then names and messages) a person of the city without their consent.

    The row is the link's history: who invited (``invited_by``, ``created_at``), who accepted or
    declined and when (``invitee``, ``answered_at``), or who withdrew it. ``login`` keeps what the
    administrator typed (a login or an e-mail address); ``invitee`` is the account it named then,
    empty when none did — the administrator is never told which.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for an answer")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    # Indexed by the (school, student) index below.
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=pgettext_lazy("model field", "student"),
    )
    login = models.CharField(_("login or e-mail"), max_length=254)
    relation = models.CharField(_("relation"), max_length=20, choices=Guardianship.Relation.choices)
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="guardianship_invitations",
        verbose_name=_("invitee"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
        db_index=False,
    )
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
        db_index=False,
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("guardianship invitation")
        verbose_name_plural = _("guardianship invitations")
        indexes = [models.Index(fields=["school", "student"])]

    def __str__(self) -> str:
        return f"{self.login} → {self.student}"
