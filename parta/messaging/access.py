"""Who may write to whom, and who may open a conversation.

Nobody writes outside their school relationships:

- a guardian writes to the teachers of their children's class groups (by a teaching assignment
  or as the class teacher) and to the administrators of their children's schools;
- a teacher writes to the guardians of the students of the class groups they teach or lead, and
  to their colleagues in their schools;
- a school administrator writes to every family and every member of staff of their school;
- a student writes to no one: the child is never a participant of a parent ↔ teacher conversation.

A conversation opens only for its participants; anything else answers 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from parta.accounts.models import Guardianship, User
from parta.messaging.models import Conversation, MessageAttachment, Participant
from parta.schools.access import Roles, roles_of, staff_class_groups
from parta.schools.models import ClassGroup, Enrolment, StaffMembership, TeachingAssignment


def _nothing() -> Q:
    return Q(pk__in=[])


def _children_groups(roles: Roles) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(student_id__in=roles.child_ids)


def contacts_q(user: Any) -> Q:
    """A Q over User: the people this user may write to (never themselves)."""
    roles = roles_of(user)
    if not roles.user_id:
        return _nothing()
    q = _nothing()
    if roles.child_ids:
        child_groups = _children_groups(roles).values("class_group_id")
        child_schools = _children_groups(roles).values("school_id")
        teachers = Q(
            pk__in=TeachingAssignment.objects.filter(class_group_id__in=child_groups).values("teacher_id")
        ) | Q(pk__in=ClassGroup.objects.filter(pk__in=child_groups).values("class_teacher_id"))
        # Only while they still teach at the school: a teacher who left is no longer a contact.
        teachers &= Q(
            pk__in=StaffMembership.objects.filter(
                school_id__in=child_schools, role=StaffMembership.Role.TEACHER
            ).values("user_id")
        )
        q |= teachers
        q |= Q(
            pk__in=StaffMembership.objects.filter(
                school_id__in=child_schools, role=StaffMembership.Role.ADMIN
            ).values("user_id")
        )
    if roles.staff_school_ids:
        groups = ClassGroup.objects.filter(staff_class_groups(roles)).values("pk")
        students = Enrolment.objects.filter(class_group_id__in=groups).values("student_id")
        q |= Q(pk__in=Guardianship.objects.filter(student_id__in=students).values("guardian_id"))
        q |= Q(pk__in=StaffMembership.objects.filter(school_id__in=roles.staff_school_ids).values("user_id"))
    return q & Q(is_active=True) & ~Q(pk=roles.user_id)


def contacts_for(user: Any) -> QuerySet[User]:
    """The people this user may write to: one query when evaluated."""
    return User.objects.filter(contacts_q(user))


def is_contact(user: Any, person_id: int) -> bool:
    return contacts_for(user).filter(pk=person_id).exists()


def student_link_school(actor: Any, recipient: User, student_id: int) -> int | None:
    """The school in which a conversation between ``actor`` and ``recipient`` about this student
    takes place, or None if the student does not link them: one of the two must be the student's
    guardian and the other must reach the student's class group through work."""
    actor_roles, recipient_roles = roles_of(actor), roles_of(recipient)
    if student_id in actor_roles.child_ids:
        staff = recipient_roles
    elif student_id in recipient_roles.child_ids:
        staff = actor_roles
    else:
        return None
    if not staff.staff_school_ids:
        return None
    return (
        Enrolment.objects.filter(
            student_id=student_id, class_group__in=ClassGroup.objects.filter(staff_class_groups(staff))
        )
        .order_by("-year__starts_on")
        .values_list("school_id", flat=True)
        .first()
    )


def shared_school(actor: Any, recipient: User) -> int | None:
    """A school both belong to (as staff, or as a child's guardian): where a conversation not
    about a particular child takes place. One query at most."""
    actor_roles, recipient_roles = roles_of(actor), roles_of(recipient)
    family_ids = actor_roles.child_ids | recipient_roles.child_ids
    enrolled = (
        list(Enrolment.objects.filter(student_id__in=family_ids).values_list("student_id", "school_id"))
        if family_ids
        else []
    )

    def schools(roles: Roles) -> set[int]:
        return set(roles.staff_school_ids) | {
            school for student, school in enrolled if student in roles.child_ids
        }

    common = schools(actor_roles) & schools(recipient_roles)
    return min(common) if common else None


# --- conversations -----------------------------------------------------------------------


def access_participant(user: Any, conversation_id: int) -> Participant:
    """The user's place in the conversation (with the conversation), or 404."""
    roles = roles_of(user)
    participant = (
        Participant.objects.select_related(
            "conversation", "conversation__class_group", "conversation__student"
        )
        .filter(user_id=roles.user_id, conversation_id=conversation_id)
        .first()
        if roles.user_id
        else None
    )
    if participant is None:
        raise Http404
    return participant


def access_conversation(user: Any, conversation_id: int) -> Conversation:
    return access_participant(user, conversation_id).conversation


def access_attachment(user: Any, attachment_id: int) -> MessageAttachment:
    """A file of a message in one of the user's conversations, or 404."""
    roles = roles_of(user)
    attachment = (
        MessageAttachment.objects.filter(
            pk=attachment_id,
            message__conversation_id__in=Participant.objects.filter(user_id=roles.user_id).values(
                "conversation_id"
            ),
        ).first()
        if roles.user_id
        else None
    )
    if attachment is None:
        raise Http404
    return attachment


# --- announcements -----------------------------------------------------------------------


def class_groups_announceable_by(user: Any) -> Q:
    """A Q over ClassGroup: the class groups whose families the user may announce to — the class
    teacher's own (in a school where they still teach) and every class of an administrator's school."""
    roles = roles_of(user)
    if not roles.user_id:
        return _nothing()
    return Q(school_id__in=roles.admin_school_ids) | Q(
        class_teacher_id=roles.user_id, school_id__in=roles.teacher_school_ids
    )


def access_announce_class_group(user: Any, class_group_id: int) -> ClassGroup:
    group = (
        ClassGroup.objects.select_related("school")
        .filter(class_groups_announceable_by(user), pk=class_group_id)
        .first()
    )
    if group is None:
        raise Http404
    return group
