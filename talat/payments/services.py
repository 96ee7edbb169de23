"""Asking for money and recognising it: a PromptPay bill-payment QR per checkout, the bank's
signed notifications matched to it (idempotent, in any order, wrong amounts held for review),
and the bank's statement reconciled against what Talat recorded."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from talat.invoicing.documents import format_satang
from talat.orders import services as orders
from talat.orders.models import Order, OrderStatus
from talat.payments import promptpay
from talat.payments.models import (
    BankTransaction,
    Outcome,
    PaymentRequest,
    PaymentStatus,
    StatementImport,
    StatementLine,
)
from talat.payments.notifications import Notification
from talat.payments.statements import parse_statement


def _reference() -> str:
    return "TL" + secrets.token_hex(6).upper()


def request_payment(*, orders_to_pay: list[Order]) -> PaymentRequest:
    """One PromptPay bill payment for every order of a checkout, with a dynamic QR for the sum."""
    amount = sum(order.total_minor for order in orders_to_pay)
    if amount <= 0 or any(order.status != OrderStatus.AWAITING_PAYMENT for order in orders_to_pay):
        raise ValidationError(_("ไม่มีคำสั่งซื้อที่รอชำระเงิน"), code="nothing_to_pay")
    reference_1 = _reference()
    payment = PaymentRequest.objects.create(
        reference_1=reference_1,
        amount_minor=amount,
        payload=promptpay.bill_payment(
            biller_id=settings.TALAT_PROMPTPAY_BILLER_ID, reference_1=reference_1, amount_satang=amount
        ),
    )
    payment.orders.set(orders_to_pay)
    return payment


@dataclass(frozen=True)
class Received:
    transaction: BankTransaction
    duplicate: bool


def receive_notification(notification: Notification) -> Received:
    """Records a verified bank notification once and acts on it once. A duplicate (the same bank
    transaction again) changes nothing; a payment of the wrong amount, for an unknown reference,
    for a checkout already paid or no longer payable is held for review, never marked paid."""
    try:
        with transaction.atomic():
            recorded = BankTransaction.objects.create(
                transaction_id=notification.transaction_id,
                event_id=notification.event_id,
                amount_minor=notification.amount_satang,
                reference_1=notification.reference_1,
                reference_2=notification.reference_2,
                payer_name=notification.payer_name,
                paid_at=notification.paid_at,
                outcome=Outcome.UNKNOWN_REFERENCE,
            )
            _match(recorded)
            return Received(recorded, duplicate=False)
    except IntegrityError:
        again = BankTransaction.objects.filter(transaction_id=notification.transaction_id).first()
        if again is None:
            raise
        BankTransaction.objects.filter(pk=again.pk).update(notifications=F("notifications") + 1)
        return Received(again, duplicate=True)


def _match(recorded: BankTransaction) -> None:
    payment = PaymentRequest.objects.select_for_update().filter(reference_1=recorded.reference_1).first()
    if payment is None:
        return
    recorded.payment = payment
    if payment.status == PaymentStatus.PAID:
        outcome, reason = Outcome.ALREADY_PAID, _("ชำระซ้ำ: รายการนี้ชำระแล้ว ต้องคืนเงินให้ผู้ซื้อ")
    elif recorded.amount_minor != payment.amount_minor:
        outcome = Outcome.WRONG_AMOUNT
        reason = _("ได้รับ %(got)s บาท แต่ต้องชำระ %(want)s บาท") % {
            "got": format_satang(recorded.amount_minor),
            "want": format_satang(payment.amount_minor),
        }
    elif payment.status != PaymentStatus.PENDING or any(
        order.status != OrderStatus.AWAITING_PAYMENT for order in payment.orders.all()
    ):
        outcome, reason = Outcome.NOT_PAYABLE, _("ชำระหลังคำสั่งซื้อถูกยกเลิก ต้องคืนเงินให้ผู้ซื้อ")
    else:
        outcome, reason = Outcome.MATCHED, ""
    recorded.outcome = outcome
    recorded.save(update_fields=["payment", "outcome"])
    if outcome != Outcome.MATCHED:
        payment.status = PaymentStatus.REVIEW if payment.status != PaymentStatus.PAID else payment.status
        payment.review_reason = reason[:200]
        payment.save(update_fields=["status", "review_reason", "updated_at"])
        return
    fee_left = orders.fee(payment.amount_minor, settings.TALAT_BANK_FEE_BP)
    paid = list(payment.orders.order_by("pk"))
    for index, order in enumerate(paid):
        # The bank's fee is shared by the orders in proportion; the last takes the remainder.
        share = (
            fee_left if index == len(paid) - 1 else orders.fee(order.total_minor, settings.TALAT_BANK_FEE_BP)
        )
        fee_left -= share
        orders.mark_paid(order=order, source="bank", payment_fee_minor=share, paid_at=recorded.paid_at)
    payment.status, payment.paid_at = PaymentStatus.PAID, recorded.paid_at
    payment.save(update_fields=["status", "paid_at", "updated_at"])


@dataclass(frozen=True)
class Reconciliation:
    statement: StatementImport
    matched: int
    only_in_statement: list[StatementLine]  # money the bank has that Talat never heard of
    only_in_talat: list[BankTransaction]  # notifications the statement does not carry


def import_statement(*, data: bytes, filename: str, by) -> StatementImport:
    """Stores the bank's statement file (all rows or none: statements.BadStatement lists the bad
    rows)."""
    lines = parse_statement(data)
    with transaction.atomic():
        statement = StatementImport.objects.create(
            uploaded_by=by,
            filename=filename[:200],
            first_paid_at=min((line.paid_at for line in lines), default=None),
            last_paid_at=max((line.paid_at for line in lines), default=None),
        )
        StatementLine.objects.bulk_create(
            StatementLine(statement=statement, transaction_id=line.transaction_id, paid_at=line.paid_at,
                          amount_minor=line.amount_satang, fee_minor=line.fee_satang,
                          reference_1=line.reference_1, reference_2=line.reference_2)
            for line in lines
        )  # fmt: skip
    return statement


def reconcile(statement: StatementImport) -> Reconciliation:
    """Statement lines against the bank transactions Talat recorded in the statement's period,
    by transaction id and amount."""
    lines = list(statement.lines.all())
    recorded = {}
    if statement.first_paid_at:
        period = BankTransaction.objects.filter(
            paid_at__gte=statement.first_paid_at, paid_at__lte=statement.last_paid_at
        )
        recorded = {t.transaction_id: t for t in period}
    known = BankTransaction.objects.in_bulk(
        [line.transaction_id for line in lines], field_name="transaction_id"
    )
    only_in_statement = [
        line
        for line in lines
        if line.transaction_id not in known or known[line.transaction_id].amount_minor != line.amount_minor
    ]
    in_statement = {line.transaction_id for line in lines}
    only_in_talat = [t for tid, t in sorted(recorded.items()) if tid not in in_statement]
    return Reconciliation(statement, len(lines) - len(only_in_statement), only_in_statement, only_in_talat)
