"""The demo school's turnstiles: a card for everyone, two turnstiles at each building's door, a
month of passages on school days at the times people come and go, a few cards nobody was issued,
and today's passages told to the families (``parta.demo`` calls ``passage_demo``)."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from parta.journal.models import Attendance
from parta.outbox.models import OutboxEvent
from parta.passage.ingest import OUTBOX_KIND
from parta.passage.models import Card, PassageEvent
from parta.passage.notifications import notify_passages
from parta.schools.models import Building, Enrolment, School, StaffMembership
from parta.schools.services import machine_client_for_school_create
from parta.timetable.models import Lesson

DAYS = 30
# Cards nobody was issued, read on a few school days (a visitor's, another city's travel card).
STRANGERS_PER_DAY = 2


def _number(rng: random.Random, taken: set[str]) -> str:
    while True:
        number = f"77{rng.randrange(10**8, 10**9)}"
        if number not in taken:
            taken.add(number)
            return number


def _local(day: dt.date, minutes: float) -> dt.datetime:
    """``minutes`` after midnight of the day, in the city's time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes))


@transaction.atomic
def passage_demo(*, school: School, today: dt.date, seed: int) -> dict[str, int]:
    """Cards, turnstiles and a month of passages for the school; counts of what was made."""
    rng = random.Random(seed * 7919 + school.pk)
    now = timezone.now()
    buildings = list(Building.objects.filter(school=school).order_by("pk"))
    if not buildings:
        return {}
    # Two turnstiles at each building's door.
    turnstiles: dict[int, list[int]] = {}
    for place in buildings:
        turnstiles[place.pk] = [
            machine_client_for_school_create(
                actor=None,
                school_id=school.pk,
                kind="turnstile",
                name=f"Турникет {number} — {place.name}",
                building_id=place.pk,
            )[0].pk
            for number in (1, 2)
        ]
    # Who comes to which building: students to their class's, staff to the first.
    students = dict(
        Enrolment.objects.filter(
            school=school, class_group__year__starts_on__lte=today, class_group__year__ends_on__gte=today
        ).values_list("student_id", "class_group__building_id")
    )
    groups = dict(
        Enrolment.objects.filter(school=school, student_id__in=list(students)).values_list(
            "student_id", "class_group_id"
        )
    )
    staff = set(StaffMembership.objects.filter(school=school).values_list("user_id", flat=True)) - set(
        students
    )
    people = {
        **{pk: building or buildings[0].pk for pk, building in students.items()},
        **dict.fromkeys(staff, buildings[0].pk),
    }
    # A card each: mostly cards, some bracelets and key fobs; a few lost ones blocked and replaced.
    taken = set(Card.objects.values_list("number", flat=True))
    issued = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=DAYS + 20), dt.time(9)))
    kinds = [Card.Kind.CARD] * 8 + [Card.Kind.BRACELET, Card.Kind.KEY_FOB]
    cards = Card.objects.bulk_create(
        Card(
            school=school, holder_id=pk, number=_number(rng, taken), kind=rng.choice(kinds), issued_at=issued
        )
        for pk in sorted(people)
    )
    lost = rng.sample(cards, min(3, len(cards)))
    replacements = Card.objects.bulk_create(
        Card(
            school=school,
            holder_id=card.holder_id,
            number=_number(rng, taken),
            kind=card.kind,
            issued_at=issued + dt.timedelta(days=10),
        )
        for card in lost
    )
    for card, new in zip(lost, replacements, strict=True):
        card.status = Card.Status.BLOCKED
        card.blocked_at = issued + dt.timedelta(days=10)
        card.block_reason = "Потеряна"
        card.replaced_by = new
    Card.objects.bulk_update(lost, ["status", "blocked_at", "block_reason", "replaced_by"])
    card_of = {card.holder_id: card for card in cards if card not in lost}
    card_of.update({card.holder_id: card for card in replacements})
    blocked = [card.number for card in lost]
    # The school days: those with lessons in the last month.
    first_day = today - dt.timedelta(days=DAYS)
    lessons: dict[tuple[int, dt.date], tuple[dt.datetime, dt.datetime]] = {}
    for group_id, day, starts, ends in Lesson.objects.filter(
        school=school, date__gte=first_day, date__lte=today, status=Lesson.Status.SCHEDULED
    ).values_list("class_group_id", "date", "starts_at", "ends_at"):
        first, last = lessons.get((group_id, day), (starts, ends))
        lessons[group_id, day] = (min(first, starts), max(last, ends))
    days = sorted({day for _group, day in lessons})
    # Away all day: absent or sick at the day's first lesson.
    away = set(
        Attendance.objects.filter(
            school=school,
            date__gte=first_day,
            date__lte=today,
            status__in=[Attendance.Status.ABSENT, Attendance.Status.SICK],
        ).values_list("student_id", "date")
    )
    zone = timezone.get_current_timezone()
    rows: list[PassageEvent] = []
    serial = 0

    def passage(  # noqa: PLR0917 — one passage, as a turnstile reports it
        holder: int | None, number: str, state: str, direction: str, at: dt.datetime, building: int
    ) -> None:
        nonlocal serial
        if at > now:
            return
        serial += 1
        card = card_of.get(holder) if holder else None
        rows.append(
            PassageEvent(
                school=school,
                building_id=building,
                device_id=rng.choice(turnstiles[building]),
                event_id=f"demo-{serial}",
                card_number=number,
                card=card if state == PassageEvent.CardState.KNOWN else None,
                holder_id=holder if state == PassageEvent.CardState.KNOWN else None,
                card_state=state,
                direction=direction,
                occurred_at=at,
                day=at.astimezone(zone).date(),
                received_at=at + dt.timedelta(seconds=rng.randint(1, 20)),
            )
        )

    known = PassageEvent.CardState.KNOWN
    for day in days:
        for pk, door in people.items():
            held = card_of.get(pk)
            if held is None:
                continue
            if pk in staff:
                come = rng.uniform(7 * 60 + 20, 8 * 60 + 40)
                go = rng.uniform(15 * 60, 18 * 60 + 30)
            else:
                span = lessons.get((groups.get(pk, 0), day))
                if span is None or (pk, day) in away or rng.random() < 0.02:
                    continue
                start, end = (timezone.localtime(moment) for moment in span)
                come = start.hour * 60 + start.minute - rng.triangular(3, 35, 12)
                go = end.hour * 60 + end.minute + rng.triangular(2, 90, 10)
            passage(pk, held.number, known, "in", _local(day, come), door)
            if rng.random() < 0.05 and pk not in staff:
                # Out for a while at midday (a club in another building, the shop).
                out = rng.uniform(come + 120, go - 60) if go - come > 200 else None
                if out is not None:
                    passage(pk, held.number, known, "out", _local(day, out), door)
                    passage(pk, held.number, known, "in", _local(day, out + rng.uniform(10, 40)), door)
            passage(pk, held.number, known, "out", _local(day, go), door)
        for _stranger in range(STRANGERS_PER_DAY):
            passage(
                None,
                _number(rng, taken),
                PassageEvent.CardState.UNKNOWN,
                "in",
                _local(day, rng.uniform(8 * 60, 17 * 60)),
                buildings[0].pk,
            )
        if blocked and rng.random() < 0.3:
            passage(
                None,
                rng.choice(blocked),
                PassageEvent.CardState.BLOCKED,
                "in",
                _local(day, rng.uniform(7 * 60 + 30, 8 * 60 + 30)),
                buildings[-1].pk,
            )
    PassageEvent.objects.bulk_create(rows, batch_size=2000)
    # Today's passages of children with a guardian, told to the families in the app.
    todays = list(
        PassageEvent.objects.filter(
            school=school, day=today, card_state=known, holder_id__in=list(students)
        ).values_list("pk", "holder_id", "direction", "occurred_at")
    )
    told = OutboxEvent.objects.bulk_create(
        OutboxEvent(
            kind=OUTBOX_KIND,
            school_id=school.pk,
            payload={
                "passage_id": pk,
                "student_id": holder,
                "direction": direction,
                "occurred_at": at.isoformat(),
            },
            delivered_at=now,
        )
        for pk, holder, direction, at in todays
    )
    notify_passages(told)
    unknown = sum(1 for row in rows if row.card_state != known)
    per_day: dict[dt.date, int] = defaultdict(int)
    for row in rows:
        per_day[row.day] += 1
    counts: dict[str, Any] = {
        "cards": len(cards) + len(replacements),
        "turnstiles": sum(len(gates) for gates in turnstiles.values()),
        "passages": len(rows),
        "passages of unknown or blocked cards": unknown,
        "school days with passages": len(per_day),
    }
    return counts
