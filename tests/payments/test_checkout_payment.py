"""From the storefront cart to a paid order: the PromptPay QR Talat shows, the bank's signed
notification (duplicated, out of order, wrong amount, too late), reconciliation and the API."""

import time

import pytest

from talat.accounts.models import Role
from talat.catalog.models import Variant
from talat.channels.sandboxes.server import Running
from talat.ledger import selectors as ledger
from talat.orders import services as orders
from talat.orders.models import Order, OrderStatus
from talat.payments import promptpay
from talat.payments.models import BankTransaction, Outcome, PaymentRequest, PaymentStatus
from talat.payments.notifications import sign
from talat.payments.sandboxes.bank import make_app
from talat.registry.reference import ensure_goods_categories
from talat.storefront.cart import CartLine
from talat.storefront.services import place_orders
from tests.factories import ADDRESS, product, user, verified_enterprise
from tests.payments.bank import SECRET, notification_body, post_notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _bank(settings):
    settings.TALAT_BANK_SECRET = SECRET
    settings.TALAT_BANK_FEE_BP = 0


def buy(shop=None, quantity=1, price=10_000):
    shop = shop or verified_enterprise()
    variant = Variant.objects.get(product=product(shop, stock=5, price_satang=price))
    return place_orders(lines=[CartLine(variant, quantity)], buyer_name="ผู้ซื้อ", address=ADDRESS)


def notification(payment, *, amount=None, transaction_id="T1", event_id=None, reference=None):
    satang = payment.amount_minor if amount is None else amount
    return notification_body(
        reference=reference or payment.reference_1,
        amount_satang=satang,
        transaction_id=transaction_id,
        event_id=event_id,
    )


def test_the_qr_asks_for_the_checkout_total_with_its_reference(client):
    payment = buy(price=12_550)
    parsed = promptpay.parse(payment.payload)
    assert parsed.method == "bill_payment" and parsed.proxy_value.startswith("0994000158807")
    assert parsed.reference_1 == payment.reference_1 and parsed.amount_satang == 12_550 + 4_000
    page = client.get(f"/store/pay/{payment.uid}/").content.decode()
    assert "฿165.50" in page and payment.reference_1 in page and "รอชำระเงิน" in page
    svg = client.get(f"/store/pay/{payment.uid}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert client.get(f"/store/pay/{payment.uid}/qr.png").content.startswith(b"\x89PNG")


def test_a_signed_notification_pays_once_however_often_it_comes(client):
    payment = buy()
    order = payment.orders.get()
    body = notification(payment)
    first = post_notification(client, body)
    assert first.status_code == 200 and first.json()["status"] == "recorded"
    again = post_notification(client, body)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.PAID and payment.status == PaymentStatus.PAID
    assert BankTransaction.objects.get().notifications == 2
    assert ledger.balance("bank") == payment.amount_minor  # booked once
    status = client.get(f"/store/pay/{payment.uid}/status/").content.decode()
    assert "ชำระเงินแล้ว" in status and "hx-trigger" not in status  # the page stops polling


def test_a_bad_signature_or_a_replay_changes_nothing(client):
    payment = buy()
    body = notification(payment)
    assert post_notification(client, body, secret=b"someone-else").status_code == 401
    assert post_notification(client, body, at=time.time() - 3600).status_code == 401
    tampered = body.replace(b'"amount": "140.00"', b'"amount": "1.00"')
    header = sign(body, secret=SECRET, timestamp=int(time.time()))
    forged = client.post("/payments/bank/notify", tampered, content_type="application/json",
                         HTTP_X_BANK_SIGNATURE=header)  # fmt: skip
    assert forged.status_code == 401
    assert not BankTransaction.objects.exists()
    assert payment.orders.get().status == OrderStatus.AWAITING_PAYMENT


def test_notifications_out_of_order_each_find_their_checkout(client):
    first, second = buy(), buy()
    post_notification(client, notification(second, transaction_id="T2"))
    post_notification(client, notification(first, transaction_id="T1"))
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.PAID}
    assert ledger.trial_balance().balanced


def test_a_wrong_amount_is_held_for_review_not_paid(client):
    payment = buy()
    response = post_notification(client, notification(payment, amount=payment.amount_minor - 100))
    assert response.status_code == 200 and response.json()["outcome"] == Outcome.WRONG_AMOUNT
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REVIEW and "139.00" in payment.review_reason
    assert payment.orders.get().status == OrderStatus.AWAITING_PAYMENT
    # The money is in the bank, held for the payer in suspense: no sale is booked.
    assert ledger.balance("bank") == ledger.balance("suspense") == 13_900
    assert ledger.enterprise_balance(payment.orders.get().enterprise) == 0
    assert "รอเจ้าหน้าที่ตรวจสอบ" in client.get(f"/store/pay/{payment.uid}/status/").content.decode()


def test_money_for_an_expired_order_or_an_unknown_reference_is_flagged(client):
    payment = buy()
    orders.cancel_order(order=payment.orders.get(), reason="payment_expired")
    assert post_notification(client, notification(payment)).json()["outcome"] == Outcome.NOT_PAYABLE
    unknown = post_notification(client, notification(payment, transaction_id="T9", reference="TLNOSUCHREF"))
    assert unknown.json()["outcome"] == Outcome.UNKNOWN_REFERENCE
    assert payment.orders.get().status == OrderStatus.CANCELLED


def test_the_bank_statement_is_reconciled_both_ways(client):
    admin = user(role=Role.PLATFORM_ADMIN)
    paid, _other = buy(), buy()
    post_notification(client, notification(paid, transaction_id="T1"))
    post_notification(client, notification(_other, transaction_id="T2"))
    when = BankTransaction.objects.get(transaction_id="T1").paid_at.isoformat()
    later = BankTransaction.objects.get(transaction_id="T2").paid_at.isoformat()
    csv = (
        "transaction_id,value_datetime,amount,ref1,ref2,payer_name,channel,fee\n"
        f"T1,{when},{paid.amount_minor // 100}.00,{paid.reference_1},,นายผู้จ่าย,PromptPay QR,0.00\n"
        f"T7,{later},500.00,,,คนโอนเอง,Transfer,0.00\n"
    )
    client.force_login(admin)
    response = client.post("/payments/finance/statements/", {"statement": _upload(csv)}, follow=True)
    page = response.content.decode()
    assert "ตรงกัน 1 รายการ" in page
    assert "T7" in page.split('id="only-bank"')[1].split("</ul>")[0]
    assert "T2" in page.split('id="only-talat"')[1].split("</ul>")[0]


def test_the_finance_desk_is_for_platform_admins_only(client):
    client.force_login(user())
    assert client.get("/payments/finance/").status_code == 403


def test_the_api_answers_the_orders_payment(client):
    payment = buy()
    order = payment.orders.get()
    answer = client.get(f"/api/v1/orders/{order.uid}/payment").json()
    assert answer["payload"] == payment.payload and answer["amount_satang"] == payment.amount_minor
    assert answer["status"] == "pending" and answer["reference_1"] == payment.reference_1
    missing = client.get("/api/v1/orders/00000000-0000-4000-8000-000000000000/payment")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def _upload(text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("statement.csv", text.encode(), content_type="text/csv")


@pytest.mark.django_db(transaction=True)
def test_the_bank_sandbox_pays_over_http_and_talat_hears_it(live_server):
    ensure_goods_categories()
    payment = buy()
    bank = make_app(
        secret=SECRET, callback_url=f"{live_server.url}/payments/bank/notify", retry_delays=(0.2, 0.5)
    )
    with Running(bank):
        bank.pay(payment.payload, payer_name="นายผู้จ่าย")
        deadline = time.monotonic() + 10
        while (
            time.monotonic() < deadline
            and not PaymentRequest.objects.filter(pk=payment.pk, status=PaymentStatus.PAID).exists()
        ):
            time.sleep(0.1)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and payment.orders.get().status == OrderStatus.PAID
    bank.close()
