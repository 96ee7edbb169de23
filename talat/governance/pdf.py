"""PDF rendering of a personal-data export (PDPA section 30).

fpdf2 lays the text out and HarfBuzz (uharfbuzz) shapes it, so Thai vowels and tone marks sit where
they belong; the Thai font ships in the repository (talat/core/fonts/) and is embedded as a subset,
so the PDF reads the same on any device and its text can be searched and copied."""

import logging
from datetime import datetime
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

import talat.core
from talat.core.thai import display_date

# fontTools logs every glyph of every subset it makes at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT = Path(talat.core.__file__).resolve().parent / "fonts" / "Loma.ttf"
FAMILY = "Loma"


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return _("ใช่")
    if value is False:
        return _("ไม่ใช่")
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items()) or "—"
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            return display_date(datetime.fromisoformat(value), "time")
        except ValueError:
            return value
    return str(value)


class _Document(FPDF):
    def footer(self):
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(90, 101, 115)
        self.cell(0, 6, _("หน้า %(page)s") % {"page": self.page_no()}, align="C")


def render_export_pdf(export: dict) -> bytes:
    """The export as an A4 document: one heading a table, one block a row, field: value lines.
    The embedded font has Thai and Latin glyphs only, so a Chinese reader gets the English text."""
    language = translation.get_language() or "th"
    with translation.override("en" if language.startswith("zh") else language):
        return _render(export)


def _render(export: dict) -> bytes:
    pdf = _Document(format="A4")
    pdf.set_title(_("สำเนาข้อมูลส่วนบุคคล"))
    pdf.set_creator("Talat")
    pdf.set_lang(export.get("language") or "th")
    pdf.add_font(FAMILY, fname=str(FONT))
    pdf.set_text_shaping(True)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_margins(16, 16, 16)
    pdf.add_page()

    def line(text: str, *, size: float = 10, indent: float = 0, color=(29, 37, 48), gap: float = 5.2):
        pdf.set_font(FAMILY, size=size)
        pdf.set_text_color(*color)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(0, gap, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    subject = export.get("subject", {})
    line(_("สำเนาข้อมูลส่วนบุคคลของคุณ"), size=18, gap=9)
    line(subject.get("full_name", ""), size=14, gap=7)
    line(
        _("จัดทำเมื่อ %(date)s ตามคำขอตามมาตรา 30 พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562")
        % {"date": _text(export.get("generated_at"))},
        color=(90, 101, 115),
    )
    line(
        _("ไฟล์ JSON ที่ดาวน์โหลดคู่กันมีข้อมูลชุดเดียวกันในรูปแบบที่เครื่องอ่านได้ (มาตรา 31)"),
        color=(90, 101, 115),
    )
    for section in export.get("sections", []):
        rows = section.get("rows", [])
        pdf.ln(3)
        line(f"{section.get('label', section.get('model'))} ({len(rows)})", size=13, gap=7)
        if not rows:
            line(_("ไม่มีข้อมูล"), indent=4, color=(90, 101, 115))
            continue
        labels = {name: spec.get("label", name) for name, spec in section.get("fields", {}).items()}
        context_labels = section.get("context_labels", {})
        for row in rows:
            line(_("รายการที่ %(id)s") % {"id": row.get("id")}, size=10.5, indent=2, gap=6)
            for name, value in row.get("fields", {}).items():
                line(f"{labels.get(name, name)}: {_text(value)}", indent=6)
            for name, reason in row.get("withheld", {}).items():
                line(f"{labels.get(name, name)}: {reason}", indent=6, color=(154, 98, 0))
            for name, value in row.get("context", {}).items():
                line(f"{context_labels.get(name, name)}: {_text(value)}", indent=6, color=(90, 101, 115))
    return bytes(pdf.output())
