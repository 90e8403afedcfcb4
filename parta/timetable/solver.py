"""The weekly timetable solver: places teaching hours into a five-day week without clashes.

It works on plain data (ids and hours), so it runs and is tested without a database and the
benchmark's city generator can reuse it; ``services.template_build`` feeds it from the database.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WORKING_DAYS = 5
# A subject's hours are spread so that no day has more than its fair share (ceil(hours / days)),
# e.g. 5 hours of Russian → one lesson every day.
SOLVER_ATTEMPTS = 100


def lessons_per_day_max(grade: int) -> int:
    """The most lessons a class has in a day: 5 in primary school (grades 1–4), 7 from grade 5."""
    return 5 if grade <= 4 else 7


@dataclass(frozen=True)
class Part:
    """One teaching assignment inside a unit: the whole class, or one subgroup of a split lesson."""

    assignment_id: int
    teacher_id: int
    hours: int
    subgroup_id: int | None = None
    # Candidate rooms, most suitable first; empty means the lesson needs no room.
    rooms: tuple[int, ...] = ()


@dataclass(frozen=True)
class Unit:
    """What is placed at once: a whole-class subject, or all subgroups of a split subject,
    which sit in the same slot (each with its own teacher and room)."""

    class_group_id: int
    subject_id: int
    max_per_day: int
    parts: tuple[Part, ...]
    label: str = ""

    @property
    def hours(self) -> int:
        return max(part.hours for part in self.parts)

    @property
    def daily_cap(self) -> int:
        return -(-self.hours // WORKING_DAYS)


@dataclass(frozen=True)
class Placement:
    assignment_id: int
    weekday: int
    number: int
    teacher_id: int
    class_group_id: int
    subgroup_id: int | None
    room_id: int | None


class _Board:
    """Who and what is busy when, while one attempt places the week."""

    def __init__(self, blocked: frozenset[tuple[int, int, int]] = frozenset()) -> None:
        # (teacher, day, number): starts with the times teachers cannot teach.
        self.teacher: set[tuple[int, int, int]] = set(blocked)
        self.room: set[tuple[int, int, int]] = set()
        # A class group is busy in a slot whatever it does there (whole class or any subgroup),
        # so whole-class lessons can never overlap subgroup lessons.
        self.numbers: dict[tuple[int, int], set[int]] = defaultdict(set)
        self.subject_day: Counter[tuple[int, int, int]] = Counter()
        self.at: dict[tuple[int, int, int], list[Placement]] = {}

    def rooms_for(
        self, parts: Sequence[Part], day: int, number: int, keep: Sequence[int | None] = ()
    ) -> list[int | None] | None:
        """A distinct free room for each part (trying ``keep`` first), or None if one is missing."""
        chosen: list[int | None] = []
        for index, part in enumerate(parts):
            if not part.rooms:
                chosen.append(None)
                continue
            preferred = [keep[index]] if index < len(keep) and keep[index] is not None else []
            room = next(
                (
                    r
                    for r in [*preferred, *part.rooms]
                    if r not in chosen and (r, day, number) not in self.room
                ),
                None,
            )
            if room is None:
                return None
            chosen.append(room)
        return chosen

    def put(
        self, unit: Unit, parts: Sequence[Part], day: int, number: int, rooms: Sequence[int | None]
    ) -> None:
        placed = []
        for part, room in zip(parts, rooms, strict=True):
            self.teacher.add((part.teacher_id, day, number))
            if room is not None:
                self.room.add((room, day, number))
            placed.append(
                Placement(
                    part.assignment_id,
                    day,
                    number,
                    part.teacher_id,
                    unit.class_group_id,
                    part.subgroup_id,
                    room,
                )
            )
        self.numbers[(unit.class_group_id, day)].add(number)
        self.subject_day[(unit.class_group_id, unit.subject_id, day)] += 1
        self.at[(unit.class_group_id, day, number)] = placed

    def take(self, class_group_id: int, day: int, number: int) -> list[Placement]:
        placed = self.at.pop((class_group_id, day, number))
        for p in placed:
            self.teacher.discard((p.teacher_id, day, number))
            if p.room_id is not None:
                self.room.discard((p.room_id, day, number))
        self.numbers[(class_group_id, day)].discard(number)
        return placed


def _place_hour(board: _Board, unit: Unit, parts: Sequence[Part], rng: random.Random) -> bool:
    scored: list[tuple[float, int, int]] = []
    for day in range(1, WORKING_DAYS + 1):
        if board.subject_day[(unit.class_group_id, unit.subject_id, day)] >= unit.daily_cap:
            continue
        numbers = board.numbers[(unit.class_group_id, day)]
        top = max(numbers, default=0)
        for number in range(1, unit.max_per_day + 1):
            if number in numbers or any((p.teacher_id, day, number) in board.teacher for p in parts):
                continue
            # Prefer early lessons, evenly loaded days and no windows in the class's day.
            windows = max(0, number - top - 1)
            score = (
                number * 2 + len(numbers) * 4 + windows * 8 - (3 if number < top else 0) + rng.random() * 3
            )
            scored.append((score, day, number))
    for _score, day, number in sorted(scored):
        rooms = board.rooms_for(parts, day, number)
        if rooms is not None:
            board.put(unit, parts, day, number, rooms)
            return True
    return False


def _compact(board: _Board, parts_by_assignment: dict[int, Part]) -> None:
    """Close windows in each class's day by moving its last lessons down where the teachers are free."""
    for class_group_id, day in sorted(board.numbers):
        while True:
            numbers = board.numbers[(class_group_id, day)]
            gaps = [n for n in range(1, max(numbers, default=0)) if n not in numbers]
            if not gaps or not _move_down(board, parts_by_assignment, class_group_id, day, gaps[0]):
                break


def _move_down(
    board: _Board, parts_by_assignment: dict[int, Part], class_group_id: int, day: int, gap: int
) -> bool:
    for number in sorted(board.numbers[(class_group_id, day)], reverse=True):
        if number < gap:
            return False
        placed = board.at[(class_group_id, day, number)]
        if any((p.teacher_id, day, gap) in board.teacher for p in placed):
            continue
        parts = [parts_by_assignment[p.assignment_id] for p in placed]
        rooms = board.rooms_for(parts, day, gap, keep=[p.room_id for p in placed])
        if rooms is None:
            continue
        board.take(class_group_id, day, number)
        for p, room in zip(placed, rooms, strict=True):
            board.teacher.add((p.teacher_id, day, gap))
            if room is not None:
                board.room.add((room, day, gap))
        board.numbers[(class_group_id, day)].add(gap)
        board.at[(class_group_id, day, gap)] = [
            Placement(p.assignment_id, day, gap, p.teacher_id, p.class_group_id, p.subgroup_id, room)
            for p, room in zip(placed, rooms, strict=True)
        ]
        return True
    return False


def _check_capacity(units: Sequence[Unit]) -> None:
    by_class: dict[int, list[Unit]] = defaultdict(list)
    teacher_hours: Counter[int] = Counter()
    for unit in units:
        by_class[unit.class_group_id].append(unit)
        for part in unit.parts:
            teacher_hours[part.teacher_id] += part.hours
    for class_units in by_class.values():
        hours = sum(unit.hours for unit in class_units)
        fits = WORKING_DAYS * min(unit.max_per_day for unit in class_units)
        if hours > fits:
            raise ValidationError(
                {
                    "class_group": _(
                        "%(group)s has %(hours)d lessons a week, but only %(fits)d fit into its week."
                    )
                    % {"group": class_units[0].label.split(" · ")[0], "hours": hours, "fits": fits}
                }
            )
    for teacher_id, hours in teacher_hours.items():
        if hours > WORKING_DAYS * lessons_per_day_max(11):
            unit = next(u for u in units if any(p.teacher_id == teacher_id for p in u.parts))
            raise ValidationError(
                {
                    "teacher": _(
                        "The teacher of %(unit)s has %(hours)d lessons a week: more than a week holds."
                    )
                    % {"unit": unit.label or f"#{unit.parts[0].assignment_id}", "hours": hours}
                }
            )


def template_solve(
    *,
    units: Sequence[Unit],
    seed: int = 0,
    attempts: int = SOLVER_ATTEMPTS,
    blocked: frozenset[tuple[int, int, int]] = frozenset(),
    partial: bool = False,
) -> list[Placement]:
    """Place every hour of every unit into a five-day week without clashes, never at a
    (teacher, day, number) in ``blocked``.

    A greedy placement: the hardest units first (split subjects, then the busiest teachers),
    each hour into the best-scoring free slot. An attempt that gets stuck starts again with
    the stuck unit moved to the front and a fresh draw of the seeded RNG, so the same input
    and seed always give the same week. When no attempt succeeds it raises ValidationError,
    or with ``partial`` returns a last attempt that places every hour it can and skips the rest.
    """
    if not partial:
        _check_capacity(units)
    rng = random.Random(seed)
    teacher_load: Counter[int] = Counter()
    for unit in units:
        for part in unit.parts:
            teacher_load[part.teacher_id] += part.hours
    failures: Counter[int] = Counter()
    parts_by_assignment = {part.assignment_id: part for unit in units for part in unit.parts}
    stuck = 0
    for attempt in range(attempts):
        jitter = {i: rng.random() if attempt else 0.0 for i in range(len(units))}
        order = sorted(
            range(len(units)),
            key=lambda i: (
                -failures[i],
                -len(units[i].parts),
                -max(teacher_load[p.teacher_id] for p in units[i].parts) - jitter[i] * 6,
                -units[i].hours,
                units[i].class_group_id,
                units[i].subject_id,
            ),
        )
        board = _Board(blocked)
        stuck = _place_all(board, units, order, rng, skip=partial and attempt == attempts - 1)
        if stuck < 0:
            _compact(board, parts_by_assignment)
            return sorted(
                (p for placed in board.at.values() for p in placed),
                key=lambda p: (p.class_group_id, p.weekday, p.number, p.subgroup_id or 0),
            )
        failures[stuck] += 1
    raise ValidationError(
        {
            "assignment": _(
                "The timetable could not be built: no free slot for %(unit)s after %(attempts)d attempts."
            )
            % {"unit": units[stuck].label or f"#{units[stuck].parts[0].assignment_id}", "attempts": attempts}
        }
    )


def _place_all(
    board: _Board, units: Sequence[Unit], order: Sequence[int], rng: random.Random, *, skip: bool = False
) -> int:
    """Place units in order; the index of the first unit that did not fit, or -1 (always, with
    ``skip``: an hour that does not fit is left out and the rest are placed)."""
    for index in order:
        unit = units[index]
        for hour in range(unit.hours):
            # A subgroup with fewer hours than its partner simply stops joining the slot.
            parts = [part for part in unit.parts if part.hours > hour]
            if not _place_hour(board, unit, parts, rng) and not skip:
                return index
    return -1
