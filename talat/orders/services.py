"""Orders from every channel in one inbox, and the moves of their state machine. Accepting
reserves the stock in the same transaction, so an order exists only with its goods held for it;
paying posts the sale to the ledger; every move is an OrderEvent and an audit-log entry."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from talat.catalog.models import Variant
from talat.catalog.services import stock
from talat.core import audit
from talat.core.sql import update_rows
from talat.invoicing import services as invoicing
from talat.invoicing.documents import extract_vat, format_satang
from talat.invoicing.services import VAT_RATE_BP
from talat.ledger import rates
from talat.ledger import services as ledger
from talat.ledger.models import TransferKind
from talat.orders.models import (
    HOLDS_STOCK,
    REFUNDABLE,
    TRANSITIONS,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
)


@dataclass(frozen=True)
class Wanted:
    variant: Variant
    quantity: int
    unit_price_minor: int


class IllegalTransition(ValidationError):
    def __init__(self, order: Order, to: str):
        super().__init__(
            _("คำสั่งซื้อ %(number)s อยู่ในสถานะ “%(current)s” จึงเปลี่ยนเป็น “%(target)s” ไม่ได้")
            % {
                "number": order.channel_order_number,
                "current": order.get_status_display(),
                "target": OrderStatus(to).label,
            },
            code="illegal_transition",
        )


def vat_included(total_minor: int, *, registered: bool) -> int:
    """The VAT inside a VAT-inclusive total (0 for a seller not registered for VAT)."""
    return extract_vat(total_minor, VAT_RATE_BP) if registered else 0


def fee(amount_minor: int, basis_points: int) -> int:
    return (amount_minor * basis_points + 5_000) // 10_000


def _add_lines(order: Order, lines: Sequence[Wanted]) -> None:
    OrderLine.objects.bulk_create(
        OrderLine(order=order, variant=line.variant, sku=line.variant.sku, name=line.variant.product.name_th,
                  quantity=line.quantity, unit_price_minor=line.unit_price_minor)
        for line in lines
    )  # fmt: skip


def _record(
    order: Order, *, from_status: str, to_status: str, actor=None, note: str = "", amount_minor=0
) -> OrderEvent:
    event = OrderEvent.objects.create(
        order=order, from_status=from_status, to_status=to_status, actor=actor, note=note[:300],
        amount_minor=amount_minor,
    )  # fmt: skip
    audit.append("order.status", actor=actor, refs=_status_refs(order, from_status, amount_minor))
    return event


def _status_refs(order: Order, from_status: str, amount_minor: int = 0) -> dict:
    return {"order": str(order.uid), "from": from_status, "to": order.status, "amount_minor": amount_minor}


def accept_order(
    *,
    enterprise,
    channel: str,
    channel_order_number: str | None,
    lines: Sequence[Wanted],
    buyer_name: str = "",
    buyer_email: str = "",
    buyer_phone: str = "",
    buyer_country: str = "TH",
    address: dict | None = None,
    shipping_method: str = "",
    shipping_minor: int = 0,
    currency: str = "THB",
    placed_at: datetime | None = None,
    status: str = OrderStatus.PAID,
    partner_status: str = "",
) -> tuple[Order, bool]:
    """Records the order and reserves its stock, all or nothing; returns (order, created). The
    same channel order number again returns the order already recorded (duplicates from retried
    pulls change nothing); with `channel_order_number` None Talat numbers the order itself (a
    storefront order), which is new by construction. A marketplace order arrives paid (the
    marketplace collected the money) and is posted to the ledger at once; a storefront order
    waits for payment. Raises stock.OutOfStock when any line cannot be held."""
    total = sum(line.quantity * line.unit_price_minor for line in lines) + shipping_minor
    fields = dict(
        enterprise=enterprise,
        channel=channel,
        channel_order_number=channel_order_number or order_number(),
        status=status,
        partner_status=partner_status,
        buyer_name=buyer_name,
        buyer_email=buyer_email,
        buyer_phone=buyer_phone,
        buyer_country=buyer_country,
        shipping_method=shipping_method,
        shipping_minor=shipping_minor,
        currency=currency,
        total_minor=total,
        vat_minor=vat_included(total, registered=enterprise.vat_registered),
        placed_at=placed_at or timezone.now(),
        paid_at=timezone.now() if status == OrderStatus.PAID else None,
        **(address or {}),
    )
    if channel_order_number is None:
        with transaction.atomic(savepoint=False):
            return _insert_order(fields, lines), True
    existing = Order.objects.filter(
        enterprise=enterprise, channel=channel, channel_order_number=channel_order_number
    )
    found = existing.first()
    if found:
        return found, False
    try:
        with transaction.atomic():
            return _insert_order(fields, lines), True
    except IntegrityError:  # the same order accepted concurrently by another worker
        found = existing.first()
        if found is None:
            raise
        return found, False


def order_number() -> str:
    """A new storefront order number: TL- and 10 random hexadecimal digits."""
    return "TL-" + secrets.token_hex(5).upper()


def _insert_order(fields: dict, lines: Sequence[Wanted]) -> Order:
    order = Order(**fields)
    order.save(force_insert=True)
    _add_lines(order, lines)
    stock.reserve(
        [stock.Line(line.variant.pk, line.quantity) for line in lines],
        reference=f"{order.channel}:{order.channel_order_number}",
        savepoint=False,
    )
    _record(order, from_status="", to_status=order.status)
    if order.status == OrderStatus.PAID:
        _post_payment(order, source=f"channel:{order.channel}")
    return order


def record_unfillable(*, reason: str, lines: Sequence[Wanted] = (), currency: str = "THB", **order) -> Order:
    """A channel order Talat cannot fill (stock sold elsewhere first, or an unknown SKU): kept in
    the inbox as cancelled, with the reason, holding no stock."""
    with transaction.atomic():
        recorded = Order.objects.create(
            status=OrderStatus.CANCELLED,
            note=reason,
            currency=currency,
            total_minor=sum(line.quantity * line.unit_price_minor for line in lines),
            **order,
        )
        _add_lines(recorded, lines)
        _record(recorded, from_status="", to_status=OrderStatus.CANCELLED, note=reason)
    return recorded


def _post_payment(order: Order, *, source: str, payment_fee_minor: int = 0) -> None:
    ledger.post_many([_payment_posting(order, source=source, payment_fee_minor=payment_fee_minor)])


def _payment_posting(order: Order, *, source: str, payment_fee_minor: int = 0) -> ledger.Posting:
    """The sale in the ledger (THB only: a marketplace order in another currency is converted at
    the Bank of Thailand rate of its day)."""
    gross, vat = order.total_minor, order.vat_minor
    if order.currency != "THB":
        gross = rates.to_satang(order.total_minor, order.currency, on=timezone.localdate(order.placed_at))
        vat = vat_included(gross, registered=order.enterprise.vat_registered)
    channel_fee = 0
    if source.startswith("channel:"):
        channel_fee = fee(gross, settings.TALAT_CHANNELS.get(order.channel, {}).get("fee_bp", 0))
    return ledger.payment_posting(
        key=f"payment:{order.uid}",
        enterprise=order.enterprise,
        source=source,
        gross_satang=gross,
        vat_satang=vat,
        platform_fee_satang=fee(gross, settings.TALAT_PLATFORM_FEE_BP),
        payment_fee_satang=payment_fee_minor,
        channel_fee_satang=channel_fee,
        reference=order.channel_order_number,
    )


def _move(order: Order, to: str, *, actor=None, note: str = "", **changes) -> Order:
    """Locks the order, checks the move is allowed, saves it and records it. Returns the locked
    row (callers inside the same transaction continue from it)."""
    locked = Order.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=order.pk)
    if to not in TRANSITIONS[locked.status]:
        raise IllegalTransition(locked, to)
    previous = locked.status
    locked.status = to
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", "updated_at", *changes])
    _record(locked, from_status=previous, to_status=to, actor=actor, note=note)
    return locked


def _stock_lines(order: Order) -> list[stock.Line]:
    return [stock.Line(line.variant_id, line.quantity) for line in order.lines.all()]


@dataclass(frozen=True)
class Paid:
    """An order to mark paid: the bank's fee on its share of the payment, and when it was paid."""

    order: Order
    payment_fee_minor: int = 0
    paid_at: datetime | None = None


def mark_paid(
    *, order: Order, source: str = "bank", payment_fee_minor: int = 0, paid_at=None, actor=None
) -> Order:
    mark_paid_many([Paid(order, payment_fee_minor, paid_at)], source=source, actor=actor)
    order.refresh_from_db()
    return order


@transaction.atomic
def mark_paid_many(paid: Sequence[Paid], *, source: str = "bank", actor=None) -> list[Order]:
    """Marks the orders paid together, all or nothing (IllegalTransition if one cannot move): one
    statement each for the orders, their events, their ledger entries and transfers, their receipts
    and their audit entries, whatever their number. Returns the orders as now stored."""
    if not paid:
        return []
    locked = {
        order.pk: order
        for order in Order.objects.select_for_update(of=("self",))
        .select_related("enterprise")
        .filter(pk__in=[item.order.pk for item in paid])
        .order_by("pk")
    }
    now = timezone.now()
    for item in paid:
        order = locked[item.order.pk]
        if OrderStatus.PAID not in TRANSITIONS[order.status]:
            raise IllegalTransition(order, OrderStatus.PAID)
        order.previous_status = order.status
        order.status, order.paid_at = OrderStatus.PAID, item.paid_at or now
    orders = [locked[item.order.pk] for item in paid]
    rows = [(order.pk, order.status, order.paid_at, now) for order in orders]
    update_rows(Order, ("status", "paid_at", "updated_at"), rows)
    OrderEvent.objects.bulk_create(
        OrderEvent(order=o, from_status=o.previous_status, to_status=o.status, actor=actor, at=now)
        for o in orders
    )
    ledger.post_many(
        [
            _payment_posting(order, source=source, payment_fee_minor=item.payment_fee_minor)
            for order, item in zip(orders, paid, strict=True)
        ]
    )
    prefetch_related_objects(orders, "lines")
    invoicing.issue_receipts(orders)
    # Last, so the audit log's lock is held only until the commit that follows.
    actor_id = getattr(actor, "pk", actor)
    audit.append_many(
        [audit.Event("order.status", _status_refs(o, o.previous_status), {}, actor_id) for o in orders]
    )
    return orders


def mark_packed(*, order: Order, actor=None) -> Order:
    with transaction.atomic():
        _move(order, OrderStatus.PACKED, actor=actor)
    order.refresh_from_db()
    return order


def mark_shipped(*, order: Order, carrier: str = "", tracking_number: str = "", actor=None) -> Order:
    """The goods leave: their reservation becomes a shipment out of the warehouse."""
    with transaction.atomic():
        locked = _move(
            order, OrderStatus.SHIPPED, actor=actor, carrier=carrier.strip()[:64],
            tracking_number=tracking_number.strip()[:64],
        )  # fmt: skip
        stock.dispatch(_stock_lines(locked), reference=f"{locked.channel}:{locked.channel_order_number}")
    order.refresh_from_db()
    return order


def mark_delivered(*, order: Order, actor=None) -> Order:
    with transaction.atomic():
        _move(order, OrderStatus.DELIVERED, actor=actor)
    order.refresh_from_db()
    return order


def cancel_order(*, order: Order, reason: str = "", actor=None) -> None:
    """Cancels an order awaiting payment and gives its stock back. Cancelling twice is a no-op;
    a paid order is refunded instead (`refund`)."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status == OrderStatus.CANCELLED:
            return
        locked = _move(locked, OrderStatus.CANCELLED, actor=actor, note=reason, partner_status=reason[:40])
        stock.release(_stock_lines(locked), reference=f"{locked.channel}:{locked.channel_order_number}")
    order.refresh_from_db()


def refund(*, order: Order, amount_minor: int | None = None, reason: str = "", actor=None) -> OrderEvent:
    """Gives money back: the whole remaining amount (the order ends as refunded, and goods not yet
    shipped go back to stock) or part of it (the order stays where it is). Posted to the ledger
    with its share of VAT."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status not in REFUNDABLE:
            raise IllegalTransition(locked, OrderStatus.REFUNDED)
        remaining = locked.total_minor - locked.refunded_minor
        amount = remaining if amount_minor is None else amount_minor
        if not 0 < amount <= remaining:
            raise ValidationError(
                {"amount": _("ยอดคืนเงินต้องมากกว่า 0 และไม่เกิน %(max)s บาท") % {"max": format_satang(remaining)}},
                code="refund_amount",
            )
        if locked.currency != "THB":
            raise ValidationError(_("คำสั่งซื้อจากช่องทางต่างประเทศคืนเงินผ่านช่องทางนั้น"), code="refund_currency")
        sequence = OrderEvent.objects.filter(order=locked, amount_minor__gt=0).count() + 1
        # Talat's fee on the refunded part goes back to the shop (in proportion, exact in total):
        # the fee charged when the order was paid, not what the setting says now.
        platform_fee = ledger.charged(f"payment:{locked.uid}", TransferKind.PLATFORM_FEE)
        fee_back = (platform_fee * (locked.refunded_minor + amount)) // locked.total_minor - (
            platform_fee * locked.refunded_minor
        ) // locked.total_minor
        try:
            ledger.record_refund(
                key=f"refund:{locked.uid}:{sequence}",
                enterprise=locked.enterprise,
                gross_satang=amount,
                vat_satang=vat_included(amount, registered=locked.enterprise.vat_registered),
                platform_fee_returned_satang=fee_back,
                reference=locked.channel_order_number,
            )
        except ledger.LedgerError as error:  # the shop's money was already paid out to it
            raise ValidationError(str(error), code="refund_not_covered") from error
        previous = locked.status
        locked.refunded_minor += amount
        full = locked.refunded_minor == locked.total_minor
        if full:
            locked.status = OrderStatus.REFUNDED
            if previous in HOLDS_STOCK:
                stock.release(
                    _stock_lines(locked), reference=f"{locked.channel}:{locked.channel_order_number}"
                )
        locked.save(update_fields=["status", "refunded_minor", "updated_at"])
        event = _record(
            locked,
            from_status=previous,
            to_status=locked.status,
            actor=actor,
            note=reason,
            amount_minor=amount,
        )
        invoicing.issue_credit_note(order=locked, amount_minor=amount, reason=reason)
    order.refresh_from_db()
    return event


def expire_unpaid(*, older_than) -> list[int]:
    """Cancels storefront orders still awaiting payment that were placed before `older_than`, giving
    their stock back; returns the SKUs whose stock came back."""
    freed: set[int] = set()
    stale = Order.objects.filter(status=OrderStatus.AWAITING_PAYMENT, placed_at__lt=older_than)
    for order in stale.prefetch_related("lines"):
        try:
            cancel_order(order=order, reason="payment_expired")
        except IllegalTransition:  # paid while we looked
            continue
        freed.update(line.variant_id for line in order.lines.all())
    return sorted(freed)
