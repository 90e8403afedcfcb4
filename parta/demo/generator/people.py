"""Students and their families as plain data: who is in which class, who their guardians are."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from parta.accounts.models import Guardianship
from parta.demo import names
from parta.demo.generator.staffing import ClassSpec

# About one family in seven has two children at the school, in different grades.
SIBLINGS_SHARE = 0.15


@dataclass
class StudentSpec:
    person: names.Person
    class_index: int


@dataclass
class FamilySpec:
    guardians: list[tuple[names.Person, str]] = field(default_factory=list)
    children: list[int] = field(default_factory=list)  # student indices


def _guardians(rng: random.Random, family: names.Family) -> list[tuple[names.Person, str]]:
    draw = rng.random()
    if draw < 0.6:
        return [
            (family.mother_person(rng), Guardianship.Relation.MOTHER),
            (family.father_person(rng), Guardianship.Relation.FATHER),
        ]
    if draw < 0.9:
        return [(family.mother_person(rng), Guardianship.Relation.MOTHER)]
    if draw < 0.97:
        return [(family.father_person(rng), Guardianship.Relation.FATHER)]
    # A grandmother on the father's side shares the family's surname.
    grandmother = names.Person(
        family.surname("f"), family.mother_person(rng).first_name, family.father[2], "f"
    )
    return [(grandmother, Guardianship.Relation.GRANDPARENT)]


def families_make(
    rng: random.Random,
    classes: list[ClassSpec],
    sizes: list[int],
    *,
    first_pair: tuple[int, int] | None = None,
) -> tuple[list[StudentSpec], list[FamilySpec]]:
    """Fill every class with ``sizes[i]`` students grouped into families.

    ``first_pair`` (two class indices of different grades) forces the first family to have a
    child in each, so the demo parent has two children.
    """
    seats = [group.index for group in classes for _ in range(sizes[group.index])]
    rng.shuffle(seats)
    students: list[StudentSpec] = []
    families: list[FamilySpec] = []

    def add_child(family: names.Family, spec: FamilySpec, class_index: int) -> None:
        gender: names.Gender = "m" if rng.random() < 0.5 else "f"
        spec.children.append(len(students))
        students.append(StudentSpec(family.child(rng, gender), class_index))

    pending = list(first_pair) if first_pair else []
    for class_index in pending:
        seats.remove(class_index)
    while seats or pending:
        family = names.family(rng)
        spec = FamilySpec(guardians=_guardians(rng, family))
        if pending:
            for class_index in pending:
                add_child(family, spec, class_index)
            pending = []
        else:
            first = seats.pop()
            add_child(family, spec, first)
            if rng.random() < SIBLINGS_SHARE:
                grade = classes[first].grade
                # Look a little way back for a seat in another grade; shuffled seats make this random.
                other = next(
                    (
                        i
                        for i in range(len(seats) - 1, max(-1, len(seats) - 30), -1)
                        if classes[seats[i]].grade != grade
                    ),
                    None,
                )
                if other is not None:
                    add_child(family, spec, seats.pop(other))
        families.append(spec)
    return students, families
