"""The PDF a buyer receives carries every item section 86/4 of the Revenue Code requires."""

from datetime import UTC, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader

from talat.invoicing.documents import Document, Kind, Line, Party, extract_vat, format_satang
from talat.invoicing.pdf import baht_words, render_pdf

SELLER = Party(
    name="วิสาหกิจชุมชนผ้าทอบ้านนาข่า",
    tax_id="0415561000123",
    address="12 หมู่ 3 ตำบลนาข่า อำเภอเมือง จังหวัดอุดรธานี",
    postal_code="41000",
)
BUYER = Party(
    name="บริษัท ผ้าไทยดี จำกัด",
    tax_id="0105556123456",
    branch="00001",
    address="99 ถนนสุขุมวิท แขวงคลองเตย เขตคลองเตย กรุงเทพมหานคร",
    postal_code="10110",
)
# 17:30 UTC on 24 November is 00:30 on 25 November in Bangkok.
ISSUED = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)


def tax_invoice(**changes) -> Document:
    values = {
        "kind": Kind.RECEIPT_TAX_INVOICE,
        "number": "INV-2569-000042",
        "issued_at": ISSUED,
        "seller": SELLER,
        "buyer": BUYER,
        "lines": (Line("ผ้าไหมมัดหมี่ลายนาคา", 1, 10700),),
    }
    values.update(changes)
    return Document(**values)


def text_of(pdf: bytes) -> str:
    reader = PdfReader(BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_tax_invoice_carries_every_item_of_section_86_4():
    text = text_of(render_pdf(tax_invoice()))

    assert "ใบกำกับภาษี/ใบเสร็จรับเงิน" in text
    assert "วิสาหกิจชุมชนผ้าทอบ้านนาข่า" in text
    assert "12 หมู่ 3 ตำบลนาข่า อำเภอเมือง จังหวัดอุดรธานี 41000" in text
    assert "เลขประจำตัวผู้เสียภาษีอากร 0415561000123 (สำนักงานใหญ่)" in text
    assert "บริษัท ผ้าไทยดี จำกัด" in text
    assert "99 ถนนสุขุมวิท" in text
    assert "เลขประจำตัวผู้เสียภาษีอากร 0105556123456 (สาขาที่ 00001)" in text
    assert "เลขที่ INV-2569-000042" in text
    assert "ผ้าไหมมัดหมี่ลายนาคา 1 107.00 107.00" in text
    assert "มูลค่าสินค้าหรือบริการ (ไม่รวมภาษีมูลค่าเพิ่ม) 100.00" in text
    assert "ภาษีมูลค่าเพิ่ม 7% 7.00" in text
    assert "จำนวนเงินรวมทั้งสิ้น 107.00" in text
    assert "(หนึ่งร้อยเจ็ดบาทถ้วน)" in text


def test_date_is_in_bangkok_and_the_buddhist_era():
    text = text_of(render_pdf(tax_invoice()))

    assert "วันที่ 25 พฤศจิกายน 2569" in text
    assert "2026" not in text


def test_lines_and_totals_with_thousands_and_satang():
    document = tax_invoice(
        lines=(Line("ผ้าขาวม้า", 3, 25050), Line("กระเป๋าผ้าทอ", 2, 124925)),
    )
    text = text_of(render_pdf(document))

    assert document.total_satang == 325_000
    assert "ผ้าขาวม้า 3 250.50 751.50" in text
    assert "กระเป๋าผ้าทอ 2 1,249.25 2,498.50" in text
    assert f"ภาษีมูลค่าเพิ่ม 7% {format_satang(document.vat_satang)}" in text
    assert "จำนวนเงินรวมทั้งสิ้น 3,250.00" in text
    assert "(สามพันสองร้อยห้าสิบบาทถ้วน)" in text


def test_the_thai_font_is_embedded():
    reader = PdfReader(BytesIO(render_pdf(tax_invoice())))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    embedded = []
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        if "/FontFile2" in descriptor:
            embedded.append(str(font["/BaseFont"]))

    assert any("Loma" in name for name in embedded)


def test_seller_not_registered_for_vat_issues_a_plain_receipt():
    document = tax_invoice(
        kind=Kind.RECEIPT,
        vat_rate_bp=0,
        seller=Party(name="ร้านป้าแดงข้าวหอมมะลิ", address="5 ตลาดสดเทศบาล ขอนแก่น"),
        lines=(Line("ข้าวหอมมะลิ 5 กก.", 2, 18550),),
    )
    text = text_of(render_pdf(document))

    assert "ใบเสร็จรับเงิน" in text
    assert "ใบกำกับภาษี" not in text
    assert "ภาษีมูลค่าเพิ่ม 7%" not in text
    assert "จำนวนเงินรวมทั้งสิ้น 371.00" in text
    assert "(สามร้อยเจ็ดสิบเอ็ดบาทถ้วน)" in text


def test_credit_note_names_the_original_document_and_the_difference():
    document = tax_invoice(
        kind=Kind.CREDIT_NOTE,
        number="CN-2569-000003",
        issued_at=datetime(2026, 12, 2, 3, 0, tzinfo=UTC),
        lines=(Line("รับคืนผ้าขาวม้า", 1, 5350),),
        reference_number="INV-2569-000042",
        reference_issued_at=ISSUED,
        reference_total_satang=21400,
        reason="ลูกค้าคืนสินค้าชำรุด",
        reason_code="CDNG02",
    )
    text = text_of(render_pdf(document))

    assert "ใบลดหนี้" in text
    assert "อ้างถึงเอกสารเลขที่ INV-2569-000042 ลงวันที่ 25 พฤศจิกายน 2569" in text
    assert "เหตุผล: ลูกค้าคืนสินค้าชำรุด" in text
    assert "มูลค่าสินค้าหรือบริการตามเอกสารเดิม 200.00" in text
    assert "มูลค่าสินค้าหรือบริการที่ถูกต้อง 150.00" in text
    assert "ผลต่าง 50.00" in text
    assert "ภาษีมูลค่าเพิ่ม 7% 3.50" in text
    assert "จำนวนเงินรวมทั้งสิ้น 53.50" in text
    assert "(ห้าสิบสามบาทห้าสิบสตางค์)" in text


@pytest.mark.parametrize(
    ("total", "rate", "vat"),
    [
        (10700, 700, 700),
        (100, 700, 7),
        (1, 700, 0),
        (8, 700, 1),
        (7, 700, 0),
        (53500, 700, 3500),
        (9999, 0, 0),
    ],
)
def test_vat_is_extracted_with_round_half_up(total, rate, vat):
    assert extract_vat(total, rate) == vat


def test_vat_half_satang_rounds_up():
    # 1,605 satang at 7 % holds 105 satang of VAT exactly; 1,597 holds 104.47...; 1,598 holds 104.54...
    assert extract_vat(1605, 700) == 105
    assert extract_vat(1597, 700) == 104
    assert extract_vat(1598, 700) == 105


def test_line_vat_shares_add_up_to_the_document_vat():
    document = tax_invoice(lines=tuple(Line(f"สินค้า {i}", 1, 101) for i in range(7)))

    assert sum(document.line_vats()) == document.vat_satang
    assert document.net_satang + document.vat_satang == document.total_satang


def test_amount_in_words_with_satang():
    assert baht_words(10700) == "หนึ่งร้อยเจ็ดบาทถ้วน"
    assert baht_words(123450) == "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์"
    assert baht_words(25) == "ยี่สิบห้าสตางค์"


def test_a_naive_issue_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        tax_invoice(issued_at=datetime(2026, 11, 25, 10, 0))
