"""Writes of accounts: people's API tokens, machine clients' credentials and their call log,
the secret of the calendar feed, what a password change revokes, the link that sets a password."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from rest_framework.settings import api_settings

from parta.accounts.models import (
    MACHINE_CREDENTIAL_PREFIX,
    PERSON_TOKEN_PREFIX,
    SHOWN_CHARACTERS,
    ApiToken,
    MachineCall,
    MachineClient,
    User,
    credential_hash,
    new_calendar_token,
)
from parta.accounts.scopes import is_scope

DEVICE_MAX_LENGTH = ApiToken._meta.get_field("device").max_length or 0


def _new_credential(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(30)


def _new_token(user_id: int, device: str, now: dt.datetime) -> tuple[ApiToken, str]:
    key = _new_credential(PERSON_TOKEN_PREFIX)
    token = ApiToken(
        user_id=user_id,
        device=device,
        key_hash=credential_hash(key),
        prefix=key[:SHOWN_CHARACTERS],
        created=now,
        last_used=now,
        expires_at=now + dt.timedelta(days=settings.PARTA_TOKEN_DAYS),
    )
    return token, key


@transaction.atomic
def api_token_issue(*, user: User, device: str = "") -> tuple[ApiToken, str]:
    """A new API token of the user for one device, and its key: the only time the key is seen."""
    device = device.strip()
    if len(device) > DEVICE_MAX_LENGTH:
        raise ValidationError({"device": _("At most %(limit)d characters.") % {"limit": DEVICE_MAX_LENGTH}})
    token, key = _new_token(user.pk, device, timezone.now())
    token.user = user
    token.save()
    return token, key


def api_tokens_issue(*, user_ids: Iterable[int], device: str) -> dict[int, str]:
    """A new API token for each of these users, in bulk: their keys by user (the benchmark's)."""
    now = timezone.now()
    issued = {pk: _new_token(pk, device, now) for pk in user_ids}
    ApiToken.objects.bulk_create([token for token, _key in issued.values()], batch_size=2000)
    return {pk: key for pk, (_token, key) in issued.items()}


def auth_token_create(
    *, request: HttpRequest | None, username: str, password: str, device: str = ""
) -> tuple[ApiToken, str]:
    """Sign in to the API: a new token for this device each time, and its key.

    A wrong username and a wrong password get the same message so that usernames cannot be probed.
    Too many failures are refused by django-axes (``parta.accounts.signin``) before this answers.
    Not one transaction: a failure's count (axes's row) must stay when this raises.
    """
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User) or not user.is_active:
        raise ValidationError(_("The username or password is wrong."))
    issued = api_token_issue(user=user, device=device)
    update_last_login(User, user)
    return issued


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> None:
    """Revoke one of the user's tokens (one device signs out); another person's is a 404."""
    deleted, _rows = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise Http404


@transaction.atomic
def api_tokens_revoke_all(*, user: User) -> None:
    """Every device of the user signs out of the API."""
    ApiToken.objects.filter(user=user).delete()


@transaction.atomic
def calendar_token_reset(*, user: User) -> str:
    """Give the user a new calendar feed secret; the old feed URL stops working at once.

    For when a feed URL has leaked (shared by mistake, a lost phone): the URL is the only key.
    """
    user.calendar_token = new_calendar_token()
    user.save(update_fields=["calendar_token"])
    return user.calendar_token


@transaction.atomic
def password_change_done(*, user: User) -> None:
    """After a password change: whatever the old password gave out stops working.

    Every API token (a stolen password may have been used to take one) is revoked, and the
    calendar feed gets a new secret address; the browser session that changed the password stays.
    """
    api_tokens_revoke_all(user=user)
    calendar_token_reset(user=user)
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])


def password_change(
    *, user: User, old_password: str, new_password: str, device: str = ""
) -> tuple[ApiToken, str]:
    """An app's password change: the old password checked, the new one by the settings'
    validators; then, as after every change, all the person's tokens stop working — and this
    device gets a new one, which is returned with its key."""
    errors: dict[str, list[str]] = {}
    if not user.check_password(old_password):
        errors["old_password"] = [_("The current password is wrong.")]
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        errors["new_password"] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        password_change_done(user=user)
        return api_token_issue(user=user, device=device)


# --- links that set a password -------------------------------------------------------------


def password_link(user: User, *, invitation: bool = False) -> str:
    """The address that lets the person choose a password: Django's reset token, which stops
    working once used (it depends on the password and the last sign-in) or after
    PASSWORD_RESET_TIMEOUT. An invitation's page greets a newcomer instead of a forgetful user."""
    name = "password-set" if invitation else "password-reset-confirm"
    path = reverse(
        name,
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.PARTA_SITE_URL.rstrip("/") + path


def sign_in_invitation_send(*, user: User, school_name: str) -> None:
    """E-mail the person a link to choose their password and sign in for the first time (people a
    school enrolled or imported, whose password nobody has told them); notes when. In the active
    language: the administrator's who sends it."""
    context = {
        "user": user,
        "school": school_name,
        "link": password_link(user, invitation=True),
        "site_url": settings.PARTA_SITE_URL.rstrip("/"),
        "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    subject = render_to_string("accounts/sign_in_invitation_subject.txt", context).strip()
    body = render_to_string("accounts/sign_in_invitation_email.txt", context)
    send_mail(subject, body, None, [user.email])
    user.invited_at = timezone.now()
    user.save(update_fields=["invited_at"])


# --- machine clients ---------------------------------------------------------------------

# The scopes a client of each kind gets unless told otherwise.
# The kinds whose requests carry an HMAC of their body as well as their credential: payment
# providers and clinics, whose messages move money and official records.
SIGNING_KINDS = frozenset({MachineClient.Kind.PAYMENT_PROVIDER, MachineClient.Kind.CLINIC})

KIND_SCOPES: dict[str, list[str]] = {
    MachineClient.Kind.TURNSTILE: ["passage:write", "attendance:turnstile"],
    MachineClient.Kind.CASH_DESK: ["meals:write"],
    MachineClient.Kind.CLINIC: ["attendance:clinic"],
    MachineClient.Kind.PAYMENT_PROVIDER: ["payments:callback"],
}


def _new_signing_secret(kind: str) -> str:
    """A fresh signing secret for the kinds that sign what they send, none for the others."""
    return secrets.token_hex(32) if kind in SIGNING_KINDS else ""


def machine_client_create(
    *,
    by: User | None,
    kind: str,
    name: str,
    scopes: Iterable[str],
    school_id: int | None = None,
    building_id: int | None = None,
) -> tuple[MachineClient, str]:
    """A machine client and its secret, the only time the secret is seen. Where it stands (the
    school, the building) is checked by the caller that knows schools (the schools app's services)."""
    scope_list = sorted(set(scopes))
    errors: dict[str, str] = {}
    if kind not in MachineClient.Kind.values:
        errors["kind"] = _("Choose one of the kinds offered.")
    if not name.strip():
        errors["name"] = _("Give it a name.")
    unknown = [scope for scope in scope_list if not is_scope(scope)]
    if unknown:
        errors["scopes"] = _("Unknown scopes: %(scopes)s.") % {"scopes": ", ".join(unknown)}
    elif not scope_list:
        errors["scopes"] = _("Give it at least one scope.")
    if building_id is not None and school_id is None:
        errors["building"] = _("A building belongs to a school: give the school too.")
    if errors:
        raise ValidationError(errors)
    secret = _new_credential(MACHINE_CREDENTIAL_PREFIX)
    with transaction.atomic():
        client = MachineClient.objects.create(
            name=name.strip(),
            kind=kind,
            school_id=school_id,
            building_id=building_id,
            scope_list=scope_list,
            secret_hash=credential_hash(secret),
            prefix=secret[:SHOWN_CHARACTERS],
            signing_secret=_new_signing_secret(kind),
            created_by=by,
        )
    return client, secret


@transaction.atomic
def machine_client_rotate(*, by: User | None, client: MachineClient) -> str:
    """A new secret for the client; the old one stops working at once (a rotation follows a leak
    or a replaced device; a partner that must not stop gets a second client, then the first is
    revoked)."""
    if not client.is_active:
        raise ValidationError(_("This client is revoked; create a new one."))
    secret = _new_credential(MACHINE_CREDENTIAL_PREFIX)
    client.secret_hash = credential_hash(secret)
    client.prefix = secret[:SHOWN_CHARACTERS]
    client.signing_secret = _new_signing_secret(client.kind)
    client.rotated_at = timezone.now()
    client.rotated_by = by
    client.save(update_fields=["secret_hash", "prefix", "signing_secret", "rotated_at", "rotated_by"])
    return secret


@transaction.atomic
def machine_client_revoke(*, by: User | None, client: MachineClient) -> None:
    """The client's secret stops working for good; its record and call log stay."""
    if not client.is_active:
        return
    client.is_active = False
    client.revoked_at = timezone.now()
    client.revoked_by = by
    client.save(update_fields=["is_active", "revoked_at", "revoked_by"])


def machine_calls_purge(*, now: dt.datetime | None = None) -> int:
    """Forget machine calls older than PARTA_MACHINE_CALL_DAYS; how many were deleted."""
    before = (now or timezone.now()) - dt.timedelta(days=settings.PARTA_MACHINE_CALL_DAYS)
    deleted, _rows = MachineCall.objects.filter(at__lt=before).delete()
    return deleted


# --- the client's address -------------------------------------------------------------


def client_address(request: HttpRequest) -> str:
    """The client's IP address, read as DRF's throttles read it (REST_FRAMEWORK["NUM_PROXIES"]):
    X-Forwarded-For only as far back as our own proxies write it, else the connection's address."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    proxies = api_settings.NUM_PROXIES
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        return hops[-min(proxies, len(hops))]
    return remote
