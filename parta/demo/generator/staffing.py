"""Who teaches what: teachers by department with balanced loads, and class teachers.

Everything here is plain data (class indices, subject codes); the school writer turns it into rows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from parta.demo.generator.catalogue import CLASS_TEACHER_PRIORITY, CURRICULUM, department, is_split

# A full teaching post in Russia is 18 hours a week; many teachers work a little less, which
# brings a school of about thirty classes to about sixty teachers.
TARGET_LOAD = 16
SUBGROUPS = (1, 2)


@dataclass(frozen=True)
class ClassSpec:
    index: int
    grade: int
    letter: str

    @property
    def is_primary(self) -> bool:
        return self.grade <= 4


@dataclass
class Bundle:
    """What one teacher teaches one class (or one of its subgroups) in their department."""

    class_index: int
    subgroup: int | None
    lessons: list[tuple[str, int]] = field(default_factory=list)

    @property
    def hours(self) -> int:
        return sum(hours for _code, hours in self.lessons)


@dataclass
class TeacherSpec:
    department: str
    bundles: list[Bundle] = field(default_factory=list)

    @property
    def load(self) -> int:
        return sum(bundle.hours for bundle in self.bundles)

    @property
    def class_indices(self) -> list[int]:
        return sorted({bundle.class_index for bundle in self.bundles})


def _bundles(classes: list[ClassSpec]) -> dict[str, list[Bundle]]:
    """Bundles by department; every primary class is a department of its own (its own teacher)."""
    by_key: dict[tuple[str, int, int | None], Bundle] = {}
    for group in classes:
        for code, hours in CURRICULUM[group.grade].items():
            dept = department(code, group.grade)
            if dept == "primary":
                dept = f"primary:{group.index}"
            for subgroup in SUBGROUPS if is_split(code, group.grade) else (None,):
                key = (dept, group.index, subgroup)
                by_key.setdefault(key, Bundle(group.index, subgroup)).lessons.append((code, hours))
    departments: dict[str, list[Bundle]] = defaultdict(list)
    for (dept, _index, _subgroup), bundle in by_key.items():
        departments[dept].append(bundle)
    return departments


def _allocate(dept: str, bundles: list[Bundle], classes: list[ClassSpec], target: int) -> list[TeacherSpec]:
    """Share a department's bundles among enough teachers: the least loaded first, preferring one
    who already teaches that grade (teachers take parallel classes), never both subgroups of a class."""
    total = sum(bundle.hours for bundle in bundles)
    split = any(bundle.subgroup for bundle in bundles)
    teachers = [TeacherSpec(dept) for _ in range(max(2 if split else 1, round(total / target)))]
    cap = math.ceil(total / len(teachers)) + 2
    for bundle in bundles:
        grade = classes[bundle.class_index].grade
        allowed = [
            t
            for t in teachers
            if not (bundle.subgroup and any(b.class_index == bundle.class_index for b in t.bundles))
        ]
        best = min(
            allowed,
            key=lambda t: (
                t.load + bundle.hours > cap,
                # When everyone is full, the least loaded takes it whatever grades they teach.
                t.load if t.load + bundle.hours > cap else 0,
                not any(classes[b.class_index].grade == grade for b in t.bundles),
                t.load,
                teachers.index(t),
            ),
        )
        best.bundles.append(bundle)
    return [t for t in teachers if t.bundles]


def staff(classes: list[ClassSpec], *, target: int = TARGET_LOAD) -> list[TeacherSpec]:
    """The school's teachers: one primary teacher per class of grades 1–4, then each department's."""
    teachers: list[TeacherSpec] = []
    departments = _bundles(classes)
    for dept in sorted(
        departments, key=lambda d: (not d.startswith("primary:"), d.startswith("primary:") and int(d[8:]), d)
    ):
        if dept.startswith("primary:"):
            teachers.append(TeacherSpec("primary", departments[dept]))
        else:
            teachers.extend(_allocate(dept, departments[dept], classes, target))
    return teachers


def class_teachers(classes: list[ClassSpec], teachers: list[TeacherSpec]) -> dict[int, int]:
    """Class index → teacher index. A primary class is led by its own teacher; an older one by a
    teacher who teaches the whole class a main subject and leads no other class yet."""
    leading: dict[int, int] = {}
    for t_index, teacher in enumerate(teachers):
        if teacher.department == "primary":
            leading[teacher.bundles[0].class_index] = t_index
    taken = set(leading.values())
    rank = {dept: i for i, dept in enumerate(CLASS_TEACHER_PRIORITY)}
    for group in classes:
        if group.index in leading:
            continue
        teaching = [
            (rank.get(teacher.department, len(rank)), bundle.subgroup is not None, t_index)
            for t_index, teacher in enumerate(teachers)
            for bundle in teacher.bundles
            if bundle.class_index == group.index
        ]
        free = sorted(item for item in teaching if item[2] not in taken)
        chosen = free[0][2] if free else min(teaching)[2]
        leading[group.index] = chosen
        taken.add(chosen)
    return leading
