"""Where schools are: the city, its districts, the schools, their buildings and rooms."""

from django.db import models
from django.utils.translation import gettext_lazy as _

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
