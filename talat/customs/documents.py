"""The commercial invoice and the packing list of an export order, as A4 PDFs the seller prints,
signs and sends with the goods (and hands to the forwarder for the export declaration).

    commercial_invoice_pdf(order)   # exporter, consignee, FOB lines with HS codes, totals
    packing_list_pdf(order)         # the same goods with net and gross weights

Both are trade documents read by the buyer and by customs abroad, so their headings are printed
in English with Thai beside them, whatever language the seller's page is in. Names and addresses
print as written: Thai by the bundled Thai font (shaped by HarfBuzz), Chinese by the bundled CJK
font, which fpdf2 uses where the Thai font has no glyph.

Rules the documents follow:

- The invoice number is the order number; the date is the day the order was placed (Bangkok),
  printed in the Gregorian calendar and in the Buddhist era.
- Incoterm FOB: the invoice value is the goods; a delivery charge the buyer paid is shown below
  the total, outside the FOB value.
- Amounts are in the currency of sale (the order's currency). Beside them, a second column gives
  the amounts in yuan (for a sale in baht) or in baht (for a sale in another currency) at the
  Bank of Thailand mid rate of the order date (the latest published on or before it); each line
  is converted and the column's total is the sum of its lines. Without a rate the column is left
  out and the document says so.
- Net weight is the SKU's weight times the quantity. Gross weight adds 10 % of the net weight
  for packing (GROSS_ALLOWANCE_PERCENT), rounded up to the gram on each line; the total is the
  sum of the lines.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import geothai
import pycountry
from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

import talat.core
from talat.catalog import tariff
from talat.core.thai import thai_date
from talat.governance.pdf import FAMILY, FONT
from talat.ledger import rates

CJK = "WQY"
CJK_FONT = Path(talat.core.__file__).resolve().parent / "fonts" / "WenQuanYiMicroHei-GB2312.ttf"
GROSS_ALLOWANCE_PERCENT = 10
INCOTERM = "FOB"
NEXT = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
PLAIN = FontFace(emphasis="")
HEADING_FILL = FontFace(emphasis="", fill_color=(233, 237, 242))


@dataclass(frozen=True)
class DocumentLine:
    description_th: str
    description_en: str
    sku: str
    hs_code: str  # as the tariff prints it: 0813.40.90
    quantity: int
    unit_price_minor: int
    amount_minor: int
    net_weight_g: int
    gross_weight_g: int


def gross_weight_g(net_weight_g: int) -> int:
    """The net weight plus GROSS_ALLOWANCE_PERCENT for packing, rounded up to the gram."""
    return net_weight_g + -(-net_weight_g * GROSS_ALLOWANCE_PERCENT // 100)


def display_hs(code: str) -> str:
    """0813.40.90 for 8 digits, 0813.40 for 6, anything else as stored."""
    if len(code) in (6, 8) and code.isdigit():
        return ".".join(
            code[start : start + size] for start, size in ((0, 4), (4, 2), (6, 2)) if code[start:]
        )
    return code


def document_lines(order) -> list[DocumentLine]:
    """The order's lines as the documents print them."""
    found = []
    for line in order.lines.all():
        variant = line.variant
        product = variant.product
        option_th = f" ({variant.option_th})" if variant.option_th else ""
        option_en = (
            f" ({variant.option_en or variant.option_th})" if (variant.option_en or variant.option_th) else ""
        )
        code = tariff.normalise(product.hs_code)
        net = variant.weight_g * line.quantity
        found.append(
            DocumentLine(
                description_th=(product.name_th or line.name) + option_th,
                description_en=(product.name_en + option_en) if product.name_en else "",
                sku=line.sku,
                hs_code=display_hs(code),
                quantity=line.quantity,
                unit_price_minor=line.unit_price_minor,
                amount_minor=line.quantity * line.unit_price_minor,
                net_weight_g=net,
                gross_weight_g=gross_weight_g(net),
            )
        )
    return found


def _order_date(order) -> date:
    return timezone.localdate(order.placed_at)


def _dates(day: date) -> str:
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year} ({thai_date(day)})"


def format_minor(amount: int, currency: str) -> str:
    """Integer minor units as "1,234.50" (no float on the way)."""
    digits = rates.minor_digits(currency)
    major = Decimal(amount).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))
    return f"{major:,}"


def format_kg(grams: int) -> str:
    return f"{grams // 1000:,}.{grams % 1000:03d}"


def _country(code: str) -> str:
    country = pycountry.countries.get(alpha_2=(code or "").upper())
    if country is None:
        return code or ""
    return f"{getattr(country, 'common_name', None) or country.name} ({country.alpha_2})"


def _exporter_lines(enterprise) -> list[str]:
    areas = [geothai.subdistrict(enterprise.subdistrict_code), geothai.district(enterprise.district_code),
             geothai.province(enterprise.province_code)]  # fmt: skip
    areas = [area for area in areas if area is not None]
    branch = (
        "Head office / สำนักงานใหญ่" if enterprise.branch == "00000" else f"Branch / สาขา {enterprise.branch}"
    )
    lines = [
        enterprise.name_en,
        enterprise.name_th,
        " ".join([enterprise.address_line, *(a.name_th for a in areas), enterprise.postal_code]).strip(),
        ", ".join([*(a.name_en for a in areas)]) + f" {enterprise.postal_code}, Thailand",
        f"Tax ID / เลขประจำตัวผู้เสียภาษี: {enterprise.tax_id} ({branch})",
        " · ".join(part for part in (f"Tel. {enterprise.phone}" if enterprise.phone else "", enterprise.email)
                   if part),
    ]  # fmt: skip
    return [line for line in lines if line and line.strip(", ")]


def _consignee_lines(order) -> list[str]:
    areas = [geothai.subdistrict(order.subdistrict_code), geothai.district(order.district_code),
             geothai.province(order.province_code)]  # fmt: skip
    lines = [
        order.buyer_name,
        order.address_line,
        " ".join(area.name_th for area in areas if area is not None),
        " ".join(part for part in (order.postal_code, _country(order.buyer_country)) if part),
        f"Tel. {order.buyer_phone}" if order.buyer_phone else "",
    ]
    return [line for line in lines if line]


@dataclass(frozen=True)
class _Conversion:
    currency: str
    rate_text: str
    convert: object  # minor units of the sale currency -> minor units of `currency`


def _conversion(order) -> tuple[_Conversion | None, str]:
    """The second currency column (yuan beside baht, baht beside anything else), or None and a
    note saying why it is missing."""
    sale = order.currency.upper()
    other = "CNY" if sale == "THB" else "THB"
    foreign = other if sale == "THB" else sale
    on = _order_date(order)
    try:
        rate = rates.rate_on(foreign, on)
    except rates.NoRate:
        return None, (
            f"No Bank of Thailand rate for {foreign} on or before {on.isoformat()}: amounts in {sale} only."
            f" / ยังไม่มีอัตราแลกเปลี่ยน {foreign} ของธนาคารแห่งประเทศไทย ณ วันที่ {thai_date(on)}"
        )
    if sale == "THB":
        convert = lambda amount: rates.convert(amount, other, on=on)  # noqa: E731
    else:
        convert = lambda amount: rates.to_satang(amount, sale, on=on)  # noqa: E731
    text = (
        f"{other} at the Bank of Thailand mid rate of {rate.date.isoformat()}: "
        f"{rate.unit:,} {foreign} = {rate.mid_rate.normalize():f} THB"
        f" / อัตรากลางธนาคารแห่งประเทศไทย ณ วันที่ {thai_date(rate.date)}"
    )
    return _Conversion(other, text, convert), ""


def _restore_font(pdf: FPDF, size: float) -> None:
    """Makes the Thai font current again after text that may have used the CJK fallback: fpdf2
    2.8 can leave the fallback font selected in the PDF while believing the Thai font is, so the
    next line would be drawn with the wrong glyphs (py-pdf/fpdf2 issues 1488 and 1772). Selecting
    another font and back writes the selection out again."""
    pdf.set_font(CJK, size=size)
    pdf.set_font(FAMILY, size=size)


class _Document(FPDF):
    def multi_cell(self, *args, **kwargs):
        kwargs.setdefault("align", "L")  # fpdf2 justifies by default, which spreads short lines apart
        return super().multi_cell(*args, **kwargs)

    def footer(self):
        self.set_y(-12)
        _restore_font(self, 8)
        self.set_text_color(90, 101, 115)
        self.cell(0, 6, f"{self.page_no()}/{{nb}}", align="C")


def _new_pdf() -> FPDF:
    pdf = _Document(format="A4")
    pdf.add_font(FAMILY, fname=str(FONT))
    pdf.add_font(CJK, fname=str(CJK_FONT))
    pdf.set_fallback_fonts([CJK])
    pdf.set_text_shaping(True)
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()
    return pdf


def _header(pdf: FPDF, order, title: str) -> None:
    pdf.set_font(FAMILY, size=16)
    pdf.cell(0, 9, title, align="C", **NEXT)
    pdf.set_font(FAMILY, size=9)
    pdf.cell(0, 5, f"Invoice No. / เลขที่: {order.channel_order_number}", align="C", **NEXT)
    pdf.cell(0, 5, f"Date / วันที่: {_dates(_order_date(order))}", align="C", **NEXT)
    pdf.ln(3)
    top = pdf.get_y()
    half = (pdf.epw - 6) / 2
    for column, (heading, lines) in enumerate(
        (
            ("Exporter / Shipper — ผู้ส่งออก", _exporter_lines(order.enterprise)),
            ("Consignee — ผู้รับสินค้า", _consignee_lines(order)),
        )
    ):
        x = pdf.l_margin + column * (half + 6)
        pdf.set_xy(x, top)
        pdf.set_font(FAMILY, size=8)
        pdf.set_text_color(90, 101, 115)
        pdf.cell(half, 5, heading, new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
        pdf.set_font(FAMILY, size=10)
        for line in lines:
            pdf.multi_cell(half, 5, line, new_x=XPos.LEFT, new_y=YPos.NEXT)
            _restore_font(pdf, 10)
        if column == 0:
            bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin, max(bottom, pdf.get_y()) + 3)
    pdf.set_font(FAMILY, size=9)
    country = _country(order.buyer_country)
    pdf.multi_cell(
        0,
        5,
        f"Country of origin / ประเทศถิ่นกำเนิด: Thailand (TH) · Destination / ปลายทาง: {country}"
        f" · Terms of delivery / เงื่อนไขการส่งมอบ: {INCOTERM} Thailand"
        f" · Currency / สกุลเงิน: {order.currency}",
        **NEXT,
    )
    pdf.ln(2)


def _signature(pdf: FPDF, order, statement: str) -> None:
    pdf.ln(6)
    pdf.set_font(FAMILY, size=9)
    pdf.multi_cell(0, 5, statement, **NEXT)
    pdf.ln(12)
    x = pdf.l_margin + pdf.epw / 2
    pdf.set_x(x)
    pdf.cell(pdf.epw / 2, 5, "_" * 40, align="C", **NEXT)
    pdf.set_x(x)
    pdf.cell(pdf.epw / 2, 5, "Authorised signature / ลายมือชื่อผู้มีอำนาจลงนาม", align="C", **NEXT)
    pdf.set_x(x)
    pdf.cell(pdf.epw / 2, 5, order.enterprise.name_en or order.enterprise.name_th, align="C", **NEXT)


def commercial_invoice_pdf(order) -> bytes:
    """The commercial invoice of an export order (orders.Order with its lines)."""
    lines = document_lines(order)
    conversion, note = _conversion(order)
    sale = order.currency.upper()
    pdf = _new_pdf()
    _header(pdf, order, "COMMERCIAL INVOICE / ใบกำกับสินค้า")

    widths = [8, 56, 22, 16, 12, 22, 24] + ([24] if conversion else [])
    headings = ["No.", "Description of goods / รายการสินค้า", "HS code", "Origin", "Qty",
                f"Unit price ({sale})", f"Amount {INCOTERM} ({sale})"]  # fmt: skip
    if conversion:
        headings.append(f"Amount ({conversion.currency})")
    align = ["CENTER", "LEFT", "CENTER", "CENTER", "RIGHT", "RIGHT", "RIGHT", "RIGHT"][: len(widths)]
    total = converted_total = quantity = 0
    pdf.set_font(FAMILY, size=8)
    with pdf.table(col_widths=widths, text_align=align, headings_style=HEADING_FILL, line_height=4.5,
                   padding=1) as table:  # fmt: skip
        table.row(headings)
        for number, line in enumerate(lines, start=1):
            description = "\n".join(part for part in (line.description_en, line.description_th) if part)
            description += f"\nSKU {line.sku}"
            cells = [
                str(number), description, line.hs_code, "Thailand", f"{line.quantity:,}",
                format_minor(line.unit_price_minor, sale), format_minor(line.amount_minor, sale),
            ]  # fmt: skip
            if conversion:
                converted = conversion.convert(line.amount_minor)
                converted_total += converted
                cells.append(format_minor(converted, conversion.currency))
            table.row(cells, style=PLAIN)
            total += line.amount_minor
            quantity += line.quantity
        cells = ["", f"TOTAL {INCOTERM} VALUE / มูลค่ารวม", "", "", f"{quantity:,}", "",
                 f"{format_minor(total, sale)} {sale}"]  # fmt: skip
        if conversion:
            cells.append(f"{format_minor(converted_total, conversion.currency)} {conversion.currency}")
        table.row(cells, style=HEADING_FILL)

    pdf.ln(2)
    pdf.set_font(FAMILY, size=8)
    if conversion:
        pdf.multi_cell(0, 4.5, conversion.rate_text, **NEXT)
    if note:
        pdf.multi_cell(0, 4.5, note, **NEXT)
    if order.shipping_minor:
        pdf.multi_cell(
            0,
            4.5,
            f"Delivery charge paid by the buyer, not part of the {INCOTERM} value / ค่าจัดส่งที่ผู้ซื้อชำระ: "
            f"{format_minor(order.shipping_minor, sale)} {sale} · Amount paid / ยอดชำระรวม: "
            f"{format_minor(total + order.shipping_minor, sale)} {sale}",
            **NEXT,
        )
    net = sum(line.net_weight_g for line in lines)
    gross = sum(line.gross_weight_g for line in lines)
    pdf.set_font(FAMILY, size=9)
    pdf.multi_cell(
        0,
        5,
        f"Total net weight / น้ำหนักสุทธิ: {format_kg(net)} kg · Total gross weight / น้ำหนักรวม: "
        f"{format_kg(gross)} kg",
        **NEXT,
    )
    _signature(
        pdf,
        order,
        "We certify that this invoice is true and correct and that the goods described are of Thai origin."
        " / ขอรับรองว่าข้อความในใบกำกับสินค้านี้ถูกต้องตามความจริง และสินค้ามีถิ่นกำเนิดในประเทศไทย",
    )
    return bytes(pdf.output())


def packing_list_pdf(order) -> bytes:
    """The packing list of an export order: each line's quantity, net and gross weight."""
    lines = document_lines(order)
    pdf = _new_pdf()
    _header(pdf, order, "PACKING LIST / ใบรายการบรรจุหีบห่อ")
    widths = [8, 62, 22, 28, 14, 24, 24]
    align = ["CENTER", "LEFT", "CENTER", "LEFT", "RIGHT", "RIGHT", "RIGHT"]
    pdf.set_font(FAMILY, size=8)
    with pdf.table(col_widths=widths, text_align=align, headings_style=HEADING_FILL, line_height=4.5,
                   padding=1) as table:  # fmt: skip
        table.row(["No.", "Description of goods / รายการสินค้า", "HS code", "SKU", "Qty",
                   "Net weight (kg)", "Gross weight (kg)"])  # fmt: skip
        for number, line in enumerate(lines, start=1):
            description = "\n".join(part for part in (line.description_en, line.description_th) if part)
            table.row(
                [str(number), description, line.hs_code, line.sku, f"{line.quantity:,}",
                 format_kg(line.net_weight_g), format_kg(line.gross_weight_g)],
                style=PLAIN,
            )  # fmt: skip
        net = sum(line.net_weight_g for line in lines)
        gross = sum(line.gross_weight_g for line in lines)
        table.row(
            ["", "TOTAL / รวม", "", "", f"{sum(line.quantity for line in lines):,}", format_kg(net),
             format_kg(gross)],
            style=HEADING_FILL,
        )  # fmt: skip
    pdf.ln(2)
    pdf.set_font(FAMILY, size=8)
    pdf.multi_cell(
        0,
        4.5,
        f"Gross weight = net weight + {GROSS_ALLOWANCE_PERCENT}% for packing materials (estimate) / "
        f"น้ำหนักรวม = น้ำหนักสุทธิ + {GROSS_ALLOWANCE_PERCENT}% สำหรับบรรจุภัณฑ์ (ประมาณ)",
        **NEXT,
    )
    pdf.multi_cell(0, 4.5, f"Shipping marks / เครื่องหมายหีบห่อ: {order.channel_order_number} · "
                   f"{_country(order.buyer_country)}", **NEXT)  # fmt: skip
    _signature(
        pdf,
        order,
        "We certify that the goods listed above are packed as described. / ขอรับรองว่าสินค้าบรรจุตามรายการข้างต้น",
    )
    return bytes(pdf.output())
