"""The city topic framework (subject → grade → section → topic → planned outcomes)
and each teaching assignment's thematic plan built from it."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parta.core.i18n import pick
from parta.schools.models import School, Subject, TeachingAssignment


class Section(models.Model):
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="sections", verbose_name=_("subject")
    )
    grade = models.PositiveSmallIntegerField(_("grade"))
    code = models.CharField(_("code"), max_length=40, unique=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("framework section")
        verbose_name_plural = _("framework sections")
        ordering = ["subject", "grade", "order"]

    @property
    def title(self) -> str:
        return pick(self.title_ru, self.title_en)

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Topic(models.Model):
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="topics", verbose_name=_("section")
    )
    # Denormalised from the section: lessons and plans look topics up by subject and grade.
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="topics", verbose_name=_("subject"), db_index=False
    )
    grade = models.PositiveSmallIntegerField(_("grade"))
    code = models.CharField(_("code"), max_length=40, unique=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    hours = models.PositiveSmallIntegerField(_("hours"))
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["subject", "grade", "section__order", "order"]
        indexes = [models.Index(fields=["subject", "grade"])]

    @property
    def title(self) -> str:
        return pick(self.title_ru, self.title_en)

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Outcome(models.Model):
    """A planned learning outcome of a topic: what the student can do after it."""

    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("topic")
    )
    code = models.CharField(_("code"), max_length=50, unique=True)
    text_ru = models.TextField(_("text (Russian)"))
    text_en = models.TextField(_("text (English)"))
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("planned outcome")
        verbose_name_plural = _("planned outcomes")
        ordering = ["topic", "order"]

    @property
    def text(self) -> str:
        return pick(self.text_ru, self.text_en)

    def __str__(self) -> str:
        return self.code


class ThematicPlan(models.Model):
    """A teacher's work programme for one teaching assignment: ordered topics with hours."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    assignment = models.OneToOneField(
        TeachingAssignment,
        on_delete=models.CASCADE,
        related_name="plan",
        verbose_name=pgettext_lazy("model field", "teaching assignment"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("thematic plan")
        verbose_name_plural = _("thematic plans")

    def __str__(self) -> str:
        return str(self.assignment)


class PlanItem(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    plan = models.ForeignKey(
        ThematicPlan,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("thematic plan"),
        db_index=False,
    )
    order = models.PositiveSmallIntegerField(_("order"))
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+", verbose_name=_("topic"))
    hours = models.PositiveSmallIntegerField(_("hours"))

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "order"], name="plan_item_unique_order"),
            models.CheckConstraint(condition=models.Q(hours__gte=1), name="plan_item_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.topic_id} ({self.hours})"
