"""Notifications and their preferences: services (write) and selectors (read).

A notification is made once per outbox event and recipient (``notify``, idempotent) and its text
is rendered when it is read, in the reader's language, from ``kind`` and ``payload`` (``render``).
In-app is always on; e-mail and push go out per kind when the person chose them, as
``Delivery`` rows sent by the worker (``parta.messaging.channels`` / ``tasks``).

Nobody reads anybody else's notifications: every read and write here is filtered by recipient
and a notification that is not the user's answers 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from parta.core.i18n import pick
from parta.messaging.models import Delivery, Notification, NotificationPreference, PushSubscription

Kind = Notification.Kind

# The kinds a person can choose channels for, in the order the preferences page shows them.
PREFERENCE_KINDS: tuple[str, ...] = tuple(Kind.values)


# --- rendering ---------------------------------------------------------------------------


def _name(pair: Any) -> str:
    """A name kept in both languages in a payload: ``{"ru": ..., "en": ...}``."""
    if isinstance(pair, Mapping):
        return pick(str(pair.get("ru") or ""), str(pair.get("en") or ""))
    return str(pair or "")


def _date(raw: Any) -> str:
    """«7 September» / «7 сентября» from an ISO date."""
    try:
        day = dt.date.fromisoformat(str(raw))
    except ValueError:
        return str(raw or "")
    return date_format(day, "j E")


def _mark_value(payload: Mapping[str, Any], key: str) -> str:
    from parta.journal.scales import display

    value = payload.get(key)
    return display(str(payload.get("scale") or "five"), value if isinstance(value, int) else None)


def _render_mark(p: Mapping[str, Any]) -> str:
    subject = _name(p.get("subject"))
    values = {
        "value": _mark_value(p, "value"),
        "old": _mark_value(p, "old_value"),
        "subject": subject,
        "form": _name(p.get("control_form")),
        "weight": p.get("weight") or 1,
    }
    change = p.get("change")
    if change == "deleted":
        return _("Mark %(old)s in %(subject)s removed") % values
    if p.get("value") is None:
        return _("A mark in %(subject)s is owed") % values
    if change == "changed":
        if values["form"]:
            return _(
                "Mark in %(subject)s changed from %(old)s to %(value)s (%(form)s, weight %(weight)s)"
            ) % (values)
        return _("Mark in %(subject)s changed from %(old)s to %(value)s (weight %(weight)s)") % values
    if values["form"]:
        return _("New mark %(value)s in %(subject)s (%(form)s, weight %(weight)s)") % values
    return _("New mark %(value)s in %(subject)s (weight %(weight)s)") % values


def _render_attendance(p: Mapping[str, Any]) -> str:
    values = {"subject": _name(p.get("subject")), "date": _date(p.get("date"))}
    status = p.get("status")
    if p.get("change") == "deleted" or not status:
        return _("Attendance mark for %(subject)s on %(date)s removed") % values
    texts = {
        "absent": _("Absent from %(subject)s on %(date)s"),
        "late": _("Late for %(subject)s on %(date)s"),
        "sick": _("Ill, missed %(subject)s on %(date)s"),
        "excused": _("Excused from %(subject)s on %(date)s"),
    }
    return texts.get(str(status), _("Attendance in %(subject)s on %(date)s: %(status)s")) % {
        **values,
        "status": status,
    }


def _render_notice(p: Mapping[str, Any]) -> str:
    """A family's absence notice: one notification for the whole notice."""
    start, end = _date(p.get("starts_on")), _date(p.get("ends_on"))
    dates = (
        start
        if p.get("starts_on") == p.get("ends_on")
        else _("%(start)s – %(end)s")
        % {
            "start": start,
            "end": end,
        }
    )
    values = {"student": p.get("student_name") or "", "dates": dates, "reason": p.get("reason") or ""}
    if p.get("change") == "withdrawn":
        return _("Absence notice for %(student)s withdrawn: %(dates)s") % values
    return _("Absence notice for %(student)s: %(dates)s — %(reason)s") % values


def _render_homework(p: Mapping[str, Any]) -> str:
    values = {"subject": _name(p.get("subject")), "date": _date(p.get("due_on"))}
    changed = p.get("change") == "changed"
    if not p.get("due_on"):
        return (
            _("Homework in %(subject)s changed") if changed else _("New homework in %(subject)s")
        ) % values
    if changed:
        return _("Homework in %(subject)s for %(date)s changed") % values
    return _("Homework in %(subject)s for %(date)s") % values


def _render_message(kind: str, p: Mapping[str, Any]) -> str:
    values = {"author": p.get("author") or "", "topic": p.get("topic") or ""}
    if kind == Kind.ANNOUNCEMENT:
        return _("Announcement from %(author)s: %(topic)s") % values
    return _("New message from %(author)s: %(topic)s") % values


def render(kind: str, payload: Mapping[str, Any], reader_id: int | None = None) -> str:
    """The notification's text in the active language. A notification about a child read by
    someone other than the child (a parent of several) starts with the child's name."""
    if kind == Kind.ATTENDANCE and payload.get("notice_id"):
        return _render_notice(payload)  # names the child itself
    if kind == Kind.MARK:
        text = _render_mark(payload)
    elif kind == Kind.ATTENDANCE:
        text = _render_attendance(payload)
    elif kind == Kind.HOMEWORK:
        text = _render_homework(payload)
    elif kind in (Kind.MESSAGE, Kind.ANNOUNCEMENT):
        return _render_message(kind, payload)
    else:
        return str(kind)
    student = payload.get("student_name")
    if student and reader_id is not None and reader_id != payload.get("student_id"):
        return _("%(student)s: %(text)s") % {"student": student, "text": text}
    return text


def link_of(kind: str, payload: Mapping[str, Any]) -> str:
    """Where the notification leads: the conversation, the homework list, the diary's week of the
    mark, or for an absence notice the diary's attendance page (the family) or the journal list
    (the class teacher)."""
    student_id = payload.get("student_id")
    if kind in (Kind.MESSAGE, Kind.ANNOUNCEMENT) and payload.get("conversation_id"):
        return reverse("messaging-conversation", args=[payload["conversation_id"]])
    if kind == Kind.ATTENDANCE and payload.get("notice_id"):
        # The class teacher sees the notices on the journal list; the family in the diary.
        if payload.get("for_staff") or not student_id:
            return reverse("journal")
        return reverse("diary-attendance", args=[student_id])
    if kind == Kind.HOMEWORK:
        url = reverse("homework-list")
        return f"{url}?student={student_id}" if student_id else url
    if kind in (Kind.MARK, Kind.ATTENDANCE) and student_id:
        url = reverse("diary-week", args=[student_id])
        return f"{url}?week={payload['date']}" if payload.get("date") else url
    return reverse("diary")


# --- making notifications (called by handlers.py, inside the outbox delivery) ---------------


@dataclass(frozen=True)
class Notice:
    """Who is to be told of one event, and what: the input of ``notify``. ``extra`` adds to one
    recipient's payload (which child a class-wide event is about)."""

    recipient_ids: Iterable[int]
    kind: str
    payload: dict[str, Any]
    school_id: int | None
    event_id: int | None
    extra: Mapping[int, Mapping[str, Any]] | None = None


def notify(notices: Sequence[Notice]) -> list[Notification]:
    """Tell each recipient of each notice once per event: recipients already told of the notice's
    ``event_id`` are skipped, so running this twice makes nothing twice. For each new notification
    a ``Delivery`` is queued per channel the recipient chose for its kind (e-mail, push); they
    are sent after commit. The new notifications. A fixed number of queries whatever the number
    of notices and recipients (the worker hands over a whole batch of events at once)."""
    wanted = [(notice, pk) for notice in notices for pk in sorted(set(notice.recipient_ids))]
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
        deliveries = _queue_deliveries(made)
    if deliveries:
        from parta.messaging.tasks import publish_deliveries

        ids = [delivery.pk for delivery in deliveries]
        transaction.on_commit(lambda: publish_deliveries(ids), robust=True)
    return made


def _queue_deliveries(notifications: list[Notification]) -> list[Delivery]:
    by_recipient: dict[tuple[int, str], list[Notification]] = {}
    for notification in notifications:
        by_recipient.setdefault((notification.recipient_id, notification.kind), []).append(notification)
    users = {user_id for user_id, _ in by_recipient}
    choices = NotificationPreference.objects.filter(
        user_id__in=users, kind__in={kind for _, kind in by_recipient}
    ).filter(Q(email=True) | Q(push=True))
    push_users = set(PushSubscription.objects.filter(user_id__in=users).values_list("user_id", flat=True))
    rows: list[Delivery] = []
    for choice in choices:
        for notification in by_recipient.get((choice.user_id, choice.kind), []):
            if choice.email:
                rows.append(Delivery(notification=notification, channel=Delivery.Channel.EMAIL))
            if choice.push and choice.user_id in push_users:
                rows.append(Delivery(notification=notification, channel=Delivery.Channel.PUSH))
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


@dataclass(frozen=True)
class Preferences:
    kinds: list[KindChoice]
    has_email: bool


def preferences_of(user: Any) -> Preferences:
    """The user's channel choice per kind (nothing chosen: in-app only). One query."""
    chosen = {p.kind: p for p in NotificationPreference.objects.filter(user_id=user.pk)}
    labels = dict(Kind.choices)
    return Preferences(
        kinds=[
            KindChoice(
                kind=kind,
                label=str(labels[kind]),
                email=bool(chosen[kind].email) if kind in chosen else False,
                push=bool(chosen[kind].push) if kind in chosen else False,
            )
            for kind in PREFERENCE_KINDS
        ],
        has_email=bool(getattr(user, "email", "")),
    )


def set_preferences(user: Any, choices: Mapping[str, tuple[bool, bool]]) -> Preferences:
    """Set the channels per kind (``{kind: (email, push)}``; kinds left out keep their choice).
    Push may be chosen before any device is added (``parta.messaging.push``): it goes to the
    devices the person has when a notification is made. Bad input (an unknown kind, e-mail without
    an e-mail address) raises ValidationError and changes nothing."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(choices) - set(PREFERENCE_KINDS))
    if unknown:
        errors["kinds"] = [_("Unknown kind: %(kind)s.") % {"kind": ", ".join(unknown)}]
    current = preferences_of(user)
    merged = {c.kind: (c.email, c.push) for c in current.kinds} | dict(choices)
    if any(email for email, _push in merged.values()) and not current.has_email:
        errors["kinds"] = [*errors.get("kinds", []), _("Your account has no e-mail address.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for kind, (email, push) in choices.items():
            NotificationPreference.objects.update_or_create(
                user_id=user.pk, kind=kind, defaults={"email": bool(email), "push": bool(push)}
            )
    return preferences_of(user)
