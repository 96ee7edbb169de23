"""Asking for money and recognising it: a PromptPay bill-payment QR per checkout, the bank's
signed notifications matched to it (idempotent, in any order, wrong amounts held for review in
the ledger's suspense account until the finance desk returns or applies them), and the bank's
statement reconciled against what Talat recorded."""

import logging
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from talat.core import audit
from talat.core.sql import update_rows
from talat.invoicing.documents import format_satang
from talat.ledger import services as ledger
from talat.orders import services as orders
from talat.orders.models import Order, OrderStatus
from talat.payments import promptpay
from talat.payments.models import (
    BankTransaction,
    Outcome,
    PaymentRequest,
    PaymentStatus,
    Resolution,
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
    PaymentRequest.orders.through.objects.bulk_create(
        PaymentRequest.orders.through(paymentrequest=payment, order=order) for order in orders_to_pay
    )
    return payment


@dataclass(frozen=True)
class Received:
    transaction: BankTransaction
    duplicate: bool


logger = logging.getLogger(__name__)
BATCH = 500  # bank transactions matched in one transaction
DRAINER_LOCK = 0x7A1A7_0001  # PostgreSQL advisory lock held by whoever is matching the inbox
PAUSE = 0.005  # seconds the worker waits for more before it lets go of the inbox (PostgreSQL)


def receive_notification(notification: Notification) -> Received:
    """Records a verified bank notification once (`record`), then matches what is waiting
    (`match_received`). Returns the transaction as it stands: matched by now, unless another
    worker was already matching and will reach it in its next batch."""
    received = record(notification)
    if received.transaction.outcome == Outcome.RECEIVED:
        match_received()
        received.transaction.refresh_from_db(fields=["outcome", "payment"])
    return received


def record(notification: Notification) -> Received:
    """Writes the notification to the inbox (a BankTransaction waiting to be matched), once per
    bank transaction: a duplicate changes nothing but its count."""
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
                outcome=Outcome.RECEIVED,
            )
            return Received(recorded, duplicate=False)
    except IntegrityError:
        again = BankTransaction.objects.filter(transaction_id=notification.transaction_id).first()
        if again is None:
            raise
        BankTransaction.objects.filter(pk=again.pk).update(notifications=F("notifications") + 1)
        return Received(again, duplicate=True)


def match_received(*, batch: int = BATCH) -> int:
    """Matches the inbox in batches until it is empty; returns how many were matched here. On
    PostgreSQL one worker matches at a time (an advisory lock): a caller that finds it taken
    returns at once, since the worker holding it looks again before it lets go. Many
    notifications arriving together are thus matched together, a few statements per batch."""
    done, failed = 0, set()
    while True:
        with _drainer() as mine:
            if not mine:
                return done
            while matched := _next_batch(batch, failed) or _after_a_pause(batch, failed):
                done += matched
        if not _waiting(failed).exists():
            return done


def _waiting(failed: set[int]):
    """The inbox (found by its partial index), less what could not be matched in this run."""
    return BankTransaction.objects.filter(outcome=Outcome.RECEIVED).exclude(pk__in=failed)


def _after_a_pause(batch: int, failed: set[int]) -> int:
    """Under a stream of notifications the worker keeps the inbox a moment longer, so the next
    notifications queue up for one batch instead of each starting its own."""
    if connection.vendor != "postgresql":
        return 0
    time.sleep(PAUSE)
    return _next_batch(batch, failed)


def _next_batch(limit: int, failed: set[int]) -> int:
    """One batch; if it fails, its transactions one by one, so that one that cannot be matched
    (logged, and left in the inbox for the next worker: the bank was already told it is recorded)
    does not hold up the others. Returns how many were matched. An empty inbox costs one indexed
    read, without a transaction."""
    if not _waiting(failed).exists():
        return 0
    try:
        return _match_batch(limit, exclude=failed)
    except Exception:
        logger.exception("matching a batch of bank transactions failed; matching them one by one")
    matched = 0
    for pk in _waiting(failed).order_by("pk").values_list("pk", flat=True)[:limit]:
        try:
            matched += _match_batch(1, only=pk)
        except Exception:
            logger.exception("bank transaction %s could not be matched; it stays in the inbox", pk)
            failed.add(pk)
    return matched


@contextmanager
def _drainer():
    """Yields whether this connection is now the one worker matching the inbox."""
    if connection.vendor != "postgresql":
        yield True  # SQLite: one writer at a time anyway
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [DRAINER_LOCK])
        mine = cursor.fetchone()[0]
    try:
        yield mine
    finally:
        if mine:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [DRAINER_LOCK])


@transaction.atomic
def _match_batch(limit: int, *, exclude=(), only=None) -> int:
    """Matches up to `limit` waiting transactions (or just `only`), oldest first. Clean matches (the
    right amount for a checkout whose orders all await payment) are paid together; anything else
    goes through `_match` one by one, held for review."""
    waiting = BankTransaction.objects.select_for_update(skip_locked=True).filter(outcome=Outcome.RECEIVED)
    if only is not None:
        waiting = waiting.filter(pk=only)
    waiting = list(waiting.exclude(pk__in=exclude).order_by("pk")[:limit])
    if not waiting:
        return 0
    payments = {
        payment.reference_1: payment
        for payment in PaymentRequest.objects.select_for_update()
        .filter(reference_1__in={t.reference_1 for t in waiting})
        .order_by("pk")
    }
    payable = _payable(payments.values())
    clean, rest, taken = [], [], set()
    for recorded in waiting:
        payment = payments.get(recorded.reference_1)
        if (
            payment is not None
            and payment.pk in payable
            and payment.pk not in taken
            and (recorded.amount_minor == payment.amount_minor)
        ):
            taken.add(payment.pk)
            recorded.payment, recorded.outcome = payment, Outcome.MATCHED
            clean.append(recorded)
        else:
            rest.append(recorded)
    if clean:
        _pay_many([(t.payment, t.paid_at) for t in clean])
        update_rows(BankTransaction, ("payment", "outcome"), [(t.pk, t.payment_id, t.outcome) for t in clean])
    for recorded in rest:
        _match(recorded)
    return len(waiting)


def _payable(payments) -> set[int]:
    """Which of the (locked) payment requests are pending with every order awaiting payment; their
    orders are locked too, so no cancellation slips in before they are marked paid."""
    pending = [p.pk for p in payments if p.status == PaymentStatus.PENDING]
    through = PaymentRequest.orders.through.objects.filter(paymentrequest_id__in=pending)
    orders = Order.objects.select_for_update().filter(pk__in=through.values("order_id")).order_by("pk")
    statuses = dict(orders.values_list("pk", "status"))
    payable = set(pending)
    for payment_id, order_id in through.values_list("paymentrequest_id", "order_id"):
        if statuses[order_id] != OrderStatus.AWAITING_PAYMENT:
            payable.discard(payment_id)
    return payable


def _match(recorded: BankTransaction) -> None:
    payment = PaymentRequest.objects.select_for_update().filter(reference_1=recorded.reference_1).first()
    if payment is None:
        recorded.outcome = Outcome.UNKNOWN_REFERENCE
        recorded.save(update_fields=["outcome"])
        _hold(recorded)
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
        _hold(recorded)
        payment.status = PaymentStatus.REVIEW if payment.status != PaymentStatus.PAID else payment.status
        payment.review_reason = reason[:200]
        payment.save(update_fields=["status", "review_reason", "updated_at"])
        return
    _pay(payment, paid_at=recorded.paid_at)


def _hold(recorded: BankTransaction) -> None:
    """The money is in the bank but pays nothing yet: the ledger holds it in suspense for the payer.
    Idempotent by the bank's transaction id."""
    ledger.record_unmatched_receipt(
        key=f"suspense:{recorded.transaction_id}",
        amount_satang=recorded.amount_minor,
        reference=recorded.reference_1,
    )


def _pay(payment: PaymentRequest, *, paid_at, actor=None) -> None:
    _pay_many([(payment, paid_at)], actor=actor)


def _pay_many(payments: list[tuple[PaymentRequest, object]], *, actor=None) -> None:
    """Marks every order of each checkout paid from the bank (together), and the payment requests
    paid. The bank's fee on a payment is shared by its orders in proportion; the last takes the
    remainder."""
    through = PaymentRequest.orders.through.objects.filter(paymentrequest__in=[p for p, _at in payments])
    orders_of: dict[int, list[Order]] = {}
    for link in through.select_related("order").order_by("order_id"):
        orders_of.setdefault(link.paymentrequest_id, []).append(link.order)
    paid = []
    for payment, paid_at in payments:
        fee_left = orders.fee(payment.amount_minor, settings.TALAT_BANK_FEE_BP)
        mine = orders_of.get(payment.pk, [])
        for index, order in enumerate(mine):
            last = index == len(mine) - 1
            share = fee_left if last else orders.fee(order.total_minor, settings.TALAT_BANK_FEE_BP)
            fee_left -= share
            paid.append(orders.Paid(order, share, paid_at))
    orders.mark_paid_many(paid, source="bank", actor=actor)
    now = timezone.now()
    for payment, paid_at in payments:
        payment.status, payment.paid_at, payment.review_reason, payment.updated_at = (
            PaymentStatus.PAID, paid_at, "", now
        )  # fmt: skip
    update_rows(
        PaymentRequest,
        ("status", "paid_at", "review_reason", "updated_at"),
        [(p.pk, p.status, p.paid_at, p.review_reason, p.updated_at) for p, _at in payments],
    )


# The finance desk resolves what was held: the money goes back to the payer, or an overpayment pays
# the checkout and its excess goes back.


NOTE_MAX = 500


def _locked(transaction: BankTransaction, note: str) -> BankTransaction:
    """The transaction's row locked (then its payment request's), or ValidationError if nothing is
    held for it or the note is missing."""
    locked = BankTransaction.objects.select_for_update().get(pk=transaction.pk)
    if locked.payment_id is not None:
        locked.payment = PaymentRequest.objects.select_for_update().get(pk=locked.payment_id)
    if locked.outcome == Outcome.MATCHED:
        raise ValidationError(_("รายการนี้ตรงกับคำสั่งซื้อแล้ว ไม่มีเงินต้องจัดการ"), code="matched")
    if locked.outcome == Outcome.RECEIVED:
        raise ValidationError(_("รายการนี้ยังรอจับคู่กับคำสั่งซื้อ กรุณาลองใหม่อีกครั้ง"), code="received")
    if locked.to_return_minor == 0:
        raise _already_resolved(locked)
    if not note.strip() or len(note) > NOTE_MAX:
        raise ValidationError(_("กรุณาระบุเหตุผลในบันทึก ไม่เกิน %(max)s ตัวอักษร") % {"max": NOTE_MAX}, code="note")
    return locked


def _already_resolved(locked: BankTransaction) -> ValidationError:
    return ValidationError(
        _("รายการ %(id)s จัดการไปแล้ว (%(resolution)s)")
        % {"id": locked.transaction_id, "resolution": locked.get_resolution_display()},
        code="resolved",
    )


def _resolve(locked: BankTransaction, *, by, note: str, **changes) -> None:
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.resolved_by, locked.resolved_at = by, timezone.now()
    locked.resolution_note = "\n".join(filter(None, [locked.resolution_note, note.strip()]))
    locked.save(update_fields=["resolved_by", "resolved_at", "resolution_note", *changes])


def _apply_refusal(locked: BankTransaction) -> str:
    """Why the held money cannot pay its checkout ("" when it can): only an overpayment of a
    checkout whose orders all still await payment, and only once."""
    payment = locked.payment
    if locked.outcome != Outcome.WRONG_AMOUNT or payment is None or locked.resolution:
        return _("ใช้ชำระได้เฉพาะเงินที่โอนมาไม่ตรงยอดและยังไม่ได้จัดการ")
    if locked.amount_minor < payment.amount_minor:
        return _("ได้รับ %(got)s บาท น้อยกว่ายอดที่ต้องชำระ %(want)s บาท จึงใช้ชำระไม่ได้ ต้องคืนเงินให้ผู้โอน") % {
            "got": format_satang(locked.amount_minor),
            "want": format_satang(payment.amount_minor),
        }
    if payment.status != PaymentStatus.REVIEW or any(
        order.status != OrderStatus.AWAITING_PAYMENT for order in payment.orders.all()
    ):
        return _("คำสั่งซื้อของรายการนี้ไม่ได้รอชำระเงินแล้ว ต้องคืนเงินให้ผู้โอน")
    return ""


def can_apply(transaction: BankTransaction) -> bool:
    """Whether the finance desk may offer to apply this held money to its checkout."""
    return not _apply_refusal(transaction)


@transaction.atomic
def apply_to_payment(*, transaction: BankTransaction, by, note: str) -> BankTransaction:
    """Pays the checkout with an overpayment held for review: its orders are marked paid as a clean
    match would, the amount due leaves suspense, and the excess stays there for `return_to_payer`."""
    locked = _locked(transaction, note)
    if locked.resolution:
        raise _already_resolved(locked)
    if refusal := _apply_refusal(locked):
        raise ValidationError(refusal, code="cannot_apply")
    payment = locked.payment
    _hold(locked)  # already posted when the notification came; posts it for older rows
    try:
        ledger.record_suspense_applied(
            key=f"suspense-apply:{locked.transaction_id}",
            amount_satang=payment.amount_minor,
            reference=payment.reference_1,
        )
    except ledger.LedgerError as error:
        raise ValidationError(str(error), code="suspense") from error
    _pay(payment, paid_at=locked.paid_at, actor=by)
    _resolve(locked, by=by, note=note, resolution=Resolution.APPLIED, applied_minor=payment.amount_minor)
    _audit("payment.held_applied", locked, by=by, note=note, amount_minor=payment.amount_minor)
    return locked


@transaction.atomic
def return_to_payer(*, transaction: BankTransaction, by, note: str) -> BankTransaction:
    """Sends what is still held of a bank transaction back to its payer (all of it, or the excess
    of an overpayment already applied). A checkout held only for this money goes back to waiting
    for payment, so the buyer can still pay the right amount; a paid one stays paid."""
    locked = _locked(transaction, note)
    amount = locked.to_return_minor
    _hold(locked)  # already posted when the notification came; posts it for older rows
    try:
        ledger.record_suspense_return(
            key=f"suspense-return:{locked.transaction_id}", amount_satang=amount, reference=locked.reference_1
        )
    except ledger.LedgerError as error:
        raise ValidationError(str(error), code="suspense") from error
    resolution = locked.resolution or Resolution.RETURNED
    _resolve(locked, by=by, note=note, resolution=resolution, returned_minor=locked.returned_minor + amount)
    payment = locked.payment
    if payment is not None and not payment.transactions.unresolved().exists():
        # Nothing else is held for the checkout: the buyer may still pay it (or, its orders
        # cancelled, the buyer's page says it expired); a paid checkout stays paid.
        if payment.status == PaymentStatus.REVIEW:
            payment.status = PaymentStatus.PENDING
        payment.review_reason = ""
        payment.save(update_fields=["status", "review_reason", "updated_at"])
    _audit("payment.held_returned", locked, by=by, note=note, amount_minor=amount)
    return locked


def _audit(kind: str, locked: BankTransaction, *, by, note: str, amount_minor: int) -> None:
    refs = {
        "transaction": str(locked.uid),
        "payment": str(locked.payment.uid) if locked.payment else None,
        "amount_minor": amount_minor,
        "still_held_minor": locked.to_return_minor,
    }
    audit.append(kind, actor=by, refs=refs, hashes={"note_hmac": audit.commitment(note.strip())})


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
