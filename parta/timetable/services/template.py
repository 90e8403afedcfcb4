"""The weekly template: the solver's draft, the times teachers cannot teach, and the
administrator's edits of single slots.

The solver (``parta.timetable.solver``) works on plain data; ``template_build`` feeds it from the
database and stores its draft. What a draft leaves unplaced, and what edits leave wrong, is read by
``parta.timetable.selectors.template_problems``. The year's lessons change only when the template
is published (``parta.timetable.services.lessons``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from parta.core.errors import FieldErrors
from parta.schools.access import access_school
from parta.schools.models import AcademicYear, Room, StaffMembership, TeachingAssignment
from parta.timetable.models import Bell, TemplateSlot, Unavailability
from parta.timetable.services.lessons import BATCH_SIZE
from parta.timetable.solver import Part, Unit, lessons_per_day_max, template_solve

WEEKDAYS = range(1, 7)  # Monday to Saturday: a school may teach on Saturdays

# Where a subject is taught, best first; subjects not listed use ordinary classrooms.
SUBJECT_ROOM_KINDS: dict[str, tuple[str, ...]] = {
    "english": (Room.Kind.LANGUAGE,),
    "informatics": (Room.Kind.COMPUTER,),
    "technology": (Room.Kind.WORKSHOP,),
    "physics": (Room.Kind.LAB,),
    "chemistry": (Room.Kind.LAB,),
    "biology": (Room.Kind.LAB,),
    "pe": (Room.Kind.GYM, Room.Kind.HALL),
}
# PE in a classroom makes no sense: without a gym or hall it gets no room rather than a classroom.
_NO_CLASSROOM_FALLBACK = frozenset({"pe"})


# --- the solver's draft --------------------------------------------------------------------


def _candidate_rooms(
    assignment: TeachingAssignment, rooms: Sequence[Room], cabinets: dict[tuple[int, int], int]
) -> tuple[int, ...]:
    group = assignment.class_group
    here = [room for room in rooms if room.building_id == group.building_id]
    classrooms = [room.pk for room in here if room.kind == Room.Kind.CLASSROOM]
    code = assignment.subject.code
    special = [room.pk for kind in SUBJECT_ROOM_KINDS.get(code, ()) for room in here if room.kind == kind]
    if special:
        # Subjects sharing a kind of room (physics, chemistry, biology: labs) each start from a
        # different one, so each keeps to "its" lab while it is free.
        sharing = [c for c, kinds in SUBJECT_ROOM_KINDS.items() if kinds[:1] == SUBJECT_ROOM_KINDS[code][:1]]
        shift = sharing.index(code) % len(special)
        special = special[shift:] + special[:shift]
    if code in _NO_CLASSROOM_FALLBACK:
        return tuple(special)
    first = [cabinets[key]] if (key := (assignment.teacher_id, group.building_id)) in cabinets else []
    home = [group.home_room_id] if group.home_room_id else []
    # Primary classes stay in their own room; older ones go to the teacher's cabinet.
    ordered = [*special, *home, *first] if group.grade <= 4 else [*special, *first, *home]
    return tuple(dict.fromkeys([*ordered, *classrooms]))


def _cabinets(assignments: Sequence[TeachingAssignment], rooms: Sequence[Room]) -> dict[tuple[int, int], int]:
    """Each teacher's own classroom in each building: a class teacher's is their class's home
    room; the others share the remaining classrooms in turn (as teachers share cabinets)."""
    cabinets: dict[tuple[int, int], int] = {}
    for a in assignments:
        group = a.class_group
        if group.class_teacher_id and group.home_room_id:
            cabinets.setdefault((group.class_teacher_id, group.building_id), group.home_room_id)
    by_building: dict[int, list[int]] = defaultdict(list)
    for room in rooms:
        if room.kind == Room.Kind.CLASSROOM and room.pk not in cabinets.values():
            by_building[room.building_id].append(room.pk)
    pending = sorted(
        {(a.class_group.building_id, a.teacher_id) for a in assignments if a.subgroup_id is None}
    )
    turn: Counter[int] = Counter()
    for building_id, teacher_id in pending:
        free = by_building.get(building_id)
        if free and (teacher_id, building_id) not in cabinets:
            cabinets[(teacher_id, building_id)] = free[turn[building_id] % len(free)]
            turn[building_id] += 1
    return cabinets


def template_units(*, year: AcademicYear) -> list[Unit]:
    """The year's teaching assignments as solver units (split subjects grouped per class)."""
    assignments = list(
        TeachingAssignment.objects.filter(year=year)
        .select_related("class_group", "subject", "subgroup")
        .order_by(
            "class_group__grade", "class_group__letter", "subject__order", "subject__code", "subgroup__number"
        )
    )
    rooms = list(Room.objects.filter(school_id=year.school_id).order_by("building_id", "pk"))
    cabinets = _cabinets(assignments, rooms)
    grouped: dict[tuple[int, int, bool], list[TeachingAssignment]] = defaultdict(list)
    for a in assignments:
        grouped[(a.class_group_id, a.subject_id, a.subgroup_id is not None)].append(a)
    units = []
    for (class_group_id, subject_id, _split), members in grouped.items():
        group = members[0].class_group
        label = f"{group.name} · {members[0].subject.name}"
        for batch in _side_by_side(members):
            parts = tuple(
                Part(
                    a.pk, a.teacher_id, a.hours_per_week, a.subgroup_id, _candidate_rooms(a, rooms, cabinets)
                )
                for a in batch
            )
            units.append(Unit(class_group_id, subject_id, lessons_per_day_max(group.grade), parts, label))
    return units


def _side_by_side(members: Sequence[TeachingAssignment]) -> list[list[TeachingAssignment]]:
    """The subgroups of a split subject that can sit in the same slot: each with its own teacher.
    A teacher of two subgroups (a small school's English) teaches them one after the other."""
    batches: list[list[TeachingAssignment]] = []
    for assignment in members:
        batch = next((b for b in batches if all(m.teacher_id != assignment.teacher_id for m in b)), None)
        if batch is None:
            batches.append([assignment])
        else:
            batch.append(assignment)
    return batches


def blocked_times(year: AcademicYear) -> frozenset[tuple[int, int, int]]:
    """(teacher, weekday, number) of every time a teacher of the year cannot teach."""
    rows = Unavailability.objects.filter(year=year).values_list("teacher_id", "weekday", "number")
    return frozenset(rows)


@transaction.atomic
def template_build(*, year: AcademicYear, seed: int = 0, partial: bool = False) -> int:
    """Replace the year's weekly template by a fresh placement of all its teaching assignments,
    clear of the times teachers cannot teach.

    Returns the number of template slots. When the week cannot hold every hour it raises
    ValidationError and writes nothing, unless ``partial``: then the draft keeps what fits and
    the rest shows as unplaced hours for the administrator to place by hand.
    """
    units = template_units(year=year)
    if not units:
        raise ValidationError({"year": _("The year has no teaching assignments to put into a timetable.")})
    placements = template_solve(units=units, seed=seed, blocked=blocked_times(year), partial=partial)
    TemplateSlot.objects.filter(year=year).delete()
    TemplateSlot.objects.bulk_create(
        (
            TemplateSlot(
                school_id=year.school_id,
                year=year,
                assignment_id=p.assignment_id,
                weekday=p.weekday,
                number=p.number,
                teacher_id=p.teacher_id,
                class_group_id=p.class_group_id,
                subgroup_id=p.subgroup_id,
                room_id=p.room_id,
            )
            for p in placements
        ),
        batch_size=BATCH_SIZE,
    )
    return len(placements)


# --- the times a teacher cannot teach --------------------------------------------------------


@transaction.atomic
def unavailability_set(
    *, actor: Any, year: AcademicYear, teacher_id: int, times: Iterable[tuple[int, int]]
) -> int:
    """Replace the times (weekday, lesson number) a teacher of the school cannot teach in the
    year; returns how many there are now. The template is not changed: draft it again, or move
    the slots the problems list then shows."""
    school = access_school(actor, year.school_id, for_admin=True)
    is_teacher = StaffMembership.objects.filter(
        school=school, user_id=teacher_id, role=StaffMembership.Role.TEACHER
    ).exists()
    if not is_teacher:
        raise ValidationError({"teacher": [_("Choose a teacher of this school.")]})
    wanted = sorted(set(times))
    numbers = set(Bell.objects.filter(school=school).values_list("number", flat=True))
    wrong = next(
        ((day, number) for day, number in wanted if day not in WEEKDAYS or number not in numbers), None
    )
    if wrong is not None:
        raise ValidationError(
            {
                "times": [
                    _("There is no lesson %(number)d on day %(weekday)d of the week.")
                    % {"number": wrong[1], "weekday": wrong[0]}
                ]
            }
        )
    Unavailability.objects.filter(year=year, teacher_id=teacher_id).delete()
    Unavailability.objects.bulk_create(
        Unavailability(school=school, year=year, teacher_id=teacher_id, weekday=day, number=number)
        for day, number in wanted
    )
    return len(wanted)


# --- one weekly lesson edited by hand ------------------------------------------------------------


def slot_clashes(slot: TemplateSlot) -> list[tuple[str, str]]:
    """What stands in the way of the slot at its time: (field, message) for each clash."""
    at = TemplateSlot.objects.filter(year_id=slot.year_id, weekday=slot.weekday, number=slot.number)
    if slot.pk:
        at = at.exclude(pk=slot.pk)
    found = []
    if at.filter(teacher_id=slot.teacher_id).exists():
        found.append(("number", _("The teacher has another lesson at this time.")))
    # A subgroup's lesson shares its time with the other subgroups, never with the whole class.
    same_class = (
        Q() if slot.subgroup_id is None else Q(subgroup__isnull=True) | Q(subgroup_id=slot.subgroup_id)
    )
    if at.filter(same_class, class_group_id=slot.class_group_id).exists():
        found.append(("number", _("The class has another lesson at this time.")))
    if slot.room_id and at.filter(room_id=slot.room_id).exists():
        found.append(("room", _("The room is taken at this time.")))
    if Unavailability.objects.filter(
        year_id=slot.year_id, teacher_id=slot.teacher_id, weekday=slot.weekday, number=slot.number
    ).exists():
        found.append(("number", _("The teacher cannot teach at this time.")))
    return found


@transaction.atomic
def template_slot_save(
    *,
    actor: Any,
    year: AcademicYear,
    assignment_id: int,
    weekday: int,
    number: int,
    room_id: int | None,
    slot: TemplateSlot | None = None,
) -> TemplateSlot:
    """Put one weekly lesson of an assignment at a time and in a room, or move ``slot`` there.

    Refused with field errors, writing nothing, when the teacher, the class (or the subgroup) or
    the room is busy then, when the teacher cannot teach then, or when the lesson number has no
    time in the bell schedule.
    """
    school = access_school(actor, year.school_id, for_admin=True)
    # One edit of the year's template at a time: the clash checks read what the other wrote.
    AcademicYear.objects.select_for_update().filter(pk=year.pk).first()
    assignment = TeachingAssignment.objects.filter(pk=assignment_id, year=year).first()
    if assignment is None:
        raise ValidationError({"assignment": [_("Choose a teaching assignment of this year.")]})
    if slot is not None and slot.year_id != year.pk:
        raise ValidationError({"assignment": [_("This lesson belongs to another year.")]})
    errors = FieldErrors()
    if weekday not in WEEKDAYS:
        errors.add("weekday", _("Choose a day from Monday to Saturday."))
    if not Bell.objects.filter(school=school, number=number).exists():
        errors.add("number", _("The bell schedule has no time for lesson %(number)d.") % {"number": number})
    if room_id is not None and not Room.objects.filter(pk=room_id, building__school=school).exists():
        errors.add("room", _("Choose a room of this school."))
    errors.raise_if_any()
    slot = slot or TemplateSlot(school=school, year=year)
    slot.assignment = assignment
    slot.teacher_id = assignment.teacher_id
    slot.class_group_id = assignment.class_group_id
    slot.subgroup_id = assignment.subgroup_id
    slot.weekday, slot.number, slot.room_id = weekday, number, room_id
    for field, message in slot_clashes(slot):
        errors.add(field, message)
    errors.raise_if_any()
    try:
        with transaction.atomic():
            slot.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"number": [_("Someone else has just taken this time; reload and try again.")]}
        ) from exc
    return slot


@transaction.atomic
def template_slot_delete(*, actor: Any, slot: TemplateSlot) -> None:
    """Take one weekly lesson out of the template: its hour shows as unplaced."""
    access_school(actor, slot.school_id, for_admin=True)
    slot.delete()
