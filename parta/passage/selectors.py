"""Reads of the passage app: cards, passages, who is in the building, the turnstile's flags at a
class's lessons, a building's day. Plain data, a fixed number of queries each."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, DateTimeField, Q, Value
from django.utils import timezone

from parta.accounts.models import MachineClient
from parta.accounts.selectors import names_of
from parta.core.i18n import pick
from parta.core.names import class_group_name, short_name
from parta.journal.access import can_write_lesson
from parta.journal.models import Attendance
from parta.passage.models import Card, FlagDecision, PassageEvent
from parta.schools.models import Building, ClassGroup, Enrolment, StaffMembership, SubgroupMembership
from parta.timetable.models import Lesson

IN = PassageEvent.Direction.IN
OUT = PassageEvent.Direction.OUT


@dataclass(frozen=True)
class ReadCard:
    """What a reader (a turnstile, a cash desk) needs of the card it read: one indexed query."""

    id: int
    number: str
    holder_id: int
    school_id: int
    active: bool


def card_read(number: str) -> ReadCard | None:
    """The card with this number, blocked or not; None for a number nobody was issued."""
    row = Card.objects.filter(number=number).values_list("pk", "holder_id", "school_id", "status").first()
    if row is None:
        return None
    pk, holder_id, school_id, status = row
    return ReadCard(pk, number, holder_id, school_id, status == Card.Status.ACTIVE)


# --- cards ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardRow:
    id: int
    number: str
    kind: str
    kind_label: str
    active: bool
    issued_at: dt.datetime
    blocked_at: dt.datetime | None
    block_reason: str
    replaced_by: str  # the new card's number, for a replaced one


@dataclass(frozen=True)
class HolderCards:
    person_id: int
    name: str
    cards: list[CardRow]

    @property
    def active(self) -> list[CardRow]:
        return [card for card in self.cards if card.active]


@dataclass(frozen=True)
class CardsPage:
    people: list[HolderCards]
    groups: list[tuple[int, str]]  # the school's class groups of the year, for the filter
    found: list[tuple[CardRow, int, str]] = field(default_factory=list)  # by number: card, holder, name


def _card_rows(cards: Iterable[Card]) -> list[CardRow]:
    return [
        CardRow(
            id=card.pk,
            number=card.number,
            kind=card.kind,
            kind_label=str(Card.Kind(card.kind).label),
            active=card.status == Card.Status.ACTIVE,
            issued_at=card.issued_at,
            blocked_at=card.blocked_at,
            block_reason=card.block_reason,
            replaced_by=card.replaced_by.number if card.replaced_by_id and card.replaced_by else "",
        )
        for card in cards
    ]


def _person_name(row: tuple[Any, ...]) -> str:
    last, first, middle, username = row
    return short_name(last, first, middle) or username


def school_class_groups(school_id: int, year_id: int | None) -> list[tuple[int, str]]:
    rows = ClassGroup.objects.filter(school_id=school_id, year_id=year_id).order_by("grade", "letter")
    return [
        (pk, class_group_name(grade, letter))
        for pk, grade, letter in rows.values_list("pk", "grade", "letter")
    ]


def school_cards(
    school_id: int,
    year_id: int | None,
    *,
    class_group_id: int | None = None,
    staff: bool = False,
    number: str = "",
) -> CardsPage:
    """The cards of the people of one class group (or of the staff), each person with every card
    they were ever issued here, newest first; and the card found by its number. Four queries."""
    groups = school_class_groups(school_id, year_id)
    names = ("user__last_name", "user__first_name", "user__middle_name", "user__username")
    people: list[tuple[int, str]] = []
    if staff:
        rows = (
            StaffMembership.objects.filter(school_id=school_id)
            .order_by("user__last_name", "user__first_name", "user_id")
            .values_list("user_id", *names)
            .distinct()
        )
        seen: set[int] = set()
        for pk, *parts in rows:
            if pk not in seen:
                seen.add(pk)
                people.append((pk, _person_name(tuple(parts))))
    elif class_group_id is not None:
        student_names = tuple(name.replace("user__", "student__") for name in names)
        enrolled = (
            Enrolment.objects.filter(class_group_id=class_group_id, school_id=school_id)
            .order_by("student__last_name", "student__first_name", "student_id")
            .values_list("student_id", *student_names)
        )
        people = [(pk, _person_name(tuple(parts))) for pk, *parts in enrolled]
    cards: dict[int, list[Card]] = defaultdict(list)
    if people:
        for card in (
            Card.objects.filter(school_id=school_id, holder_id__in=[pk for pk, _name in people])
            .select_related("replaced_by")
            .order_by("-issued_at", "-id")
        ):
            cards[card.holder_id].append(card)
    found: list[tuple[CardRow, int, str]] = []
    if number:
        hits = list(
            Card.objects.filter(school_id=school_id, number__iexact=number.strip()).select_related(
                "replaced_by", "holder"
            )[:5]
        )
        found = [
            (
                row,
                card.holder_id,
                _person_name(
                    (
                        card.holder.last_name,
                        card.holder.first_name,
                        card.holder.middle_name,
                        card.holder.username,
                    )
                ),
            )
            for row, card in zip(_card_rows(hits), hits, strict=True)
        ]
    return CardsPage(
        people=[HolderCards(pk, name, _card_rows(cards[pk])) for pk, name in people],
        groups=groups,
        found=found,
    )


def school_member_ids(school_id: int, person_ids: Iterable[int]) -> set[int]:
    """Those of these people who study or work at the school: two queries."""
    ids = set(person_ids)
    students = set(
        Enrolment.objects.filter(school_id=school_id, student_id__in=ids).values_list("student_id", flat=True)
    )
    staff = set(
        StaffMembership.objects.filter(school_id=school_id, user_id__in=ids - students).values_list(
            "user_id", flat=True
        )
    )
    return students | staff


# --- a person's day ------------------------------------------------------------------------


@dataclass(frozen=True)
class Passage:
    direction: str
    at: dt.datetime  # local time

    @property
    def entered(self) -> bool:
        return self.direction == IN


@dataclass(frozen=True)
class PersonDay:
    """A person's passages of one day, in order."""

    passages: list[Passage]

    @property
    def first_in(self) -> dt.datetime | None:
        return next((p.at for p in self.passages if p.entered), None)

    @property
    def last_out(self) -> dt.datetime | None:
        return next((p.at for p in reversed(self.passages) if not p.entered), None)

    @property
    def inside(self) -> bool:
        return bool(self.passages) and self.passages[-1].entered

    @property
    def last_in(self) -> dt.datetime | None:
        return next((p.at for p in reversed(self.passages) if p.entered), None)

    def state_at(self, moment: dt.datetime) -> str | None:
        """Which way the person last went through at ``moment`` (None: not yet today)."""
        last = None
        for passage in self.passages:
            if passage.at > moment:
                break
            last = passage.direction
        return last

    def entered_between(self, start: dt.datetime, end: dt.datetime) -> dt.datetime | None:
        return next((p.at for p in self.passages if p.entered and start < p.at <= end), None)


def days_of(holder_ids: Iterable[int], day: dt.date) -> dict[int, PersonDay]:
    """Each person's passages of the day (a known card's only): one query on passage_holder_day."""
    found: dict[int, list[Passage]] = defaultdict(list)
    ids = list(set(holder_ids))
    if ids:
        rows = (
            PassageEvent.objects.filter(holder_id__in=ids, day=day)
            .order_by("occurred_at", "id")
            .values_list("holder_id", "direction", "occurred_at")
        )
        for holder_id, direction, occurred_at in rows:
            found[holder_id].append(Passage(direction, timezone.localtime(occurred_at)))
    return {pk: PersonDay(found.get(pk, [])) for pk in ids}


def holders_with_cards(holder_ids: Iterable[int]) -> set[int]:
    """Those of these people who hold an active card: one query."""
    ids = list(set(holder_ids))
    if not ids:
        return set()
    return set(
        Card.objects.filter(holder_id__in=ids, status=Card.Status.ACTIVE).values_list("holder_id", flat=True)
    )


@dataclass(frozen=True)
class ChildPassages:
    """A child's passages of the last days, newest day first (the family's page)."""

    student_id: int
    name: str
    days: list[tuple[dt.date, list[tuple[Passage, str]]]]  # per day: passage and building name


def child_passages(student_id: int, today: dt.date, *, days: int = 14) -> ChildPassages:
    """Three queries: the name, the passages of the last ``days`` days, the buildings' names."""
    name = names_of([student_id]).get(student_id)
    rows = list(
        PassageEvent.objects.filter(
            holder_id=student_id, day__gt=today - dt.timedelta(days=days), day__lte=today
        )
        .order_by("-day", "occurred_at", "id")
        .values_list("day", "direction", "occurred_at", "building_id")
    )
    buildings = dict(Building.objects.filter(pk__in={row[3] for row in rows}).values_list("pk", "name"))
    by_day: dict[dt.date, list[tuple[Passage, str]]] = defaultdict(list)
    for day, direction, occurred_at, building_id in rows:
        by_day[day].append(
            (Passage(direction, timezone.localtime(occurred_at)), buildings.get(building_id, ""))
        )
    return ChildPassages(
        student_id, name.short if name else "", sorted(by_day.items(), key=lambda item: item[0], reverse=True)
    )


# --- the home page's panel ---------------------------------------------------------------


def home_panel(viewer: Any, student_ids: list[int], today: dt.date) -> dict[int, dict[str, Any]]:
    """``core.home`` reader: today's entry and exit of each child that holds a card or passed a
    turnstile today. One query: today's passages and the active cards, as one UNION ALL."""
    if not student_ids:
        return {}
    passages = PassageEvent.objects.filter(holder_id__in=student_ids, day=today).values_list(
        "holder_id", "direction", "occurred_at"
    )
    carded = (
        Card.objects.filter(holder_id__in=student_ids, status=Card.Status.ACTIVE)
        .annotate(
            no_direction=Value("", output_field=CharField()),
            no_time=Value(None, output_field=DateTimeField()),
        )
        .values_list("holder_id", "no_direction", "no_time")
    )
    found: dict[int, list[Passage]] = {}
    for holder_id, direction, occurred_at in passages.union(carded, all=True):
        day = found.setdefault(holder_id, [])
        if direction:
            day.append(Passage(direction, timezone.localtime(occurred_at)))
    return {
        pk: {"day": PersonDay(sorted(day, key=lambda passage: passage.at)), "today": today}
        for pk, day in found.items()
    }


# --- a class: who is in the building, and the flags ----------------------------------------


@dataclass(frozen=True)
class StudentPresence:
    id: int
    name: str
    day: PersonDay
    has_card: bool


@dataclass(frozen=True)
class Flag:
    """What the turnstile says against the journal at one lesson: ``absent_but_entered`` (marked
    absent, yet in the building — ``suggested`` is present, None, or late when they came during the
    lesson) or ``present_but_not_entered`` (no absence marked, yet never through the turnstile —
    ``suggested`` is absent)."""

    kind: str
    lesson_id: int
    lesson_number: int
    lesson_starts: dt.datetime
    subject: str
    group: str
    student_id: int
    student: str
    entered_at: dt.datetime | None
    suggested: str | None
    version: int | None  # the attendance entry's version the suggestion replaces (None: no entry)
    can_accept: bool


ABSENT_BUT_ENTERED = "absent_but_entered"
PRESENT_BUT_NOT_ENTERED = "present_but_not_entered"
FLAG_KINDS = (ABSENT_BUT_ENTERED, PRESENT_BUT_NOT_ENTERED)


@dataclass(frozen=True)
class ClassPresence:
    group_id: int
    group_name: str
    day: dt.date
    now: dt.datetime
    students: list[StudentPresence]
    flags: list[Flag]
    turnstiles_today: bool  # the class's school had passages today at all

    @property
    def inside(self) -> list[StudentPresence]:
        return [s for s in self.students if s.day.inside]

    @property
    def outside(self) -> list[StudentPresence]:
        return [s for s in self.students if not s.day.inside]


def _students(group_id: int) -> list[tuple[int, str]]:
    rows = (
        Enrolment.objects.filter(class_group_id=group_id)
        .order_by("student__last_name", "student__first_name", "student_id")
        .values_list(
            "student_id",
            "student__last_name",
            "student__first_name",
            "student__middle_name",
            "student__username",
        )
    )
    return [(pk, _person_name(tuple(parts))) for pk, *parts in rows]


def turnstiles_had_passages(school_id: int, day: dt.date) -> bool:
    """Any passage in the school's buildings that day (a school without turnstiles, or whose
    turnstiles were down, raises no "never came" flags): one query on passage_building_day."""
    buildings = Building.objects.filter(school_id=school_id).values("pk")
    return PassageEvent.objects.filter(building_id__in=buildings, day=day).exists()


def lesson_flags(
    user: Any,
    lessons: list[Lesson],
    students: dict[int, str],
    days: dict[int, PersonDay],
    carded: set[int],
    *,
    now: dt.datetime,
    turnstiles_today: bool | set[int],
    groups: dict[int, set[int]] | None = None,
) -> list[Flag]:
    """The flags at these lessons (begun by ``now``) for these students (``groups``: each class
    group's, when the lessons are of several; ``turnstiles_today``: the schools whose turnstiles
    reported today, or whether the one school's did). Three queries: the subgroups' members, the
    attendance entries, the decisions already taken."""
    lessons = [
        lesson for lesson in lessons if lesson.starts_at <= now and lesson.status != Lesson.Status.CANCELLED
    ]
    if not lessons or not students:
        return []
    subgroups = {lesson.subgroup_id for lesson in lessons if lesson.subgroup_id}
    members: dict[int, set[int]] = defaultdict(set)
    if subgroups:
        for subgroup_id, student_id in SubgroupMembership.objects.filter(
            subgroup_id__in=subgroups
        ).values_list("subgroup_id", "student_id"):
            members[subgroup_id].add(student_id)
    entries = {
        (lesson_id, student_id): (status, version)
        for lesson_id, student_id, status, version in Attendance.objects.filter(
            lesson_id__in=[lesson.pk for lesson in lessons], student_id__in=list(students)
        ).values_list("lesson_id", "student_id", "status", "version")
    }
    decided = set(
        FlagDecision.objects.filter(lesson_id__in=[lesson.pk for lesson in lessons]).values_list(
            "lesson_id", "student_id", "flag"
        )
    )
    flags: list[Flag] = []
    for lesson in sorted(lessons, key=lambda lesson: (lesson.starts_at, lesson.number)):
        writes = can_write_lesson(user, lesson)
        subject = pick(lesson.subject.name_ru, lesson.subject.name_en)
        group = class_group_name(lesson.class_group.grade, lesson.class_group.letter)
        start, end = timezone.localtime(lesson.starts_at), timezone.localtime(lesson.ends_at)
        reported = (
            lesson.school_id in turnstiles_today if isinstance(turnstiles_today, set) else turnstiles_today
        )
        for student_id, name in students.items():
            if groups is not None and student_id not in groups.get(lesson.class_group_id, set()):
                continue
            if lesson.subgroup_id and student_id not in members[lesson.subgroup_id]:
                continue
            day = days.get(student_id) or PersonDay([])
            entry = entries.get((lesson.pk, student_id))
            found: tuple[str, dt.datetime | None, str | None] | None = None
            if entry is not None and entry[0] == Attendance.Status.ABSENT:
                if (lesson.pk, student_id, ABSENT_BUT_ENTERED) in decided:
                    continue
                if day.state_at(start) == IN:
                    found = (ABSENT_BUT_ENTERED, day.first_in, None)
                elif (came := day.entered_between(start, end)) is not None:
                    found = (ABSENT_BUT_ENTERED, came, Attendance.Status.LATE)
            elif entry is None and reported and student_id in carded:
                if (lesson.pk, student_id, PRESENT_BUT_NOT_ENTERED) in decided:
                    continue
                # Never through the turnstile today, by the lesson's end (or now, during it).
                if day.first_in is None or day.first_in > min(end, now):
                    found = (PRESENT_BUT_NOT_ENTERED, None, Attendance.Status.ABSENT)
            if found is not None:
                flags.append(
                    Flag(
                        kind=found[0],
                        lesson_id=lesson.pk,
                        lesson_number=lesson.number,
                        lesson_starts=start,
                        subject=subject,
                        group=group,
                        student_id=student_id,
                        student=name,
                        entered_at=found[1],
                        suggested=found[2],
                        version=entry[1] if entry else None,
                        can_accept=writes,
                    )
                )
    return flags


def class_presence(user: Any, group: ClassGroup, now: dt.datetime | None = None) -> ClassPresence:
    """Who of the class is in the building now (whose last passage today is an entry), each
    student's first entry and last exit, and the flags at today's lessons begun so far. A fixed
    number of queries whatever the class's size."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    people = _students(group.pk)
    ids = [pk for pk, _name in people]
    days = days_of(ids, today)
    carded = holders_with_cards(ids)
    turnstiles = turnstiles_had_passages(group.school_id, today)
    lessons = list(
        Lesson.objects.filter(class_group_id=group.pk, date=today)
        .select_related("assignment", "subject", "class_group")
        .order_by("starts_at", "number")
    )
    flags = lesson_flags(user, lessons, dict(people), days, carded, now=now, turnstiles_today=turnstiles)
    return ClassPresence(
        group_id=group.pk,
        group_name=class_group_name(group.grade, group.letter),
        day=today,
        now=now,
        students=[StudentPresence(pk, name, days[pk], pk in carded) for pk, name in people],
        flags=flags,
        turnstiles_today=turnstiles,
    )


@dataclass(frozen=True)
class TeacherFlags:
    now: dt.datetime
    flags: list[Flag]
    lessons: int  # today's lessons of the teacher begun so far


def teacher_flags(user: Any, now: dt.datetime | None = None) -> TeacherFlags:
    """The flags at the lessons the user teaches today (their own, or as a substitute), for every
    class at once: a fixed number of queries whatever the number of lessons and classes."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    lessons = list(
        Lesson.objects.filter(date=today, starts_at__lte=now)
        .filter(Q(teacher_id=user.pk) | Q(assignment__teacher_id=user.pk))
        .exclude(status=Lesson.Status.CANCELLED)
        .select_related("assignment", "subject", "class_group")
        .order_by("starts_at", "number")
    )
    lessons = [lesson for lesson in lessons if can_write_lesson(user, lesson)]
    if not lessons:
        return TeacherFlags(now, [], 0)
    groups: dict[int, set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    for group_id, student_id, *parts in (
        Enrolment.objects.filter(class_group_id__in={lesson.class_group_id for lesson in lessons})
        .order_by("student__last_name", "student__first_name", "student_id")
        .values_list(
            "class_group_id",
            "student_id",
            "student__last_name",
            "student__first_name",
            "student__middle_name",
            "student__username",
        )
    ):
        groups[group_id].add(student_id)
        names[student_id] = _person_name(tuple(parts))
    reported = {
        school_id
        for school_id in {lesson.school_id for lesson in lessons}
        if turnstiles_had_passages(school_id, today)
    }
    flags = lesson_flags(
        user,
        lessons,
        names,
        days_of(names, today),
        holders_with_cards(names),
        now=now,
        turnstiles_today=reported,
        groups=groups,
    )
    return TeacherFlags(now, flags, len(lessons))


# --- a building's day: the administrator's report -----------------------------------------


@dataclass(frozen=True)
class Unrecognised:
    at: dt.datetime
    number: str
    state: str
    state_label: str
    direction: str
    device: str


@dataclass(frozen=True)
class BuildingDay:
    building_id: int
    building: str
    day: dt.date
    entries: int
    exits: int
    people: int  # distinct holders of known cards who entered
    unrecognised_count: int
    first_entry: dt.datetime | None
    last_exit: dt.datetime | None
    hours: list[tuple[int, int, int]]  # hour, entries, exits (only hours with passages)
    unrecognised: list[Unrecognised]
    devices: list[tuple[str, int]]  # device name, passages

    @property
    def busiest(self) -> int:
        return max((entries + exits for _hour, entries, exits in self.hours), default=0)


def school_buildings(school_id: int) -> list[tuple[int, str]]:
    return list(Building.objects.filter(school_id=school_id).order_by("name", "pk").values_list("pk", "name"))


def building_day(building_id: int, building_name: str, day: dt.date) -> BuildingDay:
    """Entries, exits, the first entry and the last exit, passages per hour and per device, and the
    cards the turnstiles did not recognise, of one building's day. Two queries."""
    rows = list(
        PassageEvent.objects.filter(building_id=building_id, day=day)
        .order_by("occurred_at", "id")
        .values_list("direction", "card_state", "occurred_at", "holder_id", "card_number", "device_id")
    )
    known = PassageEvent.CardState.KNOWN
    devices = dict(MachineClient.objects.filter(pk__in={row[5] for row in rows}).values_list("pk", "name"))
    hours: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    per_device: Counter[int] = Counter()
    entries = exits = 0
    first_entry = last_exit = None
    people: set[int] = set()
    unrecognised = []
    for direction, state, occurred_at, holder_id, number, device_id in rows:
        local = timezone.localtime(occurred_at)
        per_device[device_id] += 1
        if direction == IN:
            entries += 1
            hours[local.hour][0] += 1
            first_entry = first_entry or local
            if holder_id and state == known:
                people.add(holder_id)
        else:
            exits += 1
            hours[local.hour][1] += 1
            last_exit = local
        if state != known:
            unrecognised.append(
                Unrecognised(
                    local,
                    number,
                    state,
                    str(PassageEvent.CardState(state).label),
                    direction,
                    devices.get(device_id, ""),
                )
            )
    return BuildingDay(
        building_id=building_id,
        building=building_name,
        day=day,
        entries=entries,
        exits=exits,
        people=len(people),
        unrecognised_count=len(unrecognised),
        first_entry=first_entry,
        last_exit=last_exit,
        hours=[(hour, counts[0], counts[1]) for hour, counts in sorted(hours.items())],
        unrecognised=unrecognised,
        devices=[(devices.get(pk, str(pk)), count) for pk, count in per_device.most_common()],
    )


def building_day_rows(building_id: int, day: dt.date) -> list[dict[str, Any]]:
    """Every passage of a building's day with its holder's name, for the download: two queries."""
    rows = list(
        PassageEvent.objects.filter(building_id=building_id, day=day)
        .order_by("occurred_at", "id")
        .values(
            "occurred_at", "direction", "card_number", "card_state", "holder_id", "device__name", "event_id"
        )
    )
    names = names_of({row["holder_id"] for row in rows if row["holder_id"]})
    return [
        {
            **row,
            "holder": name.short if (name := names.get(row["holder_id"] or 0)) else "",
            "occurred_at": timezone.localtime(row["occurred_at"]),
        }
        for row in rows
    ]
