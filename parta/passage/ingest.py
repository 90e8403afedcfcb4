"""What a turnstile reports: passage events, one or a batch of up to ``MAX_BATCH``, written in a
fixed number of statements whatever the batch's size (docs/decisions/0017-passage.md).

A batch is checked in Python event by event, then written at once:

1. the events of this device already stored under the batch's event ids (a repeat answers as the
   first time did and changes nothing) — one query;
2. the cards of the batch's numbers, with whether their holder has a guardian to tell — one query;
3. the new events, ``INSERT … ON CONFLICT (device, event_id) DO NOTHING RETURNING``: only the rows
   this request wrote come back, so a retry racing the first request writes nothing twice — one
   statement;
4. one outbox row per new event of a child with a guardian (the family's "entered at 08:12") —
   one statement, in the same transaction as the events;

and the worker is woken once after the commit. Where the device is comes from its credential,
never from the body.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.accounts.models import Guardianship
from parta.outbox.models import OutboxEvent
from parta.passage.models import Card, PassageEvent

# The most events one request may carry.
MAX_BATCH = 1000
# How far ahead of the server's clock a device's clock may run before its events are refused.
CLOCK_SKEW = dt.timedelta(seconds=int(getattr(settings, "PARTA_PASSAGE_CLOCK_SKEW_SECONDS", 300)))
# How old an event may be: a device that was offline for weeks sends the weeks; older is refused.
MAX_AGE = dt.timedelta(days=int(getattr(settings, "PARTA_PASSAGE_MAX_AGE_DAYS", 31)))
MAX_TEXT = 64
# The outbox kind of a child's passage (the family is told; passage.notifications).
OUTBOX_KIND = "passage.event"

ACCEPTED = "accepted"
REJECTED = "rejected"
DIRECTIONS = frozenset(PassageEvent.Direction.values)


class BatchRefused(Exception):
    """The request as a whole cannot be read: nothing is written (a ``400`` with ``code``)."""

    def __init__(self, code: str, message: str, *, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.errors = errors or {}


class DeviceNotPlaced(Exception):
    """The credential is a turnstile's but stands in no building of a school (``403``)."""


@dataclass(frozen=True)
class Outcome:
    """The answer for one event, in the order the events came."""

    event_id: str | None
    status: str
    duplicate: bool = False
    card: str = ""  # the card's state (PassageEvent.CardState) for an accepted event
    code: str = ""  # why a rejected event was refused
    errors: dict[str, list[str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        if self.status == REJECTED:
            return {"event_id": self.event_id, "status": REJECTED, "code": self.code, "errors": self.errors}
        return {"event_id": self.event_id, "status": ACCEPTED, "duplicate": self.duplicate, "card": self.card}


@dataclass
class _Event:
    """An event that passed the checks, not yet written."""

    index: int
    event_id: str
    card_number: str
    direction: str
    occurred_at: dt.datetime


def _text(value: Any) -> str | None:
    """A card number or an event id: a string (a whole number is read as one) of 1 to 64
    printable characters; None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    text: str = value.strip()
    if not text or len(text) > MAX_TEXT or not text.isprintable():
        return None
    return text


@functools.cache
def _zone() -> dt.tzinfo:
    return timezone.get_default_timezone()


def _moment(value: Any) -> dt.datetime | None:
    """ISO 8601 with its offset (``2026-09-07T08:12:31+03:00``, ``…Z``); without an offset, the
    city's time. None when it is no such time."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        try:
            moment = timezone.make_aware(moment, _zone())
        except (ValueError, OverflowError):
            return None
    return moment


def _refuse(event_id: str | None, code: str, name: str, message: str) -> Outcome:
    return Outcome(event_id, REJECTED, code=code, errors={name: [message]})


def _check(index: int, raw: dict[str, Any], device_id: int, now: dt.datetime) -> _Event | Outcome:  # noqa: PLR0911 — one answer per field
    """One event read and checked: the event, or why it is refused (the first thing wrong)."""
    event_id = _text(raw.get("event_id"))
    if event_id is None:
        return _refuse(None, "invalid_event_id", "event_id", _("Give the event's id: 1 to 64 characters."))
    device = raw.get("device")
    if device is not None and str(device) != str(device_id):
        return _refuse(
            event_id, "wrong_device", "device", _("This is not the device whose credential sent it.")
        )
    card = _text(raw.get("card"))
    if card is None:
        return _refuse(event_id, "invalid_card", "card", _("Give the card's number: 1 to 64 characters."))
    direction = raw.get("direction")
    if direction not in DIRECTIONS:
        return _refuse(event_id, "invalid_direction", "direction", _("The direction is “in” or “out”."))
    moment = _moment(raw.get("occurred_at"))
    if moment is None:
        return _refuse(
            event_id,
            "invalid_time",
            "occurred_at",
            _("Give the time as ISO 8601, e.g. 2026-09-07T08:12:31+03:00."),
        )
    if moment > now + CLOCK_SKEW:
        return _refuse(
            event_id,
            "future_event",
            "occurred_at",
            _(
                "The time is ahead of the server's clock by more than %(minutes)d minutes:"
                " check the device's clock."
            )
            % {"minutes": CLOCK_SKEW.total_seconds() // 60},
        )
    if moment < now - MAX_AGE:
        return _refuse(
            event_id,
            "too_old",
            "occurred_at",
            _("The event is older than %(days)d days.") % {"days": MAX_AGE.days},
        )
    return _Event(index, event_id, card, str(direction), moment)


def read_body(body: Any) -> tuple[list[dict[str, Any]], bool]:
    """The events of a request's body — one event, or ``{"events": [...]}`` — and whether it was a
    batch. BatchRefused when the body as a whole cannot be read."""
    if not isinstance(body, dict):
        raise BatchRefused("invalid_body", _('Send one event or {"events": [...]} as a JSON object.'))
    if "events" not in body:
        return [body], False
    events = body["events"]
    if not isinstance(events, list):
        raise BatchRefused("invalid_body", _("“events” is a list of events."), errors={"events": []})
    if not events:
        raise BatchRefused("no_events", _("The batch has no events."))
    if len(events) > MAX_BATCH:
        raise BatchRefused(
            "too_many_events",
            _("A batch has at most %(max)d events; this one has %(count)d.")
            % {"max": MAX_BATCH, "count": len(events)},
        )
    if not all(isinstance(event, dict) for event in events):
        raise BatchRefused("invalid_body", _("Each event is a JSON object."))
    return events, True


# --- writing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Card:
    pk: int
    holder_id: int
    school_id: int
    active: bool
    has_guardian: bool


class _Row(NamedTuple):
    """A new event as it is written."""

    event_id: str
    card_number: str
    card_id: int | None
    holder_id: int | None
    card_state: str
    direction: str
    occurred_at: dt.datetime
    day: dt.date
    tell: bool  # an outbox row for the family


def _outbox_payload(passage_id: int, row: _Row) -> dict[str, Any]:
    return {
        "passage_id": passage_id,
        "student_id": row.holder_id,
        "direction": row.direction,
        "occurred_at": row.occurred_at.isoformat(),
    }


_COLUMNS = (
    "school",
    "building",
    "device",
    "received_at",
    "event_id",
    "card_number",
    "card",
    "holder",
    "card_state",
    "direction",
    "occurred_at",
    "day",
)


def _column(model: Any, name: str) -> str:
    return str(model._meta.get_field(name).column)


class _Portable:
    """Any database Django runs on (SQLite on the laptop and in the tests): the ORM's reads, one
    multi-row INSERT each for the events and the outbox rows, in one transaction."""

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.connection = connections[alias]

    def stored(self, device_id: int, event_ids: list[str]) -> dict[str, str]:
        return dict(
            PassageEvent.objects.using(self.alias)
            .filter(device_id=device_id, event_id__in=event_ids)
            .values_list("event_id", "card_state")
        )

    def cards(self, numbers: set[str]) -> dict[str, _Card]:
        rows = (
            Card.objects.using(self.alias)
            .filter(number__in=numbers)
            .annotate(family=Exists(Guardianship.objects.filter(student_id=OuterRef("holder_id"))))
            .values_list("number", "pk", "holder_id", "school_id", "status", "family")
        )
        return {
            number: _Card(pk, holder_id, school_id, status == Card.Status.ACTIVE, bool(family))
            for number, pk, holder_id, school_id, status, family in rows
        }

    def _values(self, count: int, width: int) -> str:
        return ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * count)

    def write(self, device: Any, rows: list[_Row], now: dt.datetime) -> tuple[dict[str, int], int]:
        quote = self.connection.ops.quote_name
        adapt = self.connection.ops.adapt_datetimefield_value
        table = quote(PassageEvent._meta.db_table)
        columns = ", ".join(quote(_column(PassageEvent, name)) for name in _COLUMNS)
        unique = f"{quote(_column(PassageEvent, 'device'))}, {quote(_column(PassageEvent, 'event_id'))}"
        # SQLite ≥ 3.35 has ON CONFLICT … DO NOTHING and RETURNING, as PostgreSQL has; only names
        # from the model's meta are formatted in, every value is a parameter.
        sql = (
            f"INSERT INTO {table} ({columns}) VALUES {self._values(len(rows), len(_COLUMNS))}"  # noqa: S608
            f" ON CONFLICT ({unique}) DO NOTHING"
            f" RETURNING {quote('id')}, {quote(_column(PassageEvent, 'event_id'))}"
        )
        head = [device.school_id, device.building_id, device.pk, adapt(now)]
        params = [
            value
            for row in rows
            for value in (
                *head,
                *row[:6],
                adapt(row.occurred_at),
                self.connection.ops.adapt_datefield_value(row.day),
            )
        ]
        with transaction.atomic(using=self.alias), self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            written = {event_id: pk for pk, event_id in cursor.fetchall()}
            told = [
                OutboxEvent(
                    kind=OUTBOX_KIND,
                    school_id=device.school_id,
                    payload=_outbox_payload(written[row.event_id], row),
                )
                for row in rows
                if row.tell and row.event_id in written
            ]
            if told:
                # One INSERT (bulk_create splits by SQLite's old limit of 999 parameters).
                meta = OutboxEvent._meta
                fields = [field for field in meta.local_concrete_fields if field is not meta.auto_field]
                cursor.execute(
                    f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)})"  # noqa: S608
                    f" VALUES {self._values(len(told), len(fields))}",
                    [
                        field.get_db_prep_save(field.pre_save(event, True), self.connection)
                        for event in told
                        for field in fields
                    ],
                )
        return written, len(told)


class _PostgreSQL:
    """PostgreSQL: every statement of a batch is short and the same whatever the batch's size —
    the values travel as arrays (``= ANY(%s)``, ``unnest``) — so the driver neither splits a
    statement of thousands of placeholders nor plans it anew, and the events and the families'
    outbox rows are one statement (data-modifying WITH), atomic without BEGIN and COMMIT."""

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.connection = connections[alias]

    def stored(self, device_id: int, event_ids: list[str]) -> dict[str, str]:
        with self.connection.cursor() as cursor:
            cursor.execute(_pg_statements()["stored"], [device_id, event_ids])
            return dict(cursor.fetchall())

    def cards(self, numbers: set[str]) -> dict[str, _Card]:
        with self.connection.cursor() as cursor:
            cursor.execute(_pg_statements()["cards"], [list(numbers)])
            return {
                number: _Card(pk, holder_id, school_id, status == Card.Status.ACTIVE, bool(family))
                for number, pk, holder_id, school_id, status, family in cursor.fetchall()
            }

    def write(self, device: Any, rows: list[_Row], now: dt.datetime) -> tuple[dict[str, int], int]:
        columns = list(zip(*rows, strict=True))
        at_text = [row.occurred_at.isoformat() for row in rows]
        params = [
            *[list(column) for column in columns],
            at_text,
            device.school_id,
            device.building_id,
            device.pk,
            now,
            OUTBOX_KIND,
            device.school_id,
            now,
        ]
        with self.connection.cursor() as cursor:
            cursor.execute(_pg_statements()["write"], params)
            found = cursor.fetchall()
        return {event_id: pk for pk, event_id, _told in found}, int(found[0][2]) if found else 0


@functools.cache
def _pg_statements() -> dict[str, str]:
    """The PostgreSQL statements, names quoted from the models' meta; every value a parameter."""
    quote = connections["default"].ops.quote_name
    event, card, guardianship, outbox = (
        PassageEvent._meta.db_table,
        Card._meta.db_table,
        Guardianship._meta.db_table,
        OutboxEvent._meta.db_table,
    )

    def c(model: Any, name: str) -> str:
        return quote(_column(model, name))

    values = ", ".join(f"e.{quote(_column(PassageEvent, name))}" for name in _COLUMNS[4:])
    types = [
        "varchar[]",
        "varchar[]",
        "bigint[]",
        "bigint[]",
        "varchar[]",
        "varchar[]",
        "timestamptz[]",
        "date[]",
    ]
    unnest = ", ".join(f"%s::{kind}" for kind in [*types, "boolean[]", "text[]"])
    names = ", ".join([*(quote(_column(PassageEvent, name)) for name in _COLUMNS[4:]), "tell", "at_text"])
    columns = ", ".join(quote(_column(PassageEvent, name)) for name in _COLUMNS)
    outbox_columns = ", ".join(
        c(OutboxEvent, name)
        for name in ("kind", "school_id", "payload", "created_at", "delivered_at", "attempts", "last_error")
    )
    return {
        "stored": (
            f"SELECT {c(PassageEvent, 'event_id')}, {c(PassageEvent, 'card_state')} FROM {quote(event)}"  # noqa: S608
            f" WHERE {c(PassageEvent, 'device')} = %s AND {c(PassageEvent, 'event_id')} = ANY(%s::varchar[])"
        ),
        "cards": (
            f"SELECT k.{c(Card, 'number')}, k.{c(Card, 'id')}, k.{c(Card, 'holder')}, k.{c(Card, 'school')},"  # noqa: S608
            f" k.{c(Card, 'status')}, EXISTS (SELECT 1 FROM {quote(guardianship)} g"
            f" WHERE g.{c(Guardianship, 'student')} = k.{c(Card, 'holder')})"
            f" FROM {quote(card)} k WHERE k.{c(Card, 'number')} = ANY(%s::varchar[])"
        ),
        "write": (
            f"WITH e ({names}) AS (SELECT * FROM unnest({unnest})),"  # noqa: S608
            f" new AS (INSERT INTO {quote(event)} ({columns}) SELECT %s, %s, %s, %s, {values} FROM e"
            f" ON CONFLICT ({c(PassageEvent, 'device')}, {c(PassageEvent, 'event_id')}) DO NOTHING"
            f" RETURNING {c(PassageEvent, 'id')}, {c(PassageEvent, 'event_id')}),"
            f" told AS (INSERT INTO {quote(outbox)} ({outbox_columns})"
            f" SELECT %s, %s, jsonb_build_object('passage_id', new.{c(PassageEvent, 'id')},"
            f" 'student_id', e.{c(PassageEvent, 'holder')}, 'direction', e.{c(PassageEvent, 'direction')},"
            f" 'occurred_at', e.at_text), %s, NULL, 0, ''"
            f" FROM new JOIN e ON e.{c(PassageEvent, 'event_id')} = new.{c(PassageEvent, 'event_id')}"
            f" WHERE e.tell RETURNING 1)"
            f" SELECT new.{c(PassageEvent, 'id')}, new.{c(PassageEvent, 'event_id')},"
            f" (SELECT count(*) FROM told) FROM new"
        ),
    }


def _state(card: _Card | None, school_id: int) -> str:
    if card is None:
        return PassageEvent.CardState.UNKNOWN
    if card.school_id != school_id:
        return PassageEvent.CardState.OTHER_SCHOOL
    if not card.active:
        return PassageEvent.CardState.BLOCKED
    return PassageEvent.CardState.KNOWN


def _wake() -> None:
    """Wake the outbox's worker once for the whole batch (``outbox.services.wake`` would cost a
    cache round trip, or a task, per event). With Redis or the broker down this gives up at once
    instead of retrying in the turnstile's request: the events wait in the outbox for the sweeper
    (Celery beat), so nothing is lost, only told later."""
    from django.core.cache import cache

    from parta.outbox import services
    from parta.outbox.tasks import drain_task

    try:
        if services._coalescing():
            if cache.add(services.WAKE_KEY, 0, timeout=services.WAKE_SECONDS):
                try:
                    drain_task.apply_async(countdown=services.DRAIN_DELAY_SECONDS, retry=False)
                except Exception:
                    # The next batch tries again instead of waiting for the flag to expire.
                    cache.delete(services.WAKE_KEY)
                    raise
        else:
            drain_task.apply_async(retry=False)
    except Exception:
        services.logger.warning("passage: could not wake the outbox; the sweeper delivers", exc_info=True)


def passages_record(
    device: Any, raws: Sequence[dict[str, Any]], *, now: dt.datetime | None = None
) -> list[Outcome]:
    """Record a turnstile's events (already read by :func:`read_body`): an outcome per event, in
    order. ``device`` is the calling machine principal; its school and building say where the
    events happened. BatchRefused when one event id comes twice (nothing is written);
    DeviceNotPlaced when the device stands in no building."""
    if device.school_id is None or device.building_id is None:
        raise DeviceNotPlaced
    now = now or timezone.now()
    outcomes: list[Outcome | None] = []
    events: list[_Event] = []
    seen: set[str] = set()
    for index, raw in enumerate(raws):
        checked = _check(index, raw, device.pk, now)
        event_id = checked.event_id
        if event_id is not None:
            if event_id in seen:
                raise BatchRefused(
                    "duplicate_event_id",
                    _("The event id %(id)s comes twice in the batch.") % {"id": event_id},
                    errors={"events": [str(index)]},
                )
            seen.add(event_id)
        if isinstance(checked, Outcome):
            outcomes.append(checked)
        else:
            outcomes.append(None)
            events.append(checked)
    if not events:
        return [outcome for outcome in outcomes if outcome is not None]
    alias = router.db_for_write(PassageEvent)
    store = _PostgreSQL(alias) if connections[alias].vendor == "postgresql" else _Portable(alias)
    stored = store.stored(device.pk, [event.event_id for event in events])
    fresh = [event for event in events if event.event_id not in stored]
    cards = store.cards({event.card_number for event in fresh}) if fresh else {}
    zone = _zone()
    rows: list[_Row] = []
    states: dict[str, str] = {}
    for event in fresh:
        card = cards.get(event.card_number)
        state = _state(card, device.school_id)
        states[event.event_id] = state
        rows.append(
            _Row(
                event.event_id,
                event.card_number,
                card.pk if card else None,
                # A blocked card (maybe in a stranger's hand) or another school's says nothing of
                # where its holder is: it names the card, not the person.
                card.holder_id if card and state == PassageEvent.CardState.KNOWN else None,
                state,
                event.direction,
                event.occurred_at,
                event.occurred_at.astimezone(zone).date(),
                # The family is told of a known card of a child with a guardian.
                card is not None and card.has_guardian and state == PassageEvent.CardState.KNOWN,
            )
        )
    written: dict[str, int] = {}
    if rows:
        written, told = store.write(device, rows, now)
        if told:
            transaction.on_commit(_wake, using=alias, robust=True)
    answers: list[Outcome] = []
    pending = iter(events)
    for outcome in outcomes:
        if outcome is not None:
            answers.append(outcome)
            continue
        event = next(pending)
        event_id = event.event_id
        if event_id in stored:
            answers.append(Outcome(event_id, ACCEPTED, duplicate=True, card=stored[event_id]))
        else:
            # Not written by this request: a concurrent one with the same event got there first.
            answers.append(
                Outcome(event_id, ACCEPTED, duplicate=event_id not in written, card=states[event_id])
            )
    return answers
