"""Notifications and their preferences: services (write) and selectors (read).

A notification is made once per outbox event and recipient (``notify``, idempotent, called by the
apps' outbox handlers) and its text is rendered when it is read, in the reader's language, from
``kind`` and ``payload`` by the kind its app registered (``parta.messaging.kinds``, ``render``).
In-app is always on; e-mail and push (Web Push to the person's devices) go out per kind when the
person chose them, or by the kind's default channels when they chose nothing for it, as
``Delivery`` rows sent by the worker (``parta.messaging.channels`` / ``tasks``).

Nobody reads anybody else's notifications: every read and write here is filtered by recipient
and a notification that is not the user's answers 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.accounts.models import Guardianship, User
from parta.accounts.selectors import PersonName, guardians_of, names_of
from parta.messaging.kinds import kind_of, link_to, person_fields, registered_kinds
from parta.messaging.models import (
    Delivery,
    Notification,
    NotificationPreference,
    PushSubscription,
    QuietHours,
)
from parta.outbox.handlers import payload_id, payload_ids
from parta.outbox.models import OutboxEvent
from parta.schools.selectors import subject_names

# --- rendering ---------------------------------------------------------------------------


def render(kind: str, payload: Mapping[str, Any], reader_id: int | None = None) -> str:
    """The notification's text in the active language, made by its kind. A notification about
    somebody read by someone else (a parent of several children) starts with that person's name.
    A kind no app registers any more reads as a neutral text."""
    registered = kind_of(kind)
    if registered is None:
        return _("You have a notification.")
    text = registered.render(payload)
    about = registered.about(payload) if registered.about else None
    if about is not None and reader_id is not None and reader_id != about[0]:
        return _("%(student)s: %(text)s") % {"student": about[1], "text": text}
    return text


def link_of(kind: str, payload: Mapping[str, Any]) -> str:
    """Where the notification leads, as its kind says; the notification list for an unknown kind."""
    registered = kind_of(kind)
    return link_to(registered, payload) if registered else reverse("notifications")


# --- making notifications (called by the apps' outbox handlers, inside the delivery) --------


@dataclass(frozen=True)
class Notice:
    """Who is to be told of one event, and what: the input of ``notify``. ``extra`` adds to one
    recipient's payload (which child a class-wide event is about). The person who made the change
    (``actor_id``) is never told of it, even when among the recipients."""

    recipient_ids: Iterable[int]
    kind: str
    payload: dict[str, Any]
    school_id: int | None
    event_id: int | None
    extra: Mapping[int, Mapping[str, Any]] | None = None
    actor_id: Any = None
    in_app_only: bool = False


def notify(notices: Sequence[Notice]) -> list[Notification]:
    """Tell each recipient of each notice once per event: recipients already told of the notice's
    ``event_id`` are skipped, so running this twice makes nothing twice. For each new notification
    a ``Delivery`` is queued per channel (e-mail, push) the recipient chose for its kind, or by the kind's
    default channels when they chose nothing for it; they are sent after commit. The new
    notifications. A fixed number of queries whatever the number of notices and recipients (the
    worker hands over a whole batch of events at once)."""
    wanted = [
        (notice, pk) for notice in notices for pk in sorted(set(notice.recipient_ids) - {notice.actor_id})
    ]
    if not wanted:
        return []
    with transaction.atomic():
        event_ids = {notice.event_id for notice, _ in wanted if notice.event_id is not None}
        if event_ids:
            told = set(
                Notification.objects.filter(
                    event_id__in=event_ids, recipient_id__in={pk for _, pk in wanted}
                ).values_list("event_id", "recipient_id")
            )
            wanted = [(notice, pk) for notice, pk in wanted if (notice.event_id, pk) not in told]
        if not wanted:
            return []
        fresh = [
            Notification(
                recipient_id=pk,
                school_id=notice.school_id,
                kind=notice.kind,
                payload={**notice.payload, **(notice.extra or {}).get(pk, {})},
                event_id=notice.event_id,
            )
            for notice, pk in wanted
        ]
        # Which of them go out by no other channel than in-app: by the row (no event) or its event.
        quiet_rows = {id(row) for row, (notice, _pk) in zip(fresh, wanted, strict=True) if notice.in_app_only}
        quiet_events = {(notice.event_id, pk) for notice, pk in wanted if notice.in_app_only}
        # PostgreSQL and SQLite both return the new keys from a plain bulk insert.
        made = Notification.objects.bulk_create([row for row in fresh if row.event_id is None])
        once = [row for row in fresh if row.event_id is not None]
        if once:
            # A concurrent run that got there first is no error: its rows stand.
            Notification.objects.bulk_create(once, ignore_conflicts=True)
            pairs = {(row.event_id, row.recipient_id) for row in once}
            made += [
                row
                for row in Notification.objects.filter(
                    event_id__in={event_id for event_id, _ in pairs},
                    recipient_id__in={pk for _, pk in pairs},
                ).order_by("id")
                if (row.event_id, row.recipient_id) in pairs
            ]
        deliveries = _queue_deliveries(
            [
                row
                for row in made
                if id(row) not in quiet_rows and (row.event_id, row.recipient_id) not in quiet_events
            ]
        )
    # Those held back for quiet hours are sent by the sweeper once the hours end.
    ids = [delivery.pk for delivery in deliveries if delivery.not_before is None]
    if ids:
        from parta.messaging.tasks import publish_deliveries

        transaction.on_commit(lambda: publish_deliveries(ids), robust=True)
    return made


def notify_each(make: Callable[[OutboxEvent], Notice | None]) -> Callable[[Sequence[OutboxEvent]], None]:
    """An outbox handler for a kind read event by event (``make`` answers who is told of one
    event, or None); the notifications of the whole batch are still written at once."""

    def handler(events: Sequence[OutboxEvent]) -> None:
        notify([notice for event in events if (notice := make(event)) is not None])

    handler.__name__ = handler.__qualname__ = make.__name__
    return handler


def _about(notification: Notification) -> int | None:
    """The child a notification is about, by its kind's ``about`` (None for a kind about no one)."""
    kind = kind_of(notification.kind)
    about = kind.about(notification.payload) if kind and kind.about else None
    return payload_id(about[0]) if about else None


def held_until(starts: dt.time, ends: dt.time, now: dt.datetime) -> dt.datetime | None:
    """When quiet hours from ``starts`` to ``ends`` (the city's time; past midnight when ``starts``
    is later) that hold at ``now`` end; None when ``now`` is outside them."""
    local = timezone.localtime(now)
    moment = local.time()
    inside = starts <= moment < ends if starts < ends else moment >= starts or moment < ends
    if not inside:
        return None
    day = local.date() if moment < ends else local.date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, ends))


def _queue_deliveries(notifications: list[Notification]) -> list[Delivery]:
    if not notifications:
        return []
    by_recipient: dict[tuple[int, str, int | None], list[Notification]] = {}
    for notification in notifications:
        key = (notification.recipient_id, notification.kind, _about(notification))
        by_recipient.setdefault(key, []).append(notification)
    users = {user_id for user_id, _kind, _child in by_recipient}
    # A person's row for a kind (for one child, else for all) is their choice; a kind they chose
    # nothing for goes by its defaults.
    choices = {
        (choice.user_id, choice.kind, choice.student_id): choice
        for choice in NotificationPreference.objects.filter(
            user_id__in=users, kind__in={kind for _, kind, _child in by_recipient}
        )
    }
    defaults = {kind: k.channels for _, kind, _child in by_recipient if (k := kind_of(kind)) and k.channels}
    # A default e-mail reaches only those with an address (as a chosen one must have one).
    mailable = (
        set(User.objects.filter(pk__in=users).exclude(email="").values_list("pk", flat=True))
        if defaults
        else set()
    )
    push_users = set(PushSubscription.objects.filter(user_id__in=users).values_list("user_id", flat=True))
    now = timezone.now()
    held = {
        user_id: until
        for user_id, starts, ends in QuietHours.objects.filter(user_id__in=users).values_list(
            "user_id", "starts", "ends"
        )
        if (until := held_until(starts, ends, now)) is not None
    }
    rows: list[Delivery] = []
    for (user_id, kind, child), made in by_recipient.items():
        choice = choices.get((user_id, kind, child)) if child is not None else None
        choice = choice or choices.get((user_id, kind, None))
        default = defaults.get(kind, frozenset())
        email = choice.email if choice else Delivery.Channel.EMAIL in default and user_id in mailable
        push = choice.push if choice else Delivery.Channel.PUSH in default
        not_before = held.get(user_id)
        for notification in made:
            if email:
                rows.append(
                    Delivery(notification=notification, channel=Delivery.Channel.EMAIL, not_before=not_before)
                )
            if push and user_id in push_users:
                rows.append(
                    Delivery(notification=notification, channel=Delivery.Channel.PUSH, not_before=not_before)
                )
    if not rows:
        return []
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        Delivery.objects.filter(
            notification__in=[n.pk for n in notifications], status=Delivery.Status.PENDING
        ).order_by("id")
    )


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationRow:
    id: int
    kind: str
    text: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


def readable_by(user: Any) -> Q:
    """A Q over Notification: one's own, and nobody else's (not even an administrator's)."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    return Q(recipient_id=user.pk)


def row_of(notification: Notification) -> NotificationRow:
    return NotificationRow(
        id=notification.pk,
        kind=notification.kind,
        text=render(notification.kind, notification.payload, notification.recipient_id),
        link=notification.link or link_of(notification.kind, notification.payload),
        created_at=notification.created_at,
        read_at=notification.read_at,
    )


def notifications_of(user: Any, *, unread_only: bool = False) -> Any:
    """The user's notifications, unread first, then newest first (a queryset, for paging)."""
    rows = Notification.objects.filter(readable_by(user))
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.annotate(
        is_read=ExpressionWrapper(Q(read_at__isnull=False), output_field=BooleanField())
    ).order_by("is_read", "-created_at", "-id")


def notification_rows(user: Any, *, unread_only: bool = False, limit: int = 100) -> list[NotificationRow]:
    """One query: the user's latest notifications, rendered."""
    return [row_of(n) for n in notifications_of(user, unread_only=unread_only)[:limit]]


def unread_count(user: Any) -> int:
    """How many unread notifications the user has: one query on the partial index ``notification_unread``."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def access_notification(user: Any, notification_id: int) -> Notification:
    """The user's own notification, or 404."""
    notification = Notification.objects.filter(readable_by(user), pk=notification_id).first()
    if notification is None:
        raise Http404
    return notification


def mark_read(user: Any, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (again changes nothing); 404 for anyone else's."""
    notification = access_notification(user, notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(user: Any) -> int:
    """Mark all the user's unread notifications read; how many there were."""
    return Notification.objects.filter(readable_by(user), read_at__isnull=True).update(read_at=timezone.now())


# --- preferences -------------------------------------------------------------------------


@dataclass(frozen=True)
class KindChoice:
    kind: str
    label: str
    email: bool
    push: bool
    defaults: frozenset[str] = frozenset()
    # For a child's row: chosen for this child, not the same as for all.
    own: bool = False


@dataclass(frozen=True)
class ChildChoices:
    """A guardian's channels for the kinds about one child (each the child's own choice, else the
    guardian's choice for all)."""

    student_id: int
    name: str
    kinds: list[KindChoice]


@dataclass(frozen=True)
class Preferences:
    kinds: list[KindChoice]
    has_email: bool
    children: list[ChildChoices] = field(default_factory=list)
    quiet_starts: dt.time | None = None
    quiet_ends: dt.time | None = None


def child_kinds() -> list[str]:
    """The kinds a guardian may choose for each child apart: those about a child (``about``)."""
    return [kind.code for kind in registered_kinds() if kind.about is not None]


def preferences_of(user: Any) -> Preferences:
    """The user's channel choice per registered kind, per child for a guardian, and quiet hours.
    A kind the user chose nothing for shows its default channels (e-mail only with an address);
    nothing chosen and no default is in-app only. Three queries."""
    rows = list(NotificationPreference.objects.filter(user_id=user.pk))
    chosen = {p.kind: p for p in rows if p.student_id is None}
    own = {(p.student_id, p.kind): p for p in rows if p.student_id is not None}
    has_email = bool(getattr(user, "email", ""))
    kinds = [
        KindChoice(
            kind=kind.code,
            label=str(kind.label),
            email=chosen[kind.code].email
            if kind.code in chosen
            else has_email and Delivery.Channel.EMAIL in kind.channels,
            push=chosen[kind.code].push if kind.code in chosen else Delivery.Channel.PUSH in kind.channels,
            defaults=kind.channels,
            own=kind.code in chosen,
        )
        for kind in registered_kinds()
    ]
    about = set(child_kinds())
    children = []
    for student_id, last, first, middle, username in (
        Guardianship.objects.filter(guardian_id=user.pk)
        .order_by("student__first_name", "student_id")
        .values_list(
            "student_id",
            "student__last_name",
            "student__first_name",
            "student__middle_name",
            "student__username",
        )
    ):
        children.append(
            ChildChoices(
                student_id=student_id,
                name=PersonName(last, first, middle, username).short,
                kinds=[
                    KindChoice(
                        kind=c.kind,
                        label=c.label,
                        email=own[student_id, c.kind].email if (student_id, c.kind) in own else c.email,
                        push=own[student_id, c.kind].push if (student_id, c.kind) in own else c.push,
                        defaults=c.defaults,
                        own=(student_id, c.kind) in own,
                    )
                    for c in kinds
                    if c.kind in about
                ],
            )
        )
    quiet = QuietHours.objects.filter(user_id=user.pk).values_list("starts", "ends").first()
    return Preferences(
        kinds=kinds,
        has_email=has_email,
        children=children,
        quiet_starts=quiet[0] if quiet else None,
        quiet_ends=quiet[1] if quiet else None,
    )


_UNSET: Any = object()


def set_preferences(
    user: Any,
    choices: Mapping[str, tuple[bool, bool]],
    *,
    children: Mapping[int, Mapping[str, tuple[bool, bool]]] | None = None,
    quiet: tuple[dt.time | None, dt.time | None] | Any = _UNSET,
) -> Preferences:
    """Set the channels per kind (``{kind: (email, push)}``; kinds left out keep their choice).
    Push may be chosen before any device is added (``parta.messaging.push``): it goes to the
    devices the person has when a notification is made.

    ``children``: a guardian's own choice for a child (``{student id: {kind: (email, push)}}``);
    one that is the same as the choice for the kind (after ``choices``) is no own choice, and the
    child follows the choice for all again. ``quiet``: the quiet hours ``(from, until)``, ``(None, None)``
    for none. Bad input (an unknown kind, another's child, e-mail without an e-mail address, one
    end of the quiet hours) raises ValidationError and changes nothing."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(choices) - {kind.code for kind in registered_kinds()})
    if unknown:
        errors["kinds"] = [_("Unknown kind: %(kind)s.") % {"kind": ", ".join(unknown)}]
    current = preferences_of(user)
    merged = {c.kind: (c.email, c.push) for c in current.kinds} | dict(choices)
    shown = {child.student_id: {c.kind: (c.email, c.push) for c in child.kinds} for child in current.children}
    child_rows: dict[tuple[int, str], tuple[bool, bool] | None] = {}
    for student_id, kinds in (children or {}).items():
        if student_id not in shown:
            errors["children"] = [_("Choose for your own children only.")]
            continue
        for kind, pair in kinds.items():
            if kind not in shown[student_id]:
                errors.setdefault("children", []).append(_("Unknown kind: %(kind)s.") % {"kind": kind})
                continue
            chosen = (bool(pair[0]), bool(pair[1]))
            child_rows[student_id, kind] = None if chosen == merged[kind] else chosen
    emails = [email for email, _push in merged.values()] + [p[0] for p in child_rows.values() if p]
    if any(emails) and not current.has_email:
        errors["kinds"] = [*errors.get("kinds", []), _("Your account has no e-mail address.")]
    if quiet is not _UNSET:
        starts, ends = quiet
        if (starts is None) != (ends is None):
            errors["quiet_hours"] = [_("Give both ends of the quiet hours, or neither.")]
        elif starts is not None and starts == ends:
            errors["quiet_hours"] = [_("The quiet hours must end at another time than they start.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for kind, (email, push) in choices.items():
            NotificationPreference.objects.update_or_create(
                user_id=user.pk, kind=kind, student=None, defaults={"email": bool(email), "push": bool(push)}
            )
        for (student_id, kind), row in child_rows.items():
            if row is None:
                NotificationPreference.objects.filter(
                    user_id=user.pk, kind=kind, student_id=student_id
                ).delete()
            else:
                NotificationPreference.objects.update_or_create(
                    user_id=user.pk,
                    kind=kind,
                    student_id=student_id,
                    defaults={"email": row[0], "push": row[1]},
                )
        if quiet is not _UNSET:
            starts, ends = quiet
            if starts is None or ends is None:
                QuietHours.objects.filter(user_id=user.pk).delete()
            else:
                QuietHours.objects.update_or_create(
                    user_id=user.pk, defaults={"starts": starts, "ends": ends}
                )
    return preferences_of(user)


def unread_about_students(
    user: Any, student_ids: Collection[int], *, limit: int = 200
) -> dict[int, list[NotificationRow]]:
    """The user's unread notifications about each of these students (what a family has not seen
    since the last visit: marks, absences, homework, changed lessons), newest first: one query."""
    found: dict[int, list[NotificationRow]] = {pk: [] for pk in student_ids}
    if not student_ids or not getattr(user, "is_authenticated", False):
        return found
    rows = Notification.objects.filter(
        recipient_id=user.pk, read_at__isnull=True, payload__student_id__in=list(student_ids)
    ).order_by("-created_at", "-id")
    for notification in rows[:limit]:
        student_id = notification.payload.get("student_id")
        if student_id in found:
            found[student_id].append(row_of(notification))
    return found


def subject_of(event: OutboxEvent, subjects: Mapping[int, dict[str, str]]) -> dict[str, str]:
    return subjects.get(payload_id(event.payload.get("subject_id")) or 0) or {"ru": "", "en": ""}


def student_notices(
    events: Sequence[OutboxEvent], kind: str, extra: Callable[[OutboxEvent], Mapping[str, Any]]
) -> list[Notice]:
    """An outbox handler's notices for events about one student each (``student_id``, and
    ``subject_id`` if any, in the payload): the student and the student's guardians are told,
    with the student's name and the subject's. Three queries for the whole batch."""
    events = [event for event in events if payload_id(event.payload.get("student_id")) is not None]
    students = payload_ids(events, "student_id")
    subjects = subject_names(payload_ids(events, "subject_id"))
    names, guardians = names_of(students), guardians_of(students)
    notices = []
    for event in events:
        p = event.payload
        student_id = p["student_id"]
        payload = {
            **p,
            **extra(event),
            "subject": subject_of(event, subjects),
            **person_fields("student_name", names.get(student_id)),
        }
        family = guardians[student_id] | {student_id}
        notices.append(Notice(family, kind, payload, event.school_id, event.pk, actor_id=p.get("actor_id")))
    return notices
