"""The ledger: what each business event posts, idempotency, refusals, payouts, the trial balance
and an SME's statement."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, connections, transaction

from talat.ledger import selectors, services
from talat.ledger.models import Account, Entry, PayoutBatch, Transfer
from talat.ledger.services import LedgerError, Leg
from talat.registry.reference import ensure_goods_categories
from tests.factories import enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return enterprise()


def legs_of(entry) -> set[tuple]:
    return set(entry.transfers.values_list("kind", "debit__code", "credit__code", "amount_satang"))


def test_a_promptpay_payment_splits_sale_vat_and_fees(shop):
    entry = services.record_payment(
        key="payment:TL-1",
        enterprise=shop,
        source="bank",
        gross_satang=10_700,
        vat_satang=700,
        platform_fee_satang=300,
        payment_fee_satang=100,
        reference="TL-1",
    )
    sme = f"sme:{shop.pk}"
    assert legs_of(entry) == {
        ("sale", "bank", f"{sme}:revenue", 10_000),
        ("vat_output", "bank", f"{sme}:vat", 700),
        ("platform_fee", f"{sme}:revenue", "talat:platform_fee", 300),
        ("payment_fee", f"{sme}:revenue", "bank", 100),
    }
    assert (entry.kind, entry.reference, entry.enterprise) == ("payment", "TL-1", shop)
    assert selectors.balance("bank") == 10_600  # the bank kept its fee
    assert selectors.balance(f"{sme}:revenue") == 9_600
    assert selectors.balance(f"{sme}:vat") == 700
    assert selectors.balance("talat:platform_fee") == 300
    assert selectors.enterprise_balance(shop) == 10_300
    accounts = {a.code: (a.kind, a.enterprise_id) for a in Account.objects.all()}
    assert accounts[f"{sme}:revenue"] == ("liability", shop.pk)
    assert accounts["bank"] == ("asset", None)
    assert accounts["talat:platform_fee"] == ("income", None)


def test_a_marketplace_order_is_owed_by_the_channel_less_its_commission(shop):
    entry = services.record_payment(
        key="payment:LZ-9",
        enterprise=shop,
        source="channel:lazada",
        gross_satang=5_000,
        vat_satang=0,
        channel_fee_satang=500,
    )
    assert legs_of(entry) == {
        ("sale", "channel:lazada", f"sme:{shop.pk}:revenue", 5_000),
        ("channel_fee", f"sme:{shop.pk}:revenue", "channel:lazada", 500),
    }
    assert selectors.balance("channel:lazada") == 4_500
    assert selectors.enterprise_balance(shop) == 4_500
    assert selectors.balance("bank") == 0


def test_posting_a_key_again_posts_nothing_and_different_amounts_are_refused(shop):
    first = services.record_payment(
        key="payment:TL-2", enterprise=shop, source="bank", gross_satang=1_000, vat_satang=0
    )
    again = services.record_payment(
        key="payment:TL-2", enterprise=shop, source="bank", gross_satang=1_000, vat_satang=0
    )
    assert again.pk == first.pk
    assert Entry.objects.count() == 1 and Transfer.objects.count() == 1
    with pytest.raises(LedgerError, match="ยอดต่างกัน"):
        services.record_payment(
            key="payment:TL-2", enterprise=shop, source="bank", gross_satang=1_001, vat_satang=0
        )
    assert selectors.enterprise_balance(shop) == 1_000


@pytest.mark.parametrize(
    ("legs", "kind", "message"),
    [
        ([], "adjustment", "อย่างน้อยหนึ่ง"),
        ([Leg("sale", "bank", "talat:platform_fee", 0)], "adjustment", "มากกว่าศูนย์"),
        ([Leg("sale", "bank", "talat:platform_fee", 1.5)], "adjustment", "จำนวนเต็ม"),
        ([Leg("sale", "bank", "bank", 100)], "adjustment", "คนละบัญชี"),
        ([Leg("gift", "bank", "talat:platform_fee", 100)], "adjustment", "ไม่รู้จักประเภทการโอน"),
        ([Leg("sale", "bank", "talat:platform_fee", 100)], "bonus", "ไม่รู้จักประเภทรายการ"),
        ([Leg("sale", "bank", "cash-box", 100)], "adjustment", "ไม่รู้จักรหัสบัญชี"),
        ([Leg("sale", "bank", "sme:999999:revenue", 100)], "adjustment", "ไม่พบกิจการ"),
    ],
)
def test_post_refuses_what_is_not_a_posting(legs, kind, message):
    with pytest.raises(LedgerError, match=message):
        services.post(key="bad", kind=kind, legs=legs)
    assert not Entry.objects.exists() and not Transfer.objects.exists()


def test_payment_amounts_are_checked(shop):
    base = {"enterprise": shop, "source": "bank", "gross_satang": 1_000, "vat_satang": 0}
    for changes, message in [
        ({"vat_satang": 1_001}, "ไม่เกินยอดชำระ"),
        ({"platform_fee_satang": 600, "payment_fee_satang": 401}, "ค่าธรรมเนียมรวม"),
        ({"channel_fee_satang": 10}, "เฉพาะคำสั่งซื้อจากช่องทางขาย"),
        ({"source": "cash"}, "แหล่งเงิน"),
        ({"gross_satang": 0}, "มากกว่าศูนย์"),
        ({"gross_satang": 10.5}, "จำนวนเต็ม"),
    ]:
        with pytest.raises(LedgerError, match=message):
            services.record_payment(key="payment:x", **{**base, **changes})
    assert not Entry.objects.exists()


def test_entries_are_append_only(shop):
    entry = services.record_payment(
        key="payment:TL-3", enterprise=shop, source="bank", gross_satang=500, vat_satang=0
    )
    transfer = entry.transfers.get()
    entry.memo = "rewritten"
    for attempt in (
        entry.save,
        entry.delete,
        transfer.save,
        transfer.delete,
        Transfer.objects.all().delete,
        lambda: Transfer.objects.update(amount_satang=1),
    ):
        with pytest.raises(TypeError, match="append-only"):
            attempt()
    assert Transfer.objects.get().amount_satang == 500
    assert Entry.objects.get().memo == ""


def test_the_database_rejects_a_zero_amount_and_a_self_transfer(shop):
    entry = services.record_payment(
        key="payment:TL-4", enterprise=shop, source="bank", gross_satang=500, vat_satang=0
    )
    bank = Account.objects.get(code="bank")
    revenue = Account.objects.get(code=f"sme:{shop.pk}:revenue")
    for debit, credit, amount in [(bank, revenue, 0), (bank, bank, 100)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Transfer.objects.bulk_create(
                [Transfer(entry=entry, kind="sale", debit=debit, credit=credit, amount_satang=amount)]
            )
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_transfer (entry_id, kind, debit_id, credit_id, amount_satang) "
            "VALUES (%s, %s, %s, %s, %s)",
            [entry.pk, "sale", revenue.pk, revenue.pk, 100],
        )
    assert Transfer.objects.count() == 1


def test_a_partial_then_full_refund_comes_out_of_the_smes_balance(shop):
    services.record_payment(
        key="payment:TL-5", enterprise=shop, source="bank", gross_satang=10_700, vat_satang=700
    )
    refund = services.record_refund(
        key="refund:TL-5:1", enterprise=shop, gross_satang=2_140, vat_satang=140, reference="TL-5"
    )
    assert legs_of(refund) == {
        ("refund", f"sme:{shop.pk}:revenue", "bank", 2_000),
        ("refund", f"sme:{shop.pk}:vat", "bank", 140),
    }
    assert selectors.enterprise_balance(shop) == 8_560
    services.record_refund(key="refund:TL-5:2", enterprise=shop, gross_satang=8_560, vat_satang=560)
    assert selectors.enterprise_balance(shop) == 0
    assert selectors.balance("bank") == 0


def test_a_refund_larger_than_what_talat_holds_is_refused(shop):
    services.record_payment(
        key="payment:TL-6",
        enterprise=shop,
        source="bank",
        gross_satang=1_070,
        vat_satang=70,
        platform_fee_satang=50,
    )
    with pytest.raises(LedgerError, match="ไม่พอสำหรับการคืนเงิน 10.70 บาท"):
        services.record_refund(key="refund:TL-6", enterprise=shop, gross_satang=1_070, vat_satang=70)
    assert not Entry.objects.filter(kind="refund").exists()
    services.run_payout_batch(key="payout:1")
    with pytest.raises(LedgerError, match="ไม่พอ"):
        services.record_refund(key="refund:TL-6b", enterprise=shop, gross_satang=100, vat_satang=0)
    with pytest.raises(LedgerError, match="ไม่พอ"):
        services.record_refund(key="refund:TL-6c", enterprise=enterprise(), gross_satang=100, vat_satang=0)


def test_a_payout_batch_pays_each_sme_its_balance_once(shop):
    small = enterprise()
    services.record_payment(
        key="payment:A",
        enterprise=shop,
        source="bank",
        gross_satang=10_700,
        vat_satang=700,
        platform_fee_satang=300,
    )
    services.record_payment(key="payment:B", enterprise=small, source="bank", gross_satang=900, vat_satang=0)
    batch = services.run_payout_batch(key="payout:2026-11-25", minimum_satang=1_000)
    lines = list(batch.lines.values_list("enterprise_id", "amount_satang"))
    assert lines == [(shop.pk, 10_400)]
    assert batch.total_satang == 10_400 and batch.completed_at is not None
    entry = Entry.objects.get(key=f"payout:2026-11-25:sme:{shop.pk}")
    assert legs_of(entry) == {
        ("payout", f"sme:{shop.pk}:revenue", "bank", 9_700),
        ("payout", f"sme:{shop.pk}:vat", "bank", 700),
    }
    assert selectors.enterprise_balance(shop) == 0
    assert selectors.enterprise_balance(small) == 900
    bank_after = selectors.balance("bank")
    entries = Entry.objects.count()

    again = services.run_payout_batch(key="payout:2026-11-25", minimum_satang=1)
    assert again.pk == batch.pk and again.total_satang == 10_400
    assert Entry.objects.count() == entries and selectors.balance("bank") == bank_after

    later = services.run_payout_batch(key="payout:2026-11-26")
    assert list(later.lines.values_list("enterprise_id", "amount_satang")) == [(small.pk, 900)]
    assert selectors.balance("bank") == bank_after - 900
    assert PayoutBatch.objects.count() == 2


def test_the_trial_balance_balances_and_shows_every_account(shop):
    services.record_payment(
        key="payment:C",
        enterprise=shop,
        source="channel:tmall-global",
        gross_satang=2_140,
        vat_satang=140,
        platform_fee_satang=100,
        channel_fee_satang=200,
    )
    services.record_refund(key="refund:C", enterprise=shop, gross_satang=1_070, vat_satang=70)
    trial = selectors.trial_balance()
    rows = {row.code: (row.debit_satang, row.credit_satang, row.balance_satang) for row in trial}
    assert rows == {
        "bank": (0, 1_070, -1_070),
        "channel:tmall-global": (2_140, 200, 1_940),
        f"sme:{shop.pk}:revenue": (300 + 1_000, 2_000, 700),
        f"sme:{shop.pk}:vat": (70, 140, 70),
        "talat:platform_fee": (0, 100, 100),
    }
    assert trial.total_debit_satang == trial.total_credit_satang == 3_510
    assert trial.balanced


def test_a_statement_has_opening_running_and_closing_balances(shop, django_assert_max_num_queries):
    other = enterprise()
    services.record_payment(
        key="payment:old", enterprise=shop, source="bank", gross_satang=5_000, vat_satang=0
    )
    old = Entry.objects.get(key="payment:old")
    with connection.cursor() as cursor:  # posted last month; entries are append-only, so raw SQL
        cursor.execute(
            "UPDATE ledger_entry SET created_at = %s WHERE id = %s",
            [datetime(2026, 10, 1, 5, tzinfo=UTC), old.pk],
        )
    services.record_payment(
        key="payment:D",
        enterprise=shop,
        source="bank",
        gross_satang=1_070,
        vat_satang=70,
        platform_fee_satang=30,
    )
    services.record_payment(key="payment:E", enterprise=other, source="bank", gross_satang=999, vat_satang=0)
    services.record_refund(key="refund:D", enterprise=shop, gross_satang=535, vat_satang=35)

    today = datetime.now(UTC).date()
    with django_assert_max_num_queries(8):
        page = selectors.statement(shop, start=date(2026, 11, 1), end=today + timedelta(days=1))
    assert page.opening_satang == 5_000
    assert [(line.kind, line.amount_satang, line.balance_satang) for line in page.lines] == [
        ("sale", 1_000, 6_000),
        ("vat_output", 70, 6_070),
        ("platform_fee", -30, 6_040),
        ("refund", -500, 5_540),
        ("refund", -35, 5_505),
    ]
    assert page.closing_satang == 5_505 == selectors.enterprise_balance(shop)
    assert page.lines[0].entry_key == "payment:D" and page.lines[0].account_code == f"sme:{shop.pk}:revenue"

    second = selectors.statement(shop, start=date(2026, 11, 1), page=2, per_page=2)
    assert (second.total_lines, second.num_pages, second.has_next) == (5, 3, True)
    assert [(line.amount_satang, line.balance_satang) for line in second.lines] == [
        (-30, 6_040),
        (-500, 5_540),
    ]

    everything = selectors.statement(shop)
    assert everything.opening_satang == 0 and everything.total_lines == 6
    assert everything.lines[0].balance_satang == 5_000
    empty = selectors.statement(enterprise())
    assert (empty.opening_satang, empty.closing_satang, empty.lines) == (0, 0, [])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_payout_batches_pay_each_sme_once():
    ensure_goods_categories()
    shops = [enterprise() for _ in range(3)]
    for n, made in enumerate(shops):
        services.record_payment(
            key=f"payment:P{n}", enterprise=made, source="bank", gross_satang=1_000 * (n + 1), vat_satang=0
        )
    barrier, errors = threading.Barrier(6), []

    def run(key: str):
        try:
            barrier.wait()
            services.run_payout_batch(key=key)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(f"payout:{n % 3}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    paid = Transfer.objects.filter(kind="payout").values_list("debit__enterprise_id", "amount_satang")
    assert sorted(paid) == sorted((made.pk, 1_000 * (n + 1)) for n, made in enumerate(shops))
    assert selectors.balance("bank") == 0
    assert sum(batch.total_satang for batch in PayoutBatch.objects.all()) == 6_000
