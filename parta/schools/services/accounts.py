"""The school's sign-in invitations: a link to choose a password, e-mailed to people the school
enrolled or imported who have never signed in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils import translation

from parta.accounts.models import User
from parta.schools.selectors.accounts import people_of_school
from parta.schools.services.common import _admin_school

# One request sends at most this many (a class, a page of the list); the rest wait for the next.
MAX_INVITATIONS = 500


@dataclass(frozen=True)
class InvitationsQueued:
    queued: int  # e-mails the worker will send
    without_email: int  # chosen people who have no address: their slip is the way in
    signed_in: int  # chosen people who have signed in since the page was drawn: not sent


def sign_in_invitations_send(*, actor: Any, school_id: int, user_ids: list[int]) -> InvitationsQueued:
    """Queue an invitation for each chosen person who has an e-mail address and has never signed in.
    A person who is not the school's (staff, a student of a year not ended, their guardian) is a
    404: the form offers none. The e-mails go out from the worker, in the sender's language."""
    from parta.schools.tasks import send_sign_in_invitations_task

    school = _admin_school(actor, school_id)
    ids = set(user_ids[:MAX_INVITATIONS])
    people = list(
        User.objects.filter(people_of_school(school.pk), pk__in=ids, is_active=True).values_list(
            "pk", "email", "last_login"
        )
    )
    if len(people) != len(ids):
        raise Http404
    to_send = [pk for pk, email, last_login in people if email and last_login is None]
    if to_send:
        send_sign_in_invitations_task.delay(school.pk, to_send, translation.get_language() or "ru")
    return InvitationsQueued(
        queued=len(to_send),
        without_email=sum(1 for _pk, email, _at in people if not email),
        signed_in=sum(1 for _pk, email, last_login in people if email and last_login is not None),
    )


def sign_in_invitations_deliver(*, school_id: int, user_ids: list[int]) -> int:
    """The worker's half: e-mail each person who still has an address and has still never signed
    in; how many were sent. A failure of one address does not stop the others."""
    from parta.accounts.services import sign_in_invitation_send
    from parta.schools.models import School

    school = School.objects.get(pk=school_id)
    sent = 0
    waiting = User.objects.filter(pk__in=user_ids, is_active=True, last_login__isnull=True).exclude(email="")
    for user in waiting:
        sign_in_invitation_send(user=user, school_name=school.short_name)
        sent += 1
    return sent
