"""A payment provider's confirmation: money credited to a child's account once.

The callback's signature and the provider's scope are checked before this runs (the API's
permissions); the body's format was read by its adapter (``parta.meals.providers``). A payment is
known by its provider (the machine client) and the provider's payment id: a callback sent again
is answered as the first time and credits nothing; the same id with another amount or account is
``duplicate_payment_id`` (409). A failed payment marks the parent's top-up as not paid and credits
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.core import rows
from parta.meals import ledger
from parta.meals.models import Account, LedgerEntry, Payment, TopUp
from parta.meals.providers import PaymentNotice
from parta.meals.services.common import Refused
from parta.outbox.services import emitted, new_event

TOP_UP_EVENT = "meals.top_up"
CURRENCY = "RUB"


@dataclass(frozen=True)
class PaymentAnswer:
    """What the provider is told: the same every time it sends that payment."""

    id: int | None
    payment_id: str
    credited: bool
    amount: int
    replayed: bool = False


def _whose(notice: PaymentNotice) -> tuple[Account, TopUp | None]:
    if notice.order:
        top_up = TopUp.objects.filter(reference=notice.order).select_related("account").first()
        if top_up is None:
            raise Refused("unknown_order", _("No top-up has this reference."), field="order")
        return top_up.account, top_up
    account = Account.objects.filter(pk=notice.account).first() if notice.account is not None else None
    if account is None:
        raise Refused("unknown_account", _("No meal account has this number."), field="account")
    return account, None


def _replay(provider_id: int, notice: PaymentNotice) -> PaymentAnswer | None:
    payment = Payment.objects.filter(provider_id=provider_id, payment_id=notice.payment_id).first()
    if payment is None:
        return None
    if notice.order:
        top_up = payment.top_up_id
        same_account = top_up is not None and TopUp.objects.filter(reference=notice.order, pk=top_up).exists()
    else:
        same_account = payment.account_id == notice.account
    if not (notice.succeeded and payment.amount == notice.amount and same_account):
        raise Refused(
            "duplicate_payment_id",
            _("This payment id was confirmed before with another amount or account."),
            field="payment_id",
            status=409,
        )
    return PaymentAnswer(payment.pk, payment.payment_id, True, payment.amount, replayed=True)


def payment_record(*, provider: object, adapter: str, notice: PaymentNotice) -> PaymentAnswer:
    """Credit a confirmed payment of ``provider`` (a payment provider's machine client) to the
    account it names, or raise :class:`Refused`."""
    provider_id = getattr(provider, "pk", None)
    if provider_id is None:
        raise ValueError("a payment comes from a provider's machine client")
    replayed = _replay(provider_id, notice)
    if replayed is not None:
        return replayed
    if not notice.succeeded:
        if notice.order:
            TopUp.objects.filter(reference=notice.order, status=TopUp.Status.PENDING).update(
                status=TopUp.Status.FAILED, finished_at=timezone.now()
            )
        return PaymentAnswer(None, notice.payment_id, False, notice.amount)
    if notice.currency != CURRENCY:
        raise Refused(
            "unsupported_currency",
            _("Only payments in roubles are taken."),
            field="currency",
            currency=CURRENCY,
        )
    found, top_up = _whose(notice)
    try:
        with transaction.atomic():
            account = ledger.account_locked(found.student_id, school_id=found.school_id)
            now = timezone.now()
            payment = Payment(
                provider_id=provider_id,
                adapter=adapter,
                payment_id=notice.payment_id,
                account_id=account.pk,
                school_id=account.school_id,
                top_up_id=top_up.pk if top_up else None,
                amount=notice.amount,
                paid_at=notice.paid_at,
                received_at=now,
            )
            made = ledger.entry(
                account,
                kind=LedgerEntry.Kind.TOP_UP,
                amount=notice.amount,
                payment_id=rows.NEW_KEY,
                created_at=now,
            )
            told = new_event(
                TOP_UP_EVENT,
                {
                    "student_id": account.student_id,
                    "amount": notice.amount,
                    "balance": made.balance_after,
                    # The parent who paid from the page is not told of their own payment.
                    "actor_id": top_up.created_by_id if top_up else None,
                },
                school_id=account.school_id,
            )
            ledger.record(account, made, first=payment, others=(told,))
            emitted(told)
            if top_up is not None:
                TopUp.objects.filter(pk=top_up.pk).update(status=TopUp.Status.PAID, finished_at=now)
    except IntegrityError:
        # The same payment confirmed by a request running beside this one, which committed first.
        replayed = _replay(provider_id, notice)
        if replayed is None:
            raise
        return replayed
    return PaymentAnswer(payment.pk, payment.payment_id, True, payment.amount)
