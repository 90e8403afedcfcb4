"""The schools app's read-cache freshness rules (``parta.core.freshness``): which tokens a save or
delete of its rows renews."""

from __future__ import annotations

from parta.core import freshness, versions
from parta.schools import models as m


def _enrolment(row: m.Enrolment) -> list[str]:
    return [versions.student(row.student_id), versions.class_group(row.class_group_id)]


def _membership(row: m.SubgroupMembership) -> list[str]:
    """The student's diary, and the subgroup's class group whose lists show them."""
    return [
        versions.student(row.student_id),
        *freshness.one_step(m.Subgroup, row.subgroup_id, "class_group_id", versions.class_group),
    ]


def _subgroup(row: m.Subgroup) -> list[str]:
    return [versions.class_group(row.class_group_id)]


def _class_group(row: m.ClassGroup) -> list[str]:
    return [versions.class_group(row.pk), versions.school(row.school_id)]


def _school(row: m.School) -> list[str]:
    return [versions.school(row.pk)]


def register() -> None:
    freshness.register(m.Enrolment, _enrolment)
    freshness.register(m.SubgroupMembership, _membership)
    freshness.register(m.Subgroup, _subgroup)
    freshness.register(m.ClassGroup, _class_group)
    freshness.register(m.School, _school)
    for calendar in (m.TeachingAssignment, m.AcademicYear, m.StudyPeriod, m.Holiday, m.Room, m.Building):
        freshness.register(calendar, freshness.of_school)
    # Names shown everywhere in the city.
    for named in (m.City, m.District, m.Subject):
        freshness.register(named, freshness.of_everything)
