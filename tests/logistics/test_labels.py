"""Shipping labels: the Code 128 bars scan back to the tracking number, and the address prints in
the buyer's own script."""

import io
from types import SimpleNamespace

import zxingcpp
from PIL import Image
from pypdf import PdfReader

from talat.logistics.labels import code128_modules, render_labels


def test_the_barcode_bars_scan_back_to_the_tracking_number():
    modules = code128_modules("EF123456789TH")
    quiet = "0" * 10
    row = [0 if m == "1" else 255 for m in quiet + modules + quiet]
    image = Image.new("L", (len(row) * 3, 60))
    image.putdata([value for _y in range(60) for value in row for _k in range(3)])
    (found,) = zxingcpp.read_barcodes(image)
    assert found.text == "EF123456789TH" and found.format == zxingcpp.BarcodeFormat.Code128


def test_a_label_to_shenzhen_prints_the_chinese_address():
    order = SimpleNamespace(
        buyer_name="王芳",
        address_line="广东省深圳市南山区科技园路 88 号",
        subdistrict_code="",
        district_code="",
        province_code="",
        postal_code="518057",
        buyer_country="CN",
        buyer_phone="+8613800138000",
        enterprise=SimpleNamespace(name_th="วิสาหกิจชุมชนทุเรียนจันท์"),
        channel_order_number="TL-ABC",
    )
    shipment = SimpleNamespace(
        order=order,
        tracking_number="CNTH0000012345",
        partner="cainiao",
        weight_g=1200,
        get_route_display=lambda: "ข้ามแดน",
    )
    pdf = PdfReader(io.BytesIO(render_labels([shipment])))
    text = pdf.pages[0].extract_text()
    assert "CNTH0000012345" in text and "王芳" in text and "深圳市" in text and "518057" in text
    fonts = {str(font.get_object()["/BaseFont"]) for font in pdf.pages[0]["/Resources"]["/Font"].values()}
    assert any("WQY" in name or "WenQuanYi" in name for name in fonts), fonts
