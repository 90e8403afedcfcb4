"""The school machines of the benchmark city: a card for every student and two turnstiles a
building, made for the benchmark's morning burst (bench_fixtures)."""

from __future__ import annotations

from parta.accounts.models import MachineClient
from parta.accounts.services import machine_client_rotate
from parta.passage.bench import Turnstile
from parta.passage.models import Card
from parta.schools.models import Building, Enrolment, School
from parta.schools.services import machine_client_for_school_create

GATES_PER_BUILDING = 2


def bench_cards_issue(school: School) -> int:
    """A card for every student of the school who has none (numbers made from their ids): how
    many were issued."""
    students = set(Enrolment.objects.filter(school=school).values_list("student_id", flat=True))
    holding = set(
        Card.objects.filter(school=school, holder_id__in=students).values_list("holder_id", flat=True)
    )
    new = [
        Card(school=school, holder_id=student, number=f"BENCH{student:010d}")
        for student in sorted(students - holding)
    ]
    Card.objects.bulk_create(new, batch_size=5000, ignore_conflicts=True)
    return len(new)


def bench_turnstiles(school: School) -> list[Turnstile]:
    """Two turnstiles in each of the school's buildings, their credentials made anew (a rerun of
    the fixtures rotates the ones it made before)."""
    gates = []
    for building in Building.objects.filter(school=school).order_by("pk"):
        for n in range(1, GATES_PER_BUILDING + 1):
            name = f"Bench turnstile {n} — {building.pk}"
            found = MachineClient.objects.filter(
                kind=MachineClient.Kind.TURNSTILE, name=name, is_active=True
            ).first()
            if found is not None:
                gates.append(Turnstile(found.pk, building.pk, machine_client_rotate(by=None, client=found)))
                continue
            made, secret = machine_client_for_school_create(
                actor=None,
                school_id=school.pk,
                building_id=building.pk,
                kind=MachineClient.Kind.TURNSTILE,
                name=name,
            )
            gates.append(Turnstile(made.pk, building.pk, secret))
    return gates
