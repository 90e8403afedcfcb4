"""Reads of cards: the one a reader reads, and a school's for its administrator."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from parta.core import rows
from parta.core.names import class_group_name
from parta.passage.models import Card
from parta.passage.selectors.common import person_name
from parta.schools.models import ClassGroup, Enrolment, StaffMembership


@dataclass(frozen=True)
class ReadCard:
    """What a reader (a turnstile, a cash desk) needs of the card it read: one indexed query."""

    id: int
    number: str
    holder_id: int
    school_id: int
    active: bool


def card_read(number: str) -> ReadCard | None:
    """The card with this number (unique), blocked or not; None for a number nobody was issued."""
    # A cash desk's sale reads a card every time: the statement is built once.
    card = rows.by_unique(Card, "number", number)
    if card is None:
        return None
    return ReadCard(card.pk, number, card.holder_id, card.school_id, card.status == Card.Status.ACTIVE)


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
                people.append((pk, person_name(tuple(parts))))
    elif class_group_id is not None:
        student_names = tuple(name.replace("user__", "student__") for name in names)
        enrolled = (
            Enrolment.objects.filter(class_group_id=class_group_id, school_id=school_id)
            .order_by("student__last_name", "student__first_name", "student_id")
            .values_list("student_id", *student_names)
        )
        people = [(pk, person_name(tuple(parts))) for pk, *parts in enrolled]
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
                person_name(
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
