"""The seller's order pages as a seller uses them: the inbox filtered by status, bulk packing and
packing slips, each move of an order from its page, refunds, and the refusals in Thai that change
nothing."""

import re
from io import BytesIO

import pytest
from pypdf import PdfReader

from talat.catalog.models import Variant
from talat.invoicing.models import TaxDocument
from talat.ledger import services as ledger
from talat.orders import services as orders
from talat.orders.models import Order, OrderEvent, OrderStatus
from talat.storefront.cart import CartLine
from talat.storefront.services import place_orders
from tests.factories import product, vat_registered_shop, verified_enterprise

pytestmark = pytest.mark.django_db

# A real Thai address (ต.ตลาด อ.เมืองจันทบุรี จ.จันทบุรี 22000) and one abroad, written as its post office needs.
HOME = {
    "address_line": "99/1 หมู่ 3 ถนนท่าแฉลบ",
    "province_code": "22",
    "district_code": "2201",
    "subdistrict_code": "220101",
    "postal_code": "22000",
}
ABROAD = {
    "address_line": "No. 8 Jianguo Road, Chaoyang District, Beijing",
    "province_code": "",
    "district_code": "",
    "subdistrict_code": "",
    "postal_code": "100022",
}


@pytest.fixture(autouse=True)
def _fees(settings):
    settings.TALAT_PLATFORM_FEE_BP = 300
    settings.TALAT_BANK_FEE_BP = 0


@pytest.fixture
def shop():
    return vat_registered_shop()


@pytest.fixture
def seller(client, shop):
    client.force_login(shop.owner)
    return client


def placed(shop, *, buyer="สมชาย ใจดี", country="TH", address=HOME, method="standard") -> Order:
    """A storefront order awaiting payment: 2 × ฿107 + ฿40 delivery = ฿254."""
    variant = Variant.objects.get(product=product(shop, stock=10, price_satang=10_700))
    payment = place_orders(
        lines=[CartLine(variant, 2)],
        buyer_name=buyer,
        buyer_email="buyer@example.th",
        buyer_phone="+66812345678",
        buyer_country=country,
        address=address,
        shipping_method=method,
    )
    return payment.orders.get()


def paid(shop, **kwargs) -> Order:
    return orders.mark_paid(order=placed(shop, **kwargs), source="bank")


def in_status(shop, status: str) -> Order:
    if status == OrderStatus.AWAITING_PAYMENT:
        return placed(shop)
    if status == OrderStatus.CANCELLED:
        order = placed(shop)
        orders.cancel_order(order=order, reason="buyer_changed_mind")
        return order
    order = paid(shop)
    if status == OrderStatus.REFUNDED:
        orders.refund(order=order)
        return order
    steps = [OrderStatus.PACKED, OrderStatus.SHIPPED, OrderStatus.DELIVERED]
    for step in steps[: steps.index(status) + 1] if status in steps else []:
        {
            OrderStatus.PACKED: orders.mark_packed,
            OrderStatus.SHIPPED: orders.mark_shipped,
            OrderStatus.DELIVERED: orders.mark_delivered,
        }[step](order=order)
    return order


def messages_of(page: str) -> str:
    match = re.search(r'<div class="messages"[^>]*>(.*?)</div>', page, re.S)
    return match.group(1) if match else ""


def table_of(page: str) -> str:
    match = re.search(r'<table class="stack" id="orders">(.*?)</table>', page, re.S)
    return match.group(1) if match else ""


def shown_status(page: str) -> str:
    return re.search(r"<dt>สถานะ</dt><dd>(.*?)</dd>", page, re.S).group(1).strip()


def fact(page: str, label: str) -> str | None:
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>(.*?)</dd>", page, re.S)
    return match.group(1).strip() if match else None


def move(client, order, **data):
    return client.post(f"/seller/orders/{order.uid}/move", data, follow=True)


# The inbox.


def test_the_inbox_filters_by_each_status(seller, shop):
    made = {status: in_status(shop, status) for status in OrderStatus.values}
    everything = seller.get("/seller/orders/").content.decode()
    for label in ("รอชำระเงิน", "ชำระเงินแล้ว", "แพ็กสินค้าแล้ว", "จัดส่งแล้ว", "ส่งถึงผู้ซื้อแล้ว", "คืนเงินแล้ว"):
        assert f">{label}</option>" in everything  # the filter offers every status
    assert all(order.channel_order_number in table_of(everything) for order in made.values())
    for status, order in made.items():
        page = seller.get("/seller/orders/", {"status": status}).content.decode()
        listed = table_of(page)
        assert order.channel_order_number in listed, status
        others = [o.channel_order_number for s, o in made.items() if s != status]
        assert not [number for number in others if number in listed], status
        assert f'<option value="{status}" selected>' in page


def test_an_unknown_status_filter_shows_everything(seller, shop):
    first, second = placed(shop), paid(shop)
    listed = table_of(seller.get("/seller/orders/", {"status": "lost"}).content.decode())
    assert first.channel_order_number in listed and second.channel_order_number in listed


def test_a_shop_sees_only_its_own_orders(seller, shop):
    mine, theirs = placed(shop), placed(verified_enterprise(name_th="ร้านอื่น"))
    listed = table_of(seller.get("/seller/orders/").content.decode())
    assert mine.channel_order_number in listed and theirs.channel_order_number not in listed


# Bulk actions.


def test_bulk_pack_packs_only_paid_orders_and_says_why_the_others_were_refused(seller, shop):
    first, second = paid(shop), paid(shop)
    waiting, shipped = placed(shop), in_status(shop, OrderStatus.SHIPPED)
    theirs = paid(verified_enterprise(name_th="ร้านอื่น"))
    chosen = [str(o.uid) for o in (first, second, waiting, shipped, theirs)]
    response = seller.post("/seller/orders/bulk", {"action": "pack", "orders": chosen}, follow=True)
    said = messages_of(response.content.decode())
    assert "แพ็กแล้ว 2 รายการ" in said
    assert f"คำสั่งซื้อ {waiting.channel_order_number} อยู่ในสถานะ “รอชำระเงิน” จึงเปลี่ยนเป็น “แพ็กสินค้าแล้ว” ไม่ได้" in said
    assert f"คำสั่งซื้อ {shipped.channel_order_number} อยู่ในสถานะ “จัดส่งแล้ว”" in said
    assert theirs.channel_order_number not in said
    statuses = dict(Order.objects.values_list("uid", "status"))
    assert statuses[first.uid] == statuses[second.uid] == OrderStatus.PACKED
    assert statuses[waiting.uid] == OrderStatus.AWAITING_PAYMENT
    assert statuses[shipped.uid] == OrderStatus.SHIPPED
    assert statuses[theirs.uid] == OrderStatus.PAID  # another shop's order is not touched


def test_bulk_pack_of_only_refused_orders_packs_nothing(seller, shop):
    waiting = placed(shop)
    response = seller.post(
        "/seller/orders/bulk", {"action": "pack", "orders": [str(waiting.uid)]}, follow=True
    )
    said = messages_of(response.content.decode())
    assert "แพ็กแล้ว" not in said and "จึงเปลี่ยนเป็น “แพ็กสินค้าแล้ว” ไม่ได้" in said
    assert not OrderEvent.objects.filter(order=waiting, to_status=OrderStatus.PACKED).exists()


def test_bulk_with_nothing_chosen_asks_to_choose(seller, shop):
    theirs = paid(verified_enterprise(name_th="ร้านอื่น"))
    for chosen in ([], [str(theirs.uid)]):
        response = seller.post("/seller/orders/bulk", {"action": "slips", "orders": chosen}, follow=True)
        assert response["Content-Type"].startswith("text/html")
        assert "กรุณาเลือกคำสั่งซื้ออย่างน้อยหนึ่งรายการ" in messages_of(response.content.decode())


def test_packing_slips_are_a_pdf_with_each_order_and_where_it_goes(seller, shop):
    home = paid(shop, buyer="สมชาย ใจดี")
    abroad = paid(shop, buyer="Wang Fang", country="CN", address=ABROAD, method="cross_border")
    chosen = [str(home.uid), str(abroad.uid)]
    response = seller.post("/seller/orders/bulk", {"action": "slips", "orders": chosen})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    assert len(reader.pages) == 2
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    for order in (home, abroad):
        assert sum(order.channel_order_number in page for page in pages) == 1
    assert "สมชาย ใจดี" in text and "99/1 หมู่ 3 ถนนท่าแฉลบ" in text
    assert "ตลาด เมืองจันทบุรี จันทบุรี" in text and "22000 TH" in text and "+66812345678" in text
    assert "Wang Fang" in text and "No. 8 Jianguo Road, Chaoyang District, Beijing" in text
    assert "100022 CN" in text
    assert "วิสาหกิจชุมชนทุเรียนจันท์" in text  # the sender
    # Printing changes nothing.
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.PAID}


# One order's moves.


def test_an_order_goes_from_paid_to_delivered_from_its_page(seller, shop):
    order = paid(shop)
    page = seller.get(f"/seller/orders/{order.uid}/").content.decode()
    assert shown_status(page) == "ชำระเงินแล้ว"
    assert 'value="packed"' in page and 'value="shipped"' not in page and 'value="cancelled"' not in page

    page = move(seller, order, to="packed").content.decode()
    assert "เปลี่ยนสถานะเป็น “แพ็กสินค้าแล้ว” แล้ว" in messages_of(page)
    assert shown_status(page) == "แพ็กสินค้าแล้ว" and 'value="shipped"' in page

    page = move(
        seller, order, to="shipped", carrier="ไปรษณีย์ไทย", tracking_number=" EF123456789TH "
    ).content.decode()
    assert "เปลี่ยนสถานะเป็น “จัดส่งแล้ว” แล้ว" in messages_of(page)
    assert shown_status(page) == "จัดส่งแล้ว" and fact(page, "เลขพัสดุ") == "ไปรษณีย์ไทย EF123456789TH"
    buyer_page = seller.get(f"/store/orders/{order.uid}/").content.decode()
    assert "ไปรษณีย์ไทย EF123456789TH" in buyer_page  # the buyer sees where the parcel is

    page = move(seller, order, to="delivered").content.decode()
    assert shown_status(page) == "ส่งถึงผู้ซื้อแล้ว" and 'value="delivered"' not in page
    timeline = page.split('<ol class="timeline">')[1].split("</ol>")[0]
    for label in ("รอชำระเงิน", "ชำระเงินแล้ว", "แพ็กสินค้าแล้ว", "จัดส่งแล้ว", "ส่งถึงผู้ซื้อแล้ว"):
        assert label in timeline
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.tracking_number == "EF123456789TH"


def test_an_unpaid_order_is_cancelled_and_its_stock_comes_back(seller, shop):
    order = placed(shop)
    variant = order.lines.get().variant
    assert (variant.available, variant.reserved) == (8, 2)
    page = seller.get(f"/seller/orders/{order.uid}/").content.decode()
    assert 'value="cancelled"' in page and 'value="refund"' not in page  # nothing was paid to refund
    page = move(seller, order, to="cancelled").content.decode()
    assert "เปลี่ยนสถานะเป็น “ยกเลิก” แล้ว" in messages_of(page)
    assert shown_status(page).startswith("ยกเลิก") and "ขั้นต่อไป" not in page
    variant.refresh_from_db()
    assert (variant.available, variant.reserved) == (10, 0)


def test_a_partial_then_a_full_refund(seller, shop):
    order = paid(shop)
    page = move(seller, order, to="refund", amount="50.00", reason="สินค้าชำรุด 1 ชิ้น").content.decode()
    assert "บันทึกการคืนเงินแล้ว และออกใบลดหนี้ให้ผู้ซื้อแล้ว" in messages_of(page)
    assert shown_status(page) == "ชำระเงินแล้ว"  # a partial refund keeps the order where it is
    assert fact(page, "คืนเงินแล้ว") == "฿50"
    assert 'placeholder="฿204"' in page  # what is left to refund
    assert "฿50 — สินค้าชำรุด 1 ชิ้น" in page.split('<ol class="timeline">')[1]

    page = move(seller, order, to="refund", amount="", reason="ผู้ซื้อยกเลิก").content.decode()
    assert shown_status(page) == "คืนเงินแล้ว" and fact(page, "คืนเงินแล้ว") == "฿254"
    assert "ขั้นต่อไป" not in page  # nothing left to do
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED and order.refunded_minor == order.total_minor == 25_400
    notes = TaxDocument.objects.filter(order_uid=order.uid, original__isnull=False).order_by("number")
    assert [note.total_minor for note in notes] == [5_000, 20_400]
    variant = order.lines.get().variant
    assert (variant.available, variant.reserved) == (10, 0)  # not shipped: back on sale


def test_an_amount_with_one_decimal_place_is_read_exactly(seller, shop):
    order = paid(shop)
    move(seller, order, to="refund", amount=" 100.5 ")
    order.refresh_from_db()
    assert order.refunded_minor == 10_050


@pytest.mark.parametrize(
    ("current", "target", "said"),
    [
        (OrderStatus.AWAITING_PAYMENT, "shipped", "อยู่ในสถานะ “รอชำระเงิน” จึงเปลี่ยนเป็น “จัดส่งแล้ว” ไม่ได้"),
        (OrderStatus.AWAITING_PAYMENT, "refund", "อยู่ในสถานะ “รอชำระเงิน” จึงเปลี่ยนเป็น “คืนเงินแล้ว” ไม่ได้"),
        (OrderStatus.PAID, "cancelled", "อยู่ในสถานะ “ชำระเงินแล้ว” จึงเปลี่ยนเป็น “ยกเลิก” ไม่ได้"),
        (OrderStatus.PAID, "delivered", "อยู่ในสถานะ “ชำระเงินแล้ว” จึงเปลี่ยนเป็น “ส่งถึงผู้ซื้อแล้ว” ไม่ได้"),
        (OrderStatus.CANCELLED, "packed", "อยู่ในสถานะ “ยกเลิก” จึงเปลี่ยนเป็น “แพ็กสินค้าแล้ว” ไม่ได้"),
        (OrderStatus.REFUNDED, "refund", "อยู่ในสถานะ “คืนเงินแล้ว” จึงเปลี่ยนเป็น “คืนเงินแล้ว” ไม่ได้"),
        (OrderStatus.PAID, "teleported", "ไม่รู้จักคำสั่งนี้"),
    ],
)
def test_an_illegal_move_is_refused_in_thai_and_changes_nothing(seller, shop, current, target, said):
    order = in_status(shop, current)
    before = (order.status, order.refunded_minor, OrderEvent.objects.filter(order=order).count())
    documents = TaxDocument.objects.count()
    response = move(seller, order, to=target, amount="")
    assert response.redirect_chain[-1][0] == f"/seller/orders/{order.uid}/"
    page = response.content.decode()
    assert said in messages_of(page) and 'class="message error"' in page
    order.refresh_from_db()
    assert (order.status, order.refunded_minor, OrderEvent.objects.filter(order=order).count()) == before
    assert TaxDocument.objects.count() == documents


@pytest.mark.parametrize(
    ("amount", "said"),
    [
        ("abc", "จำนวนเงินต้องเป็นตัวเลข เช่น 120.50"),
        ("1.234", "จำนวนเงินมีทศนิยมได้ไม่เกิน 2 ตำแหน่ง"),
        ("254.01", "ยอดคืนเงินต้องมากกว่า 0 และไม่เกิน 254.00 บาท"),
        ("0", "ยอดคืนเงินต้องมากกว่า 0 และไม่เกิน 254.00 บาท"),
        ("-5", "ยอดคืนเงินต้องมากกว่า 0 และไม่เกิน 254.00 บาท"),
        ("Infinity", "จำนวนเงินต้องเป็นตัวเลข เช่น 120.50"),
        ("1e30", "ยอดคืนเงินต้องมากกว่า 0 และไม่เกิน 254.00 บาท"),
    ],
)
def test_a_bad_refund_amount_is_refused(seller, shop, amount, said):
    order = paid(shop)
    response = move(seller, order, to="refund", amount=amount)
    assert said in messages_of(response.content.decode())
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.refunded_minor == 0
    assert not TaxDocument.objects.filter(order_uid=order.uid, original__isnull=False).exists()


def test_more_than_is_left_after_a_partial_refund_is_refused(seller, shop):
    order = paid(shop)
    move(seller, order, to="refund", amount="200")
    page = move(seller, order, to="refund", amount="54.01").content.decode()
    assert "ยอดคืนเงินต้องมากกว่า 0 และไม่เกิน 54.00 บาท" in messages_of(page)
    order.refresh_from_db()
    assert order.refunded_minor == 20_000 and order.status == OrderStatus.PAID


def test_a_refund_the_shop_cannot_cover_after_its_payout_is_refused_in_thai(seller, shop):
    order = paid(shop)
    ledger.run_payout_batch(key="payout-before-refund")
    response = move(seller, order, to="refund", amount="")
    assert "ยอดเงินของผู้ขายที่ตลาดถือไว้ไม่พอสำหรับการคืนเงิน 254.00 บาท" in messages_of(response.content.decode())
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.refunded_minor == 0


def test_another_shops_order_is_not_found(seller, shop):
    theirs = paid(verified_enterprise(name_th="ร้านอื่น"))
    assert seller.get(f"/seller/orders/{theirs.uid}/").status_code == 404
    assert seller.post(f"/seller/orders/{theirs.uid}/move", {"to": "packed"}).status_code == 404
    assert seller.post(f"/seller/orders/{theirs.uid}/move", {"to": "refund", "amount": ""}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == OrderStatus.PAID and theirs.refunded_minor == 0


def test_the_order_pages_need_a_signed_in_seller(client, shop):
    order = paid(shop)
    for response in (
        client.get("/seller/orders/"),
        client.get(f"/seller/orders/{order.uid}/"),
        client.post(f"/seller/orders/{order.uid}/move", {"to": "packed"}),
        client.post("/seller/orders/bulk", {"action": "pack", "orders": [str(order.uid)]}),
    ):
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    client.force_login(shop.owner)
    assert client.get(f"/seller/orders/{order.uid}/move").status_code == 405
