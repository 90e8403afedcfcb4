"""Who works at a school, the city's roles, who teaches what, and invitations to guardians."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parta.accounts.models import Guardianship
from parta.schools.models.calendar import AcademicYear
from parta.schools.models.classes import ClassGroup, Subgroup, Subject
from parta.schools.models.places import City, School


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
