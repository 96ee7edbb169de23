"""One stock count per SKU: receipts, counts, reservations, and the race for the last units."""

import threading
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from talat.catalog.models import StockLevel, StockMovement, Variant
from talat.catalog.services import stock
from talat.orders import services as orders
from talat.orders.models import Order
from talat.registry.reference import ensure_goods_categories
from tests.factories import product

pytestmark = pytest.mark.django_db


def sku_of(item) -> Variant:
    return item.variants.get()


def test_receipts_and_counts_keep_locations_in_step_with_the_sku():
    variant = sku_of(product(stock=10))
    location = stock.default_location(variant.enterprise)
    stock.receive(variant=variant, quantity=5, reference="PO-1")
    assert stock.count(variant=variant, location=location, counted=12) == -3
    variant.refresh_from_db()
    assert (variant.available, variant.reserved) == (12, 0)
    assert sum(StockLevel.objects.filter(variant=variant).values_list("on_hand", flat=True)) == 12
    assert [m.on_hand_delta for m in StockMovement.objects.filter(variant=variant).order_by("id")] == [
        10,
        5,
        -3,
    ]


def test_reserved_stock_cannot_be_counted_away():
    variant = sku_of(product(stock=3))
    stock.reserve([stock.Line(variant.pk, 2)], reference="order-1")
    with pytest.raises(ValidationError):
        stock.count(variant=variant, location=stock.default_location(variant.enterprise), counted=1)
    variant.refresh_from_db()
    assert (variant.available, variant.reserved) == (1, 2)


def test_a_reservation_is_all_or_nothing():
    first, second = sku_of(product(stock=5)), sku_of(product(stock=1))
    with pytest.raises(stock.OutOfStock) as refused:
        stock.reserve([stock.Line(first.pk, 2), stock.Line(second.pk, 2)], reference="order-2")
    assert refused.value.sku == second.sku and refused.value.available == 1
    first.refresh_from_db()
    assert (first.available, first.reserved) == (5, 0)


def test_release_returns_stock():
    variant = sku_of(product(stock=4))
    stock.reserve([stock.Line(variant.pk, 3)], reference="o")
    stock.release([stock.Line(variant.pk, 3)], reference="o")
    variant.refresh_from_db()
    assert (variant.available, variant.reserved) == (4, 0)
    with pytest.raises(ValidationError):
        stock.release([stock.Line(variant.pk, 1)], reference="o")


def test_the_same_channel_order_twice_is_one_order():
    variant = sku_of(product(stock=4))
    wanted = [orders.Wanted(variant, 1, 25_000)]
    order, created = orders.accept_order(enterprise=variant.enterprise, channel="lazada",
                                         channel_order_number="LZ-1", lines=wanted)  # fmt: skip
    again, created_again = orders.accept_order(enterprise=variant.enterprise, channel="lazada",
                                               channel_order_number="LZ-1", lines=wanted)  # fmt: skip
    assert created and not created_again and again.pk == order.pk
    variant.refresh_from_db()
    assert (variant.available, variant.reserved) == (3, 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_many_threads_on_two_channels_race_for_the_last_units():
    ensure_goods_categories()
    variant = sku_of(product(stock=5))
    threads, results, barrier = [], [], threading.Barrier(16)

    def buy(channel: str, n: int):
        try:
            barrier.wait()
            _order, created = orders.accept_order(
                enterprise=variant.enterprise, channel=channel, channel_order_number=f"{channel}-{n}",
                lines=[orders.Wanted(variant, 1, 25_000)], placed_at=datetime.now(UTC),
            )  # fmt: skip
            results.append(("sold", channel) if created else ("duplicate", channel))
        except stock.OutOfStock:
            results.append(("refused", channel))
        finally:
            connections.close_all()

    for n in range(8):
        for channel in ("lazada", "tmall-global"):
            threads.append(threading.Thread(target=buy, args=(channel, n)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    variant.refresh_from_db()
    sold = [r for r in results if r[0] == "sold"]
    assert len(sold) == 5 and len(results) == 16
    assert (variant.available, variant.reserved) == (0, 5)
    assert Order.objects.filter(lines__variant=variant).count() == 5
