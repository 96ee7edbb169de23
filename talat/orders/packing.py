"""Packing slips: one A4 page per order with where it goes and what goes in the box, for the
seller to print and put in the parcel. Thai text is shaped by HarfBuzz with the bundled font."""

import geothai
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from talat.governance.pdf import FAMILY, FONT

NEXT = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


def _address(order) -> list[str]:
    lines = [order.buyer_name, order.address_line]
    areas = [geothai.subdistrict(order.subdistrict_code), geothai.district(order.district_code),
             geothai.province(order.province_code)]  # fmt: skip
    lines.append(" ".join(area.name_th for area in areas if area is not None))
    lines.append(f"{order.postal_code} {order.buyer_country}".strip())
    lines.append(order.buyer_phone)
    return [line for line in lines if line]


def render_packing_slips(orders) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font(FAMILY, fname=str(FONT))
    pdf.set_text_shaping(True)
    pdf.set_auto_page_break(auto=True, margin=15)
    for order in orders:
        pdf.add_page()
        pdf.set_font(FAMILY, size=16)
        pdf.cell(0, 10, _("ใบรายการจัดส่ง") + f"  {order.channel_order_number}", **NEXT)
        pdf.set_font(FAMILY, size=11)
        pdf.cell(0, 7, f"{_('จาก')}: {order.enterprise.name_th}", **NEXT)
        pdf.cell(0, 7, f"{_('วิธีจัดส่ง')}: {order.get_shipping_method_display() or order.channel}", **NEXT)
        pdf.ln(3)
        pdf.set_font(FAMILY, size=14)
        pdf.cell(0, 8, _("ผู้รับ"), **NEXT)
        for line in _address(order):
            pdf.multi_cell(0, 7, line, **NEXT)
        pdf.ln(4)
        pdf.set_font(FAMILY, size=11)
        with pdf.table(col_widths=(30, 110, 20), text_align=("LEFT", "LEFT", "RIGHT"),
                       headings_style=FontFace(emphasis="")) as table:  # fmt: skip
            table.row(["SKU", _("สินค้า"), _("จำนวน")])
            for item in order.lines.all():
                table.row([item.sku, item.name, str(item.quantity)])
    return bytes(pdf.output())
