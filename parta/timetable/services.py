"""Timetable writes: the weekly template, the year's lessons and their topics,
substitutions and cancellations.

The template is placed by the solver in ``parta.timetable.solver`` (plain data, no database);
``template_build`` feeds it from the database and stores the result.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.accounts.models import User
from parta.core import versions
from parta.core.errors import FieldErrors
from parta.curriculum.models import PlanItem
from parta.schools.access import access_school, roles_of
from parta.schools.models import AcademicYear, Room, School, StaffMembership, TeachingAssignment
from parta.timetable.models import Bell, Lesson, TemplateSlot
from parta.timetable.solver import Part, Unit, lessons_per_day_max, template_solve

__all__ = [
    "MAX_BELL",
    "MIN_BELL",
    "Part",
    "Unit",
    "bell_delete",
    "bell_save",
    "lesson_cancel",
    "lesson_restore",
    "lesson_substitute",
    "lessons_assign_topics",
    "lessons_assign_topics_for_year",
    "lessons_generate",
    "lessons_per_day_max",
    "school_days",
    "template_build",
    "template_solve",
    "template_units",
]

BATCH_SIZE = 2000

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

T = TypeVar("T")


# --- building the template from the database ----------------------------------------------


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
        parts = tuple(
            Part(a.pk, a.teacher_id, a.hours_per_week, a.subgroup_id, _candidate_rooms(a, rooms, cabinets))
            for a in members
        )
        label = f"{group.name} · {members[0].subject.name}"
        units.append(Unit(class_group_id, subject_id, lessons_per_day_max(group.grade), parts, label))
    return units


@transaction.atomic
def template_build(*, year: AcademicYear, seed: int = 0) -> int:
    """Replace the year's weekly template by a fresh placement of all its teaching assignments.

    Returns the number of template slots. Raises ValidationError (writing nothing) when the
    week cannot hold them. Lessons already generated are not touched: run ``lessons_generate``.
    """
    units = template_units(year=year)
    if not units:
        raise ValidationError({"year": _("The year has no teaching assignments to put into a timetable.")})
    placements = template_solve(units=units, seed=seed)
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


# --- lessons for the year --------------------------------------------------------------------


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def school_days(
    year: AcademicYear, *, since: dt.date | None = None, weekdays: Iterable[int] = range(1, 6)
) -> list[dt.date]:
    """The year's dates that fall on the given ISO weekdays and not in a holiday."""
    holidays = list(year.holidays.values_list("starts_on", "ends_on"))
    wanted = set(weekdays) - {7}
    day = max(since or year.starts_on, year.starts_on)
    days = []
    while day <= year.ends_on:
        if day.isoweekday() in wanted and not any(start <= day <= end for start, end in holidays):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


@transaction.atomic
def lessons_generate(*, year: AcademicYear, since: dt.date | None = None) -> int:
    """Materialise the year's lessons from its weekly template; returns how many were created.

    Lessons dated ``since`` or later are replaced (deleted and made again from the template, so
    substitutions and cancellations on them are lost); earlier lessons are kept. By default
    ``since`` is the first day of the year while the year has no lessons, and tomorrow in the
    city's zone once it has, so regenerating never rewrites the past. Weekends and holidays
    get no lessons; times come from the school's bells in the city's zone (TIME_ZONE).
    """
    slots = list(
        TemplateSlot.objects.filter(year=year).values(
            "assignment_id",
            "assignment__subject_id",
            "weekday",
            "number",
            "teacher_id",
            "class_group_id",
            "subgroup_id",
            "room_id",
        )
    )
    if not slots:
        raise ValidationError({"year": _("The year has no timetable template yet: build it first.")})
    bells = {bell.number: bell for bell in Bell.objects.filter(school_id=year.school_id)}
    missing = sorted({slot["number"] for slot in slots} - set(bells))
    if missing:
        raise ValidationError(
            {
                "bells": _("The bell schedule has no time for lesson %(numbers)s.")
                % {"numbers": ", ".join(map(str, missing))}
            }
        )
    if since is None:
        has_lessons = Lesson.objects.filter(year=year).exists()
        since = timezone.localdate() + dt.timedelta(days=1) if has_lessons else year.starts_on
    Lesson.objects.filter(year=year, date__gte=since).delete()
    by_weekday: dict[int, list[Any]] = defaultdict(list)
    for slot in slots:
        by_weekday[slot["weekday"]].append(slot)
    zone = ZoneInfo(settings.TIME_ZONE)

    def lessons() -> Iterator[Lesson]:
        for day in school_days(year, since=since, weekdays=by_weekday):
            for slot in by_weekday[day.isoweekday()]:
                bell = bells[slot["number"]]
                yield Lesson(
                    school_id=year.school_id,
                    year_id=year.pk,
                    assignment_id=slot["assignment_id"],
                    date=day,
                    number=slot["number"],
                    starts_at=dt.datetime.combine(day, bell.starts_at, tzinfo=zone),
                    ends_at=dt.datetime.combine(day, bell.ends_at, tzinfo=zone),
                    class_group_id=slot["class_group_id"],
                    subgroup_id=slot["subgroup_id"],
                    subject_id=slot["assignment__subject_id"],
                    teacher_id=slot["teacher_id"],
                    room_id=slot["room_id"],
                )

    created = 0
    for batch in _batches(lessons(), BATCH_SIZE):
        Lesson.objects.bulk_create(batch)
        created += len(batch)
    # bulk_create sends no signals: every cached diary and journal of the school is remade, and
    # the timetable of every teacher given lessons (one that showed none of the school's before
    # depends on no token of it).
    teachers = {slot["teacher_id"] for slot in slots}
    versions.touch([versions.school(year.school_id), *(versions.teacher(pk) for pk in sorted(teachers))])
    return created


@transaction.atomic
def _topics_assign(assignments: Q) -> int:
    chosen = TeachingAssignment.objects.filter(assignments).values("pk")
    sequence: dict[int, list[int]] = defaultdict(list)
    items = PlanItem.objects.filter(plan__assignment__in=chosen).order_by("plan__assignment_id", "order")
    for assignment_id, item_topic_id, hours in items.values_list("plan__assignment_id", "topic_id", "hours"):
        sequence[assignment_id].extend([item_topic_id] * hours)
    position: Counter[int] = Counter()
    changed: dict[int | None, list[int]] = defaultdict(list)
    lessons = Lesson.objects.filter(assignment__in=chosen).order_by("assignment_id", "date", "number")
    for pk, assignment_id, status, current in lessons.values_list(
        "pk", "assignment_id", "status", "topic_id"
    ):
        topic_id: int | None = None
        if status == Lesson.Status.SCHEDULED:
            topics = sequence.get(assignment_id, [])
            index = position[assignment_id]
            topic_id = topics[index] if index < len(topics) else None
            position[assignment_id] += 1
        if current != topic_id:
            changed[topic_id].append(pk)
    # One UPDATE per topic: parallel classes share topics, so this is far fewer statements (and
    # far less SQL to build) than bulk_update's CASE per lesson.
    for topic_id, pks in changed.items():
        for batch in _batches(pks, 500):
            Lesson.objects.filter(pk__in=batch).update(topic_id=topic_id)
    if changed:  # QuerySet.update sends no signals
        schools = TeachingAssignment.objects.filter(assignments).values_list("school_id", flat=True)
        versions.touch(versions.school(pk) for pk in set(schools))
    return sum(len(pks) for pks in changed.values())


def lessons_assign_topics(*, assignment: TeachingAssignment) -> int:
    """Give the assignment's lessons the topics of its thematic plan, in date order.

    Each plan item covers as many lessons as it has hours. Cancelled lessons get no topic (the
    plan moves on to the next lesson); lessons beyond the end of the plan get none either, as
    reserve hours the teacher fills. Every lesson of the assignment is rewritten, past ones
    too. Returns the number of lessons whose topic changed.
    """
    return _topics_assign(Q(pk=assignment.pk))


def lessons_assign_topics_for_year(*, year: AcademicYear) -> int:
    """``lessons_assign_topics`` for every assignment of the year in one pass."""
    return _topics_assign(Q(year_id=year.pk))


# --- substitutions and cancellations -------------------------------------------------------------


def _lesson_for_admin(actor: Any, lesson: Lesson) -> Lesson:
    """The lesson, locked and fresh, if the actor administers its school; otherwise 404."""
    roles = roles_of(actor)
    if not (roles.is_superuser or lesson.school_id in roles.admin_school_ids):
        raise Http404
    current = Lesson.objects.select_for_update().filter(pk=lesson.pk, school_id=lesson.school_id).first()
    if current is None:
        raise Http404
    return current


def _busy(lesson: Lesson, *q: Q, **where: Any) -> bool:
    """Whether another scheduled lesson at the same date and number matches."""
    return (
        Lesson.objects.filter(
            *q, date=lesson.date, number=lesson.number, status=Lesson.Status.SCHEDULED, **where
        )
        .exclude(pk=lesson.pk)
        .exists()
    )


def _save(lesson: Lesson, fields: list[str], field: str) -> Lesson:
    """Save, turning a lost race against the database's no-double-booking constraints into a field error."""
    try:
        with transaction.atomic():
            lesson.save(update_fields=fields)
    except IntegrityError as exc:
        raise ValidationError(
            {field: _("Someone else has just booked this time; reload and try again.")}
        ) from exc
    return lesson


@transaction.atomic
def lesson_substitute(*, actor: Any, lesson: Lesson, teacher: User, note: str = "") -> Lesson:
    """Hand a lesson to another teacher of the school who is free at that time.

    The lesson keeps its planned teacher in ``replaced_teacher``; substituting again keeps
    the planned teacher there, and handing the lesson back to the planned teacher ends the
    substitution. Only the school's administrators may do it (others get 404).
    """
    current = _lesson_for_admin(actor, lesson)
    if current.status != Lesson.Status.SCHEDULED:
        raise ValidationError({"lesson": _("A cancelled lesson cannot be substituted; restore it first.")})
    if len(note) > 300:
        raise ValidationError({"note": _("The note is longer than 300 characters.")})
    is_teacher = StaffMembership.objects.filter(
        school_id=current.school_id, user_id=teacher.pk, role=StaffMembership.Role.TEACHER
    ).exists()
    if not is_teacher:
        raise ValidationError({"teacher": _("The substitute must be a teacher of this school.")})
    if teacher.pk == current.teacher_id:
        raise ValidationError({"teacher": _("This teacher already teaches the lesson.")})
    if _busy(current, teacher_id=teacher.pk):
        raise ValidationError(
            {"teacher": _("%(teacher)s has another lesson at this time.") % {"teacher": teacher}}
        )
    planned = current.replaced_teacher_id or current.teacher_id
    current.teacher_id = teacher.pk
    current.replaced_teacher_id = None if teacher.pk == planned else planned
    current.note = note.strip()
    return _save(current, ["teacher", "replaced_teacher", "note"], "teacher")


@transaction.atomic
def lesson_cancel(*, actor: Any, lesson: Lesson, reason: str) -> Lesson:
    """Cancel a lesson, with the reason families will see. Only the school's administrators."""
    current = _lesson_for_admin(actor, lesson)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the lesson is cancelled.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("The reason is longer than 300 characters.")})
    if current.status == Lesson.Status.CANCELLED:
        raise ValidationError({"lesson": _("The lesson is already cancelled.")})
    current.status = Lesson.Status.CANCELLED
    current.note = reason
    return _save(current, ["status", "note"], "lesson")


@transaction.atomic
def lesson_restore(*, actor: Any, lesson: Lesson) -> Lesson:
    """Undo a cancellation if the teacher, the room and the class are still free at that time."""
    current = _lesson_for_admin(actor, lesson)
    if current.status != Lesson.Status.CANCELLED:
        raise ValidationError({"lesson": _("The lesson is not cancelled.")})
    if _busy(current, teacher_id=current.teacher_id):
        raise ValidationError({"teacher": _("The teacher has another lesson at this time now.")})
    if current.room_id and _busy(current, room_id=current.room_id):
        raise ValidationError({"room": _("The room is taken at this time now.")})
    # A subgroup's lesson shares its slot with the other subgroups, never with the whole class.
    clash = (
        Q() if current.subgroup_id is None else Q(subgroup__isnull=True) | Q(subgroup_id=current.subgroup_id)
    )
    if _busy(current, clash, class_group_id=current.class_group_id):
        raise ValidationError({"class_group": _("The class has another lesson at this time now.")})
    current.status = Lesson.Status.SCHEDULED
    current.note = ""
    return _save(current, ["status", "note"], "lesson")


# --- the bell schedule (the school administrator's page) -----------------------------------

MIN_BELL, MAX_BELL = 0, 12  # lesson 0 is the “zero lesson” some schools have before the first


def _time(value: dt.time) -> str:
    return value.strftime("%H:%M")


@transaction.atomic
def bell_save(
    *,
    actor: Any,
    school: School,
    number: int,
    starts_at: dt.time,
    ends_at: dt.time,
    bell: Bell | None = None,
) -> Bell:
    """Create the time of a lesson number, or change ``bell``. A lesson ends after it starts, no
    two lessons' times overlap, and a later number starts later. Lessons already made for the
    year keep the times they were made with."""
    school = access_school(actor, school.pk, for_admin=True)
    if bell is not None and bell.school_id != school.pk:
        raise ValidationError({"number": [_("This bell belongs to another school.")]})
    # The school's row is locked: two administrators editing bells at once take turns, and the
    # second is checked against the first's (no constraint can refuse overlapping times).
    School.objects.select_for_update().filter(pk=school.pk).first()
    errors = FieldErrors()
    valid_number = MIN_BELL <= number <= MAX_BELL
    if not valid_number:
        errors.add(
            "number",
            _("The lesson number must be from %(min)d to %(max)d.") % {"min": MIN_BELL, "max": MAX_BELL},
        )
    others = Bell.objects.filter(school=school)
    if bell is not None:
        others = others.exclude(pk=bell.pk)
    if valid_number and others.filter(number=number).exists():
        errors.add("number", _("Lesson %(number)d already has its times.") % {"number": number})
    if ends_at <= starts_at:
        errors.add("ends_at", _("The lesson must end after it starts."))
    else:
        for other in others.order_by("number"):
            if other.starts_at < ends_at and starts_at < other.ends_at:
                errors.add(
                    "starts_at",
                    _("The time overlaps lesson %(number)d (%(start)s–%(end)s).")
                    % {"number": other.number, "start": _time(other.starts_at), "end": _time(other.ends_at)},
                )
                break
            if valid_number and (other.number < number) != (other.starts_at < starts_at):
                errors.add(
                    "starts_at",
                    _("Lesson %(number)d is at %(start)s–%(end)s: lessons go in the order of their numbers.")
                    % {"number": other.number, "start": _time(other.starts_at), "end": _time(other.ends_at)},
                )
                break
    errors.raise_if_any()
    if bell is None:
        return Bell.objects.create(school=school, number=number, starts_at=starts_at, ends_at=ends_at)
    bell.number, bell.starts_at, bell.ends_at = number, starts_at, ends_at
    bell.save(update_fields=["number", "starts_at", "ends_at"])
    return bell


@transaction.atomic
def bell_delete(*, actor: Any, bell: Bell) -> None:
    """Delete the time of a lesson number no weekly timetable slot uses."""
    access_school(actor, bell.school_id, for_admin=True)
    if TemplateSlot.objects.filter(school_id=bell.school_id, number=bell.number).exists():
        raise ValidationError(
            {
                "bell": [
                    _(
                        "Lesson %(number)d is in the weekly timetable: "
                        "move those lessons before deleting its time."
                    )
                    % {"number": bell.number}
                ]
            }
        )
    bell.delete()
