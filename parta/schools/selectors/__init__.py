"""Reads of a school's structure for the administrator's pages and for other apps' pages,
and of who the signed-in user is (``me_summary``, for ``/api/v1/me``). One module per use-case;
every public name is importable from here.

Each function answers with plain data in a fixed number of queries, whatever the size of the
school. The school structure reads trust that the caller has passed the access check
(``access_school(..., for_admin=True)``); ``me_summary`` reads only what the user's own roles reach.

- ``structure`` — ``subject_names``, ``class_group_rows`` / ``class_group_detail``, ``staff_list``,
  ``assignment_rows``;
- ``years`` — ``school_years``, ``choose_year``, ``current_years``, ``periods_and_holidays``,
  ``holidays_between``;
- ``people`` — ``student_placement``, ``children_of``, ``teachers_of``, ``teacher_school_ids``;
- ``buildings`` — ``buildings_with_rooms``;
- ``moves`` — ``student_moves``, the history of moves between class groups and out of the school;
- ``me`` — ``me_summary``;
- ``invitations`` — ``sent_invitations``, ``received_invitations``;
- ``accounts`` — ``never_signed_in``, ``people_of_school``: who may get a sign-in invitation.
"""

from parta.schools.selectors.accounts import ROLES, AccountRow, never_signed_in, people_of_school
from parta.schools.selectors.buildings import BuildingRow, RoomRow, buildings_with_rooms
from parta.schools.selectors.invitations import (
    ReceivedInvitationRow,
    SentInvitationRow,
    received_invitations,
    sent_invitations,
)
from parta.schools.selectors.me import (
    Child,
    ClassGroupRef,
    Me,
    NamedRef,
    TaughtClassGroup,
    me_summary,
)
from parta.schools.selectors.moves import MoveRow, student_moves
from parta.schools.selectors.people import (
    Placement,
    children_of,
    group_readers,
    student_placement,
    subjects_taught,
    teacher_school_ids,
    teachers_of,
)
from parta.schools.selectors.structure import (
    AdminRow,
    AssignmentRow,
    ClassGroupDetail,
    ClassGroupRow,
    GuardianRow,
    StaffList,
    StudentRow,
    SubgroupRow,
    TeacherRow,
    assignment_rows,
    class_group_detail,
    class_group_rows,
    staff_list,
    subject_names,
)
from parta.schools.selectors.years import (
    HolidayRow,
    PeriodsAndHolidays,
    choose_year,
    current_years,
    holidays_between,
    periods_and_holidays,
    pick_current_year,
    school_years,
)

__all__ = [
    "ROLES",
    "AccountRow",
    "AdminRow",
    "AssignmentRow",
    "BuildingRow",
    "Child",
    "ClassGroupDetail",
    "ClassGroupRef",
    "ClassGroupRow",
    "GuardianRow",
    "HolidayRow",
    "Me",
    "MoveRow",
    "NamedRef",
    "PeriodsAndHolidays",
    "Placement",
    "ReceivedInvitationRow",
    "RoomRow",
    "SentInvitationRow",
    "StaffList",
    "StudentRow",
    "SubgroupRow",
    "TaughtClassGroup",
    "TeacherRow",
    "assignment_rows",
    "buildings_with_rooms",
    "children_of",
    "choose_year",
    "class_group_detail",
    "class_group_rows",
    "current_years",
    "group_readers",
    "holidays_between",
    "me_summary",
    "never_signed_in",
    "people_of_school",
    "periods_and_holidays",
    "pick_current_year",
    "received_invitations",
    "school_years",
    "sent_invitations",
    "staff_list",
    "student_moves",
    "student_placement",
    "subject_names",
    "subjects_taught",
    "teacher_school_ids",
    "teachers_of",
]
