"""Issuing tax documents for orders: a receipt (a full tax invoice/receipt when the seller is
VAT-registered) when an order is paid, and a credit note for each refund. Called by the orders
services with the order; rendering reads only the issued snapshot."""

import dataclasses
import json
from datetime import datetime

import geothai
from django.db import connection, transaction
from django.utils import timezone

from talat.core.thai import to_local
from talat.invoicing import etax
from talat.invoicing.documents import Document, Kind, Line, Party
from talat.invoicing.models import DocumentSeries, TaxDocument
from talat.invoicing.pdf import render_pdf

PREFIXES = {Kind.RECEIPT_TAX_INVOICE: "INV", Kind.RECEIPT: "RC", Kind.CREDIT_NOTE: "CN"}
VAT_RATE_BP = 700


def _next_numbers(enterprise_id: int, kind: Kind, issued_at: datetime, count: int = 1) -> list[str]:
    """The next `count` running numbers of the seller's series of `kind` for the Buddhist year of
    `issued_at`, taken together (one statement, which locks the series' row until commit)."""
    year = to_local(issued_at).year + 543
    prefix = PREFIXES[kind]
    table = connection.ops.quote_name(DocumentSeries._meta.db_table)
    sql = (
        f"UPDATE {table} SET last_number = last_number + %s "  # noqa: S608
        "WHERE enterprise_id = %s AND prefix = %s AND year = %s RETURNING last_number"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [count, enterprise_id, prefix, year])
        row = cursor.fetchone()
        if row is None:  # the seller's first document of the kind this year
            DocumentSeries.objects.get_or_create(enterprise_id=enterprise_id, prefix=prefix, year=year)
            cursor.execute(sql, [count, enterprise_id, prefix, year])
            row = cursor.fetchone()
    return [f"{prefix}{year}-{number:06d}" for number in range(row[0] - count + 1, row[0] + 1)]


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


def _document_row(order, document: Document, original=None) -> TaxDocument:
    return TaxDocument(
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


def _store(order, document: Document, original=None) -> TaxDocument:
    stored = _document_row(order, document, original)
    stored.save(force_insert=True)
    return stored


def issue_receipt(*, order) -> TaxDocument:
    """The paid order's receipt, once: issuing again returns the one already issued."""
    return issue_receipts([order])[0]


@transaction.atomic
def issue_receipts(orders) -> list[TaxDocument]:
    """Each paid order's receipt, once (those already issued are returned as they are), numbered
    per seller and written together; `orders` carry their enterprise (and their lines, prefetched,
    to save a query)."""
    receipts = TaxDocument.objects.filter(order_uid__in=[o.uid for o in orders], original__isnull=True)
    issued = {document.order_uid: document for document in receipts}
    todo = [order for order in orders if order.uid not in issued]
    issued_at = timezone.now()
    kinds = {order.pk: _receipt_kind(order.enterprise) for order in todo}
    numbers: dict[int, list[str]] = {}
    # Series in one order (seller, then kind), so two batches at once never wait on each other in a cycle.
    for enterprise_id, kind in sorted({(order.enterprise_id, kinds[order.pk]) for order in todo}):
        mine = [order for order in todo if order.enterprise_id == enterprise_id and kinds[order.pk] == kind]
        for order, number in zip(mine, _next_numbers(enterprise_id, kind, issued_at, len(mine)), strict=True):
            numbers[order.pk] = number
    sellers = {order.enterprise_id: _seller(order.enterprise) for order in todo}
    documents = []
    for order in todo:
        items = [Line(line.name, line.quantity, line.unit_price_minor) for line in order.lines.all()]
        if order.shipping_minor:
            items.append(Line("ค่าจัดส่ง", 1, order.shipping_minor))
        registered = order.enterprise.vat_registered
        document = Document(
            kind=kinds[order.pk],
            number=numbers[order.pk],
            issued_at=issued_at,
            seller=sellers[order.enterprise_id],
            buyer=_buyer(order),
            lines=tuple(items),
            vat_rate_bp=VAT_RATE_BP if registered else 0,
            notes=(f"คำสั่งซื้อ {order.channel_order_number}",),
        )
        documents.append(_document_row(order, document))
    issued.update((document.order_uid, document) for document in TaxDocument.objects.bulk_create(documents))
    return [issued[order.uid] for order in orders]


def _receipt_kind(enterprise) -> Kind:
    return Kind.RECEIPT_TAX_INVOICE if enterprise.vat_registered else Kind.RECEIPT


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
            number=_next_numbers(order.enterprise_id, Kind.CREDIT_NOTE, issued_at)[0],
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
