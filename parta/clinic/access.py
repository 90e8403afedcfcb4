"""Who may read the school's sick notes: its administrators all of them, a class teacher those of
the students of the class groups they lead (in the year of the note's days). Nobody else — not
the subject teachers, not the families (the journal and the diary show them the sick days).
A note that is not yours answers 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from parta.clinic.models import SickNote
from parta.schools.access import roles_of
from parta.schools.models import ClassGroup, Enrolment


def notes_readable_by(user: Any) -> Q:
    """A Q over SickNote."""
    roles = roles_of(user)
    if roles.is_superuser:
        return Q()
    if not roles.user_id:
        return Q(pk__in=[])
    q = Q(school_id__in=roles.admin_school_ids)
    if roles.teacher_school_ids:
        led = Enrolment.objects.filter(
            student_id=OuterRef("student_id"),
            school_id=OuterRef("school_id"),
            class_group__class_teacher_id=roles.user_id,
            year__starts_on__lte=OuterRef("ends_on"),
            year__ends_on__gte=OuterRef("starts_on"),
        )
        q |= Q(Exists(led), school_id__in=roles.teacher_school_ids)
    return q


def may_read_notes(user: Any) -> bool:
    """The user administers a school or leads a class group of a school where they teach: the
    list of notes is theirs to open (empty or not). At most one query."""
    roles = roles_of(user)
    if roles.is_superuser or roles.admin_school_ids:
        return True
    if not roles.teacher_school_ids:
        return False
    return ClassGroup.objects.filter(
        class_teacher_id=roles.user_id, school_id__in=roles.teacher_school_ids
    ).exists()


def access_note(user: Any, note_pk: int) -> SickNote:
    note = SickNote.objects.filter(notes_readable_by(user), pk=note_pk).first()
    if note is None:
        raise Http404
    return note
