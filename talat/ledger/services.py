"""Posting to the ledger. Every function takes keyword arguments, runs in one transaction and is
idempotent by its key: posting a key again returns the entry already posted and posts nothing;
posting a known key with different legs is refused.

Chart of accounts (codes):
  bank                 asset      Talat's bank account (PromptPay collections, refunds, payouts)
  suspense             liability  money received awaiting resolution: a bank credit that matches no
                                  payable order, held for its payer until the finance desk returns
                                  it or applies it to the order
  channel:<code>       asset      what a marketplace owes Talat for orders it collected
  sme:<id>:revenue     liability  what Talat owes an SME for its sales, net of fees
  sme:<id>:vat         liability  the output VAT collected for a VAT-registered SME
  talat:platform_fee   income     Talat's own fee
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from talat.ledger.models import (
    Account,
    AccountKind,
    Entry,
    EntryKind,
    PayoutBatch,
    PayoutLine,
    Transfer,
    TransferKind,
)
from talat.registry.models import Enterprise

BANK = "bank"
SUSPENSE = "suspense"
PLATFORM_FEE = "talat:platform_fee"

_CHANNEL = re.compile(r"channel:([a-z0-9_-]{1,32})")
_SME = re.compile(r"sme:(\d+):(revenue|vat)")


class LedgerError(Exception):
    """A posting that cannot be made; the message is for a person to read."""


@dataclass(frozen=True)
class Leg:
    kind: str
    debit: str
    credit: str
    amount_satang: int


def channel_account(code: str) -> str:
    return f"channel:{code}"


def revenue_account(enterprise) -> str:
    return f"sme:{_pk(enterprise)}:revenue"


def vat_account(enterprise) -> str:
    return f"sme:{_pk(enterprise)}:vat"


def _pk(enterprise) -> int:
    return enterprise if isinstance(enterprise, int) else enterprise.pk


def _account_spec(code: str) -> tuple[str, int | None, str]:
    """(kind, enterprise id, Thai name) of an account code, or LedgerError for a code outside the chart."""
    if code == BANK:
        return AccountKind.ASSET, None, "บัญชีธนาคารของตลาด"
    if code == SUSPENSE:
        return AccountKind.LIABILITY, None, "เงินรับรอตรวจสอบ (ถือไว้แทนผู้โอน)"
    if code == PLATFORM_FEE:
        return AccountKind.INCOME, None, "รายได้ค่าธรรมเนียมแพลตฟอร์ม"
    if match := _CHANNEL.fullmatch(code):
        return AccountKind.ASSET, None, f"ยอดค้างรับจากช่องทาง {match[1]}"
    if match := _SME.fullmatch(code):
        what = "ยอดขายค้างจ่าย" if match[2] == "revenue" else "ภาษีขายค้างจ่าย"
        return AccountKind.LIABILITY, int(match[1]), f"{what} ผู้ขาย #{match[1]}"
    raise LedgerError(_("ไม่รู้จักรหัสบัญชี %(code)s") % {"code": code})


def _accounts(codes) -> dict[str, Account]:
    """The accounts of `codes`, creating those not used before."""
    codes = set(codes)
    found = {account.code: account for account in Account.objects.filter(code__in=codes)}
    for code in sorted(codes - found.keys()):
        kind, enterprise_id, name = _account_spec(code)
        if enterprise_id is not None and not Enterprise.objects.filter(pk=enterprise_id).exists():
            raise LedgerError(_("ไม่พบกิจการของบัญชี %(code)s") % {"code": code})
        try:
            with transaction.atomic():
                found[code] = Account.objects.create(
                    code=code, kind=kind, enterprise_id=enterprise_id, name_th=name
                )
        except IntegrityError:  # created by a concurrent posting
            found[code] = Account.objects.get(code=code)
    return found


def _check(*, key: str, kind: str, legs: Sequence[Leg]) -> None:
    if not key or len(key) > 128:
        raise LedgerError(_("คีย์กันซ้ำต้องมี 1 ถึง 128 ตัวอักษร"))
    if kind not in EntryKind.values:
        raise LedgerError(_("ไม่รู้จักประเภทรายการ %(kind)s") % {"kind": kind})
    if not legs:
        raise LedgerError(_("รายการบัญชีต้องมีอย่างน้อยหนึ่งรายการโอน"))
    for leg in legs:
        if leg.kind not in TransferKind.values:
            raise LedgerError(_("ไม่รู้จักประเภทการโอน %(kind)s") % {"kind": leg.kind})
        amount = leg.amount_satang
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise LedgerError(_("จำนวนเงินต้องเป็นจำนวนเต็มสตางค์ที่มากกว่าศูนย์"))
        if leg.debit == leg.credit:
            raise LedgerError(_("บัญชีเดบิตและเครดิตต้องเป็นคนละบัญชี (%(code)s)") % {"code": leg.debit})


def _signature(legs) -> Counter:
    return Counter((leg.kind, leg.debit, leg.credit, leg.amount_satang) for leg in legs)


@dataclass(frozen=True)
class Posting:
    """One journal entry to post: its idempotency key, kind, legs and labels."""

    key: str
    kind: str
    legs: tuple[Leg, ...]
    reference: str = ""
    memo: str = ""
    enterprise: object = None  # an Enterprise, its id, or None


def _posted_legs(entries: Sequence[Entry]) -> dict[int, list[Leg]]:
    """The legs of each of `entries`, by entry id (one query)."""
    rows = Transfer.objects.filter(entry__in=entries).values_list(
        "entry_id", "kind", "debit__code", "credit__code", "amount_satang"
    )
    legs: dict[int, list[Leg]] = {entry.pk: [] for entry in entries}
    for entry_id, *leg in rows:
        legs[entry_id].append(Leg(*leg))
    return legs


def _existing(postings: Sequence[Posting]) -> dict[str, Entry]:
    """The entries already posted under the postings' keys, by key; LedgerError if one of them was
    posted with another kind or other legs."""
    found = {entry.key: entry for entry in Entry.objects.filter(key__in=[p.key for p in postings])}
    if found:
        posted = _posted_legs(list(found.values()))
        for posting in postings:
            entry = found.get(posting.key)
            differs = entry and _signature(posted[entry.pk]) != _signature(posting.legs)
            if entry and (entry.kind != posting.kind or differs):
                raise LedgerError(
                    _("คีย์ %(key)s ถูกใช้บันทึกรายการที่มียอดต่างกันแล้ว รายการแก้ไขต้องใช้คีย์ใหม่") % {"key": posting.key}
                )
    return found


@transaction.atomic
def post_many(postings: Sequence[Posting]) -> list[Entry]:
    """Posts every posting in one transaction (one insert for all entries, one for all their
    transfers) and returns their entries in order; a key posted before returns its entry and
    posts nothing."""
    postings = [
        Posting(p.key, p.kind, tuple(p.legs), p.reference[:64], p.memo[:255], p.enterprise) for p in postings
    ]
    for posting in postings:
        _check(key=posting.key, kind=posting.kind, legs=posting.legs)
    if len({p.key for p in postings}) != len(postings):
        raise LedgerError(_("คีย์กันซ้ำซ้ำกันในชุดเดียวกัน"))
    for attempt in range(2):
        found = _existing(postings)
        new = [p for p in postings if p.key not in found]
        accounts = _accounts(code for p in new for leg in p.legs for code in (leg.debit, leg.credit))
        try:
            with transaction.atomic():
                entries = Entry.objects.bulk_create(
                    Entry(key=p.key, kind=p.kind, reference=p.reference, memo=p.memo,
                          enterprise_id=None if p.enterprise is None else _pk(p.enterprise))
                    for p in new
                )  # fmt: skip
            break
        except IntegrityError:
            # A concurrent posting of one of the keys committed first: read it back once more.
            if attempt:
                raise
    Transfer.objects.bulk_create(
        Transfer(entry=entry, kind=leg.kind, debit=accounts[leg.debit], credit=accounts[leg.credit],
                 amount_satang=leg.amount_satang)
        for entry, posting in zip(entries, new, strict=True)
        for leg in posting.legs
    )  # fmt: skip
    found.update((entry.key, entry) for entry in entries)
    return [found[p.key] for p in postings]


def post(
    *,
    key: str,
    kind: str,
    legs: Sequence[Leg],
    reference: str = "",
    memo: str = "",
    enterprise=None,
) -> Entry:
    """Posts one journal entry of `legs`, or returns the entry already posted under `key`."""
    return post_many([Posting(key, kind, tuple(legs), reference, memo, enterprise)])[0]


def _amount(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise LedgerError(_("%(what)s ต้องเป็นจำนวนเต็มสตางค์ที่ไม่ติดลบ") % {"what": what})
    return value


def payment_posting(
    *,
    key: str,
    enterprise,
    source: str,
    gross_satang: int,
    vat_satang: int,
    platform_fee_satang: int = 0,
    payment_fee_satang: int = 0,
    channel_fee_satang: int = 0,
    reference: str = "",
) -> Entry:
    """The posting for a buyer who paid an order of `enterprise`: `gross_satang` (VAT included)
    reached `source` ("bank" for PromptPay on the storefront, "channel:<code>" for a marketplace
    that pays Talat later). The fees are taken from what the SME earns."""
    gross = _amount(gross_satang, _("ยอดชำระ"))
    vat = _amount(vat_satang, _("ภาษีมูลค่าเพิ่ม"))
    platform_fee = _amount(platform_fee_satang, _("ค่าธรรมเนียมแพลตฟอร์ม"))
    payment_fee = _amount(payment_fee_satang, _("ค่าธรรมเนียมรับชำระเงิน"))
    channel_fee = _amount(channel_fee_satang, _("ค่าธรรมเนียมช่องทางขาย"))
    if gross <= 0:
        raise LedgerError(_("ยอดชำระต้องมากกว่าศูนย์"))
    if vat > gross:
        raise LedgerError(_("ภาษีมูลค่าเพิ่มต้องไม่เกินยอดชำระ"))
    if source != BANK and not _CHANNEL.fullmatch(source):
        raise LedgerError(_("แหล่งเงิน %(source)s ไม่ถูกต้อง") % {"source": source})
    if channel_fee and source == BANK:
        raise LedgerError(_("ค่าธรรมเนียมช่องทางขายมีได้เฉพาะคำสั่งซื้อจากช่องทางขาย"))
    if platform_fee + payment_fee + channel_fee > gross - vat:
        raise LedgerError(_("ค่าธรรมเนียมรวมต้องไม่เกินยอดขายก่อนภาษี"))
    revenue, vat_code = revenue_account(enterprise), vat_account(enterprise)
    legs = [
        Leg(TransferKind.SALE, source, revenue, gross - vat),
        Leg(TransferKind.VAT_OUTPUT, source, vat_code, vat),
        Leg(TransferKind.PLATFORM_FEE, revenue, PLATFORM_FEE, platform_fee),
        Leg(TransferKind.PAYMENT_FEE, revenue, BANK, payment_fee),
        Leg(TransferKind.CHANNEL_FEE, revenue, source, channel_fee),
    ]
    legs = tuple(leg for leg in legs if leg.amount_satang > 0)
    return Posting(key, EntryKind.PAYMENT, legs, reference, enterprise=enterprise)


def record_payment(**posting) -> Entry:
    """Posts `payment_posting(**posting)`."""
    return post_many([payment_posting(**posting)])[0]


def charged(key: str, kind: str) -> int:
    """What the entry posted under `key` moved in transfers of `kind` (0 when there is no such
    entry): the fee actually charged on a payment, whatever the fee setting says today."""
    total = Transfer.objects.filter(entry__key=key, kind=kind).aggregate(total=Sum("amount_satang"))["total"]
    return total or 0


def record_unmatched_receipt(*, key: str, amount_satang: int, reference: str = "") -> Entry:
    """Money reached the bank that pays no order as it stands (a wrong amount, a duplicate, an
    unknown reference, a cancelled order): Talat holds it for the payer in suspense until the
    finance desk returns it or applies it."""
    legs = [Leg(TransferKind.SUSPENSE_IN, BANK, SUSPENSE, amount_satang)]
    return post(key=key, kind=EntryKind.SUSPENSE, legs=legs, reference=reference)


def record_suspense_return(*, key: str, amount_satang: int, reference: str = "") -> Entry:
    """Sends money held in suspense back to its payer from the bank."""
    return _out_of_suspense(
        key=key, kind=TransferKind.SUSPENSE_RETURN, amount_satang=amount_satang, reference=reference
    )


def record_suspense_applied(*, key: str, amount_satang: int, reference: str = "") -> Entry:
    """Takes money held in suspense to pay orders with: it leaves suspense for the bank, and the
    caller then posts the orders' payments from the bank (`record_payment` with source "bank") in
    the same transaction, so the bank ends where it was and the money ends with the SMEs."""
    return _out_of_suspense(
        key=key, kind=TransferKind.SUSPENSE_APPLY, amount_satang=amount_satang, reference=reference
    )


@transaction.atomic
def _out_of_suspense(*, key: str, kind: str, amount_satang: int, reference: str) -> Entry:
    """Suspense debit, bank credit; refused when suspense holds less. The suspense account's row is
    locked so that two resolutions at once cannot both take the same money."""
    legs = [Leg(kind, SUSPENSE, BANK, amount_satang)]
    _check(key=key, kind=EntryKind.SUSPENSE, legs=legs)
    if found := _existing([Posting(key, EntryKind.SUSPENSE, tuple(legs))]):
        return found[key]
    account = Account.objects.select_for_update().filter(code=SUSPENSE).first()
    held = _balances([account])[account.pk] if account else 0
    if amount_satang > held:
        raise LedgerError(
            _("เงินรอตรวจสอบมีเพียง %(held)s บาท ไม่พอสำหรับ %(amount)s บาท")
            % {"held": _baht(held), "amount": _baht(amount_satang)}
        )
    return post(key=key, kind=EntryKind.SUSPENSE, legs=legs, reference=reference)


def _baht(satang: int) -> str:
    return f"{satang // 100:,}.{satang % 100:02d}"


def _lock_accounts(enterprise_ids=None) -> list[Account]:
    """Locks SME accounts (all, or those of `enterprise_ids`) in one order, so that refunds and
    payouts touching the same SME run one after the other on PostgreSQL. SQLite takes the
    database write lock at the start of every transaction (transaction_mode IMMEDIATE)."""
    accounts = Account.objects.filter(enterprise__isnull=False)
    if enterprise_ids is not None:
        accounts = accounts.filter(enterprise_id__in=enterprise_ids)
    return list(accounts.select_for_update().order_by("id"))


def _balances(accounts) -> dict[int, int]:
    """Credit-normal balances (what Talat owes) of the given SME or suspense accounts, by account id."""
    ids = [account.pk for account in accounts]
    credits = dict(
        Transfer.objects.filter(credit_id__in=ids)
        .values("credit_id")
        .annotate(total=Sum("amount_satang"))
        .values_list("credit_id", "total")
    )
    debits = dict(
        Transfer.objects.filter(debit_id__in=ids)
        .values("debit_id")
        .annotate(total=Sum("amount_satang"))
        .values_list("debit_id", "total")
    )
    return {pk: credits.get(pk, 0) - debits.get(pk, 0) for pk in ids}


@transaction.atomic
def record_refund(
    *, key: str, enterprise, gross_satang: int, vat_satang: int, platform_fee_returned_satang: int = 0,
    reference: str = "",
) -> Entry:  # fmt: skip
    """Pays `gross_satang` back to a buyer from the bank, of which `vat_satang` is output VAT.
    Talat gives back its platform fee on the refunded part (`platform_fee_returned_satang`);
    payment and channel fees are not returned (the bank and the marketplace keep them).

    The SME bears the refund out of what Talat holds for it; a refund larger than that (per
    account: net revenue and VAT) is refused rather than left as a debt of the SME, because
    Talat would have no way to collect it and the SME's balance would stop meaning "what Talat
    owes"."""
    gross = _amount(gross_satang, _("ยอดคืนเงิน"))
    vat = _amount(vat_satang, _("ภาษีมูลค่าเพิ่ม"))
    fee_back = _amount(platform_fee_returned_satang, _("ค่าธรรมเนียมที่คืน"))
    if gross <= 0:
        raise LedgerError(_("ยอดคืนเงินต้องมากกว่าศูนย์"))
    if vat > gross:
        raise LedgerError(_("ภาษีมูลค่าเพิ่มต้องไม่เกินยอดคืนเงิน"))
    revenue, vat_code = revenue_account(enterprise), vat_account(enterprise)
    legs = [
        Leg(TransferKind.PLATFORM_FEE, PLATFORM_FEE, revenue, fee_back),
        Leg(TransferKind.REFUND, revenue, BANK, gross - vat),
        Leg(TransferKind.REFUND, vat_code, BANK, vat),
    ]
    legs = [leg for leg in legs if leg.amount_satang > 0]
    if found := _existing([Posting(key, EntryKind.REFUND, tuple(legs))]):
        return found[key]
    balances = {account.code: balance for account, balance in _locked_balances([_pk(enterprise)])}
    if gross - vat > balances.get(revenue, 0) + fee_back or vat > balances.get(vat_code, 0):
        raise LedgerError(
            _("ยอดเงินของผู้ขายที่ตลาดถือไว้ไม่พอสำหรับการคืนเงิน %(amount)s บาท") % {"amount": f"{gross / 100:,.2f}"}
        )
    return post(key=key, kind=EntryKind.REFUND, legs=legs, reference=reference, enterprise=enterprise)


def _locked_balances(enterprise_ids=None) -> list[tuple[Account, int]]:
    accounts = _lock_accounts(enterprise_ids)
    balances = _balances(accounts)
    return [(account, balances[account.pk]) for account in accounts]


@transaction.atomic
def run_payout_batch(*, key: str, minimum_satang: int = 1) -> PayoutBatch:
    """Pays every SME whose balance (revenue + VAT) is at least `minimum_satang` everything Talat
    holds for it: one entry per SME keyed "<key>:sme:<id>". Running a key again returns the
    batch already run; two batches running at once pay each SME once (the second sees the
    first's payouts once it gets the accounts' locks)."""
    if not key or len(key) > 100:
        raise LedgerError(_("คีย์กันซ้ำต้องมี 1 ถึง 100 ตัวอักษร"))
    minimum = _amount(minimum_satang, _("ยอดขั้นต่ำ"))
    batch, _created = PayoutBatch.objects.get_or_create(key=key, defaults={"minimum_satang": max(minimum, 1)})
    batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.completed_at is not None:
        return batch
    owed: dict[int, list[tuple[Account, int]]] = {}
    for account, balance in _locked_balances():
        owed.setdefault(account.enterprise_id, []).append((account, balance))
    total = 0
    for enterprise_id in sorted(owed):
        accounts = owed[enterprise_id]
        amount = sum(balance for _account, balance in accounts)
        if amount <= 0 or amount < batch.minimum_satang:
            continue
        legs = [
            Leg(TransferKind.PAYOUT, account.code, BANK, balance)
            for account, balance in accounts
            if balance > 0
        ]
        entry = post(
            key=f"{key}:sme:{enterprise_id}",
            kind=EntryKind.PAYOUT,
            legs=legs,
            reference=key,
            enterprise=Enterprise(pk=enterprise_id),
        )
        paid = sum(leg.amount_satang for leg in legs)
        PayoutLine.objects.create(batch=batch, enterprise_id=enterprise_id, entry=entry, amount_satang=paid)
        total += paid
    batch.total_satang = total
    batch.completed_at = timezone.now()
    batch.save(update_fields=["total_satang", "completed_at"])
    return batch
