"""Money held for review before the suspense account existed: posts each such bank transaction's
receipt into suspense (bank debit, suspense credit) under the key the payments service uses,
"suspense:<transaction id>", so it is never posted twice and the ledger's bank account equals the
money received. Transactions already resolved in full are posted too, since their return or
application was posted out of suspense."""

from django.db import migrations


def backfill(apps, schema_editor):
    BankTransaction = apps.get_model("payments", "BankTransaction")
    Account = apps.get_model("ledger", "Account")
    Entry = apps.get_model("ledger", "Entry")
    Transfer = apps.get_model("ledger", "Transfer")
    held = BankTransaction.objects.exclude(outcome__in=("matched", "received")).order_by("pk")
    posted = set(Entry.objects.filter(key__startswith="suspense:").values_list("key", flat=True))
    missing = [t for t in held if f"suspense:{t.transaction_id}" not in posted]
    if not missing:
        return
    bank, _created = Account.objects.get_or_create(
        code="bank", defaults={"kind": "asset", "name_th": "บัญชีธนาคารของตลาด"}
    )
    suspense, _created = Account.objects.get_or_create(
        code="suspense", defaults={"kind": "liability", "name_th": "เงินรับรอตรวจสอบ (ถือไว้แทนผู้โอน)"}
    )
    for recorded in missing:
        entry = Entry.objects.create(
            key=f"suspense:{recorded.transaction_id}", kind="suspense", reference=recorded.reference_1[:64]
        )
        Transfer.objects.create(
            entry=entry, kind="suspense_in", debit=bank, credit=suspense, amount_satang=recorded.amount_minor
        )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0003_inbox"),
        ("ledger", "0002_suspense"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
