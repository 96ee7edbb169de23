"""Tracking events move a shipment forward only, once each, in whatever order they arrive; the
order follows to shipped and delivered."""

from datetime import UTC, datetime, timedelta

import pytest

from talat.catalog.models import Variant
from talat.logistics.connectors.base import TrackingEvent as Reported
from talat.logistics.models import Route, Shipment, Tracking, TrackingEvent
from talat.logistics.services import tracking
from talat.orders import services as orders
from talat.orders.models import OrderEvent, OrderStatus
from tests.factories import product, verified_enterprise

pytestmark = pytest.mark.django_db
START = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


@pytest.fixture
def shipment():
    shop = verified_enterprise()
    variant = Variant.objects.get(product=product(shop, stock=5))
    order, _created = orders.accept_order(
        enterprise=shop,
        channel="lazada",
        channel_order_number="LZ-9",
        lines=[orders.Wanted(variant, 1, 10_000)],
    )
    return Shipment.objects.create(
        order=order,
        route=Route.CROSS_BORDER,
        partner="cainiao",
        tracking_number="CNTH0000000009",
        weight_g=900,
    )


def scan(code, minutes, number="CNTH0000000009"):
    when = START + timedelta(minutes=minutes)
    return Reported(
        event_id=f"{number}-{code}",
        tracking_number=number,
        code=code,
        occurred_at=when,
        location="EEC",
        description=code,
    )


def test_events_out_of_order_and_twice_still_end_delivered(shipment):
    assert tracking.record([scan(Tracking.DELIVERED, 300), scan(Tracking.PICKED_UP, 0)]) == 2
    assert tracking.record([scan(Tracking.DELIVERED, 300), scan(Tracking.AT_HUB, 60)]) == 1  # one new
    shipment.refresh_from_db()
    assert (
        shipment.status == Tracking.DELIVERED and TrackingEvent.objects.filter(shipment=shipment).count() == 3
    )
    order = shipment.order
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.tracking_number == "CNTH0000000009"
    moves = list(OrderEvent.objects.filter(order=order).values_list("to_status", flat=True))
    assert moves == ["paid", "packed", "shipped", "delivered"]
    variant = Variant.objects.get(pk=order.lines.get().variant_id)
    assert variant.reserved == 0  # the goods left the warehouse


def test_an_exception_shows_until_the_parcel_moves_again(shipment):
    tracking.record([scan(Tracking.PICKED_UP, 0), scan(Tracking.EXCEPTION, 30)])
    shipment.refresh_from_db()
    assert shipment.status == Tracking.EXCEPTION
    tracking.record([scan(Tracking.AT_HUB, 90)])
    shipment.refresh_from_db()
    assert shipment.status == Tracking.AT_HUB


def test_a_stray_event_for_an_unknown_parcel_changes_nothing(shipment):
    assert tracking.record([scan(Tracking.DELIVERED, 10, number="XX000000000TH")]) == 0
    assert not TrackingEvent.objects.exists()
