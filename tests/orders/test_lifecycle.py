"""An order's life: paid, packed, shipped, delivered, refunded — every move checked, audited and
booked, and the stock following the goods."""

import pytest
from django.core.exceptions import ValidationError

from talat.catalog.models import StockLevel, Variant
from talat.core.models import AuditEntry
from talat.invoicing.models import TaxDocument
from talat.ledger import selectors as ledger
from talat.orders import services as orders
from talat.orders.models import Order, OrderEvent, OrderStatus
from talat.storefront.cart import CartLine
from talat.storefront.services import place_orders
from tests.factories import ADDRESS, product, vat_registered_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def vat_shop():
    return vat_registered_shop()


def checkout(shop, quantity=2, price=10_700, stock=5):
    variant = Variant.objects.get(
        product=product(shop, name_th="ทุเรียนอบแห้ง", stock=stock, price_satang=price)
    )
    payment = place_orders(
        lines=[CartLine(variant, quantity)],
        buyer_name="สมชาย ใจดี",
        buyer_email="s@example.th",
        address=ADDRESS,
    )
    return payment.orders.get(), variant


def test_a_paid_order_is_booked_and_gets_a_tax_invoice(vat_shop, settings):
    settings.TALAT_PLATFORM_FEE_BP = 300
    order, variant = checkout(vat_shop)  # 2 × ฿107 + ฿40 delivery = ฿254
    assert order.total_minor == 25_400 and order.vat_minor == 1_662  # 25,400 × 7/107, rounded half up
    orders.mark_paid(order=order, source="bank", payment_fee_minor=0)
    assert order.status == OrderStatus.PAID and order.paid_at is not None
    # Talat owes the shop the sale less its 3 % fee (฿7.62), VAT included (the shop remits it).
    assert ledger.enterprise_balance(vat_shop) == 25_400 - 762
    trial = ledger.trial_balance()
    assert trial.balanced and ledger.balance("bank") == 25_400
    document = TaxDocument.objects.get(order_uid=order.uid)
    assert document.number.startswith("INV25") and document.vat_minor == 1_662
    assert document.title == "ใบกำกับภาษี/ใบเสร็จรับเงิน"


def test_the_order_moves_only_along_its_states(vat_shop):
    order, variant = checkout(vat_shop)
    with pytest.raises(ValidationError) as refused:
        orders.mark_shipped(order=order)
    assert "รอชำระเงิน" in refused.value.messages[0] and "จัดส่งแล้ว" in refused.value.messages[0]
    orders.mark_paid(order=order)
    with pytest.raises(orders.IllegalTransition):
        orders.mark_delivered(order=order)
    with pytest.raises(orders.IllegalTransition):
        orders.cancel_order(order=order)  # a paid order is refunded, not cancelled
    orders.mark_packed(order=order)
    on_hand_before = StockLevel.objects.get(variant=variant).on_hand
    orders.mark_shipped(order=order, carrier="ไปรษณีย์ไทย", tracking_number="EF123456789TH")
    variant.refresh_from_db()
    assert (variant.available, variant.reserved) == (3, 0)
    assert StockLevel.objects.get(variant=variant).on_hand == on_hand_before - 2
    orders.mark_delivered(order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.tracking_number == "EF123456789TH"
    moves = list(OrderEvent.objects.filter(order=order).values_list("from_status", "to_status"))
    assert moves == [("", "awaiting_payment"), ("awaiting_payment", "paid"), ("paid", "packed"),
                     ("packed", "shipped"), ("shipped", "delivered")]  # fmt: skip
    audited = [
        e for e in AuditEntry.objects.filter(kind="order.status") if str(order.uid).encode() in bytes(e.leaf)
    ]
    assert len(audited) == 5


def test_partial_then_full_refund_with_credit_notes(vat_shop):
    order, variant = checkout(vat_shop)
    orders.mark_paid(order=order)
    owed = ledger.enterprise_balance(vat_shop)
    orders.refund(order=order, amount_minor=5_000, reason="สินค้าชำรุด 1 ชิ้น")
    assert order.status == OrderStatus.PAID and order.refunded_minor == 5_000
    assert ledger.enterprise_balance(vat_shop) == owed - 5_000 + 150  # Talat's 3 % fee on it comes back
    with pytest.raises(ValidationError):
        orders.refund(order=order, amount_minor=order.total_minor)  # more than is left
    orders.refund(order=order, reason="ผู้ซื้อยกเลิก")
    assert order.status == OrderStatus.REFUNDED and order.refunded_minor == order.total_minor
    variant.refresh_from_db()
    assert (variant.available, variant.reserved) == (5, 0)  # not shipped: the goods went back on sale
    notes = TaxDocument.objects.filter(order_uid=order.uid, original__isnull=False).order_by("number")
    assert [n.total_minor for n in notes] == [5_000, order.total_minor - 5_000]
    assert all(n.number.startswith("CN") for n in notes)
    assert ledger.trial_balance().balanced and ledger.enterprise_balance(vat_shop) == 0


def test_a_refund_gives_back_the_fee_charged_not_todays_fee(vat_shop, settings):
    settings.TALAT_PLATFORM_FEE_BP = 300
    order, _variant = checkout(vat_shop)  # ฿254: a 3 % fee of ฿7.62 when paid
    orders.mark_paid(order=order)
    settings.TALAT_PLATFORM_FEE_BP = 500  # the fee changes before the refund
    orders.refund(order=order, amount_minor=12_700)  # half
    assert ledger.balance("talat:platform_fee") == 762 - 381
    orders.refund(order=order)
    assert ledger.balance("talat:platform_fee") == 0
    assert ledger.enterprise_balance(vat_shop) == 0 and ledger.trial_balance().balanced


def test_cancelling_an_unpaid_order_gives_the_stock_back(vat_shop):
    order, variant = checkout(vat_shop)
    orders.cancel_order(order=order, reason="buyer_changed_mind")
    orders.cancel_order(order=order)  # twice changes nothing
    variant.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and (variant.available, variant.reserved) == (5, 0)
    with pytest.raises(orders.IllegalTransition):
        orders.mark_paid(order=order)
    assert ledger.enterprise_balance(vat_shop) == 0


def test_a_marketplace_order_arrives_paid_and_is_booked_with_its_commission(
    vat_shop, settings, exchange_rates
):
    settings.TALAT_PLATFORM_FEE_BP = 300
    variant = Variant.objects.get(product=product(vat_shop, stock=3, price_satang=10_000))
    order, _created = orders.accept_order(
        enterprise=vat_shop,
        channel="lazada",
        channel_order_number="LZ-1",
        lines=[orders.Wanted(variant, 1, 10_000)],
    )
    assert order.status == OrderStatus.PAID
    fee_bp = settings.TALAT_CHANNELS["lazada"]["fee_bp"]
    assert ledger.balance("channel:lazada") == 10_000 - 10_000 * fee_bp // 10_000
    assert ledger.enterprise_balance(vat_shop) == 10_000 - 300 - 10_000 * fee_bp // 10_000
    # An order in yuan is booked in baht at the Bank of Thailand rate of its day.
    yuan, _created = orders.accept_order(
        enterprise=vat_shop, channel="tmall-global", channel_order_number="TM-1",
        lines=[orders.Wanted(variant, 1, 2_500)], currency="CNY",
    )  # fmt: skip
    assert ledger.balance("channel:tmall-global") > 0 and ledger.trial_balance().balanced
    assert Order.objects.filter(status=OrderStatus.PAID).count() == 2
