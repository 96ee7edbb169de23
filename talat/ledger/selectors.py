"""Reads of the ledger: balances, the trial balance and an SME's statement."""

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import BigIntegerField, Case, F, Q, Sum, Value, When
from django.utils import timezone

from talat.ledger.models import CREDIT_NORMAL, Account, Transfer


def _signed(kind: str, debits: int, credits: int) -> int:
    return credits - debits if kind in CREDIT_NORMAL else debits - credits


def _totals(account_ids=None) -> tuple[dict[int, int], dict[int, int]]:
    """(debits, credits) summed per account id."""
    transfers = Transfer.objects.all()
    result = []
    for side in ("debit_id", "credit_id"):
        rows = transfers if account_ids is None else transfers.filter(**{f"{side}__in": account_ids})
        result.append(
            dict(rows.order_by().values(side).annotate(total=Sum("amount_satang")).values_list(side, "total"))
        )
    return result[0], result[1]


def balance(code: str) -> int:
    """The balance of one account in satang: credits − debits for a liability or income account,
    debits − credits for an asset or expense account. 0 for an account never used."""
    account = Account.objects.filter(code=code).first()
    if account is None:
        return 0
    debits, credits = _totals([account.pk])
    return _signed(account.kind, debits.get(account.pk, 0), credits.get(account.pk, 0))


def _enterprise_account_ids(enterprise) -> list[int]:
    return list(Account.objects.filter(enterprise=enterprise).values_list("pk", flat=True))


def enterprise_balance(enterprise) -> int:
    """What Talat owes the SME, in satang: its revenue and VAT accounts together."""
    ids = _enterprise_account_ids(enterprise)
    if not ids:
        return 0
    debits, credits = _totals(ids)
    return sum(credits.get(pk, 0) - debits.get(pk, 0) for pk in ids)


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    kind: str
    debit_satang: int
    credit_satang: int
    balance_satang: int


@dataclass(frozen=True)
class TrialBalance:
    rows: list[Row]
    total_debit_satang: int
    total_credit_satang: int

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    @property
    def balanced(self) -> bool:
        return self.total_debit_satang == self.total_credit_satang


def trial_balance() -> TrialBalance:
    """Every account's debits, credits and balance. Total debits equal total credits, because
    every transfer is one debit and one credit of the same amount."""
    debits, credits = _totals()
    rows = [
        Row(
            code=account.code,
            name=account.name_th,
            kind=account.kind,
            debit_satang=debits.get(account.pk, 0),
            credit_satang=credits.get(account.pk, 0),
            balance_satang=_signed(account.kind, debits.get(account.pk, 0), credits.get(account.pk, 0)),
        )
        for account in Account.objects.order_by("code")
    ]
    return TrialBalance(
        rows=rows,
        total_debit_satang=sum(row.debit_satang for row in rows),
        total_credit_satang=sum(row.credit_satang for row in rows),
    )


@dataclass(frozen=True)
class StatementLine:
    at: datetime
    entry_key: str
    entry_kind: str
    reference: str
    memo: str
    kind: str  # the transfer kind: sale, vat_output, platform_fee, ...
    account_code: str  # the SME's account the transfer touched
    amount_satang: int  # + what Talat came to owe the SME, − what it paid or charged
    balance_satang: int  # running balance after this line


@dataclass(frozen=True)
class Statement:
    enterprise_id: int
    start: datetime | None
    end: datetime | None
    opening_satang: int  # balance before `start`
    closing_satang: int  # balance at `end`
    lines: list[StatementLine]
    page: int
    per_page: int
    total_lines: int

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total_lines / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _moment(value: date | datetime | None, *, end: bool) -> datetime | None:
    """A date means the whole day in Bangkok (an end date is included); a datetime is exact."""
    if value is None or isinstance(value, datetime):
        return value
    day = value + timedelta(days=1) if end else value
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def _sum(queryset) -> int:
    return queryset.aggregate(total=Sum("signed"))["total"] or 0


def statement(
    enterprise,
    *,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
    page=1,
    per_page=50,
) -> Statement:
    """The SME's transfers in posting order, with a running balance of what Talat owes it.
    `start` is inclusive, `end` exclusive for datetimes and inclusive for dates."""
    page, per_page = max(1, int(page)), max(1, min(int(per_page), 500))
    start_at, end_at = _moment(start, end=False), _moment(end, end=True)
    ids = _enterprise_account_ids(enterprise)
    mine = Q(debit_id__in=ids) | Q(credit_id__in=ids)
    transfers = (
        Transfer.objects.filter(mine)
        .annotate(
            signed=Case(
                When(Q(debit_id__in=ids) & Q(credit_id__in=ids), then=Value(0)),
                When(credit_id__in=ids, then=F("amount_satang")),
                default=-F("amount_satang"),
                output_field=BigIntegerField(),
            )
        )
        .order_by("entry__created_at", "entry_id", "id")
    )
    before = transfers.filter(entry__created_at__lt=start_at) if start_at else transfers.none()
    period = transfers
    if start_at:
        period = period.filter(entry__created_at__gte=start_at)
    if end_at:
        period = period.filter(entry__created_at__lt=end_at)
    opening = _sum(before) if ids else 0
    total_lines = period.count() if ids else 0
    offset = (page - 1) * per_page
    running = opening + (_sum(period[:offset]) if offset and ids else 0)
    lines = []
    rows = period.select_related("entry", "debit", "credit")[offset : offset + per_page] if ids else []
    for transfer in rows:
        running += transfer.signed
        touched = transfer.credit if transfer.credit_id in ids else transfer.debit
        lines.append(
            StatementLine(
                at=transfer.entry.created_at,
                entry_key=transfer.entry.key,
                entry_kind=transfer.entry.kind,
                reference=transfer.entry.reference,
                memo=transfer.entry.memo,
                kind=transfer.kind,
                account_code=touched.code,
                amount_satang=transfer.signed,
                balance_satang=running,
            )
        )
    closing = opening + (_sum(period) if ids else 0)
    return Statement(
        enterprise_id=enterprise.pk,
        start=start_at,
        end=end_at,
        opening_satang=opening,
        closing_satang=closing,
        lines=lines,
        page=page,
        per_page=per_page,
        total_lines=total_lines,
    )
