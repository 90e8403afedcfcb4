"""Cashless meals: the school's catalogue and each building's menu of the day, each child's account
as an append-only ledger in integer kopecks, the cash desks' sales, the payment providers'
top-ups, and the entitlements to free meals (docs/decisions/0018-meals.md).

Money is an integer number of kopecks everywhere (ARCHITECTURE.md, invariant 6). An account's
``balance`` is the sum of its ledger entries, kept on the row only because every entry is written
with the row locked (``SELECT … FOR UPDATE``) and the balance set in the same transaction; the
database refuses a balance, or a balance after an entry, below zero.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from parta.accounts.models import MachineClient
from parta.passage.models import Card
from parta.schools.models import Building, School

# What the cafeteria declares of a dish: the fourteen allergens food law names (the EU's list,
# which the Eurasian technical regulation TR CU 022/2011 follows).
ALLERGENS: tuple[tuple[str, Promise], ...] = (
    ("gluten", _("gluten (cereals)")),
    ("milk", _("milk and lactose")),
    ("eggs", _("eggs")),
    ("fish", _("fish")),
    ("crustaceans", _("crustaceans")),
    ("molluscs", _("molluscs")),
    ("peanuts", _("peanuts")),
    ("nuts", _("tree nuts")),
    ("soy", _("soy")),
    ("celery", _("celery")),
    ("mustard", _("mustard")),
    ("sesame", _("sesame")),
    ("sulphites", _("sulphites")),
    ("lupin", _("lupin")),
)
ALLERGEN_CODES = frozenset(code for code, _label in ALLERGENS)


class Meal(models.TextChoices):
    """The meal a complex is served at: only breakfast and lunch are subsidised."""

    BREAKFAST = "breakfast", _("breakfast")
    LUNCH = "lunch", _("lunch")
    SNACK = "snack", _("afternoon snack")


SUBSIDISED_MEALS = (Meal.BREAKFAST, Meal.LUNCH)


class MenuItem(models.Model):
    """A dish or a complex meal of a school's catalogue. Never deleted once sold: an item the
    cafeteria stops making is made inactive (a sale keeps naming it)."""

    class Kind(models.TextChoices):
        COMPLEX = "complex", _("complex meal")
        A_LA_CARTE = "a_la_carte", _("à la carte")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.CharField(_("composition"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.A_LA_CARTE)
    meal = models.CharField(_("meal"), max_length=12, choices=Meal.choices, blank=True)
    price = models.PositiveIntegerField(_("price, kopecks"))
    allergens = models.JSONField(_("allergens"), default=list, blank=True)
    active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("menu item")
        verbose_name_plural = _("menu items")
        indexes = [models.Index(fields=["school", "active"], name="meals_item_school_active")]
        constraints = [
            # A complex meal is served at a meal (breakfast, lunch or the snack).
            models.CheckConstraint(
                condition=~Q(kind="complex") | ~Q(meal=""), name="meals_item_complex_has_meal"
            ),
        ]

    def __str__(self) -> str:
        return self.name_ru


class MenuLine(models.Model):
    """One item on one building's menu of one day, at that day's price: the menu of a building and
    day is its lines. The cash desk sells only what is on its building's menu today."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    building = models.ForeignKey(
        Building, on_delete=models.CASCADE, related_name="+", verbose_name=_("building"), db_index=False
    )
    day = models.DateField(_("day"))
    item = models.ForeignKey(MenuItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    price = models.PositiveIntegerField(_("price, kopecks"))

    class Meta:
        verbose_name = _("menu line")
        verbose_name_plural = _("menu lines")
        constraints = [
            models.UniqueConstraint(
                fields=["building", "day", "item"], name="meals_menuline_building_day_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.item_id}"


class Account(models.Model):
    """A child's meal account and the parents' settings of it. ``balance`` is derived: the sum of
    the account's ledger entries, written only by ``parta.meals.ledger`` with this row locked."""

    student = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("student")
    )
    # The school it was opened in (tenancy); the child's money follows them to another school.
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school"))
    balance = models.BigIntegerField(_("balance, kopecks"), default=0)
    daily_limit = models.PositiveIntegerField(_("daily limit, kopecks"), null=True, blank=True)
    low_balance_threshold = models.PositiveIntegerField(
        _("low-balance threshold, kopecks"), null=True, blank=True
    )
    stop_items = models.JSONField(_("items not to sell"), default=list, blank=True)
    stop_allergens = models.JSONField(_("allergens not to sell"), default=list, blank=True)
    created_at = models.DateTimeField(_("opened"), default=timezone.now)
    settings_changed_at = models.DateTimeField(_("settings changed"), null=True, blank=True)
    settings_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("settings changed by"),
    )

    class Meta:
        verbose_name = _("meal account")
        verbose_name_plural = _("meal accounts")
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="meals_account_not_negative")]

    def __str__(self) -> str:
        return f"{self.student_id}: {self.balance}"


class Entitlement(models.Model):
    """A child's right to free breakfast and/or lunch, for a category, between two dates."""

    class Category(models.TextChoices):
        PRIMARY = "primary", _("primary school")
        LARGE_FAMILY = "large_family", _("large family")
        LOW_INCOME = "low_income", _("low-income family")
        DISABILITY = "disability", _("disability or special needs")
        NO_PARENTAL_CARE = "no_parental_care", _("without parental care")
        OTHER = "other", _("other")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"), db_index=False
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("student"),
        db_index=False,
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    breakfast = models.BooleanField(_("free breakfast"), default=True)
    lunch = models.BooleanField(_("free lunch"), default=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    note = models.CharField(_("document"), max_length=300, blank=True)
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )

    class Meta:
        verbose_name = _("entitlement to free meals")
        verbose_name_plural = _("entitlements to free meals")
        indexes = [
            models.Index(fields=["student", "ends_on"], name="meals_entitlement_student"),
            models.Index(fields=["school", "ends_on"], name="meals_entitlement_school"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="meals_entitlement_dates"
            ),
            models.CheckConstraint(
                condition=Q(breakfast=True) | Q(lunch=True), name="meals_entitlement_a_meal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.category} {self.starts_on}–{self.ends_on}"


class Sale(models.Model):
    """What a cash desk sold to one card at once. ``sale_id`` is the desk's own id of it: a desk
    retrying a sale sends the same one and gets the first answer (unique per desk)."""

    # The sale is the hot insert (a million children in the same breaks): no index but those its
    # reads use. Buildings, desks and cards are never deleted once they sold (PROTECT).
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school"), db_index=False
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="+", verbose_name=_("building"), db_index=False
    )
    device = models.ForeignKey(
        MachineClient, on_delete=models.PROTECT, related_name="+", verbose_name=_("cash desk"), db_index=False
    )
    sale_id = models.CharField(_("the desk's sale id"), max_length=64)
    card = models.ForeignKey(
        Card, on_delete=models.PROTECT, related_name="+", verbose_name=_("card"), db_index=False
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="sales", verbose_name=_("account"), db_index=False
    )
    day = models.DateField(_("day"))
    sold_at = models.DateTimeField(_("sold at"), default=timezone.now)
    # What the family paid, and what the school's budget covers (entitled children's free meals).
    total = models.PositiveIntegerField(_("paid, kopecks"))
    subsidised_total = models.PositiveIntegerField(_("subsidised, kopecks"), default=0)
    refunded_at = models.DateTimeField(_("refunded"), null=True, blank=True)

    class Meta:
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        constraints = [
            models.UniqueConstraint(fields=["device", "sale_id"], name="meals_sale_device_sale_id"),
        ]
        indexes = [
            models.Index(fields=["account", "day"], name="meals_sale_account_day"),
            models.Index(fields=["school", "day"], name="meals_sale_school_day"),
        ]

    def __str__(self) -> str:
        return f"{self.device_id}/{self.sale_id}"


class SaleLine(models.Model):
    """One item of a sale: its quantity, the day's unit price and what the family paid for it.
    A free meal of an entitled child is a line of its own (quantity 1, paid 0) naming the
    entitlement; the school's report counts it."""

    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="lines", verbose_name=_("sale"))
    # The sale's school, so that a city sharded by school keeps a sale's lines with it.
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school"), db_index=False
    )
    item = models.ForeignKey(
        MenuItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"), db_index=False
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    price = models.PositiveIntegerField(_("unit price, kopecks"))
    amount = models.PositiveIntegerField(_("paid, kopecks"))
    meal = models.CharField(_("meal"), max_length=12, choices=Meal.choices, blank=True)
    entitlement = models.ForeignKey(
        Entitlement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("free by the entitlement"),
        db_index=False,
    )

    class Meta:
        verbose_name = _("sale line")
        verbose_name_plural = _("sale lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="meals_saleline_quantity"),
            models.CheckConstraint(
                condition=Q(entitlement__isnull=True) | Q(amount=0, quantity=1),
                name="meals_saleline_free_is_one",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sale_id}: {self.item_id} × {self.quantity}"


class TopUp(models.Model):
    """A parent's top-up started on the meals page: the order a payment provider's page is opened
    for, and its callback names (``reference``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the payment")
        PAID = "paid", _("paid")
        FAILED = "failed", _("not paid")

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("account")
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school"))
    amount = models.PositiveIntegerField(_("amount, kopecks"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("top-up")
        verbose_name_plural = _("top-ups")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="meals_topup_positive")]

    def __str__(self) -> str:
        return self.reference


class Payment(models.Model):
    """Money a payment provider confirmed (its signed callback): one per provider and its payment
    id, so a callback sent again credits nothing twice."""

    provider = models.ForeignKey(
        MachineClient,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("payment provider"),
        db_index=False,
    )
    adapter = models.CharField(_("format"), max_length=30)
    payment_id = models.CharField(_("the provider's payment id"), max_length=100)
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("account"), db_index=False
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school"))
    top_up = models.ForeignKey(
        TopUp, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("top-up")
    )
    amount = models.PositiveIntegerField(_("amount, kopecks"))
    paid_at = models.DateTimeField(_("paid at (the provider's)"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(fields=["provider", "payment_id"], name="meals_payment_provider_id"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="meals_payment_positive"),
        ]
        indexes = [models.Index(fields=["account", "received_at"], name="meals_payment_account")]

    def __str__(self) -> str:
        return f"{self.provider_id}/{self.payment_id}"


class LedgerEntry(models.Model):
    """One movement of a child's money, never changed nor deleted: a top-up (a payment), a purchase
    (a sale; 0 when the meal was free), a refund (of a sale) or a correction (with its reason).
    ``balance_after`` is the account's balance once this entry is counted."""

    class Kind(models.TextChoices):
        TOP_UP = "top_up", _("top-up")
        PURCHASE = "purchase", _("purchase")
        REFUND = "refund", _("refund")
        CORRECTION = "correction", _("correction")

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="entries", verbose_name=_("account"), db_index=False
    )
    # Written with every sale: indexed only for the account's history (and the partial unique
    # indexes of its sale and payment, which serve the lookups by them).
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school"), db_index=False
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    amount = models.BigIntegerField(_("amount, kopecks"))
    balance_after = models.BigIntegerField(_("balance after, kopecks"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    sale = models.ForeignKey(
        Sale,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sale"),
        db_index=False,
    )
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("payment"),
        db_index=False,
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by"),
        db_index=False,
    )

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [models.Index(fields=["account", "created_at"], name="meals_ledger_account_time")]
        constraints = [
            # One purchase and at most one refund per sale; one top-up per payment.
            models.UniqueConstraint(
                fields=["sale", "kind"], condition=Q(sale__isnull=False), name="meals_ledger_sale_kind"
            ),
            models.UniqueConstraint(
                fields=["payment"], condition=Q(payment__isnull=False), name="meals_ledger_payment"
            ),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="meals_ledger_not_negative"),
            models.CheckConstraint(
                condition=(
                    Q(kind="top_up", amount__gt=0, payment__isnull=False)
                    | Q(kind="purchase", amount__lte=0, sale__isnull=False)
                    | Q(kind="refund", amount__gte=0, sale__isnull=False)
                    | (Q(kind="correction") & ~Q(amount=0) & ~Q(reason=""))
                ),
                name="meals_ledger_kind_sign",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.kind} {self.amount}"


class SaleRefusal(models.Model):
    """A sale a cash desk was refused, and why (``code``): the cafeteria's record of the refusal,
    written after the refused sale's transaction rolled back (nothing else of it is kept)."""

    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
        db_index=False,
    )
    device = models.ForeignKey(
        MachineClient, on_delete=models.CASCADE, related_name="+", verbose_name=_("cash desk"), db_index=False
    )
    sale_id = models.CharField(_("the desk's sale id"), max_length=64, blank=True)
    card_number = models.CharField(_("card number"), max_length=64, blank=True)
    code = models.CharField(_("code"), max_length=30)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("refused sale")
        verbose_name_plural = _("refused sales")
        indexes = [
            models.Index(fields=["school", "at"], name="meals_refusal_school_at"),
            models.Index(fields=["device", "at"], name="meals_refusal_device_at"),
        ]

    def __str__(self) -> str:
        return f"{self.device_id}/{self.sale_id}: {self.code}"
