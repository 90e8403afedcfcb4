"""People: one user model for every role, guardianship between users."""

import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parta.core import names


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class User(AbstractUser):
    middle_name = models.CharField(_("patronymic"), max_length=150, blank=True)
    # The secret in a person's iCalendar feed URL; calendar apps cannot send credentials.
    calendar_token = models.CharField(
        _("calendar token"), max_length=64, unique=True, default=new_calendar_token, editable=False
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def full_name(self) -> str:
        return names.full_name(self.last_name, self.first_name, self.middle_name)

    @property
    def short_name(self) -> str:
        """«Иванова А. П.» — how Russian schools write a person in lists."""
        return names.short_name(self.last_name, self.first_name, self.middle_name) or self.username

    def __str__(self) -> str:
        return self.full_name or self.username


class Guardianship(models.Model):
    class Relation(models.TextChoices):
        MOTHER = "mother", _("mother")
        FATHER = "father", _("father")
        GRANDPARENT = "grandparent", _("grandparent")
        OTHER = "other", _("legal guardian")

    guardian = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="ward_links", verbose_name=_("guardian"), db_index=False
    )
    student = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="guardian_links",
        verbose_name=pgettext_lazy("model field", "student"),
    )
    relation = models.CharField(
        _("relation"), max_length=20, choices=Relation.choices, default=Relation.OTHER
    )

    class Meta:
        verbose_name = _("guardianship")
        verbose_name_plural = _("guardianships")
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="guardianship_unique"),
            models.CheckConstraint(
                condition=~models.Q(guardian=models.F("student")), name="guardianship_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} → {self.student}"
