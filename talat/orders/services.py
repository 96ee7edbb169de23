"""Accepting orders from every channel into one inbox. Accepting reserves the stock in the same
transaction, so an order exists only with its goods held for it."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from talat.catalog.models import Variant
from talat.catalog.services import stock
from talat.orders.models import Order, OrderLine, OrderStatus


@dataclass(frozen=True)
class Wanted:
    variant: Variant
    quantity: int
    unit_price_minor: int


def _add_lines(order: Order, lines: Sequence[Wanted]) -> None:
    OrderLine.objects.bulk_create(
        OrderLine(order=order, variant=line.variant, sku=line.variant.sku, name=line.variant.product.name_th,
                  quantity=line.quantity, unit_price_minor=line.unit_price_minor)
        for line in lines
    )  # fmt: skip


def accept_order(
    *,
    enterprise,
    channel: str,
    channel_order_number: str,
    lines: Sequence[Wanted],
    buyer_name: str = "",
    buyer_email: str = "",
    buyer_country: str = "TH",
    currency: str = "THB",
    placed_at: datetime | None = None,
    status: str = OrderStatus.ACCEPTED,
    partner_status: str = "",
) -> tuple[Order, bool]:
    """Records the order and reserves its stock, all or nothing; returns (order, created). The
    same channel order number again returns the order already recorded (duplicates from retried
    pulls change nothing). Raises stock.OutOfStock when any line cannot be held."""
    existing = Order.objects.filter(
        enterprise=enterprise, channel=channel, channel_order_number=channel_order_number
    )
    found = existing.first()
    if found:
        return found, False
    try:
        with transaction.atomic():
            order = Order.objects.create(
                enterprise=enterprise,
                channel=channel,
                channel_order_number=channel_order_number,
                status=status,
                partner_status=partner_status,
                buyer_name=buyer_name,
                buyer_email=buyer_email,
                buyer_country=buyer_country,
                currency=currency,
                total_minor=sum(line.quantity * line.unit_price_minor for line in lines),
                placed_at=placed_at or timezone.now(),
            )
            _add_lines(order, lines)
            stock.reserve(
                [stock.Line(line.variant.pk, line.quantity) for line in lines],
                reference=f"{channel}:{channel_order_number}",
            )
    except IntegrityError:  # the same order accepted concurrently by another worker
        found = existing.first()
        if found is None:
            raise
        return found, False
    return order, True


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
    return recorded


def expire_unpaid(*, older_than) -> list[int]:
    """Cancels storefront orders still awaiting payment that were placed before `older_than`, giving
    their stock back; returns the SKUs whose stock came back."""
    freed: set[int] = set()
    stale = Order.objects.filter(status=OrderStatus.AWAITING_PAYMENT, placed_at__lt=older_than)
    for order in stale.prefetch_related("lines"):
        cancel_order(order=order, reason="payment_expired")
        freed.update(line.variant_id for line in order.lines.all())
    return sorted(freed)


def cancel_order(*, order: Order, reason: str = "") -> None:
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status == OrderStatus.CANCELLED:
            return
        stock.release(
            [stock.Line(line.variant_id, line.quantity) for line in locked.lines.all()],
            reference=f"{locked.channel}:{locked.channel_order_number}",
        )
        locked.status = OrderStatus.CANCELLED
        locked.partner_status = reason[:40] or locked.partner_status
        locked.save(update_fields=["status", "partner_status", "updated_at"])
    order.refresh_from_db()
