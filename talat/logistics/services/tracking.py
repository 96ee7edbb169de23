"""Tracking events as the partners report them (webhooks and track calls): recorded once per
event id whatever order they arrive in; a shipment only moves forward (an exception aside), and
its order follows — picked up means shipped, delivered means delivered."""

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from talat.logistics.connectors.base import TrackingEvent as Reported
from talat.logistics.models import PROGRESS, Shipment, Tracking, TrackingEvent
from talat.orders import services as orders
from talat.orders.models import OrderStatus

SHIPPED_FROM = {OrderStatus.PAID, OrderStatus.PACKED}


def record(events: Iterable[Reported]) -> int:
    """Records the events Talat has not seen; returns how many were new. Events for a tracking
    number Talat never booked are ignored (a partner's stray webhook changes nothing)."""
    new = 0
    for event in events:
        with transaction.atomic():
            shipment = (
                Shipment.objects.select_for_update().filter(tracking_number=event.tracking_number).first()
            )
            if shipment is None:
                continue
            try:
                with transaction.atomic():
                    TrackingEvent.objects.create(
                        shipment=shipment,
                        event_id=event.event_id[:80],
                        code=event.code,
                        occurred_at=event.occurred_at,
                        location=event.location[:120],
                        description=event.description[:300],
                    )
            except IntegrityError:  # the same scan again
                continue
            new += 1
            _advance(shipment, event)
    return new


def _advance(shipment: Shipment, event: Reported) -> None:
    latest = shipment.last_event_at is None or event.occurred_at >= shipment.last_event_at
    if event.code == Tracking.EXCEPTION:
        moved = latest and shipment.status != Tracking.DELIVERED
    else:
        current = PROGRESS[shipment.status] if shipment.status != Tracking.EXCEPTION else -1
        moved = PROGRESS[event.code] > current or (shipment.status == Tracking.EXCEPTION and latest)
    if moved:
        shipment.status = event.code
    shipment.last_event_at = max(filter(None, [shipment.last_event_at, event.occurred_at]))
    shipment.save(update_fields=["status", "last_event_at", "updated_at"])
    _follow(shipment, event.code)


def _follow(shipment: Shipment, code: str) -> None:
    """The order follows its parcel (every move audited as the order services do)."""
    order = shipment.order
    order.refresh_from_db()
    if code == Tracking.EXCEPTION:
        return
    if order.status == OrderStatus.PAID:
        orders.mark_packed(order=order)
    if order.status == OrderStatus.PACKED:
        orders.mark_shipped(order=order, carrier=shipment.partner, tracking_number=shipment.tracking_number)
    if code == Tracking.DELIVERED and order.status == OrderStatus.SHIPPED:
        orders.mark_delivered(order=order)
