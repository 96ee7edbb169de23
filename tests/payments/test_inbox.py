"""Bank notifications arriving together: each is recorded once, one worker at a time matches the
inbox in batches, and when every request has been answered every checkout is paid exactly once."""

import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from talat.catalog.models import Variant
from talat.invoicing.models import TaxDocument
from talat.ledger import selectors as ledger
from talat.ledger import services as ledger_services
from talat.ledger.models import Transfer, TransferKind
from talat.orders.models import Order, OrderEvent, OrderStatus
from talat.payments import services
from talat.payments.models import BankTransaction, Outcome, PaymentStatus
from talat.payments.notifications import sign, verify
from talat.registry.reference import ensure_goods_categories
from talat.storefront.cart import CartLine
from talat.storefront.services import place_orders
from tests.factories import ADDRESS, product, verified_enterprise
from tests.payments.bank import SECRET, notification_body, post_notification

pytestmark = pytest.mark.usefixtures("money_settings")
CHECKOUTS, THREADS = 24, 6


def checkouts(count):
    shops = [verified_enterprise() for _ in range(3)]
    variants = [Variant.objects.get(product=product(shop, stock=100, price_satang=10_000)) for shop in shops]
    return [
        place_orders(lines=[CartLine(variants[n % 3], 1)], buyer_name="ผู้ซื้อ", address=ADDRESS)
        for n in range(count)
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent workers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_notifications_arriving_together_pay_each_checkout_once():
    ensure_goods_categories()
    payments = checkouts(CHECKOUTS)
    bodies = [
        notification_body(reference=p.reference_1, amount_satang=p.amount_minor, transaction_id=f"T{n}")
        for n, p in enumerate(payments)
    ]
    bodies += bodies[:4]  # the bank sends four of them twice
    wrong = payments[-1]
    bodies[CHECKOUTS - 1] = notification_body(
        reference=wrong.reference_1, amount_satang=wrong.amount_minor - 1, transaction_id=f"T{CHECKOUTS - 1}"
    )
    barrier, errors, statuses = threading.Barrier(THREADS), [], []

    def run(index):
        try:
            client = Client()
            barrier.wait()
            for body in bodies[index::THREADS]:
                statuses.append(post_notification(client, body).status_code)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and statuses == [200] * len(bodies)
    outcomes = sorted(BankTransaction.objects.values_list("outcome", flat=True))
    assert outcomes == sorted([Outcome.MATCHED] * (CHECKOUTS - 1) + [Outcome.WRONG_AMOUNT])
    assert BankTransaction.objects.filter(notifications=2).count() == 4
    paid = Order.objects.filter(status=OrderStatus.PAID)
    assert paid.count() == CHECKOUTS - 1 and wrong.orders.get().status == OrderStatus.AWAITING_PAYMENT
    assert OrderEvent.objects.filter(to_status=OrderStatus.PAID).count() == CHECKOUTS - 1
    assert TaxDocument.objects.count() == CHECKOUTS - 1
    wrong.refresh_from_db()
    assert wrong.status == PaymentStatus.REVIEW
    received = sum(p.amount_minor for p in payments) - 1
    fees = Transfer.objects.filter(kind=TransferKind.PAYMENT_FEE)
    bank_fees = sum(fees.values_list("amount_satang", flat=True))
    assert bank_fees > 0 and ledger.balance("bank") == received - bank_fees  # the bank keeps its fee
    assert ledger.balance("suspense") == wrong.amount_minor - 1
    assert ledger.trial_balance().balanced


@pytest.mark.django_db
def test_a_notification_recorded_while_no_worker_ran_is_matched_by_the_next(client):
    first, second = checkouts(2)
    services.record(_notification(first, "T-EARLY"))  # recorded, then the process stopped
    assert BankTransaction.objects.get().outcome == Outcome.RECEIVED
    assert post_notification(client, _body(second, "T-LATER")).json()["outcome"] == Outcome.MATCHED
    assert set(BankTransaction.objects.values_list("outcome", flat=True)) == {Outcome.MATCHED}
    assert Order.objects.filter(status=OrderStatus.PAID).count() == 2


def _body(payment, transaction_id):
    return notification_body(
        reference=payment.reference_1, amount_satang=payment.amount_minor, transaction_id=transaction_id
    )


def _notification(payment, transaction_id):
    body = _body(payment, transaction_id)
    return verify(body, header=sign(body, secret=SECRET, timestamp=int(time.time())), secret=SECRET)


@pytest.mark.django_db
def test_a_transaction_that_cannot_be_matched_does_not_hold_up_the_others(caplog):
    stuck, fine = checkouts(2)
    order = stuck.orders.get()
    # A posting already made under the order's payment key with other amounts: paying it fails.
    ledger_services.record_payment(
        key=f"payment:{order.uid}", enterprise=order.enterprise, source="bank", gross_satang=1, vat_satang=0
    )
    services.record(_notification(stuck, "T-STUCK"))
    services.record(_notification(fine, "T-FINE"))
    assert services.match_received() == 1
    assert BankTransaction.objects.get(transaction_id="T-FINE").outcome == Outcome.MATCHED
    assert BankTransaction.objects.get(transaction_id="T-STUCK").outcome == Outcome.RECEIVED
    assert "could not be matched" in caplog.text
    assert services.match_received() == 0  # tried again, still stuck, and the worker stops
    call_command("match_payments", stdout=StringIO())
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_PAYMENT


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the query plans are PostgreSQL's")
@pytest.mark.django_db
def test_the_worker_and_the_finance_desk_find_their_rows_by_index_not_by_reading_every_transaction():
    waiting, _other = checkouts(2)
    services.record(_notification(waiting, "T-WAITING"))
    with CaptureQueriesContext(connection) as queries:
        assert services.match_received() == 1
    inbox = [
        query["sql"]
        for query in queries
        if query["sql"].startswith("SELECT") and '"payments_banktransaction"."outcome" = ' in query["sql"]
    ]
    assert len(inbox) >= 2  # the batch and the last look
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a plan must not scan when an index applies
        plans = []
        for sql in inbox:
            cursor.execute(f"EXPLAIN {sql}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert all("payments_inbox" in plan and "Seq Scan" not in plan for plan in plans), plans
    held = BankTransaction.objects.unresolved().explain()
    assert "payments_held" in held and "Seq Scan" not in held, held
