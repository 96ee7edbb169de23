"""Random order histories through the real order services — checkouts paid or left to expire,
goods packed and shipped, partial and full refunds, payout batches — against a model of what each
shop is owed: after every step the books balance, no shop is owed less than nothing, what each
shop is owed is what the model says, and the stock held equals what open orders hold."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talat.catalog.models import Variant
from talat.ledger import selectors as ledger
from talat.ledger import services as ledger_services
from talat.orders import services as orders
from talat.orders.models import HOLDS_STOCK, Order, OrderStatus
from talat.storefront.cart import CartLine
from talat.storefront.services import place_orders
from tests.factories import ADDRESS, product, verified_enterprise

pytestmark = pytest.mark.django_db
BATCHES = itertools.count()

steps = st.lists(
    st.one_of(
        st.tuples(st.just("buy"), st.integers(0, 2), st.integers(1, 3), st.booleans()),
        st.tuples(st.just("advance"), st.integers(0, 20)),
        st.tuples(st.just("refund"), st.integers(0, 20), st.integers(1, 100), st.booleans()),
        st.tuples(st.just("payout")),
    ),
    min_size=1,
    max_size=20,
)


@pytest.fixture
def shops():
    made = []
    for index in range(3):
        shop = verified_enterprise()
        shop.vat_registered = index != 1
        shop.save()
        made.append(
            (shop, Variant.objects.get(product=product(shop, stock=1_000, price_satang=10_700 + index)))
        )
    return made


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=steps)
def test_order_histories_keep_the_books(shops, history):
    with transaction.atomic():
        owed = {shop.pk: 0 for shop, _variant in shops}
        for step in history:
            _apply(step, shops, owed)
            trial = ledger.trial_balance()
            assert trial.balanced
            for shop, variant in shops:
                assert ledger.enterprise_balance(shop) == owed[shop.pk] >= 0
                held = Order.objects.filter(enterprise=shop, status__in=HOLDS_STOCK).aggregate(
                    n=Sum("lines__quantity")
                )["n"]
                variant.refresh_from_db()
                assert variant.reserved == (held or 0)
        transaction.set_rollback(True)


def _apply(step, shops, owed):
    from django.conf import settings

    kind = step[0]
    if kind == "buy":
        _kind, index, quantity, pay = step
        shop, variant = shops[index]
        payment = place_orders(lines=[CartLine(variant, quantity)], buyer_name="ผู้ซื้อ", address=ADDRESS)
        order = payment.orders.get()
        if pay:
            orders.mark_paid(order=order)
            owed[shop.pk] += order.total_minor - orders.fee(order.total_minor, settings.TALAT_PLATFORM_FEE_BP)
        else:
            orders.cancel_order(order=order, reason="payment_expired")
    elif kind == "advance":
        order = _nth(step[1], status__in=[OrderStatus.PAID, OrderStatus.PACKED, OrderStatus.SHIPPED])
        if order:
            move = {OrderStatus.PAID: orders.mark_packed, OrderStatus.PACKED: orders.mark_shipped,
                    OrderStatus.SHIPPED: orders.mark_delivered}[order.status]  # fmt: skip
            move(order=order)
    elif kind == "refund":
        _kind, nth, percent, full = step
        order = _nth(nth, status__in=[OrderStatus.PAID, OrderStatus.PACKED, OrderStatus.SHIPPED,
                                      OrderStatus.DELIVERED])  # fmt: skip
        if order is None:
            return
        left = order.total_minor - order.refunded_minor
        amount = left if full else max(1, left * percent // 100)
        fee = orders.fee(order.total_minor, settings.TALAT_PLATFORM_FEE_BP)
        fee_back = fee * (
            order.refunded_minor + amount
        ) // order.total_minor - fee * order.refunded_minor // (order.total_minor)
        try:
            orders.refund(order=order, amount_minor=amount)
        except ValidationError as refused:  # the shop was paid out: Talat no longer holds enough
            assert refused.code == "refund_not_covered"
            return
        owed[order.enterprise_id] -= amount - fee_back
    else:
        ledger_services.run_payout_batch(key=f"payout-{next(BATCHES)}")
        for pk in owed:
            owed[pk] = 0


def _nth(n, **filters):
    candidates = list(Order.objects.filter(**filters).order_by("pk"))
    return candidates[n % len(candidates)] if candidates else None
