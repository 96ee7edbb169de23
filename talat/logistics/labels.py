"""Shipping labels: one A6 page per shipment with the tracking number as a Code 128 barcode (drawn
as vector bars, so any scanner reads it at any print size), the sender, and the recipient's
address as the buyer wrote it — in Thai, Latin or Chinese script (the bundled CJK font takes over
where the Thai font has no glyph)."""

from pathlib import Path

import barcode
import geothai
from fpdf import FPDF
from fpdf.enums import XPos, YPos

import talat.core
from talat.governance.pdf import FAMILY, FONT

CJK = "WQY"
CJK_FONT = Path(talat.core.__file__).resolve().parent / "fonts" / "WenQuanYiMicroHei-GB2312.ttf"
NEXT = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
MODULE_MM = 0.33  # the narrowest bar: 0.33 mm scans well from thermal label printers


def code128_modules(text: str) -> str:
    """The barcode as a string of 1 (bar) and 0 (space) modules, quiet zones excluded."""
    return barcode.get("code128", text).build()[0]


def _bars(pdf: FPDF, text: str, *, x: float, y: float, height: float) -> float:
    modules = code128_modules(text)
    run_start = None
    for index, module in enumerate(modules + "0"):
        if module == "1" and run_start is None:
            run_start = index
        elif module == "0" and run_start is not None:
            pdf.rect(x + run_start * MODULE_MM, y, (index - run_start) * MODULE_MM, height, style="F")
            run_start = None
    return len(modules) * MODULE_MM


def recipient_lines(order) -> list[str]:
    lines = [order.buyer_name, order.address_line]
    areas = [
        geothai.subdistrict(order.subdistrict_code),
        geothai.district(order.district_code),
        geothai.province(order.province_code),
    ]
    lines.append(" ".join(area.name_th for area in areas if area is not None))
    lines.append(" ".join(part for part in (order.postal_code, order.buyer_country) if part))
    lines.append(order.buyer_phone)
    return [line for line in lines if line]


def render_labels(shipments) -> bytes:
    pdf = FPDF(format=(105, 148))  # A6, the usual label size
    pdf.add_font(FAMILY, fname=str(FONT))
    pdf.add_font(CJK, fname=str(CJK_FONT))
    pdf.set_fallback_fonts([CJK])
    pdf.set_margins(6, 6, 6)
    pdf.set_auto_page_break(auto=False)
    for shipment in shipments:
        order = shipment.order
        pdf.add_page()
        pdf.set_font(FAMILY, size=9)
        pdf.cell(0, 5, f"{shipment.get_route_display()} · {shipment.partner}", **NEXT)
        width = _bars(pdf, shipment.tracking_number, x=6, y=pdf.get_y() + 1, height=16)
        pdf.set_y(pdf.get_y() + 18)
        pdf.set_font(FAMILY, size=12)
        pdf.cell(width, 6, shipment.tracking_number, align="C", **NEXT)
        pdf.ln(2)
        pdf.set_font(FAMILY, size=8)
        pdf.multi_cell(0, 4, f"จาก / From: {order.enterprise.name_th}", **NEXT)
        pdf.ln(2)
        pdf.set_font(FAMILY, size=9)
        pdf.cell(0, 5, "ถึง / To / 收件人:", **NEXT)
        pdf.set_font(FAMILY, size=12)
        for line in recipient_lines(order):
            pdf.multi_cell(0, 6, line, **NEXT)
            # After text drawn with the CJK fallback, fpdf2 2.8 may keep that font selected in the
            # PDF (py-pdf/fpdf2 issues 1488, 1772): select another font and back to write it again.
            pdf.set_font(CJK, size=12)
            pdf.set_font(FAMILY, size=12)
        pdf.ln(2)
        pdf.set_font(FAMILY, size=8)
        pdf.cell(0, 4, f"{order.channel_order_number} · {shipment.weight_g:,} g", **NEXT)
    return bytes(pdf.output())
