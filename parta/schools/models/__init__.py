"""The school's structure: city → district → school → building, years and periods,
class groups and subgroups, subjects, rooms, enrolment, staff and teaching assignments.

Every school-scoped table carries ``school`` (denormalised where needed) so that hot
queries filter by it and a city can later distribute tables by school.
"""

from parta.schools.models.calendar import AcademicYear, Holiday, StudyPeriod
from parta.schools.models.classes import (
    ClassGroup,
    Enrolment,
    StudentMove,
    Subgroup,
    SubgroupMembership,
    Subject,
)
from parta.schools.models.places import Building, City, District, Room, School
from parta.schools.models.staff import CityRole, GuardianshipInvitation, StaffMembership, TeachingAssignment

__all__ = [
    "AcademicYear",
    "Building",
    "City",
    "CityRole",
    "ClassGroup",
    "District",
    "Enrolment",
    "GuardianshipInvitation",
    "Holiday",
    "Room",
    "School",
    "StaffMembership",
    "StudentMove",
    "StudyPeriod",
    "Subgroup",
    "SubgroupMembership",
    "Subject",
    "TeachingAssignment",
]
