"""What the writes of a school share: the administrator's check, inserts that a concurrent request
may beat, a new person's account (checks, first password), and the making of a guardianship
invitation (at enrolment and on its own)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.accounts.models import User
from parta.core.errors import FieldErrors
from parta.schools.access import access_school
from parta.schools.models import GuardianshipInvitation, School

T = TypeVar("T")


def _admin_school(actor: Any, school_id: int) -> School:
    # Raises Http404 for anyone who is not this school's administrator.
    return access_school(actor, school_id, for_admin=True)


def _insert_unique(insert: Callable[[], T], duplicate: Callable[[], str | None], field_name: str) -> T:
    """``insert()`` in a savepoint. The services check uniqueness before they write, but a
    concurrent request can insert the same row between that check and this insert; the database's
    unique constraint then refuses it, and the user gets the check's message, not an error page.

    ``duplicate()`` answers the check's message once the rival row is there (None when the
    ``IntegrityError`` had another cause, which is then raised as it is).
    """
    try:
        with transaction.atomic():
            return insert()
    except IntegrityError:
        message = duplicate()
        if message is None:
            raise
        raise ValidationError({field_name: [message]}) from None


# --- a new person's account (a student, a guardian, a school's first administrator) -----------


@dataclass(frozen=True)
class NewPerson:
    last_name: str
    first_name: str
    middle_name: str = ""
    email: str = ""


# Logins are made from names; the longest Russian name transliterates to four times its length
# («щ» is “shch”), so the base is cut to leave room for the number that makes a login unique.
USERNAME_MAX_LENGTH = 150  # User.username
USERNAME_SUFFIX_ROOM = 6  # up to 999999 people with the same base
NAME_MAX_LENGTH = 150  # User.last_name, first_name, middle_name
EMAIL_MAX_LENGTH = 254  # User.email


def _temporary_password() -> str:
    # No look-alike characters (0/O, 1/l/I): the password is read off a printed slip.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


def _check_new_person(errors: FieldErrors, prefix: str, person: NewPerson) -> None:
    if not person.last_name.strip():
        errors.add(f"{prefix}_last_name", _("Enter the last name."))
    if not person.first_name.strip():
        errors.add(f"{prefix}_first_name", _("Enter the first name."))
    for name, value in (
        ("last_name", person.last_name),
        ("first_name", person.first_name),
        ("middle_name", person.middle_name),
    ):
        if len(value.strip()) > NAME_MAX_LENGTH:
            errors.add(f"{prefix}_{name}", _("Use at most %(max)d characters.") % {"max": NAME_MAX_LENGTH})
    if len(person.email.strip()) > EMAIL_MAX_LENGTH:
        errors.add(f"{prefix}_email", _("Use at most %(max)d characters.") % {"max": EMAIL_MAX_LENGTH})
    elif person.email:
        try:
            validate_email(person.email.strip())
        except ValidationError:
            errors.add(f"{prefix}_email", _("Enter a valid e-mail address."))


def _new_user(person: NewPerson) -> tuple[User, str]:
    """The account of a new person, not saved yet, and its first password."""
    password = _temporary_password()
    user = User(
        last_name=person.last_name.strip(),
        first_name=person.first_name.strip(),
        middle_name=person.middle_name.strip(),
        email=person.email.strip(),
        must_change_password=True,  # the slip's password is for the first sign-in only
    )
    user.set_password(password)
    return user, password


# --- guardianship invitations (made at enrolment and on their own) -------------------------


# How long the holder of an account has to answer an invitation to become a guardian.
INVITATION_LIFETIME = dt.timedelta(days=14)
LOGIN_MAX_LENGTH = 254  # GuardianshipInvitation.login: a login or an e-mail address


def _check_invitation_login(errors: FieldErrors, name: str, login: str) -> None:
    # Only the form of what was typed is checked: whether an account has this login or address
    # must not show in any answer, so a school cannot probe the city's accounts.
    if not login.strip():
        errors.add(name, _("Enter the login or the e-mail address of the guardian."))
    elif len(login.strip()) > LOGIN_MAX_LENGTH:
        errors.add(name, _("Use at most %(max)d characters.") % {"max": LOGIN_MAX_LENGTH})


def _invitee(login: str) -> User | None:
    """The active account a login names, or else the one active account an e-mail address names
    (none when several share it: the invitation must reach one person)."""
    user = User.objects.filter(username=login, is_active=True).first()
    if user is not None or "@" not in login:
        return user
    by_email = list(User.objects.filter(email__iexact=login, is_active=True)[:2])
    return by_email[0] if len(by_email) == 1 else None


def _invite(
    *, actor: Any, school: School, student: User, login: str, relation: str
) -> GuardianshipInvitation:
    login = login.strip()
    now = timezone.now()
    # The same invitation again while the first is open: one row, and the holder one notice.
    open_one = GuardianshipInvitation.objects.filter(
        school=school,
        student=student,
        login__iexact=login,
        status=GuardianshipInvitation.Status.PENDING,
        withdrawn_at__isnull=True,
        expires_at__gt=now,
    ).first()
    if open_one is not None:
        return open_one
    return GuardianshipInvitation.objects.create(
        school=school,
        student=student,
        login=login,
        relation=relation,
        invitee=_invitee(login),
        invited_by=actor,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )


# --- what refers to a row (before it is deleted) -------------------------------------------


def uses_of(row: Any, *, ignore: tuple[type[Any], ...] = ()) -> list[str]:
    """The kinds of rows (their plural names, in the active language) that refer to ``row``, from
    the models' own relations: an app low in the dependency order learns that the timetable's
    lessons use a room without importing the timetable. One ``EXISTS`` per relation; ``ignore``
    skips relations whose rows may go with ``row`` (a subgroup's memberships)."""
    found: list[str] = []
    for relation in row._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and relation.one_to_many):
            continue
        model = relation.related_model
        if model in ignore:
            continue
        if model._default_manager.filter(**{relation.field.name: row}).exists():
            name = str(model._meta.verbose_name_plural)
            if name not in found:
                found.append(name)
    return found
