"""The finance desk resolves money held for review: returned to the payer, or an overpayment applied
to its checkout with the excess returned. The ledger's bank account always equals the money really
received, and the suspense account what is still held for payers."""

import lxml.html
import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from talat.accounts.models import Role
from talat.catalog.models import Variant
from talat.core.models import AuditEntry
from talat.invoicing.models import TaxDocument
from talat.ledger import selectors as ledger
from talat.ledger import services as ledger_services
from talat.ledger.models import Entry
from talat.orders import services as orders
from talat.orders.models import OrderStatus
from talat.payments import services
from talat.payments.models import BankTransaction, Outcome, PaymentStatus, Resolution
from talat.storefront.cart import CartLine
from talat.storefront.services import place_orders
from tests.factories import ADDRESS, product, user
from tests.payments.bank import notification_body, post_notification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("money_settings")]
DUE = 25_400  # 2 × ฿107 + ฿40 delivery
SHOP_EARNS = 24_384  # what the shop is owed for a ฿254 checkout paid cleanly, net of 3 % + 1 %


def checkout(shop):
    variant = Variant.objects.get(product=product(shop, stock=10, price_satang=10_700))
    payment = place_orders(lines=[CartLine(variant, 2)], buyer_name="สมชาย ใจดี", address=ADDRESS)
    assert payment.amount_minor == DUE
    return payment


def bank_says(client, *, transaction_id, amount, reference) -> BankTransaction:
    body = notification_body(reference=reference, amount_satang=amount, transaction_id=transaction_id)
    assert post_notification(client, body).status_code == 200
    return BankTransaction.objects.get(transaction_id=transaction_id)


def state(payment=None) -> tuple:
    """Everything a refused resolution must leave as it was."""
    rows = BankTransaction.objects.order_by("pk").values_list(
        "resolution", "applied_minor", "returned_minor", "resolved_by", "resolution_note"
    )
    held = None
    if payment is not None:
        payment.refresh_from_db()
        held = (
            payment.status,
            payment.review_reason,
            sorted(payment.orders.values_list("status", flat=True)),
        )
    return (list(rows), held, Entry.objects.count(), AuditEntry.objects.count(), ledger.balance("bank"))


def rows(page: str, table_id: str) -> list[list[str]]:
    tree = lxml.html.fromstring(page)
    return [
        [" ".join(cell.text_content().split()) for cell in row.xpath("./td")]
        for row in tree.xpath(f"//table[@id='{table_id}']/tbody/tr")
    ]


def messages_of(response) -> list[str]:
    return [" ".join(p.text_content().split()) for p in lxml.html.fromstring(response.content).xpath(
        "//div[@class='messages']/p")]  # fmt: skip


def test_an_overpayment_pays_the_checkout_and_its_excess_goes_back(client, shop, admin):
    payment = checkout(shop)
    held = bank_says(client, transaction_id="T-OVER", amount=30_000, reference=payment.reference_1)
    assert held.outcome == Outcome.WRONG_AMOUNT
    # The ฿300 is in the bank and held for the payer; nothing is owed to the shop yet.
    assert ledger.balance("bank") == ledger.balance("suspense") == 30_000
    assert ledger.enterprise_balance(shop) == 0

    services.apply_to_payment(transaction=held, by=admin, note="ผู้ซื้อยืนยันทางโทรศัพท์ว่าโอนเกิน")

    payment.refresh_from_db()
    order = payment.orders.get()
    assert payment.status == PaymentStatus.PAID and payment.review_reason == ""
    assert order.status == OrderStatus.PAID and order.paid_at == held.paid_at
    assert order.events.get(to_status=OrderStatus.PAID).actor == admin
    assert TaxDocument.objects.filter(order_uid=order.uid).exists()  # the receipt, as for a clean match
    # The shop is owed what a clean match gives it; the bank kept its 1 % of the ฿254.
    assert ledger.enterprise_balance(shop) == SHOP_EARNS
    assert ledger.balance("bank") == 30_000 - 254
    assert ledger.balance("suspense") == 4_600  # the excess, still the payer's
    assert ledger.trial_balance().balanced
    held.refresh_from_db()
    assert (held.resolution, held.applied_minor, held.to_return_minor) == (Resolution.APPLIED, DUE, 4_600)
    assert held.resolved_by == admin and held.resolved_at and "โอนเกิน" in held.resolution_note
    assert list(BankTransaction.objects.unresolved()) == [held]

    services.return_to_payer(transaction=held, by=admin, note="โอนคืนส่วนเกินแล้ว")

    held.refresh_from_db()
    assert (held.resolution, held.returned_minor, held.to_return_minor) == (Resolution.APPLIED, 4_600, 0)
    assert held.resolution_note == "ผู้ซื้อยืนยันทางโทรศัพท์ว่าโอนเกิน\nโอนคืนส่วนเกินแล้ว"
    assert list(BankTransaction.objects.resolved()) == [held]
    assert ledger.balance("suspense") == 0
    assert ledger.balance("bank") == DUE - 254  # what the buyer really left with Talat, less the fee
    assert ledger.enterprise_balance(shop) == SHOP_EARNS and ledger.trial_balance().balanced
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    kinds = list(AuditEntry.objects.filter(kind__startswith="payment.held").values_list("kind", flat=True))
    assert kinds == ["payment.held_applied", "payment.held_returned"]


def test_an_underpayment_cannot_be_applied_and_nothing_changes(client, shop, admin):
    payment = checkout(shop)
    held = bank_says(client, transaction_id="T-SHORT", amount=DUE - 100, reference=payment.reference_1)
    before = state(payment)
    assert not services.can_apply(held)
    with pytest.raises(ValidationError) as refused:
        services.apply_to_payment(transaction=held, by=admin, note="ลองใช้ชำระ")
    assert refused.value.messages == [
        "ได้รับ 253.00 บาท น้อยกว่ายอดที่ต้องชำระ 254.00 บาท จึงใช้ชำระไม่ได้ ต้องคืนเงินให้ผู้โอน"
    ]
    assert state(payment) == before
    assert payment.status == PaymentStatus.REVIEW and ledger.balance("suspense") == DUE - 100


def test_a_returned_payment_waits_again_and_the_right_amount_then_pays_it(client, shop, admin):
    payment = checkout(shop)
    held = bank_says(client, transaction_id="T-SHORT", amount=DUE - 100, reference=payment.reference_1)
    services.return_to_payer(transaction=held, by=admin, note="ยอดไม่ครบ โอนคืนแล้ว")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and payment.review_reason == ""
    assert payment.orders.get().status == OrderStatus.AWAITING_PAYMENT
    assert ledger.balance("bank") == ledger.balance("suspense") == 0 and ledger.trial_balance().balanced
    held.refresh_from_db()
    assert (held.resolution, held.returned_minor, held.resolved_by) == (Resolution.RETURNED, DUE - 100, admin)
    status = client.get(f"/store/pay/{payment.uid}/status/").content.decode()
    assert "รอชำระเงิน" in status and "รอเจ้าหน้าที่ตรวจสอบ" not in status
    # The buyer pays the right amount: a clean match.
    again = bank_says(client, transaction_id="T-RIGHT", amount=DUE, reference=payment.reference_1)
    assert again.outcome == Outcome.MATCHED
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and payment.orders.get().status == OrderStatus.PAID
    assert ledger.balance("bank") == DUE - 254 and ledger.enterprise_balance(shop) == SHOP_EARNS


def test_a_duplicate_payment_of_a_paid_checkout_goes_back(client, shop, admin):
    payment = checkout(shop)
    bank_says(client, transaction_id="T1", amount=DUE, reference=payment.reference_1)
    twice = bank_says(client, transaction_id="T2", amount=DUE, reference=payment.reference_1)
    assert twice.outcome == Outcome.ALREADY_PAID
    assert ledger.balance("bank") == 2 * DUE - 254 and ledger.balance("suspense") == DUE
    assert not services.can_apply(twice)
    with pytest.raises(ValidationError):
        services.apply_to_payment(transaction=twice, by=admin, note="ใช้ซ้ำ")
    services.return_to_payer(transaction=twice, by=admin, note="ผู้ซื้อโอนซ้ำ")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and payment.review_reason == ""
    assert ledger.balance("bank") == DUE - 254 and ledger.balance("suspense") == 0
    assert ledger.enterprise_balance(shop) == SHOP_EARNS and ledger.trial_balance().balanced


def test_money_for_a_cancelled_checkout_goes_back_and_the_buyer_sees_it_expired(client, shop, admin):
    payment = checkout(shop)
    orders.cancel_order(order=payment.orders.get(), reason="payment_expired")
    late = bank_says(client, transaction_id="T-LATE", amount=DUE, reference=payment.reference_1)
    assert late.outcome == Outcome.NOT_PAYABLE and not services.can_apply(late)
    services.return_to_payer(transaction=late, by=admin, note="คำสั่งซื้อหมดเวลาแล้ว")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and payment.review_reason == ""
    assert "หมดเวลาชำระเงิน" in client.get(f"/store/pay/{payment.uid}/status/").content.decode()
    assert ledger.balance("bank") == ledger.balance("suspense") == 0


def test_money_with_an_unknown_reference_goes_back(client, admin):
    stray = bank_says(client, transaction_id="T-STRAY", amount=50_000, reference="TLNOSUCHREF")
    assert stray.outcome == Outcome.UNKNOWN_REFERENCE and stray.payment is None
    assert ledger.balance("bank") == ledger.balance("suspense") == 50_000
    assert not services.can_apply(stray)
    services.return_to_payer(transaction=stray, by=admin, note="ไม่ทราบผู้ซื้อ โอนคืนตามบัญชีต้นทาง")
    stray.refresh_from_db()
    assert (stray.resolution, stray.to_return_minor) == (Resolution.RETURNED, 0)
    assert ledger.balance("bank") == ledger.balance("suspense") == 0 and ledger.trial_balance().balanced


def test_a_second_resolution_or_one_without_a_note_is_refused(client, shop, admin):
    payment = checkout(shop)
    over = bank_says(client, transaction_id="T-OVER", amount=30_000, reference=payment.reference_1)
    stray = bank_says(client, transaction_id="T-STRAY", amount=1_000, reference="TLNOSUCHREF")
    before = state(payment)
    for note in ("", "   ", "ก" * 501):
        with pytest.raises(ValidationError, match="กรุณาระบุเหตุผล"):
            services.return_to_payer(transaction=stray, by=admin, note=note)
    assert state(payment) == before

    services.return_to_payer(transaction=stray, by=admin, note="ไม่ทราบผู้โอน")
    before = state(payment)
    with pytest.raises(ValidationError) as refused:
        services.return_to_payer(transaction=stray, by=admin, note="คืนอีกครั้ง")
    assert refused.value.messages == ["รายการ T-STRAY จัดการไปแล้ว (คืนเงินให้ผู้โอนแล้ว)"]
    with pytest.raises(ValidationError, match="จัดการไปแล้ว"):
        services.apply_to_payment(transaction=stray, by=admin, note="ใช้ชำระ")
    assert state(payment) == before

    services.apply_to_payment(transaction=over, by=admin, note="โอนเกิน")
    before = state(payment)
    with pytest.raises(ValidationError, match="รายการ T-OVER จัดการไปแล้ว"):
        services.apply_to_payment(transaction=over, by=admin, note="ใช้ชำระอีกครั้ง")
    assert state(payment) == before
    services.return_to_payer(transaction=over, by=admin, note="คืนส่วนเกิน")
    with pytest.raises(ValidationError, match="จัดการไปแล้ว"):
        services.return_to_payer(transaction=over, by=admin, note="คืนส่วนเกินอีกครั้ง")
    assert ledger.balance("suspense") == 0 and ledger.trial_balance().balanced


def test_matched_money_is_not_resolved(client, shop, admin):
    payment = checkout(shop)
    paid = bank_says(client, transaction_id="T1", amount=DUE, reference=payment.reference_1)
    with pytest.raises(ValidationError, match="ตรงกับคำสั่งซื้อแล้ว"):
        services.return_to_payer(transaction=paid, by=admin, note="คืน")
    assert ledger.balance("bank") == DUE - 254


def test_the_ledger_never_returns_more_than_suspense_holds():
    ledger_services.record_unmatched_receipt(key="suspense:T1", amount_satang=1_000, reference="X")
    with pytest.raises(ledger_services.LedgerError, match="เงินรอตรวจสอบมีเพียง 10.00 บาท ไม่พอสำหรับ 10.01 บาท"):
        ledger_services.record_suspense_return(key="suspense-return:T1", amount_satang=1_001)
    first = ledger_services.record_suspense_return(key="suspense-return:T1", amount_satang=1_000)
    # Posting the key again returns the entry already posted, though suspense is now empty.
    assert ledger_services.record_suspense_return(key="suspense-return:T1", amount_satang=1_000) == first
    with pytest.raises(ledger_services.LedgerError):
        ledger_services.record_suspense_applied(key="suspense-apply:T1", amount_satang=1)
    assert ledger.balance("suspense") == ledger.balance("bank") == 0
    assert ledger.trial_balance().balanced


def test_only_platform_admins_may_resolve(client, shop):
    payment = checkout(shop)
    over = bank_says(client, transaction_id="T-OVER", amount=30_000, reference=payment.reference_1)
    before = state(payment)
    for person in (shop.owner, user(role=Role.AGENCY_OFFICER)):
        client.force_login(person)
        for action in ("return", "apply"):
            response = client.post(f"/payments/finance/transactions/{over.uid}/{action}/", {"note": "ขอคืน"})
            assert response.status_code == 403
    client.logout()
    response = client.post(f"/payments/finance/transactions/{over.uid}/return/", {"note": "ขอคืน"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert state(payment) == before


def test_the_finance_desk_lists_and_resolves_held_money(client, shop, admin):
    over_payment, short_payment = checkout(shop), checkout(shop)
    over = bank_says(client, transaction_id="T-OVER", amount=30_000, reference=over_payment.reference_1)
    short = bank_says(client, transaction_id="T-SHORT", amount=DUE - 100, reference=short_payment.reference_1)
    client.force_login(admin)
    page = client.get("/payments/finance/").content.decode()
    tree = lxml.html.fromstring(page)
    listed = {row[0]: row for row in rows(page, "unmatched")}
    assert set(listed) == {"T-OVER", "T-SHORT"} and listed["T-OVER"][5] == "฿300"
    assert "ยังไม่มีรายการที่จัดการแล้ว" in page
    # Both may be returned; only the overpayment may pay its checkout.
    assert tree.xpath(f"//form[@action='/payments/finance/transactions/{short.uid}/return/']")
    assert not tree.xpath(f"//form[@action='/payments/finance/transactions/{short.uid}/apply/']")
    (apply_form,) = tree.xpath(f"//form[@action='/payments/finance/transactions/{over.uid}/apply/']")
    assert "ใช้เงินนี้ชำระ ฿254" in apply_form.get("hx-confirm") and apply_form.get("method") == "post"
    assert apply_form.xpath(".//input[@name='csrfmiddlewaretoken']")
    (note,) = apply_form.xpath(".//input[@name='note']")
    assert note.get("required") is not None
    assert apply_form.xpath(f".//label[@for='{note.get('id')}']")[0].text_content() == "เหตุผลที่ใช้ชำระ"
    assert apply_form.xpath(".//button[@type='submit']")[0].text_content() == "ใช้ชำระคำสั่งซื้อ"

    # A note is required: the desk says so and nothing changes.
    before = state()
    response = client.post(f"/payments/finance/transactions/{over.uid}/apply/", {"note": ""}, follow=True)
    assert messages_of(response) == ["กรุณาระบุเหตุผลในบันทึก ไม่เกิน 500 ตัวอักษร"]
    assert state() == before

    response = client.post(
        f"/payments/finance/transactions/{over.uid}/apply/", {"note": "ผู้ซื้อโอนเกิน"}, follow=True
    )
    assert response.redirect_chain == [("/payments/finance/", 302)]
    assert messages_of(response) == [
        f"ใช้รายการ T-OVER ชำระคำสั่งซื้อ {over_payment.reference_1} แล้ว ส่วนเกิน 46.00 บาท รอคืนให้ผู้โอน"
    ]
    listed = {row[0]: row for row in rows(response.content.decode(), "unmatched")}
    assert listed["T-OVER"][5] == "฿46 ใช้ชำระแล้ว ฿254 ส่วนเกิน ฿46 รอคืน"
    assert over_payment.orders.get().status == OrderStatus.PAID

    response = client.post(f"/payments/finance/transactions/{short.uid}/apply/", {"note": "ลอง"}, follow=True)
    assert messages_of(response) == [
        "ได้รับ 253.00 บาท น้อยกว่ายอดที่ต้องชำระ 254.00 บาท จึงใช้ชำระไม่ได้ ต้องคืนเงินให้ผู้โอน"
    ]
    for held, note_text in ((over, "โอนคืนส่วนเกิน"), (short, "ยอดไม่ครบ โอนคืน")):
        response = client.post(
            f"/payments/finance/transactions/{held.uid}/return/", {"note": note_text}, follow=True
        )
    assert messages_of(response) == ["คืนเงิน 253.00 บาท ของรายการ T-SHORT ให้ผู้โอนแล้ว"]
    page = response.content.decode()
    assert rows(page, "unmatched") == [] and "ไม่มีรายการ" in page
    resolved = {row[0]: row for row in rows(page, "resolved")}
    assert resolved["T-OVER"][1:7] == [
        "฿300",
        "ยอดเงินไม่ตรง",
        "ใช้ชำระคำสั่งซื้อแล้ว",
        "฿254",
        "฿46",
        admin.full_name,
    ]
    assert '<td data-label="บันทึก">ผู้ซื้อโอนเกิน<br>โอนคืนส่วนเกิน</td>' in page  # both notes, one a line
    assert resolved["T-SHORT"][3:7] == ["คืนเงินให้ผู้โอนแล้ว", "฿0", "฿253", admin.full_name]
    assert resolved["T-SHORT"][7] and resolved["T-SHORT"][8] == "ยอดไม่ครบ โอนคืน"
    response = client.post(
        f"/payments/finance/transactions/{short.uid}/return/", {"note": "อีกครั้ง"}, follow=True
    )
    assert messages_of(response) == ["รายการ T-SHORT จัดการไปแล้ว (คืนเงินให้ผู้โอนแล้ว)"]
    assert ledger.balance("suspense") == 0 and ledger.trial_balance().balanced


def test_the_desk_forms_need_the_csrf_token(shop, admin):
    payment = checkout(shop)
    stray_client = Client(enforce_csrf_checks=True)
    held = bank_says(stray_client, transaction_id="T-OVER", amount=30_000, reference=payment.reference_1)
    stray_client.force_login(admin)
    response = stray_client.post(f"/payments/finance/transactions/{held.uid}/return/", {"note": "คืน"})
    assert response.status_code == 403
    held.refresh_from_db()
    assert held.resolution == "" and ledger.balance("suspense") == 30_000
