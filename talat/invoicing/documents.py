"""One tax document (tax invoice, receipt, credit note) as plain values, independent of the models.

The invoicing services build a `Document` from their rows; `pdf.render_pdf` and `etax.render_xml` turn the
same value into what a person reads and what the Revenue Department receives, so both always agree.

Prices in Talat include VAT: the VAT of a document is extracted from its total, never added on top.
All money is integer satang."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    """ETDA document name codes (ThaiDocumentNameCode_Invoice, ขมธอ. 3-2560)."""

    TAX_INVOICE = "388"  # ใบกำกับภาษี
    INVOICE_TAX_INVOICE = "T02"  # ใบแจ้งหนี้/ใบกำกับภาษี
    RECEIPT_TAX_INVOICE = "T03"  # ใบเสร็จรับเงิน/ใบกำกับภาษี
    DELIVERY_TAX_INVOICE = "T04"  # ใบส่งของ/ใบกำกับภาษี
    RECEIPT = "T01"  # ใบรับ (ใบเสร็จรับเงิน)
    DEBIT_NOTE = "80"  # ใบเพิ่มหนี้
    CREDIT_NOTE = "81"  # ใบลดหนี้

    @property
    def is_tax_invoice(self) -> bool:
        return self in (
            Kind.TAX_INVOICE,
            Kind.INVOICE_TAX_INVOICE,
            Kind.RECEIPT_TAX_INVOICE,
            Kind.DELIVERY_TAX_INVOICE,
        )

    @property
    def is_note(self) -> bool:
        return self in (Kind.DEBIT_NOTE, Kind.CREDIT_NOTE)


# The legal titles printed on the document and sent as ExchangedDocument/Name. They are fixed by the
# Revenue Code and the ETDA code list, so they are not translated.
TITLES = {
    Kind.TAX_INVOICE: "ใบกำกับภาษี",
    Kind.INVOICE_TAX_INVOICE: "ใบแจ้งหนี้/ใบกำกับภาษี",
    Kind.RECEIPT_TAX_INVOICE: "ใบกำกับภาษี/ใบเสร็จรับเงิน",
    Kind.DELIVERY_TAX_INVOICE: "ใบส่งของ/ใบกำกับภาษี",
    Kind.RECEIPT: "ใบเสร็จรับเงิน",
    Kind.DEBIT_NOTE: "ใบเพิ่มหนี้",
    Kind.CREDIT_NOTE: "ใบลดหนี้",
}

HEAD_OFFICE = "00000"


def extract_vat(total_satang: int, rate_bp: int) -> int:
    """VAT included in a VAT-inclusive amount: total * rate / (10000 + rate), rounded half up.
    Integer arithmetic only (rate in basis points: 700 = 7 %)."""
    if rate_bp <= 0 or total_satang == 0:
        return 0
    sign = -1 if total_satang < 0 else 1
    numerator = abs(total_satang) * rate_bp
    denominator = 10000 + rate_bp
    return sign * ((2 * numerator + denominator) // (2 * denominator))


@dataclass(frozen=True)
class Party:
    name: str
    tax_id: str = ""  # 13 digits
    branch: str = HEAD_OFFICE  # 5 digits; 00000 is the head office
    address: str = ""
    postal_code: str = ""
    country: str = "TH"
    email: str = ""

    @property
    def is_head_office(self) -> bool:
        return self.branch == HEAD_OFFICE


@dataclass(frozen=True)
class Line:
    description: str
    quantity: int
    unit_price_satang: int  # VAT-inclusive

    @property
    def amount_satang(self) -> int:
        return self.quantity * self.unit_price_satang


@dataclass(frozen=True)
class Document:
    kind: Kind
    number: str
    issued_at: datetime  # aware
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    vat_rate_bp: int = 700  # 0 for a seller not registered for VAT
    currency: str = "THB"
    # A debit or credit note: the original document it corrects.
    reference_number: str = ""
    reference_issued_at: datetime | None = None
    reference_kind: Kind = Kind.RECEIPT_TAX_INVOICE
    reference_total_satang: int = 0  # the original document's VAT-inclusive total
    reason: str = ""
    reason_code: str = "CDNG99"  # ETDA ThaiMessageFunctionCode: CDNG99 = credit note, goods, other reason
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self):
        if self.issued_at.tzinfo is None:
            raise ValueError("issued_at must be timezone-aware")
        if self.kind.is_note and not self.reference_number:
            raise ValueError("a debit or credit note needs the number of the document it corrects")

    @property
    def title(self) -> str:
        return TITLES[self.kind]

    @property
    def charges_vat(self) -> bool:
        return self.vat_rate_bp > 0

    @property
    def total_satang(self) -> int:
        return sum(line.amount_satang for line in self.lines)

    @property
    def vat_satang(self) -> int:
        return extract_vat(self.total_satang, self.vat_rate_bp)

    @property
    def net_satang(self) -> int:
        return self.total_satang - self.vat_satang

    def line_vats(self) -> tuple[int, ...]:
        """Each line's share of the document's VAT. Each is extracted from the line's amount; the rounding
        remainder goes to the largest line so that the shares add up to `vat_satang` exactly."""
        shares = [extract_vat(line.amount_satang, self.vat_rate_bp) for line in self.lines]
        remainder = self.vat_satang - sum(shares)
        if remainder and shares:
            largest = max(range(len(self.lines)), key=lambda i: abs(self.lines[i].amount_satang))
            shares[largest] += remainder
        return tuple(shares)

    # A credit note credits the lines it carries: the original value less this note's net value.
    @property
    def original_net_satang(self) -> int:
        return self.reference_total_satang - extract_vat(self.reference_total_satang, self.vat_rate_bp)

    @property
    def difference_net_satang(self) -> int:
        return self.net_satang

    @property
    def correct_net_satang(self) -> int:
        if self.kind == Kind.DEBIT_NOTE:
            return self.original_net_satang + self.difference_net_satang
        return self.original_net_satang - self.difference_net_satang


def format_satang(amount: int) -> str:
    """1,234.50 — from integer satang, without floats."""
    sign = "-" if amount < 0 else ""
    baht, satang = divmod(abs(amount), 100)
    return f"{sign}{baht:,}.{satang:02d}"


def decimal_satang(amount: int) -> str:
    """1234.50 — a decimal string for XML, from integer satang."""
    sign = "-" if amount < 0 else ""
    baht, satang = divmod(abs(amount), 100)
    return f"{sign}{baht}.{satang:02d}"
