"""Guardianship invitations: the school invites, withdraws; the holder of the account answers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.accounts.models import Guardianship, User
from parta.core.errors import FieldErrors
from parta.schools.access import access_invitation_received, access_invitation_sent
from parta.schools.models import Enrolment, GuardianshipInvitation, School, StaffMembership
from parta.schools.services.common import _admin_school, _check_invitation_login, _invite


@transaction.atomic
def guardian_invite(
    *, actor: Any, school: School, student: User, login: str, relation: str
) -> GuardianshipInvitation:
    """Invite the holder of an existing account (a login or an e-mail address) to become a
    guardian of a student of the school. The result is the same whether or not such an account
    exists; who may become a guardian is checked when the holder accepts."""
    school = _admin_school(actor, school.pk)
    if not Enrolment.objects.filter(school=school, student=student).exists():
        raise Http404  # not a student of this school: as if it did not exist
    errors = FieldErrors()
    _check_invitation_login(errors, "login", login)
    if relation not in Guardianship.Relation.values:
        errors.add("relation", _("Choose the relation to the student."))
    errors.raise_if_any()
    return _invite(actor=actor, school=school, student=student, login=login, relation=relation)


@transaction.atomic
def guardian_invitation_withdraw(*, actor: Any, invitation_id: int) -> GuardianshipInvitation:
    """Withdraw an invitation that is still open to the school. A declined one can be withdrawn
    too: to the school it looks open until it expires, as an invitation to no account does."""
    invitation = access_invitation_sent(actor, invitation_id)
    invitation = GuardianshipInvitation.objects.select_for_update().get(pk=invitation.pk)
    if (
        invitation.status == GuardianshipInvitation.Status.ACCEPTED
        or invitation.withdrawn_at is not None
        or invitation.expires_at <= timezone.now()
    ):
        raise ValidationError({"invitation": [_("This invitation is no longer open.")]})
    invitation.withdrawn_by = actor
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_by", "withdrawn_at"])
    return invitation


def _guardian_refusal(user: User, student: User) -> str | None:
    """Why this account may not become the student's guardian (None when it may): a child, the
    school and city back office, and the staff of any school are not guardians by invitation."""
    if (
        user.pk == student.pk
        or user.is_superuser
        or user.is_staff
        or StaffMembership.objects.filter(user=user).exists()
        or Enrolment.objects.filter(student=user).exists()
    ):
        return _("This account cannot become a guardian. Please ask the school.")
    return None


@transaction.atomic
def guardian_invitation_answer(*, actor: Any, invitation_id: int, accept: bool) -> GuardianshipInvitation:
    """The invited holder accepts (the guardianship is made) or declines an open invitation."""
    # Locked, so that a withdrawal and an answer at the same moment take turns.
    invitation = access_invitation_received(actor, invitation_id, lock=True)
    if accept:
        refusal = _guardian_refusal(actor, invitation.student)
        if refusal is not None:
            raise ValidationError({"invitation": [refusal]})
        Guardianship.objects.get_or_create(
            guardian=actor, student=invitation.student, defaults={"relation": invitation.relation}
        )
    invitation.status = (
        GuardianshipInvitation.Status.ACCEPTED if accept else GuardianshipInvitation.Status.DECLINED
    )
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "answered_at"])
    return invitation
