"""Issuing tax documents for orders: a receipt (a full tax invoice/receipt when the seller is
VAT-registered) when an order is paid, and a credit note for each refund. Called by the orders
services with the order; rendering reads only the issued snapshot."""

import dataclasses
import json
from datetime import datetime

import geothai
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from talat.core.thai import to_local
from talat.invoicing import etax
from talat.invoicing.documents import Document, Kind, Line, Party
from talat.invoicing.models import DocumentSeries, TaxDocument
from talat.invoicing.pdf import render_pdf

PREFIXES = {Kind.RECEIPT_TAX_INVOICE: "INV", Kind.RECEIPT: "RC", Kind.CREDIT_NOTE: "CN"}
VAT_RATE_BP = 700


def _next_number(enterprise, kind: Kind, issued_at: datetime) -> str:
    year = to_local(issued_at).year + 543
    prefix = PREFIXES[kind]
    series, _created = DocumentSeries.objects.get_or_create(enterprise=enterprise, prefix=prefix, year=year)
    DocumentSeries.objects.filter(pk=series.pk).update(last_number=F("last_number") + 1)  # locks the row
    number = DocumentSeries.objects.values_list("last_number", flat=True).get(pk=series.pk)
    return f"{prefix}{year}-{number:06d}"


def _area_address(
    line: str, subdistrict_code: str, district_code: str, province_code: str, postal: str
) -> str:
    parts = [line]
    for area in (geothai.subdistrict(subdistrict_code), geothai.district(district_code),
                 geothai.province(province_code)):  # fmt: skip
        if area is not None:
            parts.append(area.name_th)
    return " ".join(p for p in parts if p) + (f" {postal}" if postal else "")


def _seller(enterprise) -> Party:
    return Party(
        name=enterprise.name_th,
        tax_id=enterprise.tax_id,
        branch=enterprise.branch,
        address=_area_address(
            enterprise.address_line,
            enterprise.subdistrict_code,
            enterprise.district_code,
            enterprise.province_code,
            "",
        ),  # fmt: skip
        postal_code=enterprise.postal_code,
    )


def _buyer(order) -> Party:
    address = _area_address(
        order.address_line, order.subdistrict_code, order.district_code, order.province_code, ""
    )
    return Party(
        name=order.buyer_name or order.channel_order_number,
        address=address,
        postal_code=order.postal_code,
        country=order.buyer_country or "TH",
        email=order.buyer_email,
    )


def _store(order, document: Document, original=None) -> TaxDocument:
    return TaxDocument.objects.create(
        enterprise=order.enterprise,
        kind=document.kind.value,
        title=document.title,
        number=document.number,
        issued_at=document.issued_at,
        order_uid=order.uid,
        order_number=order.channel_order_number,
        total_minor=document.total_satang,
        vat_minor=document.vat_satang,
        original=original,
        buyer_email=order.buyer_email,
        content=json.dumps(dataclasses.asdict(document), default=str, ensure_ascii=False),
    )


def issue_receipt(*, order) -> TaxDocument:
    """The paid order's receipt, once: issuing again returns the one already issued."""
    existing = TaxDocument.objects.filter(order_uid=order.uid, original__isnull=True).first()
    if existing:
        return existing
    kind = Kind.RECEIPT_TAX_INVOICE if order.enterprise.vat_registered else Kind.RECEIPT
    lines = [Line(line.name, line.quantity, line.unit_price_minor) for line in order.lines.all()]
    if order.shipping_minor:
        lines.append(Line("ค่าจัดส่ง", 1, order.shipping_minor))
    issued_at = timezone.now()
    with transaction.atomic():
        document = Document(
            kind=kind,
            number=_next_number(order.enterprise, kind, issued_at),
            issued_at=issued_at,
            seller=_seller(order.enterprise),
            buyer=_buyer(order),
            lines=tuple(lines),
            vat_rate_bp=VAT_RATE_BP if order.enterprise.vat_registered else 0,
            notes=(f"คำสั่งซื้อ {order.channel_order_number}",),
        )
        return _store(order, document)


def issue_credit_note(*, order, amount_minor: int, reason: str) -> TaxDocument | None:
    """A credit note against the order's receipt for a refund; None when the order never had a
    receipt (marketplace orders are invoiced by the marketplace flow)."""
    original = TaxDocument.objects.filter(order_uid=order.uid, original__isnull=True).first()
    if original is None:
        return None
    issued_at = timezone.now()
    with transaction.atomic():
        document = Document(
            kind=Kind.CREDIT_NOTE,
            number=_next_number(order.enterprise, Kind.CREDIT_NOTE, issued_at),
            issued_at=issued_at,
            seller=_seller(order.enterprise),
            buyer=_buyer(order),
            lines=(Line(f"คืนเงินตามคำสั่งซื้อ {order.channel_order_number}", 1, amount_minor),),
            vat_rate_bp=VAT_RATE_BP if original.vat_minor or order.enterprise.vat_registered else 0,
            reference_number=original.number,
            reference_issued_at=original.issued_at,
            reference_kind=Kind(original.kind),
            reference_total_satang=original.total_minor,
            reason=reason or "คืนเงินให้ผู้ซื้อ",
        )
        return _store(order, document, original=original)


def document_of(issued: TaxDocument) -> Document:
    """The Document exactly as issued, from its snapshot."""
    data = json.loads(issued.content)
    data["kind"] = Kind(data["kind"])
    data["reference_kind"] = Kind(data["reference_kind"])
    data["seller"] = Party(**data["seller"])
    data["buyer"] = Party(**data["buyer"])
    data["lines"] = tuple(Line(**line) for line in data["lines"])
    data["notes"] = tuple(data["notes"])
    data["issued_at"] = datetime.fromisoformat(data["issued_at"])
    if data["reference_issued_at"]:
        data["reference_issued_at"] = datetime.fromisoformat(data["reference_issued_at"])
    return Document(**data)


def pdf(issued: TaxDocument) -> bytes:
    return render_pdf(document_of(issued))


def xml(issued: TaxDocument) -> bytes:
    return etax.render_xml(document_of(issued))
