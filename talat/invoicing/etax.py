"""A document as ETDA e-Tax Invoice & e-Receipt XML (ขมธอ. 3-2560, guideline ER3-2560, schema v2.0).

The XML follows the ETDA profile of the UN/CEFACT Cross Industry Invoice. Each document family has its
own root and namespaces:

- tax invoices (388, T02, T03, T04): rsm:TaxInvoice_CrossIndustryInvoice
- receipts of a seller not registered for VAT (T01): rsm:Receipt_CrossIndustryInvoice
- debit and credit notes (80, 81): rsm:DebitCreditNote_CrossIndustryInvoice

`validate` checks a document against the schemas in schemas/ (see the README there) and a few rules of
the standard that a schema cannot say. Amounts are decimal strings made from integer satang."""

from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from lxml import etree

from .documents import Document, Kind, decimal_satang

BANGKOK = ZoneInfo("Asia/Bangkok")
SCHEMAS = Path(__file__).resolve().parent / "schemas"
GUIDELINE_ID = "ER3-2560"
GUIDELINE_VERSION = "v2.0"

# ExchangedDocument/Name as the ETDA code list names each document.
ETDA_NAMES = {
    Kind.TAX_INVOICE: "ใบกำกับภาษี",
    Kind.INVOICE_TAX_INVOICE: "ใบแจ้งหนี้/ใบกำกับภาษี",
    Kind.RECEIPT_TAX_INVOICE: "ใบเสร็จรับเงิน/ใบกำกับภาษี",
    Kind.DELIVERY_TAX_INVOICE: "ใบส่งของ/ใบกำกับภาษี",
    Kind.RECEIPT: "ใบเสร็จรับเงิน",
    Kind.DEBIT_NOTE: "ใบเพิ่มหนี้",
    Kind.CREDIT_NOTE: "ใบลดหนี้",
}


class InvalidDocument(ValueError):
    """The XML does not meet the ETDA schema or rules; `errors` lists each problem."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


def family(kind: Kind) -> str:
    if kind.is_note:
        return "DebitCreditNote"
    if kind == Kind.RECEIPT:
        return "Receipt"
    return "TaxInvoice"


def namespaces(family_name: str) -> dict[str, str]:
    return {
        "rsm": f"urn:etda:uncefact:data:standard:{family_name}_CrossIndustryInvoice:2",
        "ram": f"urn:etda:uncefact:data:standard:{family_name}_ReusableAggregateBusinessInformationEntity:2",
    }


def _timestamp(value) -> str:
    return value.astimezone(BANGKOK).isoformat(timespec="seconds")


class _Writer:
    def __init__(self, family_name: str):
        self.ns = namespaces(family_name)

    def el(self, parent, tag: str, text: str | None = None, **attrib):
        prefix, name = tag.split(":")
        node = etree.SubElement(parent, f"{{{self.ns[prefix]}}}{name}", attrib)
        if text is not None:
            node.text = text
        return node

    def amount(self, parent, tag: str, satang: int, currency: str | None = None):
        attrib = {"currencyID": currency} if currency else {}
        return self.el(parent, tag, decimal_satang(satang), **attrib)


def render_xml(document: Document) -> bytes:
    """The document as ETDA XML (UTF-8, with declaration), unsigned."""
    family_name = family(document.kind)
    w = _Writer(family_name)
    root = etree.Element(f"{{{w.ns['rsm']}}}{family_name}_CrossIndustryInvoice", nsmap=w.ns)

    context = w.el(root, "rsm:ExchangedDocumentContext")
    parameter = w.el(context, "ram:GuidelineSpecifiedDocumentContextParameter")
    w.el(parameter, "ram:ID", GUIDELINE_ID, schemeAgencyID="ETDA", schemeVersionID=GUIDELINE_VERSION)

    header = w.el(root, "rsm:ExchangedDocument")
    w.el(header, "ram:ID", document.number)
    w.el(header, "ram:Name", ETDA_NAMES[document.kind])
    w.el(header, "ram:TypeCode", document.kind.value)
    w.el(header, "ram:IssueDateTime", _timestamp(document.issued_at))
    if document.kind.is_note:
        if document.reason:
            w.el(header, "ram:Purpose", document.reason[:256])
        w.el(header, "ram:PurposeCode", document.reason_code)
    w.el(header, "ram:CreationDateTime", _timestamp(document.issued_at))
    for note in document.notes:
        w.el(w.el(header, "ram:IncludedNote"), "ram:Content", note[:500])

    transaction = w.el(root, "rsm:SupplyChainTradeTransaction")
    agreement = w.el(transaction, "ram:ApplicableHeaderTradeAgreement")
    _party(w, agreement, "ram:SellerTradeParty", document.seller, seller=True)
    _party(w, agreement, "ram:BuyerTradeParty", document.buyer, seller=False)
    if document.kind.is_note:
        reference = w.el(agreement, "ram:AdditionalReferencedDocument")
        w.el(reference, "ram:IssuerAssignedID", document.reference_number)
        if document.reference_issued_at:
            w.el(reference, "ram:IssueDateTime", _timestamp(document.reference_issued_at))
        w.el(reference, "ram:ReferenceTypeCode", document.reference_kind.value)
    w.el(transaction, "ram:ApplicableHeaderTradeDelivery")

    settlement = w.el(transaction, "ram:ApplicableHeaderTradeSettlement")
    w.el(settlement, "ram:InvoiceCurrencyCode", document.currency, listID="ISO 4217 3A")
    _tax(w, settlement, document, document.net_satang, document.vat_satang)
    summation = w.el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    if document.kind.is_note:
        w.amount(summation, "ram:OriginalInformationAmount", document.original_net_satang)
        w.amount(summation, "ram:LineTotalAmount", document.correct_net_satang)
        w.amount(summation, "ram:DifferenceInformationAmount", document.difference_net_satang)
    else:
        w.amount(summation, "ram:LineTotalAmount", document.net_satang)
    w.amount(summation, "ram:TaxBasisTotalAmount", document.net_satang)
    w.amount(summation, "ram:TaxTotalAmount", document.vat_satang)
    w.amount(summation, "ram:GrandTotalAmount", document.total_satang)

    for index, (line, line_vat) in enumerate(zip(document.lines, document.line_vats(), strict=True), start=1):
        item = w.el(transaction, "ram:IncludedSupplyChainTradeLineItem")
        w.el(w.el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(index))
        w.el(w.el(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.description[:256])
        price = w.el(w.el(item, "ram:SpecifiedLineTradeAgreement"), "ram:GrossPriceProductTradePrice")
        # Talat's prices include VAT: the unit price sent is the VAT-inclusive one printed on the document.
        w.amount(price, "ram:ChargeAmount", line.unit_price_satang)
        w.el(
            w.el(item, "ram:SpecifiedLineTradeDelivery"),
            "ram:BilledQuantity",
            str(line.quantity),
            unitCode="C62",
        )
        line_settlement = w.el(item, "ram:SpecifiedLineTradeSettlement")
        line_net = line.amount_satang - line_vat
        _tax(w, line_settlement, document, line_net, line_vat)
        line_summation = w.el(line_settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
        w.amount(line_summation, "ram:TaxTotalAmount", line_vat)
        w.amount(line_summation, "ram:NetLineTotalAmount", line_net, document.currency)
        w.amount(
            line_summation, "ram:NetIncludingTaxesLineTotalAmount", line.amount_satang, document.currency
        )

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _tax(w: _Writer, parent, document: Document, basis: int, amount: int) -> None:
    tax = w.el(parent, "ram:ApplicableTradeTax")
    # A seller not registered for VAT charges none: the line is free of tax, not zero-rated.
    w.el(tax, "ram:TypeCode", "VAT" if document.charges_vat else "FRE")
    w.el(tax, "ram:CalculatedRate", decimal_satang(document.vat_rate_bp))
    w.amount(tax, "ram:BasisAmount", basis)
    w.amount(tax, "ram:CalculatedAmount", amount)


def _party(w: _Writer, parent, tag: str, party, *, seller: bool) -> None:
    node = w.el(parent, tag)
    w.el(node, "ram:Name", party.name[:256])
    registration = w.el(node, "ram:SpecifiedTaxRegistration")
    if party.tax_id:
        # The ETDA tax registration: the 13-digit tax ID followed by the 5-digit branch number.
        w.el(registration, "ram:ID", f"{party.tax_id}{party.branch}", schemeID="TXID")
    else:
        # A buyer without a tax ID (a consumer), as the standard writes it.
        w.el(registration, "ram:ID", "N/A", schemeID="OTHR")
    if party.email:
        contact = w.el(node, "ram:DefinedTradeContact")
        w.el(w.el(contact, "ram:EmailURIUniversalCommunication"), "ram:URIID", f"mailto:{party.email}")
    address = w.el(node, "ram:PostalTradeAddress")
    if party.postal_code:
        w.el(address, "ram:PostcodeCode", party.postal_code)
    if party.address:
        w.el(address, "ram:LineOne", party.address[:256])
    w.el(address, "ram:CountryID", party.country, schemeID="3166-1 alpha-2")


@cache
def _schema(family_name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / f"{family_name}_CrossIndustryInvoice_2p0_subset.xsd")))


FAMILIES = ("TaxInvoice", "Receipt", "DebitCreditNote")


def validate(xml: bytes) -> None:
    """Raise InvalidDocument listing every problem: XML that does not parse, a root that is no ETDA
    document, schema errors (with their line), and the standard's rules that a schema cannot express."""
    try:
        tree = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        raise InvalidDocument([f"XML: {error}"]) from None
    root_family = next(
        (
            name
            for name in FAMILIES
            if tree.tag == f"{{{namespaces(name)['rsm']}}}{name}_CrossIndustryInvoice"
        ),
        None,
    )
    if root_family is None:
        raise InvalidDocument([f"not an ETDA e-Tax document: root element {tree.tag}"])
    schema = _schema(root_family)
    if not schema.validate(tree):
        raise InvalidDocument([f"line {e.line}: {e.message}" for e in schema.error_log])
    errors = _rules(tree, root_family)
    if errors:
        raise InvalidDocument(errors)


def _rules(tree, family_name: str) -> list[str]:
    ns = namespaces(family_name)
    errors = []
    seller_ids = tree.xpath(
        "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty"
        "/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='TXID']/text()",
        namespaces=ns,
    )
    if family_name != "Receipt" and not any(len(v) == 18 and v.isdigit() for v in seller_ids):
        errors.append(
            "SellerTradeParty: a tax ID of 13 digits and a branch of 5 digits (schemeID TXID) is required"
        )
    if family_name == "DebitCreditNote":
        references = tree.xpath(
            "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/ram:AdditionalReferencedDocument",
            namespaces=ns,
        )
        if not references:
            errors.append(
                "AdditionalReferencedDocument: a debit or credit note must name the document it corrects"
            )
        if not tree.xpath("rsm:ExchangedDocument/ram:PurposeCode", namespaces=ns):
            errors.append("ExchangedDocument/PurposeCode: a debit or credit note must give its reason")
    return errors
