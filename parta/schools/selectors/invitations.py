"""Guardianship invitations: those a school has sent for a class group, those a user may answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from parta.schools.access import open_invitations_to
from parta.schools.models import ClassGroup, Enrolment, GuardianshipInvitation

# --- guardianship invitations ------------------------------------------------------------


@dataclass(frozen=True)
class SentInvitationRow:
    id: int
    login: str
    student: str
    relation: str
    state: str
    invited_by: str
    created_at: dt.datetime
    expires_at: dt.datetime
    open: bool


def sent_invitations(group: ClassGroup) -> list[SentInvitationRow]:
    """The invitations to the guardianship of the class group's students, newest first: one query.

    The school sees four states: accepted, withdrawn, expired and waiting. A declined invitation
    stays "waiting" until it expires, as one to a login nobody holds does, so that no state
    tells the school that an account exists before its holder accepts."""
    now = timezone.now()
    invitations = (
        GuardianshipInvitation.objects.filter(
            school_id=group.school_id,
            student_id__in=Enrolment.objects.filter(class_group=group).values("student_id"),
        )
        .select_related("student", "invited_by")
        .order_by("-created_at", "-pk")
    )
    rows = []
    for invitation in invitations:
        is_open = False
        if invitation.status == GuardianshipInvitation.Status.ACCEPTED:
            state = _("accepted")
        elif invitation.withdrawn_at is not None:
            state = _("withdrawn")
        elif invitation.expires_at <= now:
            state = _("expired")
        else:
            state, is_open = _("waiting for an answer"), True
        rows.append(
            SentInvitationRow(
                id=invitation.pk,
                login=invitation.login,
                student=invitation.student.full_name or invitation.student.username,
                relation=invitation.get_relation_display(),
                state=state,
                invited_by=invitation.invited_by.short_name,
                created_at=invitation.created_at,
                expires_at=invitation.expires_at,
                open=is_open,
            )
        )
    return rows


@dataclass(frozen=True)
class ReceivedInvitationRow:
    id: int
    school: str
    student: str
    relation: str
    invited_by: str
    expires_at: dt.datetime


def received_invitations(user: Any) -> list[ReceivedInvitationRow]:
    """The invitations the user may still answer, oldest first: one query."""
    invitations = (
        open_invitations_to(user)
        .select_related("school", "student", "invited_by")
        .order_by("created_at", "pk")
    )
    return [
        ReceivedInvitationRow(
            id=invitation.pk,
            school=invitation.school.name,
            student=invitation.student.full_name or invitation.student.username,
            relation=invitation.get_relation_display(),
            invited_by=invitation.invited_by.full_name,
            expires_at=invitation.expires_at,
        )
        for invitation in invitations
    ]
