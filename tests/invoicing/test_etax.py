"""The e-Tax XML the Revenue Department receives: valid ETDA structure, same figures as the PDF."""

import re
from datetime import UTC, datetime
from io import BytesIO

import pytest
from lxml import etree
from pypdf import PdfReader

from talat.invoicing.documents import Document, Kind, Line, Party, format_satang
from talat.invoicing.etax import InvalidDocument, namespaces, render_xml, validate
from talat.invoicing.pdf import render_pdf

SELLER = Party(
    name="วิสาหกิจชุมชนผ้าทอบ้านนาข่า",
    tax_id="0415561000123",
    address="12 หมู่ 3 ตำบลนาข่า อำเภอเมือง จังหวัดอุดรธานี",
    postal_code="41000",
    email="nakha@example.org",
)
BUYER = Party(name="บริษัท ผ้าไทยดี จำกัด", tax_id="0105556123456", branch="00001", postal_code="10110")
ISSUED = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)
TI = namespaces("TaxInvoice")


def tax_invoice(**changes) -> Document:
    values = {
        "kind": Kind.RECEIPT_TAX_INVOICE,
        "number": "INV-2569-000042",
        "issued_at": ISSUED,
        "seller": SELLER,
        "buyer": BUYER,
        "lines": (Line("ผ้าขาวม้า", 3, 25050), Line("กระเป๋าผ้าทอ", 2, 124925)),
    }
    values.update(changes)
    return Document(**values)


def plain_receipt() -> Document:
    return tax_invoice(
        kind=Kind.RECEIPT,
        number="RC-000007",
        vat_rate_bp=0,
        seller=Party(name="ร้านป้าแดงข้าวหอมมะลิ", address="5 ตลาดสดเทศบาล ขอนแก่น"),
        buyer=Party(name="สมศรี มีสุข"),
        lines=(Line("ข้าวหอมมะลิ 5 กก.", 2, 18550),),
    )


def credit_note() -> Document:
    return tax_invoice(
        kind=Kind.CREDIT_NOTE,
        number="CN-2569-000003",
        issued_at=datetime(2026, 12, 2, 3, 0, tzinfo=UTC),
        lines=(Line("รับคืนผ้าขาวม้า", 1, 25050),),
        reference_number="INV-2569-000042",
        reference_issued_at=ISSUED,
        reference_total_satang=325000,
        reason="ลูกค้าคืนสินค้าชำรุด",
        reason_code="CDNG02",
    )


def as_satang(value: str) -> int:
    return int(value.replace(".", ""))


def xpath(xml: bytes, path: str, family: str = "TaxInvoice") -> list[str]:
    return etree.fromstring(xml).xpath(path, namespaces=namespaces(family))


def test_tax_invoice_validates_and_names_the_standard():
    xml = render_xml(tax_invoice())

    validate(xml)
    root = etree.fromstring(xml)
    assert root.tag == f"{{{TI['rsm']}}}TaxInvoice_CrossIndustryInvoice"
    assert root.nsmap == {"rsm": TI["rsm"], "ram": TI["ram"]}
    assert xpath(xml, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID/text()") == ["ER3-2560"]
    assert xpath(xml, "rsm:ExchangedDocument/ram:TypeCode/text()") == ["T03"]
    assert xpath(xml, "rsm:ExchangedDocument/ram:ID/text()") == ["INV-2569-000042"]
    assert xpath(xml, "rsm:ExchangedDocument/ram:IssueDateTime/text()") == ["2026-11-25T00:30:00+07:00"]
    assert xpath(xml, "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID/text()") == [
        "041556100012300000"
    ]
    assert xpath(xml, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID/text()") == [
        "010555612345600001"
    ]
    assert xpath(xml, "//ram:SellerTradeParty//ram:URIID/text()") == ["mailto:nakha@example.org"]


def test_amounts_are_decimal_strings_from_satang():
    xml = render_xml(tax_invoice())
    summation = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"

    assert xpath(xml, summation + "GrandTotalAmount/text()") == ["3250.00"]
    assert xpath(xml, summation + "TaxTotalAmount/text()") == ["212.62"]
    assert xpath(xml, summation + "TaxBasisTotalAmount/text()") == ["3037.38"]
    assert xpath(
        xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CalculatedRate/text()"
    ) == ["7.00"]
    for amount in xpath(xml, "//*[contains(local-name(), 'Amount')]/text()"):
        assert re.fullmatch(r"-?\d+\.\d{2}", amount), amount
    line_vats = xpath(xml, "//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:TaxTotalAmount/text()")
    assert sum(as_satang(v) for v in line_vats) == 21262


def test_receipt_without_vat_validates():
    xml = render_xml(plain_receipt())
    family = namespaces("Receipt")

    validate(xml)
    assert etree.fromstring(xml).tag == f"{{{family['rsm']}}}Receipt_CrossIndustryInvoice"
    assert xpath(xml, "rsm:ExchangedDocument/ram:TypeCode/text()", "Receipt") == ["T01"]
    assert xpath(
        xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:TypeCode/text()", "Receipt"
    ) == ["FRE"]
    assert xpath(xml, "//ram:TaxTotalAmount/text()", "Receipt") == ["0.00", "0.00"]
    assert xpath(xml, "//ram:GrandTotalAmount/text()", "Receipt") == ["371.00"]


def test_credit_note_validates_and_references_the_original():
    xml = render_xml(credit_note())
    family = "DebitCreditNote"

    validate(xml)
    assert xpath(xml, "rsm:ExchangedDocument/ram:TypeCode/text()", family) == ["81"]
    assert xpath(xml, "rsm:ExchangedDocument/ram:Purpose/text()", family) == ["ลูกค้าคืนสินค้าชำรุด"]
    assert xpath(xml, "rsm:ExchangedDocument/ram:PurposeCode/text()", family) == ["CDNG02"]
    reference = "//ram:AdditionalReferencedDocument/ram:"
    assert xpath(xml, reference + "IssuerAssignedID/text()", family) == ["INV-2569-000042"]
    assert xpath(xml, reference + "IssueDateTime/text()", family) == ["2026-11-25T00:30:00+07:00"]
    assert xpath(xml, reference + "ReferenceTypeCode/text()", family) == ["T03"]
    summation = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    assert xpath(xml, summation + "OriginalInformationAmount/text()", family) == ["3037.38"]
    assert xpath(xml, summation + "DifferenceInformationAmount/text()", family) == ["234.11"]
    assert xpath(xml, summation + "LineTotalAmount/text()", family) == ["2803.27"]
    assert xpath(xml, summation + "GrandTotalAmount/text()", family) == ["250.50"]


def test_text_in_an_amount_fails_with_a_readable_message():
    xml = render_xml(tax_invoice()).replace(b"<ram:GrandTotalAmount>3250.00<", b"<ram:GrandTotalAmount>lots<")

    with pytest.raises(InvalidDocument) as error:
        validate(xml)
    assert "GrandTotalAmount" in str(error.value)
    assert "'lots' is not a valid value" in str(error.value)
    assert re.match(r"line \d+: ", error.value.errors[0])


def test_a_missing_document_number_fails_validation():
    tree = etree.fromstring(render_xml(tax_invoice()))
    number = tree.find(f"rsm:ExchangedDocument/{{{TI['ram']}}}ID", TI)
    number.getparent().remove(number)

    with pytest.raises(InvalidDocument, match=r"Name.*Expected is.*ID"):
        validate(etree.tostring(tree))


def test_a_tax_invoice_without_the_seller_tax_id_is_refused():
    xml = render_xml(tax_invoice(seller=Party(name="ผู้ขายไม่มีเลขภาษี")))

    with pytest.raises(InvalidDocument, match="SellerTradeParty: a tax ID of 13 digits"):
        validate(xml)


def test_a_wrong_document_code_for_the_family_fails():
    xml = render_xml(tax_invoice()).replace(b"<ram:TypeCode>T03<", b"<ram:TypeCode>81<")

    with pytest.raises(InvalidDocument, match="TypeCode"):
        validate(xml)


def test_something_that_is_not_an_etax_document_is_refused():
    with pytest.raises(InvalidDocument, match="not an ETDA e-Tax document"):
        validate(b"<invoice/>")
    with pytest.raises(InvalidDocument, match="XML"):
        validate(b"<unclosed>")


@pytest.mark.parametrize("make", [tax_invoice, plain_receipt, credit_note])
def test_xml_totals_equal_the_pdf_totals(make):
    document = make()
    xml = render_xml(document)
    family = (
        "DebitCreditNote"
        if document.kind.is_note
        else "Receipt"
        if document.kind == Kind.RECEIPT
        else "TaxInvoice"
    )
    reader = PdfReader(BytesIO(render_pdf(document)))
    text = "\n".join(page.extract_text() for page in reader.pages)

    (grand,) = xpath(xml, "//ram:GrandTotalAmount/text()", family)
    (vat,) = xpath(
        xml, "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxTotalAmount/text()", family
    )
    (net,) = xpath(xml, "//ram:TaxBasisTotalAmount/text()", family)
    assert f"จำนวนเงินรวมทั้งสิ้น {format_satang(as_satang(grand))}" in text
    assert as_satang(net) + as_satang(vat) == as_satang(grand) == document.total_satang
    if document.charges_vat:
        assert f"ภาษีมูลค่าเพิ่ม 7% {format_satang(as_satang(vat))}" in text
        assert f"(ไม่รวมภาษีมูลค่าเพิ่ม) {format_satang(as_satang(net))}" in text
