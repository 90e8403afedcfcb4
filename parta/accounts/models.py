"""People: one user model for every role, guardianship between users."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parta.core import names


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class User(AbstractUser):
    middle_name = models.CharField(_("patronymic"), max_length=150, blank=True)
    # The secret in a person's iCalendar feed URL; calendar apps cannot send credentials.
    calendar_token = models.CharField(
        _("calendar token"), max_length=64, unique=True, default=new_calendar_token, editable=False
    )
    # Set when someone else chose the password (a slip's one-time password); the web pages ask
    # for a new one before anything else, and the API's /me says so.
    must_change_password = models.BooleanField(_("must choose a new password"), default=False)
    # When the school last sent the person a link to set their password (never: None).
    invited_at = models.DateTimeField(_("sign-in invitation sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def full_name(self) -> str:
        return names.full_name(self.last_name, self.first_name, self.middle_name)

    @property
    def short_name(self) -> str:
        """«Иванова А. П.» — how Russian schools write a person in lists."""
        return names.short_name(self.last_name, self.first_name, self.middle_name) or self.username

    def __str__(self) -> str:
        return self.full_name or self.username


class Guardianship(models.Model):
    class Relation(models.TextChoices):
        MOTHER = "mother", _("mother")
        FATHER = "father", _("father")
        GRANDPARENT = "grandparent", _("grandparent")
        OTHER = "other", _("legal guardian")

    guardian = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="ward_links", verbose_name=_("guardian"), db_index=False
    )
    student = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="guardian_links",
        verbose_name=pgettext_lazy("model field", "student"),
    )
    relation = models.CharField(
        _("relation"), max_length=20, choices=Relation.choices, default=Relation.OTHER
    )

    class Meta:
        verbose_name = _("guardianship")
        verbose_name_plural = _("guardianships")
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="guardianship_unique"),
            models.CheckConstraint(
                condition=~models.Q(guardian=models.F("student")), name="guardianship_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} → {self.student}"


# --- credentials of the API ------------------------------------------------------------------


def credential_hash(credential: str) -> str:
    """How a credential is stored: its SHA-256. The credential is random and long, so a fast hash
    is enough (nobody can guess their way back), and every request can afford it."""
    return hashlib.sha256(credential.encode()).hexdigest()


# The credential's first characters say whose it is; the authentication reads them before the table.
PERSON_TOKEN_PREFIX = "pt_"  # noqa: S105 (a prefix, no secret)
MACHINE_CREDENTIAL_PREFIX = "pm_"
# How many of a credential's characters are kept in the clear, to tell credentials apart in lists.
SHOWN_CHARACTERS = 10


class ApiToken(models.Model):
    """A person's API token on one device (a phone, a tablet, a script). The key is shown once, at
    sign-in; only its hash is kept. It expires after ``PARTA_TOKEN_DAYS`` without use."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    device = models.CharField(_("device"), max_length=100, blank=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("beginning of the key"), max_length=SHOWN_CHARACTERS, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # Written at most every PARTA_TOKEN_TOUCH_SECONDS, with expires_at: a write per request would
    # turn every read of the API into a write.
    last_used = models.DateTimeField(_("last used"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"), editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… {self.device}".strip()


class MachineClient(models.Model):
    """A machine's credential: a school's device (a turnstile, a cash desk) or a partner system (a
    clinic, a payment provider). It is ``request.user`` when the machine calls, and satisfies
    ``parta.core.principals.MachinePrincipal``.

    ``school_id`` and ``building_id`` are plain numbers, not foreign keys: accounts sits below
    schools and names none of its tables; the schools app's services check them when it creates one.
    """

    class Kind(models.TextChoices):
        TURNSTILE = "turnstile", _("turnstile")
        CASH_DESK = "cash_desk", _("cash desk")
        CLINIC = "clinic", _("clinic")
        PAYMENT_PROVIDER = "payment_provider", _("payment provider")
        PARTNER = "partner", _("partner system")

    is_machine = True
    is_authenticated = True
    is_anonymous = False
    is_superuser = False
    is_staff = False

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    school_id = models.BigIntegerField(_("school"), null=True, blank=True, db_index=True)
    building_id = models.BigIntegerField(_("building"), null=True, blank=True)
    scope_list = models.JSONField(_("scopes"), default=list)
    secret_hash = models.CharField(_("secret hash"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("beginning of the secret"), max_length=SHOWN_CHARACTERS, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    rotated_at = models.DateTimeField(_("secret replaced"), null=True, blank=True)
    rotated_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replaced by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("revoked by")
    )
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    # Partners that sign what they send (payment providers, clinics) sign the body with this
    # secret (see accounts.signatures). Kept in the clear: an HMAC is checked with the secret itself.
    signing_secret = models.CharField(_("signing secret"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("machine client")
        verbose_name_plural = _("machine clients")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(building_id__isnull=True) | models.Q(school_id__isnull=False),
                name="machineclient_building_in_a_school",
            ),
        ]

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset(self.scope_list)

    def __str__(self) -> str:
        return self.name


class MachineCall(models.Model):
    """One API call of a machine client, written after its answer; purged after
    ``PARTA_MACHINE_CALL_DAYS``."""

    client = models.ForeignKey(
        MachineClient,
        on_delete=models.CASCADE,
        related_name="calls",
        verbose_name=_("machine client"),
        db_index=False,  # machinecall_client_at begins with it
    )
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=300)
    status = models.PositiveSmallIntegerField(_("status"))
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("machine call")
        verbose_name_plural = _("machine calls")
        indexes = [models.Index(fields=["client", "at"], name="machinecall_client_at")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"
