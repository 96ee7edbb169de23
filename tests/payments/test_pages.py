"""The money pages: a seller's balance, statement and tax documents, and the finance desk where a
platform admin sees payments held for review, the trial balance, and pays the shops out."""

from io import BytesIO

import lxml.html
import pytest
from pypdf import PdfReader

from talat.accounts.models import Role
from talat.catalog.models import Variant
from talat.core.thai import to_local
from talat.invoicing import etax
from talat.invoicing.models import TaxDocument
from talat.ledger import selectors as ledger
from talat.ledger.models import PayoutBatch, PayoutLine
from talat.orders import services as orders
from talat.orders.models import OrderStatus
from talat.payments.models import PaymentStatus
from talat.storefront.cart import CartLine
from talat.storefront.services import place_orders
from tests.factories import product, user, verified_enterprise
from tests.payments.bank import notification_body, post_notification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("money_settings")]
# A real Thai address: ต.ตลาด อ.เมืองจันทบุรี จ.จันทบุรี 22000.
HOME = {
    "address_line": "99/1 หมู่ 3 ถนนท่าแฉลบ",
    "province_code": "22",
    "district_code": "2201",
    "subdistrict_code": "220101",
    "postal_code": "22000",
}


def checkout(shop):
    """A storefront checkout of 2 × ฿107 + ฿40 delivery = ฿254, awaiting payment."""
    variant = Variant.objects.get(product=product(shop, stock=10, price_satang=10_700))
    return place_orders(
        lines=[CartLine(variant, 2)], buyer_name="สมชาย ใจดี", buyer_email="somchai@example.th", address=HOME
    )


def bank_says(client, payment, *, transaction_id: str, amount=None):
    """The bank's signed notification that `amount` (default: the amount asked) was paid."""
    satang = payment.amount_minor if amount is None else amount
    body = notification_body(
        reference=payment.reference_1, amount_satang=satang, transaction_id=transaction_id
    )
    response = post_notification(client, body)
    assert response.status_code == 200
    return response.json()


def sold(client, shop, transaction_id="T1"):
    """A checkout paid through the bank's notification; returns its order."""
    payment = checkout(shop)
    assert bank_says(client, payment, transaction_id=transaction_id)["outcome"] == "matched"
    return payment.orders.get()


def rows(page: str, table_id: str) -> list[list[str]]:
    tree = lxml.html.fromstring(page)
    return [
        [" ".join(cell.text_content().split()) for cell in row.xpath("./td|./th")]
        for row in tree.xpath(f"//table[@id='{table_id}']/tbody/tr")
    ]


def text_by_id(page: str, element_id: str) -> str:
    found = lxml.html.fromstring(page).xpath(f"//*[@id='{element_id}']")
    return " ".join(found[0].text_content().split()) if found else ""


# The seller's money page.


def test_before_any_sale_the_money_page_says_so(client, shop):
    client.force_login(shop.owner)
    page = client.get("/payments/money/").content.decode()
    assert text_by_id(page, "balance") == "฿0"
    assert "ยังไม่มีรายการ เมื่อมีผู้ซื้อชำระเงิน ยอดขายจะแสดงที่นี่" in page
    assert "ยังไม่มีเอกสาร" in page
    assert rows(page, "statement") == [] and rows(page, "documents") == []


def test_a_paid_order_shows_as_statement_lines_with_a_running_balance(client, shop):
    order = sold(client, shop)
    client.force_login(shop.owner)
    page = client.get("/payments/money/").content.decode()
    number = order.channel_order_number
    # ฿254 paid: VAT ฿16.62 inside it; Talat's 3 % is ฿7.62 and the bank's 1 % ฿2.54.
    assert [line[1:] for line in rows(page, "statement")] == [
        ["ยอดขาย", number, "฿237.38", "฿237.38"],
        ["ภาษีขาย", number, "฿16.62", "฿254"],
        ["ค่าธรรมเนียมแพลตฟอร์ม", number, "−฿7.62", "฿246.38"],
        ["ค่าธรรมเนียมรับชำระ", number, "−฿2.54", "฿243.84"],
    ]
    assert text_by_id(page, "balance") == "฿243.84"
    assert ledger.enterprise_balance(shop) == 24_384
    receipt = TaxDocument.objects.get(order_uid=order.uid)
    [document] = rows(page, "documents")
    assert document[:3] == [receipt.number, "ใบกำกับภาษี/ใบเสร็จรับเงิน", number]
    assert document[3].endswith(str(to_local(receipt.issued_at).year + 543))  # a Buddhist-era date
    assert document[4:] == ["฿254", "PDF · e-Tax XML"]
    assert receipt.number.startswith("INV25")
    # Another shop sees none of it.
    other = verified_enterprise(name_th="ร้านอื่น")
    client.force_login(other.owner)
    theirs = client.get("/payments/money/").content.decode()
    assert text_by_id(theirs, "balance") == "฿0" and number not in theirs and receipt.number not in theirs


def test_a_refund_shows_on_the_statement_and_as_a_credit_note(client, shop):
    order = sold(client, shop)
    orders.refund(order=order, amount_minor=5_000, reason="สินค้าชำรุด 1 ชิ้น")
    client.force_login(shop.owner)
    page = client.get("/payments/money/").content.decode()
    lines = rows(page, "statement")
    # Talat gives back its fee on the refunded ฿50 (฿1.50); the shop pays back ฿50 in all.
    assert [line[1] for line in lines[4:]] == ["ค่าธรรมเนียมแพลตฟอร์ม", "คืนเงิน", "คืนเงิน"]
    assert lines[-1][4] == text_by_id(page, "balance") == "฿195.34"  # 243.84 + 1.50 − 50
    note = TaxDocument.objects.get(order_uid=order.uid, original__isnull=False)
    assert note.number.startswith("CN") and note.number in page
    xml = client.get(f"/payments/money/documents/{note.number}.xml")
    etax.validate(xml.content)
    assert note.number.encode() in xml.content


def test_the_statement_pages_past_a_page_of_lines(client, shop):
    for n in range(13):  # 4 lines a sale: 52 lines, 50 a page
        sold(client, shop, transaction_id=f"T{n}")
    client.force_login(shop.owner)
    first = client.get("/payments/money/").content.decode()
    second = client.get("/payments/money/", {"page": 2}).content.decode()
    assert len(rows(first, "statement")) == 50 and len(rows(second, "statement")) == 2
    assert "หน้า 1 จาก 2" in first and "หน้า 2 จาก 2" in second
    assert rows(second, "statement")[-1][4] == text_by_id(second, "balance") == "฿3,169.92"  # 13 × 243.84


def test_a_page_number_that_is_not_a_number_shows_the_first_page(client, shop):
    sold(client, shop)
    client.force_login(shop.owner)
    response = client.get("/payments/money/", {"page": "abc"})
    assert response.status_code == 200 and len(rows(response.content.decode(), "statement")) == 4


# Documents.


def test_the_receipt_downloads_as_pdf_and_as_valid_etax_xml(client, shop):
    order = sold(client, shop)
    receipt = TaxDocument.objects.get(order_uid=order.uid)
    client.force_login(shop.owner)
    pdf = client.get(f"/payments/money/documents/{receipt.number}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert pdf["Content-Disposition"] == f'inline; filename="{receipt.number}.pdf"'
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert "ใบกำกับภาษี/ใบเสร็จรับเงิน" in text and receipt.number in text
    assert "สมชาย ใจดี" in text and "วิสาหกิจชุมชนทุเรียนจันท์" in text
    xml = client.get(f"/payments/money/documents/{receipt.number}.xml")
    assert xml.status_code == 200 and xml["Content-Type"] == "application/xml"
    etax.validate(xml.content)  # raises InvalidDocument listing every problem
    assert receipt.number.encode() in xml.content


def test_another_shops_document_is_not_found(client, shop):
    order = sold(client, shop)
    receipt = TaxDocument.objects.get(order_uid=order.uid)
    other = verified_enterprise(name_th="ร้านอื่น")
    client.force_login(other.owner)
    for fmt in ("pdf", "xml"):
        assert client.get(f"/payments/money/documents/{receipt.number}.{fmt}").status_code == 404
    client.force_login(shop.owner)
    assert client.get("/payments/money/documents/INV2569-999999.pdf").status_code == 404


def test_a_document_in_an_unknown_format_is_not_found(client, shop):
    order = sold(client, shop)
    receipt = TaxDocument.objects.get(order_uid=order.uid)
    client.force_login(shop.owner)
    assert client.get(f"/payments/money/documents/{receipt.number}.exe").status_code == 404


def test_the_money_pages_need_a_signed_in_seller(client):
    response = client.get("/payments/money/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# The finance desk.


def test_the_finance_desk_shows_a_balanced_trial_balance_and_what_is_held(client, shop, admin):
    sold(client, shop, transaction_id="T-OK")
    short = checkout(shop)
    assert bank_says(client, short, transaction_id="T-SHORT", amount=short.amount_minor - 100)["outcome"] == (
        "wrong_amount"
    )
    short.refresh_from_db()
    assert short.status == PaymentStatus.REVIEW
    assert short.orders.get().status == OrderStatus.AWAITING_PAYMENT
    client.force_login(admin)
    page = client.get("/payments/finance/").content.decode()
    held = text_by_id(page, "held")
    assert short.reference_1 in held and "ได้รับ 253.00 บาท แต่ต้องชำระ 254.00 บาท" in held
    unmatched = rows(page, "unmatched")
    assert [(row[0], row[2], row[4]) for row in unmatched] == [("T-SHORT", "฿253", "ยอดเงินไม่ตรง")]
    trial = {row[0].split()[0]: row[1:] for row in rows(page, "trial")}
    assert trial["bank"] == ["฿507", "฿2.54", "฿504.46"]  # both payments reached the bank
    assert trial["suspense"] == ["฿0", "฿253", "฿253"]  # the short one is held for its payer
    assert trial["talat:platform_fee"][2] == "฿7.62"
    # Debits: the bank ฿254 + ฿253, the shop's fees ฿7.62 + ฿2.54; credits the same.
    footer = lxml.html.fromstring(page).xpath("//table[@id='trial']/tfoot/tr")[0]
    total = [" ".join(cell.text_content().split()) for cell in footer]
    assert total[0] == "รวม" and total[1] == total[2] == "฿517.16" and total[3] == "สมดุล"


def test_a_payout_batch_posted_twice_pays_each_shop_once(client, shop, admin):
    other = verified_enterprise(name_th="ร้านผ้าไหมแม่ศรี")
    sold(client, shop, transaction_id="T1")
    sold(client, other, transaction_id="T2")
    assert ledger.enterprise_balance(shop) == ledger.enterprise_balance(other) == 24_384
    client.force_login(admin)
    for _attempt in range(2):
        response = client.post("/payments/finance/payouts/", {"key": "payout-2569-11-25"}, follow=True)
        assert "รอบการจ่าย payout-2569-11-25: จ่าย 2 กิจการ" in response.content.decode()
    assert PayoutBatch.objects.get().total_satang == 2 * 24_384
    assert sorted(PayoutLine.objects.values_list("enterprise_id", "amount_satang")) == sorted(
        [(shop.pk, 24_384), (other.pk, 24_384)]
    )
    assert ledger.enterprise_balance(shop) == ledger.enterprise_balance(other) == 0
    assert ledger.trial_balance().balanced
    # A new round finds nothing left to pay.
    again = client.post("/payments/finance/payouts/", {"key": "payout-2569-11-26"}, follow=True)
    assert "รอบการจ่าย payout-2569-11-26: จ่าย 0 กิจการ" in again.content.decode()
    # The shop sees the transfer and a zero balance.
    client.force_login(shop.owner)
    page = client.get("/payments/money/").content.decode()
    assert text_by_id(page, "balance") == "฿0"
    assert [line[1:] for line in rows(page, "statement")[-2:]] == [
        ["โอนเงินให้ร้าน", "payout-2569-11-25", "−฿227.22", "฿16.62"],  # its sales, net of fees
        ["โอนเงินให้ร้าน", "payout-2569-11-25", "−฿16.62", "฿0"],  # the VAT it collected
    ]


def test_a_payout_without_a_key_is_refused(client, shop, admin):
    sold(client, shop)
    client.force_login(admin)
    response = client.post("/payments/finance/payouts/", {"key": ""}, follow=True)
    assert "ไม่มีรหัสรอบการจ่าย" in response.content.decode()
    assert not PayoutBatch.objects.exists() and ledger.enterprise_balance(shop) == 24_384


def test_the_finance_desk_is_closed_to_everyone_but_platform_admins(client, shop):
    sold(client, shop)
    for person in (shop.owner, user(role=Role.AGENCY_OFFICER)):
        client.force_login(person)
        assert client.get("/payments/finance/").status_code == 403
        assert client.post("/payments/finance/payouts/", {"key": "sneaky"}).status_code == 403
        assert client.get("/payments/finance/statements/1/").status_code == 403
    assert not PayoutBatch.objects.exists() and ledger.enterprise_balance(shop) == 24_384
    client.logout()
    response = client.get("/payments/finance/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
