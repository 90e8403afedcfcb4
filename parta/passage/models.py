"""Identifiers and passages: the cards, bracelets and key fobs a school issues, and what its
turnstiles report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parta.accounts.models import MachineClient
from parta.schools.models import Building, School


class Card(models.Model):
    """An identifier issued to a person of a school: a card, a bracelet or a key fob. One person
    may hold several; a lost one is blocked (never deleted: its passages and sales keep naming it)
    and a new one issued. ``number`` is what the reader sends, unique in the city."""

    class Kind(models.TextChoices):
        CARD = "card", _("card")
        BRACELET = "bracelet", _("bracelet")
        KEY_FOB = "key_fob", _("key fob")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        BLOCKED = "blocked", _("blocked")

    # card_school_holder begins with it.
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cards", verbose_name=_("holder")
    )
    number = models.CharField(_("number"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CARD)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    blocked_at = models.DateTimeField(_("blocked"), null=True, blank=True)
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("blocked by"),
    )
    block_reason = models.CharField(_("reason for blocking"), max_length=200, blank=True)
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        indexes = [models.Index(fields=["school", "holder"], name="card_school_holder")]

    def __str__(self) -> str:
        return self.number


class PassageEvent(models.Model):
    """One passage through a turnstile, as the device reported it: who (the card number read,
    and the card and its holder when the number is known), where (the device, its building and
    school — from the device's credential, never from what it sent), which way and when (the
    device's clock). A number nobody was issued, a blocked card and another school's card are kept
    too (``card_state``) and shown to the administrator: nothing a turnstile reports is dropped.

    ``(device, event_id)`` is unique: a device that sends an event again after a lost answer
    changes nothing. ``day`` is the city's date of ``occurred_at``, what every page reads by.
    ``holder`` is the person of a known card only: a blocked card may be in a stranger's hand."""

    class Direction(models.TextChoices):
        IN = "in", _("entry")
        OUT = "out", _("exit")

    class CardState(models.TextChoices):
        KNOWN = "known", _("known card")
        UNKNOWN = "unknown", _("unknown card")
        BLOCKED = "blocked", _("blocked card")
        OTHER_SCHOOL = "other_school", _("another school's card")

    id = models.BigAutoField(_("id"), primary_key=True)
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    building = models.ForeignKey(
        Building, on_delete=models.CASCADE, related_name="+", verbose_name=_("building"), db_index=False
    )
    # passage_event_once begins with it.
    device = models.ForeignKey(
        MachineClient, on_delete=models.PROTECT, related_name="+", verbose_name=_("device"), db_index=False
    )
    event_id = models.CharField(_("device's event id"), max_length=64)
    card_number = models.CharField(_("card number"), max_length=64)
    card = models.ForeignKey(
        Card,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="passages",
        verbose_name=_("card"),
        db_index=False,
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("holder"),
        db_index=False,  # passage_holder_day begins with it
    )
    card_state = models.CharField(_("card"), max_length=12, choices=CardState.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    occurred_at = models.DateTimeField(_("time"))
    day = models.DateField(_("day"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("passage")
        verbose_name_plural = _("passages")
        constraints = [
            models.UniqueConstraint(fields=["device", "event_id"], name="passage_event_once"),
        ]
        indexes = [
            # Who is in the building, a child's day, the cross-check with attendance.
            models.Index(fields=["holder", "day", "occurred_at"], name="passage_holder_day"),
            # The administrator's report of a building's day.
            models.Index(fields=["building", "day"], name="passage_building_day"),
            # What the administrator must look at: cards nobody (here) was issued, blocked cards.
            models.Index(
                fields=["school", "day"],
                condition=~models.Q(card_state="known"),
                name="passage_unrecognised",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.card_number} {self.direction} {self.occurred_at:%Y-%m-%d %H:%M}"


class FlagDecision(models.Model):
    """A teacher's answer to a turnstile flag at one lesson: the attendance was changed as the
    turnstile suggests (``accepted``) or left as it was (``dismissed``). Kept so that a flag once
    answered is not raised again, and to show who decided."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        DISMISSED = "dismissed", _("dismissed")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    lesson = models.ForeignKey(
        "timetable.Lesson",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("lesson"),
        db_index=False,  # flag_decision_once begins with it
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("student")
    )
    flag = models.CharField(_("flag"), max_length=30)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
        db_index=False,
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("turnstile flag decision")
        verbose_name_plural = _("turnstile flag decisions")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "student", "flag"], name="flag_decision_once"),
        ]

    def __str__(self) -> str:
        return f"{self.flag} {self.lesson_id}/{self.student_id}: {self.decision}"
