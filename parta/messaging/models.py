"""Notifications (in-app always; e-mail and Web Push when the person chooses) and
conversations: parent ↔ teacher, private from the child, and class announcements."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parta.schools.models import ClassGroup, School


class Notification(models.Model):
    """One thing a person is told. The text is rendered from ``kind`` and ``payload`` in the
    reader's own language when it is shown, not when it is made, by the kind's owner: the kinds
    are registered by the apps (``parta.messaging.kinds``), so the column has no fixed choices."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
        db_index=False,
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("school")
    )
    kind = models.CharField(_("kind"), max_length=20)
    payload = models.JSONField(_("payload"), default=dict)
    link = models.CharField(_("link"), max_length=300, blank=True)
    # The outbox event it came from: a redelivered event makes no second notification.
    event_id = models.BigIntegerField(_("event"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "recipient"],
                condition=models.Q(event_id__isnull=False),
                name="notification_once_per_event",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class NotificationPreference(models.Model):
    """Which kinds go out by e-mail and by push (to every device of ``PushSubscription``); in-app
    always happens. A row without ``student`` is the person's choice for the kind; a guardian may
    choose otherwise for one child (``student``), for the kinds that are about a child (the kind's
    ``about``): that row wins for notifications about that child."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=20)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("about child"),
        db_index=False,
    )
    email = models.BooleanField(_("by e-mail"), default=False)
    push = models.BooleanField(_("by push"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=models.Q(student__isnull=True),
                name="preference_one_per_kind",
            ),
            # Also the index of a person's choices (NULLs are distinct: the row above is one per kind).
            models.UniqueConstraint(fields=["user", "kind", "student"], name="preference_one_per_child"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}" + (f" ({self.student_id})" if self.student_id else "")


class QuietHours(models.Model):
    """The hours a person wants no e-mail and no push (in-app notifications still appear): what
    would go out then waits until they end. In the city's time; ``starts`` after ``ends`` spans
    midnight (22:00–07:00)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiet_hours", verbose_name=_("user")
    )
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("quiet hours")
        verbose_name_plural = _("quiet hours")
        constraints = [
            models.CheckConstraint(condition=~models.Q(starts=models.F("ends")), name="quiet_hours_not_empty")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.starts:%H:%M}–{self.ends:%H:%M}"


class PushSubscription(models.Model):
    """One device (a browser, an installed web app, a phone) a person gets Web Push on: the push
    service's address the browser gave and its keys (RFC 8291). A person has one per device. The
    endpoint is unique: it is one browser profile, which pushes for whoever turned push on there
    last."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
        verbose_name=_("user"),
    )
    endpoint = models.CharField(_("push service address"), max_length=1000, unique=True)
    p256dh = models.CharField(_("public key"), max_length=100)
    auth = models.CharField(_("authentication secret"), max_length=50)
    label = models.CharField(_("device"), max_length=100, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_success_at = models.DateTimeField(_("last delivered"), null=True, blank=True)
    # Failures since the last success (a device switched off for a while fails, then comes back).
    failures = models.PositiveIntegerField(_("failures"), default=0)

    class Meta:
        verbose_name = _("push device")
        verbose_name_plural = _("push devices")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.label or self.endpoint[:60]


class Delivery(models.Model):
    """A notification sent by e-mail or push (one row for all the person's devices); retried until
    sent."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        PUSH = "push", _("push")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("notification"),
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Held back until then: made during the recipient's quiet hours.
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_one_per_channel"),
        ]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(status="pending"), name="delivery_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel} {self.status}"


class Conversation(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct", _("conversation")
        ANNOUNCEMENT = "announcement", _("class announcement")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DIRECT)
    topic = models.CharField(_("topic"), max_length=200)
    class_group = models.ForeignKey(
        ClassGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("class group"),
    )
    # The child a parent ↔ teacher conversation is about; the child is never a participant.
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("about student"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_message_at = models.DateTimeField(_("last message at"), null=True, blank=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at", "-id"]
        indexes = [models.Index(fields=["school", "class_group"])]

    def __str__(self) -> str:
        return self.topic


class Participant(models.Model):
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="participants",
        verbose_name=_("conversation"),
        db_index=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conversations",
        verbose_name=_("user"),
        db_index=False,
    )
    # Only the author of an announcement may write in it; families read.
    can_write = models.BooleanField(_("can write"), default=True)
    last_read_at = models.DateTimeField(_("last read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="participant_once"),
        ]
        indexes = [models.Index(fields=["user", "conversation"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("conversation"),
        db_index=False,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"])]

    def __str__(self) -> str:
        return f"{self.author_id}: {self.body[:30]}"


class MessageAttachment(models.Model):
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("message")
    )
    file = models.FileField(_("file"), upload_to="messages/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
