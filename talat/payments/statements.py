"""The bank's daily statement file (CSV, UTF-8 with or without a byte-order mark), as Talat reads
it for reconciliation.

Columns, named in the header line in any order: `transaction_id`, `value_datetime` (Asia/Bangkok
wall-clock time, "YYYY-MM-DD HH:MM:SS", or ISO 8601 with an offset), `amount` (baht, e.g.
"107.00"), `ref1`, `ref2`, `payer_name`, `channel`, and `fee` (baht) when the account is charged
per transaction. The file is taken whole or not at all: one bad row rejects it, with every error
listed by row number (the header is row 1).
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from django.utils.translation import gettext as _

BANGKOK = timezone(timedelta(hours=7))
BUDDHIST_ERA_OFFSET = 543
REQUIRED_COLUMNS = ("transaction_id", "value_datetime", "amount", "ref1", "ref2", "payer_name")
BAHT = re.compile(r"(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?")


@dataclass(frozen=True)
class StatementLine:
    transaction_id: str
    paid_at: datetime  # aware, UTC
    amount_satang: int
    reference_1: str
    reference_2: str
    payer_name: str
    fee_satang: int


@dataclass(frozen=True)
class StatementError:
    row: int | None  # the header is row 1; None for a fault of the whole file
    message: str

    def __str__(self):
        if self.row is None:
            return self.message
        return _("แถวที่ %(row)d: %(message)s") % {"row": self.row, "message": self.message}


class BadStatement(ValueError):
    """The statement file was refused; `errors` lists every fault found, by row."""

    def __init__(self, errors: list[StatementError]):
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors

    @property
    def rows(self) -> list[int]:
        return sorted({error.row for error in self.errors if error.row is not None})


def _satang(text: str, *, allow_zero: bool) -> int | None:
    text = text.strip()
    if not BAHT.fullmatch(text):
        return None
    satang = int(Decimal(text.replace(",", "")) * 100)
    return satang if satang > 0 or (allow_zero and satang == 0) else None


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.year >= 2400:  # a Buddhist-era year, as Thai bank files often write
        try:
            moment = moment.replace(year=moment.year - BUDDHIST_ERA_OFFSET)
        except ValueError:  # 29 February of a year that is not a leap year
            return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=BANGKOK)).astimezone(UTC)


def parse_statement(data: bytes) -> list[StatementLine]:
    """The statement's credit lines, in file order; raises BadStatement if any row is bad."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadStatement([StatementError(None, _("ไฟล์รายการเดินบัญชีต้องเข้ารหัสแบบ UTF-8"))]) from None
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise BadStatement([StatementError(None, _("ไฟล์ CSV เสีย: %(error)s") % {"error": error})]) from None
    header = [name.strip().lower() for name in records[0]] if records else []
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        message = _("แถวหัวตารางไม่มีคอลัมน์ %(columns)s") % {"columns": ", ".join(missing)}
        raise BadStatement([StatementError(1, message)])
    column = {name: header.index(name) for name in header}
    lines, errors, seen = [], [], {}
    for row, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # a blank line, as spreadsheets leave at the end
        if len(record) != len(header):
            message = _("มี %(found)d คอลัมน์ แต่หัวตารางมี %(expected)d คอลัมน์")
            errors.append(StatementError(row, message % {"found": len(record), "expected": len(header)}))
            continue
        cell = {name: record[index].strip() for name, index in column.items()}
        problems = []
        transaction_id = cell["transaction_id"]
        if not transaction_id:
            problems.append(_("ไม่มีเลขที่รายการ"))
        elif transaction_id in seen:
            problems.append(
                _("เลขที่รายการ %(id)s ซ้ำกับแถวที่ %(row)d") % {"id": transaction_id, "row": seen[transaction_id]}
            )
        paid_at = _moment(cell["value_datetime"])
        if paid_at is None:
            problems.append(_("วันเวลา “%(value)s” ไม่ถูกต้อง") % {"value": cell["value_datetime"]})
        amount = _satang(cell["amount"], allow_zero=False)
        if amount is None:
            problems.append(
                _("จำนวนเงิน “%(value)s” ต้องเป็นตัวเลขบาทที่มากกว่าศูนย์ ทศนิยมไม่เกิน 2 ตำแหน่ง")
                % {"value": cell["amount"]}
            )
        fee = _satang(cell.get("fee") or "0", allow_zero=True)
        if fee is None:
            problems.append(_("ค่าธรรมเนียม “%(value)s” ไม่ถูกต้อง") % {"value": cell["fee"]})
        errors.extend(StatementError(row, problem) for problem in problems)
        if transaction_id:
            seen.setdefault(transaction_id, row)
        if not problems:
            lines.append(
                StatementLine(
                    transaction_id=transaction_id,
                    paid_at=paid_at,
                    amount_satang=amount,
                    reference_1=cell["ref1"],
                    reference_2=cell["ref2"],
                    payer_name=cell["payer_name"],
                    fee_satang=fee,
                )  # fmt: skip
            )
    if errors:
        raise BadStatement(errors)
    return lines
