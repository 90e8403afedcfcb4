"""Who may read and write a journal.

- A teacher **writes** the journals of their own teaching assignments (a class group or subgroup ×
  a subject) and the lessons they actually teach (a substitution: ``Lesson.teacher``), in a school
  where they still teach.
- The class teacher **reads** every journal of their class group; the school administrator reads
  every journal of the school and may also **write** (an edit in a closed period still needs a
  reason — the services check that).
- Anything else answers 404 (never 403), so ids cannot be probed. Reading a journal one may see but
  not write answers 403 to a write: the journal is visible to them already.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from parta.core import rows
from parta.schools.access import Roles, roles_of
from parta.schools.models import TeachingAssignment
from parta.timetable.access import teaches_lesson
from parta.timetable.models import Lesson


def _nothing() -> Q:
    return Q(pk__in=[])


def _own_assignments(roles: Roles, prefix: str = "") -> Q:
    return Q(**{f"{prefix}teacher_id": roles.user_id, f"{prefix}school_id__in": roles.teacher_school_ids})


def journal_assignments_readable_by(user: Any) -> Q:
    """A Q over TeachingAssignment: the teacher's own, the class teacher's class group's, the
    administrator's school's."""
    roles = roles_of(user)
    if roles.is_superuser:
        return Q()
    if not roles.user_id:
        return _nothing()
    return (
        _own_assignments(roles)
        | Q(class_group__class_teacher_id=roles.user_id, school_id__in=roles.teacher_school_ids)
        | Q(school_id__in=roles.admin_school_ids)
    )


def journal_assignments_writable_by(user: Any) -> Q:
    """A Q over TeachingAssignment: the teacher's own and the administrator's school's."""
    roles = roles_of(user)
    if roles.is_superuser:
        return Q()
    if not roles.user_id:
        return _nothing()
    return _own_assignments(roles) | Q(school_id__in=roles.admin_school_ids)


def can_write_assignment(user: Any, assignment: TeachingAssignment) -> bool:
    roles = roles_of(user)
    if roles.is_superuser or assignment.school_id in roles.admin_school_ids:
        return True
    return assignment.teacher_id == roles.user_id and assignment.school_id in roles.teacher_school_ids


def can_write_lesson(user: Any, lesson: Lesson) -> bool:
    """The lesson's own teacher (a substitute too), the assignment's teacher, or the school's admin.
    ``lesson.assignment`` is read, so fetch it with ``select_related("assignment")``."""
    return lesson.school_id in roles_of(user).admin_school_ids or teaches_lesson(user, lesson)


def _reads_assignment(roles: Roles, assignment: TeachingAssignment) -> bool:
    """``journal_assignments_readable_by`` for one assignment, decided from the roles without a
    query; ``assignment.class_group`` is read, so fetch it with ``select_related``."""
    if roles.is_superuser or assignment.school_id in roles.admin_school_ids:
        return True
    if assignment.school_id not in roles.teacher_school_ids:
        return False
    return roles.user_id in (assignment.teacher_id, assignment.class_group.class_teacher_id)


def _reads_lesson(roles: Roles, lesson: Lesson) -> bool:
    """Whether the user reads this lesson's journal: the assignment's readers, and the lesson's
    own teacher (a substitute), decided from the roles without a query; reads
    ``lesson.assignment.class_group``."""
    if _reads_assignment(roles, lesson.assignment):
        return True
    return lesson.teacher_id == roles.user_id and lesson.school_id in roles.teacher_school_ids


def _may_read_journals(roles: Roles) -> bool:
    """Only staff (and superusers) read journals: anyone else is refused without a query."""
    return roles.is_superuser or bool(roles.staff_school_ids)


# What a journal page shows of its assignment besides the class group (which access reads).
_ASSIGNMENT_DISPLAY = ("subgroup", "subject", "year", "teacher")


def access_assignment(user: Any, assignment_id: int, *, display: bool = True) -> TeachingAssignment:
    """The teaching assignment whose journal the user may read (404 otherwise); whether they may
    write it is ``can_write_assignment``. One query: the assignment by its key, the reader decided
    from the user's roles. ``display=False`` joins only the class group: for
    a check before a cached answer, where Django building the five-table join cost more than
    the rest of the request's own work."""
    roles = roles_of(user)
    if not _may_read_journals(roles):
        raise Http404
    related = ("class_group", *(_ASSIGNMENT_DISPLAY if display else ()))
    assignment = rows.by_key(TeachingAssignment, assignment_id, *related)
    if assignment is None or not _reads_assignment(roles, assignment):
        raise Http404
    return assignment


# What a page of a lesson shows besides the lesson; a write that shows nothing leaves them out.
_LESSON_DISPLAY = ("class_group", "subgroup", "subject", "topic")


def access_lesson(user: Any, lesson_id: int, *, for_write: bool = False, display: bool = True) -> Lesson:
    """The lesson whose journal the user may read (404 otherwise); with ``for_write``, a reader who
    may not write gets PermissionDenied (403). One query: the lesson by its key, the reader decided
    from the user's roles. ``display=False`` leaves out the class group, subgroup, subject and
    topic (read on first use): a write that shows none of them saves the joins, whose planning
    costs PostgreSQL more than the rest of the query."""
    roles = roles_of(user)
    if not _may_read_journals(roles):
        raise Http404
    related = ("assignment__class_group", *(_LESSON_DISPLAY if display else ()))
    lesson = rows.by_key(Lesson, lesson_id, *related)
    if lesson is None or not _reads_lesson(roles, lesson):
        raise Http404
    if for_write and not can_write_lesson(user, lesson):
        raise PermissionDenied
    return lesson


def access_lesson_by_machine(machine: Any, lesson_id: int) -> Lesson:
    """The lesson a machine principal (``parta.core.principals``) may record attendance at: one of
    its school, or of any school for a city-wide one (``school_id`` None); 404 otherwise. What it
    may record there is for its scopes to say (the services check them)."""
    lesson = rows.by_key(Lesson, lesson_id)
    if lesson is None or machine.school_id not in (None, lesson.school_id):
        raise Http404
    return lesson


def is_guardian_of(user: Any, student_id: int) -> bool:
    """The user is a guardian of the student (absence notices are the family's to give)."""
    roles = roles_of(user)
    return roles.is_superuser or student_id in roles.child_ids
