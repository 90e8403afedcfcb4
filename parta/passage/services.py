"""Writes of the passage app (but the turnstiles' events: ``ingest``): issuing, blocking and
replacing cards, and a teacher's answer to a turnstile flag."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.core.errors import FieldErrors
from parta.journal.access import access_lesson
from parta.journal.models import Attendance
from parta.journal.services.attendance import attendance_set
from parta.passage.access import access_card, may_administer
from parta.passage.models import Card, FlagDecision
from parta.passage.selectors import (
    ABSENT_BUT_ENTERED,
    FLAG_KINDS,
    Flag,
    days_of,
    holders_with_cards,
    lesson_flags,
    school_member_ids,
    turnstiles_had_passages,
)
from parta.schools.models import Enrolment
from parta.timetable.models import Lesson

MAX_NUMBER = 64
MAX_REASON = 200


def _number(raw: str, errors: FieldErrors, field: str = "number") -> str:
    number = raw.strip()
    if not number:
        errors.add(field, _("Give the number written on the card (or read from it)."))
    elif len(number) > MAX_NUMBER or not number.isprintable():
        errors.add(field, _("A number is at most %(max)d printable characters.") % {"max": MAX_NUMBER})
    elif Card.objects.filter(number=number).exists():
        errors.add(field, _("A card with this number was issued already."))
    return number


def _kind(raw: str, errors: FieldErrors) -> str:
    if raw not in Card.Kind.values:
        errors.add("kind", _("Choose a card, a bracelet or a key fob."))
    return raw


def _create(**fields: Any) -> Card:
    try:
        with transaction.atomic():
            return Card.objects.create(**fields)
    except IntegrityError:
        # Another administrator issued the same number meanwhile.
        raise ValidationError({"number": [_("A card with this number was issued already.")]}) from None


@transaction.atomic
def card_issue(
    *, actor: Any, school_id: int, holder_id: int, number: str, kind: str = Card.Kind.CARD
) -> Card:
    """Issue a card (a bracelet, a key fob) to a student or a member of staff of the school; a
    person may hold several. The number is unique in the city."""
    if not may_administer(actor, school_id):
        raise Http404
    errors = FieldErrors()
    number = _number(number, errors)
    kind = _kind(kind, errors)
    if holder_id not in school_member_ids(school_id, [holder_id]):
        errors.add("holder", _("Choose a student or a member of staff of the school."))
    errors.raise_if_any()
    return _create(school_id=school_id, holder_id=holder_id, number=number, kind=kind, issued_by=actor)


@transaction.atomic
def card_block(*, actor: Any, school_id: int, card_id: int, reason: str) -> Card:
    """Block a card (lost, stolen, broken): the turnstiles' events with it are kept and shown to
    the administrator as a blocked card's. Blocking a blocked card changes nothing."""
    card = access_card(actor, school_id, card_id)
    errors = FieldErrors()
    reason = reason.strip()
    if not reason:
        errors.add("reason", _("Say why the card is blocked."))
    elif len(reason) > MAX_REASON:
        errors.add("reason", _("The reason is at most %(max)d characters.") % {"max": MAX_REASON})
    errors.raise_if_any()
    card = Card.objects.select_for_update().get(pk=card.pk)
    if card.status == Card.Status.BLOCKED:
        return card
    card.status = Card.Status.BLOCKED
    card.blocked_at = timezone.now()
    card.blocked_by = actor
    card.block_reason = reason
    card.save(update_fields=["status", "blocked_at", "blocked_by", "block_reason"])
    return card


@transaction.atomic
def card_replace(
    *, actor: Any, school_id: int, card_id: int, number: str, kind: str = "", reason: str = ""
) -> Card:
    """A new card in place of a lost one: the old one is blocked (if it was not) and names its
    replacement; both stay, with the history of the passages made with each. The new card."""
    old = access_card(actor, school_id, card_id)
    errors = FieldErrors()
    number = _number(number, errors)
    kind = _kind(kind or old.kind, errors)
    if old.replaced_by_id is not None:
        errors.add("number", _("This card was replaced already."))
    reason = reason.strip() or _("Replaced by %(number)s") % {"number": number}
    if len(reason) > MAX_REASON:
        errors.add("reason", _("The reason is at most %(max)d characters.") % {"max": MAX_REASON})
    errors.raise_if_any()
    new = _create(school_id=school_id, holder_id=old.holder_id, number=number, kind=kind, issued_by=actor)
    old = Card.objects.select_for_update().get(pk=old.pk)
    fields = ["replaced_by"]
    old.replaced_by = new
    if old.status != Card.Status.BLOCKED:
        old.status = Card.Status.BLOCKED
        old.blocked_at = timezone.now()
        old.blocked_by = actor
        old.block_reason = reason
        fields += ["status", "blocked_at", "blocked_by", "block_reason"]
    old.save(update_fields=fields)
    return new


# --- the teacher's answer to a flag ---------------------------------------------------------


def _flag_of(actor: Any, lesson_id: int, student_id: int, kind: str) -> tuple[Lesson, Flag]:
    """The lesson and the flag as the pages show it now: it must still stand (no answer given yet,
    the attendance and the passages still disagree). 404 for a lesson the user may not read or a
    student not of its class."""
    access_lesson(actor, lesson_id, display=False)
    lesson = Lesson.objects.select_related("assignment", "subject", "class_group").get(pk=lesson_id)
    if not Enrolment.objects.filter(class_group_id=lesson.class_group_id, student_id=student_id).exists():
        raise Http404
    now = timezone.now()
    today = timezone.localdate(now)
    flags = (
        lesson_flags(
            actor,
            [lesson],
            {student_id: ""},
            days_of([student_id], today),
            holders_with_cards([student_id]),
            now=now,
            turnstiles_today=turnstiles_had_passages(lesson.school_id, today),
        )
        if lesson.date == today
        else []
    )
    flag = next((f for f in flags if f.kind == kind), None)
    if flag is None:
        raise ValidationError({"flag": [_("The turnstile no longer says otherwise than the journal.")]})
    return lesson, flag


@transaction.atomic
def flag_decide(*, actor: Any, lesson_id: int, student_id: int, kind: str, accept: bool) -> FlagDecision:
    """The teacher's answer to a turnstile flag at a lesson. Accepted: the attendance becomes what
    the turnstile suggests, recorded with the source "turnstile" (present — the absence removed —
    or late for one marked absent who came during the lesson; absent for one who never came);
    dismissed: the journal stays as it is. Either way the flag is not raised again. Only one who
    may write the lesson's journal answers (403 for a reader)."""
    if kind not in FLAG_KINDS:
        raise ValidationError({"flag": [_("Unknown flag.")]})
    lesson, flag = _flag_of(actor, lesson_id, student_id, kind)
    if not flag.can_accept:
        raise PermissionDenied
    if accept:
        reason = ""
        if kind == ABSENT_BUT_ENTERED and flag.entered_at is not None:
            reason = _("Turnstile: entered at %(time)s") % {"time": flag.entered_at.strftime("%H:%M")}
        attendance_set(
            actor,
            lesson_id=lesson_id,
            student_id=student_id,
            status=flag.suggested,
            reason=reason,
            version=flag.version,
            source=Attendance.Source.TURNSTILE,
            confirms_turnstile=True,
        )
    return FlagDecision.objects.create(
        school_id=lesson.school_id,
        lesson_id=lesson_id,
        student_id=student_id,
        flag=kind,
        decision=FlagDecision.Decision.ACCEPTED if accept else FlagDecision.Decision.DISMISSED,
        decided_by=actor,
    )
