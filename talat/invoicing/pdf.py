"""A tax invoice, receipt or credit note as a PDF that meets section 86/4 of the Revenue Code.

The document is laid out by fpdf2 in the Thai font that ships in the repository (talat/core/fonts/), embedded
so that it reads the same everywhere. Text shaping is off on purpose: HarfBuzz splits SARA AM (ำ) into two
glyphs that fpdf2 maps back to a stray character, so "จำนวนเงิน" would not be found or copied from the PDF;
the TLWG font places its marks acceptably without shaping, and the document's text stays exact. A tax
invoice is a Thai legal document, so it is always rendered in Thai whatever the reader's language."""

import logging

from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from pythainlp.util import bahttext, num_to_thaiword

from talat.core.thai import BUDDHIST_ERA_OFFSET, MONTHS_TH
from talat.governance.pdf import FAMILY, FONT

from .documents import Document, Kind, Party, format_satang
from .etax import BANGKOK

logging.getLogger("fontTools").setLevel(logging.WARNING)

INK = (29, 37, 48)
MUTED = (90, 101, 115)


def buddhist_date(value) -> str:
    """'25 พฤศจิกายน 2569': the date in Bangkok, in the Buddhist era."""
    local = value.astimezone(BANGKOK)
    return f"{local.day} {MONTHS_TH[local.month - 1]} {local.year + BUDDHIST_ERA_OFFSET}"


def baht_words(satang: int) -> str:
    """The amount in Thai words ('หนึ่งร้อยเจ็ดบาทถ้วน'), from integer satang without floats."""
    baht, rest = divmod(abs(satang), 100)
    sign = "ลบ" if satang < 0 else ""
    if rest == 0:
        return sign + bahttext(baht)
    words = f"{num_to_thaiword(baht)}บาท" if baht else ""
    return f"{sign}{words}{num_to_thaiword(rest)}สตางค์"


def branch_label(party: Party) -> str:
    if party.is_head_office:
        return _("สำนักงานใหญ่")
    return _("สาขาที่ %(branch)s") % {"branch": party.branch}


def render_pdf(document: Document) -> bytes:
    with translation.override("th"):
        return _render(document)


class _Page(FPDF):
    def footer(self):
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 6, _("หน้า %(page)s/{nb}") % {"page": self.page_no()}, align="C")


def _render(document: Document) -> bytes:
    pdf = _Page(format="A4")
    pdf.set_title(f"{document.title} {document.number}")
    pdf.set_creator("Talat")
    pdf.set_lang("th")
    pdf.add_font(FAMILY, fname=str(FONT))
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(16, 16, 16)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def text(value: str, *, size: float = 10, color=INK, align: str = "L", gap: float = 5.2):
        pdf.set_font(FAMILY, size=size)
        pdf.set_text_color(*color)
        pdf.multi_cell(0, gap, value, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    # Title, number and date.
    text(document.title, size=18, align="R", gap=9)
    if document.kind.is_tax_invoice or document.kind.is_note:
        text(_("(เอกสารออกเป็นชุด)"), size=8, color=MUTED, align="R")
    text(_("เลขที่ %(number)s") % {"number": document.number}, align="R")
    text(_("วันที่ %(date)s") % {"date": buddhist_date(document.issued_at)}, align="R")
    pdf.ln(2)

    # Seller and buyer.
    def party(heading: str, who: Party):
        text(heading, size=9, color=MUTED)
        text(who.name, size=12, gap=6)
        if who.address or who.postal_code:
            text(" ".join(part for part in (who.address, who.postal_code) if part))
        if who.tax_id:
            text(
                _("เลขประจำตัวผู้เสียภาษีอากร %(tax_id)s (%(branch)s)")
                % {"tax_id": who.tax_id, "branch": branch_label(who)}
            )
        if who.email:
            text(who.email, color=MUTED)
        pdf.ln(2)

    party(_("ผู้ขาย"), document.seller)
    party(_("ผู้ซื้อ"), document.buyer)

    if document.kind.is_note:
        reference = {"number": document.reference_number}
        if document.reference_issued_at:
            reference["date"] = buddhist_date(document.reference_issued_at)
            text(_("อ้างถึงเอกสารเลขที่ %(number)s ลงวันที่ %(date)s") % reference)
        else:
            text(_("อ้างถึงเอกสารเลขที่ %(number)s") % reference)
        if document.reason:
            text(_("เหตุผล: %(reason)s") % {"reason": document.reason})
        pdf.ln(2)

    # Lines.
    columns = (
        (_("ลำดับ"), 0.08, "C"),
        (_("รายการ"), 0.50, "L"),
        (_("จำนวน"), 0.10, "R"),
        (_("ราคาต่อหน่วย"), 0.16, "R"),
        (_("จำนวนเงิน"), 0.16, "R"),
    )
    pdf.set_font(FAMILY, size=9.5)
    pdf.set_text_color(*INK)
    with pdf.table(
        col_widths=tuple(share for _label, share, _align in columns),
        text_align=tuple(align for _label, _share, align in columns),
        line_height=6,
        width=width,
        first_row_as_headings=True,
        headings_style=FontFace(emphasis="", fill_color=(235, 238, 242)),
    ) as table:
        heading = table.row()
        for label, _share, _align in columns:
            heading.cell(label)
        for index, line in enumerate(document.lines, start=1):
            row = table.row()
            row.cell(str(index))
            row.cell(line.description)
            row.cell(f"{line.quantity:,}")
            row.cell(format_satang(line.unit_price_satang))
            row.cell(format_satang(line.amount_satang))
    pdf.ln(3)

    # Totals.
    def total(label: str, amount: int, *, bold: bool = False):
        pdf.set_font(FAMILY, size=11 if bold else 10)
        pdf.set_text_color(*INK)
        pdf.cell(width * 0.72, 6, label, align="R")
        pdf.cell(width * 0.28, 6, format_satang(amount), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    if document.kind.is_note:
        total(_("มูลค่าสินค้าหรือบริการตามเอกสารเดิม"), document.original_net_satang)
        total(_("มูลค่าสินค้าหรือบริการที่ถูกต้อง"), document.correct_net_satang)
        total(_("ผลต่าง"), document.difference_net_satang)
    if document.charges_vat:
        total(_("มูลค่าสินค้าหรือบริการ (ไม่รวมภาษีมูลค่าเพิ่ม)"), document.net_satang)
        total(
            _("ภาษีมูลค่าเพิ่ม %(rate)s%%") % {"rate": _rate(document.vat_rate_bp)},
            document.vat_satang,
        )
    total(_("จำนวนเงินรวมทั้งสิ้น"), document.total_satang, bold=True)
    pdf.ln(1)
    text(f"({baht_words(document.total_satang)})", align="R")
    if not document.charges_vat and document.kind == Kind.RECEIPT:
        pdf.ln(2)
        text(_("ผู้ขายไม่ได้จดทะเบียนภาษีมูลค่าเพิ่ม"), size=9, color=MUTED)
    for note in document.notes:
        text(note, size=9, color=MUTED)
    return bytes(pdf.output())


def _rate(rate_bp: int) -> str:
    whole, rest = divmod(rate_bp, 100)
    return f"{whole}" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0")
