"""Writes of a school's structure, one function per action of the school administrator. One module
per use-case (``common`` holds what they share); every public name is importable from here.

Each service takes the acting user first and keyword-only arguments, checks access itself
(a view may forget; a service may not), validates every rule, and either writes everything
or raises ``ValidationError`` with a field dict and writes nothing. The keys of that dict
are the names of the fields on the page's form, so the form shows each message in place.

- ``structure`` — ``class_group_create``, ``teaching_assignment_create`` (and ``assignment_created``,
  the event every path that makes an assignment sends), ``study_period_save``;
- ``enrolment`` — ``student_enrol`` (an existing account or a new one, and a guardian);
- ``invitations`` — ``guardian_invite`` / ``guardian_invitation_withdraw`` / ``guardian_invitation_answer``;
- ``machine_clients`` — a school's devices and partners' clients: create, rotate, revoke;
- ``buildings`` — ``building_save`` / ``building_delete``, ``room_save`` / ``room_delete``;
- ``calendar`` — ``holiday_save`` / ``holiday_delete``;
- ``subgroups`` — ``subgroup_save`` / ``subgroup_delete``, ``subgroup_members_set``;
- ``moves`` — ``student_move``: to another class group or out of the school, with a history row;
- ``schools`` — ``school_create``, a new school and its first administrator;
- ``years`` — ``year_start``: the next academic year, its periods and holidays a year on, the
  class groups a grade up with their students (and, if asked, their teaching assignments);
- ``accounts`` — ``sign_in_invitations_send``: links to choose a password, for who never signed in;
- ``common`` — ``NewPerson`` and what the writes share.
"""

from parta.schools.services.accounts import InvitationsQueued, sign_in_invitations_send
from parta.schools.services.buildings import (
    MAX_CAPACITY,
    MIN_CAPACITY,
    building_delete,
    building_save,
    room_delete,
    room_save,
)
from parta.schools.services.calendar import holiday_delete, holiday_save
from parta.schools.services.common import (
    EMAIL_MAX_LENGTH,
    INVITATION_LIFETIME,
    LOGIN_MAX_LENGTH,
    NAME_MAX_LENGTH,
    USERNAME_MAX_LENGTH,
    USERNAME_SUFFIX_ROOM,
    NewPerson,
    uses_of,
)
from parta.schools.services.enrolment import (
    EnrolmentResult,
    student_enrol,
)
from parta.schools.services.invitations import (
    guardian_invitation_answer,
    guardian_invitation_withdraw,
    guardian_invite,
)
from parta.schools.services.machine_clients import (
    machine_client_for_school_create,
    machine_client_of_school_revoke,
    machine_client_of_school_rotate,
)
from parta.schools.services.moves import student_move
from parta.schools.services.schools import (
    PLACE_NAME_MAX_LENGTH,
    SCHOOL_NAME_MAX_LENGTH,
    SCHOOL_SHORT_NAME_MAX_LENGTH,
    NewSchool,
    school_create,
)
from parta.schools.services.structure import (
    ASSIGNMENT_CREATED,
    CLASS_LETTER,
    MAX_GRADE,
    MAX_HOURS,
    MAX_PERIOD_NUMBER,
    MIN_GRADE,
    MIN_HOURS,
    assignment_created,
    class_group_create,
    study_period_save,
    teaching_assignment_create,
)
from parta.schools.services.subgroups import (
    MAX_SUBGROUP,
    MIN_SUBGROUP,
    subgroup_delete,
    subgroup_members_set,
    subgroup_save,
)
from parta.schools.services.years import YearStart, next_year_defaults, year_start

__all__ = [
    "ASSIGNMENT_CREATED",
    "CLASS_LETTER",
    "EMAIL_MAX_LENGTH",
    "INVITATION_LIFETIME",
    "LOGIN_MAX_LENGTH",
    "MAX_CAPACITY",
    "MAX_GRADE",
    "MAX_HOURS",
    "MAX_PERIOD_NUMBER",
    "MAX_SUBGROUP",
    "MIN_CAPACITY",
    "MIN_GRADE",
    "MIN_HOURS",
    "MIN_SUBGROUP",
    "NAME_MAX_LENGTH",
    "PLACE_NAME_MAX_LENGTH",
    "SCHOOL_NAME_MAX_LENGTH",
    "SCHOOL_SHORT_NAME_MAX_LENGTH",
    "USERNAME_MAX_LENGTH",
    "USERNAME_SUFFIX_ROOM",
    "EnrolmentResult",
    "InvitationsQueued",
    "NewPerson",
    "NewSchool",
    "YearStart",
    "assignment_created",
    "building_delete",
    "building_save",
    "class_group_create",
    "guardian_invitation_answer",
    "guardian_invitation_withdraw",
    "guardian_invite",
    "holiday_delete",
    "holiday_save",
    "machine_client_for_school_create",
    "machine_client_of_school_revoke",
    "machine_client_of_school_rotate",
    "next_year_defaults",
    "room_delete",
    "room_save",
    "school_create",
    "sign_in_invitations_send",
    "student_enrol",
    "student_move",
    "study_period_save",
    "subgroup_delete",
    "subgroup_members_set",
    "subgroup_save",
    "teaching_assignment_create",
    "uses_of",
    "year_start",
]
