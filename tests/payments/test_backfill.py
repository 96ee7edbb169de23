"""Money held for review before the suspense account existed gets its suspense entry once, from the
data migration, so the ledger's bank account equals the money received."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from talat.ledger import selectors as ledger
from talat.ledger.models import Entry
from talat.payments.models import BankTransaction, Outcome

pytestmark = pytest.mark.django_db
backfill = importlib.import_module("talat.payments.migrations.0004_backfill_suspense").backfill


def held(transaction_id, amount, outcome=Outcome.WRONG_AMOUNT):
    return BankTransaction.objects.create(
        transaction_id=transaction_id, event_id=f"e-{transaction_id}", amount_minor=amount,
        reference_1="TL0000000001", paid_at=timezone.now(), outcome=outcome,
    )  # fmt: skip


def test_old_held_money_is_posted_to_suspense_once():
    held("T-OLD-1", 12_000)
    held("T-OLD-2", 500, Outcome.UNKNOWN_REFERENCE)
    held("T-MATCHED", 9_900, Outcome.MATCHED)  # paid an order: its money is in the sale's entry
    held("T-WAITING", 700, Outcome.RECEIVED)  # not matched yet: the matching posts it
    backfill(apps, None)
    backfill(apps, None)  # again: nothing more
    assert set(Entry.objects.values_list("key", flat=True)) == {"suspense:T-OLD-1", "suspense:T-OLD-2"}
    assert ledger.balance("bank") == ledger.balance("suspense") == 12_500
    assert ledger.trial_balance().balanced


def test_nothing_held_posts_nothing():
    held("T-MATCHED", 9_900, Outcome.MATCHED)
    backfill(apps, None)
    assert not Entry.objects.exists()
