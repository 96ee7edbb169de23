"""Exchange rates from the Bank of Thailand's "Rates of Exchange of Commercial Banks in Bangkok
Metropolis" (อัตราแลกเปลี่ยนเฉลี่ยของธนาคารพาณิชย์ในกรุงเทพมหานคร): one row a currency a day
with the average buying sight bill, buying transfer, selling and mid rates, in baht per unit
of the foreign currency (per 100 yen, per 1,000 rupiah: the unit is in the currency's name).

`import_rates` reads the table as downloaded (CSV or XLSX). The columns are found by their
header, in English, in Thai or as the field names of the Bank's statistics API
(period, currency_id, currency_name_th, currency_name_eng, buying_sight, buying_transfer,
selling, mid_rate); title and unit lines above the header are skipped. The import is all or
nothing: any bad row rejects the file, with every problem listed by its row number.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from talat.core.thai import BUDDHIST_ERA_OFFSET, MONTHS_TH_ABBR, thai_date
from talat.ledger.models import ExchangeRate

SIX_PLACES = Decimal("0.000001")

# ISO 4217 minor units, where they are not 2.
_MINOR_DIGITS = {
    **dict.fromkeys(
        ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF",
         "XOF", "XPF"],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
}  # fmt: skip


def minor_digits(currency: str) -> int:
    """How many decimal places the currency's minor unit has: 2 for CNY (fen), 0 for JPY."""
    return _MINOR_DIGITS.get(currency.upper(), 2)


class NoRate(LookupError):
    """No rate of the currency on or before the date asked for."""


class RatesImportError(ValueError):
    """The file was refused; `errors` lists every problem, each with its row number."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    currencies: list[str] = field(default_factory=list)
    first_date: date | None = None
    last_date: date | None = None

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged


def _norm(text) -> str:
    return re.sub(r"[\s_]+", " ", str(text or "")).strip().lower()


_COLUMNS = {
    "period": ["period", "date", "งวด", "วันที่", "ช่วงเวลา"],
    "currency": ["currency id", "currency", "currency code", "สกุลเงิน", "รหัสสกุลเงิน"],
    "name": ["currency name eng", "currency name th", "currency name", "country", "ชื่อสกุลเงิน", "ประเทศ"],
    "unit": ["unit", "หน่วย"],
    "buying_sight": ["buying sight", "buying sight bill", "sight bill", "อัตราซื้อตั๋วเงิน", "ซื้อตั๋วเงิน"],
    "buying_transfer": [
        "buying transfer", "buying transfer rate", "telex transfer", "อัตราซื้อเงินโอน", "ซื้อเงินโอน",
        "ซื้อโทรเลข",
    ],
    "selling": ["selling", "selling rate", "selling rates", "อัตราขาย", "ขาย"],
    "mid_rate": ["mid rate", "middle rate", "อัตรากลาง"],
}  # fmt: skip
_ALIASES = {alias: column for column, aliases in _COLUMNS.items() for alias in aliases}


def _header_column(cell) -> str | None:
    """The column a header cell names, trying the whole cell and then its parts, so that
    "Mid Rate (อัตรากลาง)" and "อัตรากลาง / Mid Rate" are both understood."""
    text = _norm(cell)
    if text in _ALIASES:
        return _ALIASES[text]
    for part in re.split(r"[/()\n|]", str(cell or "")):
        if (column := _ALIASES.get(_norm(part))) is not None:
            return column
    return None


def _find_header(rows: list[list]) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(rows[:30]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(row):
            column = _header_column(cell)
            if column and column not in columns:
                columns[column] = position
        if "period" in columns and "mid_rate" in columns and ("currency" in columns or "name" in columns):
            return index, columns
    raise RatesImportError(
        [
            _(
                "ไม่พบแถวหัวตาราง: ต้องมีคอลัมน์วันที่ (Period), สกุลเงิน (Currency) และอัตรากลาง (Mid Rate) "
                "ตามไฟล์อัตราแลกเปลี่ยนของธนาคารแห่งประเทศไทย"
            )
        ]
    )


def _read_rows(data: bytes, filename: str) -> list[list]:
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")):
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise RatesImportError([_("เปิดไฟล์ Excel ไม่ได้: %(error)s") % {"error": error}]) from error
        try:
            return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    if not name.endswith((".csv", ".txt")):
        raise RatesImportError([_("รองรับเฉพาะไฟล์ CSV หรือ XLSX")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp874", errors="replace")  # Thai Windows (TIS-620) exports
    sample = text[:8192]
    delimiter = max(",;\t", key=sample.count)
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


_THAI_MONTHS = {abbr: number for number, abbr in enumerate(MONTHS_TH_ABBR, start=1)}


def _year(value: int) -> int:
    return value - BUDDHIST_ERA_OFFSET if value > 2400 else value


def _parse_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?", text):
        return date(_year(int(match[1])), int(match[2]), int(match[3]))
    if match := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
        return date(_year(int(match[3])), int(match[2]), int(match[1]))
    if match := re.fullmatch(r"(\d{1,2})\s+(\S+)\s+(\d{4})", text):
        if match[2] in _THAI_MONTHS:
            return date(_year(int(match[3])), _THAI_MONTHS[match[2]], int(match[1]))
        return datetime.strptime(f"{match[1]} {match[2][:3]} {match[3]}", "%d %b %Y").date()
    raise ValueError(text)


def _parse_rate(value) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float):
        value = repr(value)
    rate = Decimal(str(value).replace(",", "").strip())
    if not rate.is_finite() or rate <= 0:
        raise InvalidOperation(str(value))
    return rate.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


_CODE_IN_NAME = re.compile(r"\(([A-Z]{3})\)\s*$")
_UNIT_IN_NAME = re.compile(r"\((\d[\d,]*)\s*[^\d()]+\)")


def _currency(code_cell, name_cell) -> str:
    code = str(code_cell or "").strip().upper()
    if re.fullmatch(r"[A-Z]{3}", code):
        return code
    for text in (str(code_cell or ""), str(name_cell or "")):
        if match := _CODE_IN_NAME.search(text.strip().upper()):
            return match[1]
    raise ValueError(code)


def _unit(unit_cell, name_cell, code_cell) -> int:
    if unit_cell not in (None, ""):
        digits = re.sub(r"[^\d]", "", str(unit_cell).split(".")[0])
        if not digits or int(digits) <= 0:
            raise ValueError(str(unit_cell))
        return int(digits)
    for text in (str(name_cell or ""), str(code_cell or "")):
        if match := _UNIT_IN_NAME.search(text):
            return int(match[1].replace(",", ""))
    return 1


def _cell(row: list, columns: dict[str, int], column: str):
    position = columns.get(column)
    if position is None or position >= len(row):
        return None
    value = row[position]
    return value.strip() if isinstance(value, str) else value


def parse_rates(data: bytes, filename: str) -> list[dict]:
    """The rows of a published file as dicts ready for ExchangeRate, or RatesImportError."""
    rows = _read_rows(data, filename)
    header, columns = _find_header(rows)
    parsed: dict[tuple[str, date], dict] = {}
    errors: list[str] = []
    for number, row in enumerate(rows[header + 1 :], start=header + 2):
        cells = {column: _cell(row, columns, column) for column in _COLUMNS}
        if all(cells[column] in (None, "") for column in ("currency", "name", "mid_rate")):
            continue  # blank lines, notes and the source line under the table
        problems = []
        try:
            day = _parse_date(cells["period"])
        except (ValueError, TypeError):
            problems.append(_("วันที่ “%(value)s” ไม่ถูกต้อง") % {"value": cells["period"] or ""})
        try:
            currency = _currency(cells["currency"], cells["name"])
        except ValueError:
            problems.append(
                _("ไม่พบรหัสสกุลเงิน 3 ตัวอักษรใน “%(value)s”")
                % {"value": cells["currency"] or cells["name"] or ""}
            )
        try:
            unit = _unit(cells["unit"], cells["name"], cells["currency"])
        except ValueError:
            problems.append(_("หน่วย “%(value)s” ไม่ถูกต้อง") % {"value": cells["unit"]})
        rates = {}
        for column, label in (
            ("buying_sight", _("อัตราซื้อตั๋วเงิน")),
            ("buying_transfer", _("อัตราซื้อเงินโอน")),
            ("selling", _("อัตราขาย")),
            ("mid_rate", _("อัตรากลาง")),
        ):
            try:
                rates[column] = _parse_rate(cells[column])
            except (InvalidOperation, ValueError):
                problems.append(
                    _("%(label)s “%(value)s” ต้องเป็นตัวเลขที่มากกว่าศูนย์")
                    % {"label": label, "value": cells[column]}
                )
        if not problems and rates["mid_rate"] is None:
            problems.append(_("ไม่มีอัตรากลาง"))
        if problems:
            errors.append(_("แถวที่ %(row)s: %(problems)s") % {"row": number, "problems": "; ".join(problems)})
            continue
        item = {"currency": currency, "date": day, "unit": unit, **rates}
        if (currency, day) in parsed and parsed[(currency, day)] != item:
            errors.append(
                _("แถวที่ %(row)s: %(currency)s วันที่ %(date)s ซ้ำกับแถวก่อนหน้าแต่อัตราต่างกัน")
                % {"row": number, "currency": currency, "date": day.isoformat()}
            )
            continue
        parsed[(currency, day)] = item
    if errors:
        raise RatesImportError(errors)
    if not parsed:
        raise RatesImportError([_("ไม่พบข้อมูลอัตราแลกเปลี่ยนในไฟล์")])
    return list(parsed.values())


_FIELDS = ("unit", "buying_sight", "buying_transfer", "selling", "mid_rate")


@transaction.atomic
def import_rates(data: bytes, filename: str) -> ImportResult:
    """Imports a Bank of Thailand exchange-rate file, all or nothing. A rate already stored for
    the same currency and day is replaced by the file's (the Bank revises figures)."""
    items = parse_rates(data, filename)
    existing = {
        (rate.currency, rate.date): rate
        for rate in ExchangeRate.objects.select_for_update().filter(
            currency__in={item["currency"] for item in items},
            date__range=(min(item["date"] for item in items), max(item["date"] for item in items)),
        )
    }
    result = ImportResult(
        currencies=sorted({item["currency"] for item in items}),
        first_date=min(item["date"] for item in items),
        last_date=max(item["date"] for item in items),
    )
    source = filename.rsplit("/", 1)[-1][:200]
    new = []
    for item in items:
        found = existing.get((item["currency"], item["date"]))
        if found is None:
            new.append(ExchangeRate(source=source, **item))
            result.created += 1
        elif any(getattr(found, name) != item[name] for name in _FIELDS):
            for name in _FIELDS:
                setattr(found, name, item[name])
            found.source = source
            found.save()
            result.updated += 1
        else:
            result.unchanged += 1
    ExchangeRate.objects.bulk_create(new, batch_size=500)
    return result


def rate_on(currency: str, on: date) -> ExchangeRate:
    """The latest rate of `currency` published on or before `on`, or NoRate."""
    currency = currency.upper()
    found = ExchangeRate.objects.filter(currency=currency, date__lte=on).order_by("-date").first()
    if found is None:
        raise NoRate(
            _("ยังไม่มีอัตราแลกเปลี่ยนของสกุลเงิน %(currency)s ณ วันที่ %(date)s หรือก่อนหน้า")
            % {"currency": currency, "date": thai_date(on)}
        )
    return found


def _whole(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def convert(amount_satang: int, currency: str, *, on: date) -> int:
    """`amount_satang` baht in minor units of `currency` (fen for CNY, yen for JPY) at the mid
    rate of the latest day on or before `on`, rounded half up."""
    currency = currency.upper()
    if currency == "THB":
        return amount_satang
    rate = rate_on(currency, on)
    minor = Decimal(amount_satang) * rate.unit * (10 ** minor_digits(currency)) / (100 * rate.mid_rate)
    return _whole(minor)


def to_satang(amount_minor: int, currency: str, *, on: date) -> int:
    """The reverse of `convert`: `amount_minor` of `currency` in satang at the same mid rate."""
    currency = currency.upper()
    if currency == "THB":
        return amount_minor
    rate = rate_on(currency, on)
    satang = Decimal(amount_minor) * rate.mid_rate * 100 / (rate.unit * 10 ** minor_digits(currency))
    return _whole(satang)
