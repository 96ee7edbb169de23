"""Random order histories against a model of what each SME is owed: after every step the books
balance, each SME's balance is what it earned minus refunds minus payouts and never negative,
and a payout batch run twice pays once."""

import itertools
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talat.ledger import selectors, services
from talat.ledger.models import Entry, Transfer
from talat.ledger.services import LedgerError
from tests.factories import enterprise

pytestmark = pytest.mark.django_db

SHOPS = 3
SOURCES = ["bank", "channel:lazada", "channel:tmall-global"]


@st.composite
def payments(draw):
    net = draw(st.integers(1, 2_000_000))
    vat = draw(st.sampled_from([0, net * 7 // 100]))
    source = draw(st.sampled_from(SOURCES))
    room = net  # fees are taken from the net sale
    platform = draw(st.integers(0, room // 10))
    payment_fee = draw(st.integers(0, room // 20)) if source == "bank" else 0
    channel_fee = draw(st.integers(0, room // 5)) if source != "bank" else 0
    return (
        "pay",
        draw(st.integers(0, SHOPS - 1)),
        source,
        net + vat,
        vat,
        platform,
        payment_fee,
        channel_fee,
    )


refunds = st.tuples(st.just("refund"), st.integers(0, SHOPS - 1), st.integers(1, 100), st.booleans())
payouts = st.tuples(st.just("payout"), st.sampled_from([1, 50_000, 1_000_000]))
repeats = st.tuples(st.just("repeat"))
histories = st.lists(st.one_of(payments(), payments(), refunds, payouts, repeats), min_size=1, max_size=25)


@dataclass
class Owed:
    """What the model says Talat owes one SME."""

    revenue: int = 0
    vat: int = 0
    earned: int = 0
    refunded: int = 0
    paid_out: int = 0
    orders: list = field(default_factory=list)  # [gross left to refund, vat left to refund]


@pytest.fixture
def shops(db):
    """Made once for all the examples; each example's postings are rolled back."""
    return [enterprise() for _ in range(SHOPS)]


def check_books(shops, model):
    trial = selectors.trial_balance()
    assert trial.total_debit_satang == trial.total_credit_satang
    for shop, owed in zip(shops, model, strict=True):
        balance = selectors.enterprise_balance(shop)
        assert balance == owed.earned - owed.refunded - owed.paid_out
        assert balance == owed.revenue + owed.vat
        assert balance >= 0
        assert selectors.balance(f"sme:{shop.pk}:revenue") == owed.revenue
        assert selectors.balance(f"sme:{shop.pk}:vat") == owed.vat


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories)
def test_random_histories_keep_the_books(shops, history):
    with transaction.atomic():
        play(shops, history)
        transaction.set_rollback(True)


def play(shops, history):
    model = [Owed() for _ in shops]
    serial = itertools.count(1)
    last_payment = None
    for step in history:
        match step:
            case ("pay", index, source, gross, vat, platform, payment_fee, channel_fee):
                key = f"payment:{next(serial)}"
                services.record_payment(
                    key=key,
                    enterprise=shops[index],
                    source=source,
                    gross_satang=gross,
                    vat_satang=vat,
                    platform_fee_satang=platform,
                    payment_fee_satang=payment_fee,
                    channel_fee_satang=channel_fee,
                )
                owed = model[index]
                fees = platform + payment_fee + channel_fee
                owed.revenue += gross - vat - fees
                owed.vat += vat
                owed.earned += gross - fees
                owed.orders.append([gross, vat])
                last_payment = (key, index, source, gross, vat, platform, payment_fee, channel_fee)
            case ("refund", index, percent, full):
                with_orders = [n for n, owed in enumerate(model) if any(order[0] for order in owed.orders)]
                if not with_orders:
                    continue
                index = with_orders[index % len(with_orders)]
                owed = model[index]
                order = owed.orders[-1]
                gross = order[0] if full else max(1, order[0] * percent // 100)
                if gross > order[0] or gross == 0:
                    continue
                vat = order[1] if gross == order[0] else order[1] * gross // max(order[0], 1)
                key = f"refund:{next(serial)}"
                if gross - vat > owed.revenue or vat > owed.vat:
                    with pytest.raises(LedgerError):
                        services.record_refund(
                            key=key, enterprise=shops[index], gross_satang=gross, vat_satang=vat
                        )
                    assert not Entry.objects.filter(key=key).exists()
                else:
                    services.record_refund(
                        key=key, enterprise=shops[index], gross_satang=gross, vat_satang=vat
                    )
                    owed.revenue -= gross - vat
                    owed.vat -= vat
                    owed.refunded += gross
                    order[0] -= gross
                    order[1] -= vat
            case ("payout", minimum):
                key = f"payout:{next(serial)}"
                expected = {
                    shop.pk: owed.revenue + owed.vat
                    for shop, owed in zip(shops, model, strict=True)
                    if owed.revenue + owed.vat >= minimum
                }
                batch = services.run_payout_batch(key=key, minimum_satang=minimum)
                assert dict(batch.lines.values_list("enterprise_id", "amount_satang")) == {
                    pk: amount for pk, amount in expected.items() if amount > 0
                }
                for shop, owed in zip(shops, model, strict=True):
                    if shop.pk in expected:
                        owed.paid_out += owed.revenue + owed.vat
                        owed.revenue = owed.vat = 0
                transfers, bank = Transfer.objects.count(), selectors.balance("bank")
                again = services.run_payout_batch(key=key, minimum_satang=1)
                assert again.pk == batch.pk and again.total_satang == sum(expected.values())
                assert (Transfer.objects.count(), selectors.balance("bank")) == (transfers, bank)
            case ("repeat",):
                if last_payment is None:
                    continue
                key, index, source, gross, vat, platform, payment_fee, channel_fee = last_payment
                transfers = Transfer.objects.count()
                services.record_payment(
                    key=key,
                    enterprise=shops[index],
                    source=source,
                    gross_satang=gross,
                    vat_satang=vat,
                    platform_fee_satang=platform,
                    payment_fee_satang=payment_fee,
                    channel_fee_satang=channel_fee,
                )
                assert Transfer.objects.count() == transfers
        check_books(shops, model)
