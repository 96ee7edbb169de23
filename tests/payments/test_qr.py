"""The Thai QR Payment card: a phone camera (zxing-cpp here) must read back exactly the payload, from the
PNG and from the SVG's own geometry, and a person must see the payee and the amount."""

import io
import re
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from django.core.management import CommandError, call_command
from PIL import Image, ImageDraw

from talat.payments import promptpay, qr
from tests.factories import juristic_id

SVG = "{http://www.w3.org/2000/svg}"
PAYEE = "วิสาหกิจชุมชนทอผ้าบ้านนาต้นจั่น"
TRANSFER = promptpay.credit_transfer(promptpay_id="081-234-5678", amount_satang=123_450)
BILL = promptpay.bill_payment(
    biller_id=juristic_id(3) + "01",
    reference_1="ORDER20241125001",
    reference_2="SHOP42",
    amount_satang=99_999_999,
)


def decode(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("payload", [TRANSFER, BILL, promptpay.credit_transfer(promptpay_id="0812345678")])
def test_png_reads_back_exactly_the_payload(payload):
    image = Image.open(io.BytesIO(qr.png(payload, payee=PAYEE, amount_satang=123_450)))
    assert image.format == "PNG"
    assert decode(image) == [payload]
    assert promptpay.parse(decode(image)[0]) == promptpay.parse(payload)


def test_png_has_the_blue_band_and_white_card():
    image = Image.open(io.BytesIO(qr.png(TRANSFER, scale=4))).convert("RGB")
    assert image.getpixel((1, 1)) == (0x0E, 0x3D, 0x6E)
    assert image.getpixel((1, image.height - 2)) == (255, 255, 255)
    # the band carries white text: "THAI QR PAYMENT"
    band = image.crop((0, 0, image.width, 8 * 4))
    assert (255, 255, 255) in {band.getpixel((x, y)) for x in range(band.width) for y in range(band.height)}


def test_png_scale_sets_the_pixel_size_and_small_scales_still_scan():
    small = Image.open(io.BytesIO(qr.png(TRANSFER, scale=3)))
    large = Image.open(io.BytesIO(qr.png(TRANSFER, scale=9)))
    assert large.width == 3 * small.width
    assert decode(small) == [TRANSFER]
    with pytest.raises(ValueError):
        qr.png(TRANSFER, scale=0)


def test_amount_and_payee_make_the_card_taller():
    bare = Image.open(io.BytesIO(qr.png(TRANSFER)))
    full = Image.open(io.BytesIO(qr.png(TRANSFER, payee=PAYEE, amount_satang=123_450)))
    assert full.width == bare.width
    assert full.height > bare.height


def test_a_very_long_payee_still_fits_the_card():
    name = "บริษัท " + "ตลาดดิจิทัลเพื่อวิสาหกิจขนาดกลางและขนาดย่อม " * 4 + "จำกัด"
    image = Image.open(io.BytesIO(qr.png(TRANSFER, payee=name, amount_satang=500)))
    assert image.width == Image.open(io.BytesIO(qr.png(TRANSFER))).width
    text = qr.svg(TRANSFER, payee=name, amount_satang=500)
    shown = [t.text for t in ET.fromstring(text.encode()).iter(f"{SVG}text")][1]
    assert shown.endswith("…") and shown[:-1] in name


def test_format_baht():
    assert qr.format_baht(123_450) == "฿1,234.50"
    assert qr.format_baht(5) == "฿0.05"
    assert qr.format_baht(100_000_000_00) == "฿100,000,000.00"


def _svg_modules(root) -> Image.Image:
    """Draws the SVG's QR path (M x y h n v1 h-n z runs) on a bitmap, 10 px a unit, white elsewhere."""
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    image = Image.new("L", (round(width * 10), round(height * 10)), 255)
    draw = ImageDraw.Draw(image)
    path = root.find(f"{SVG}path").get("d")
    runs = re.findall(r"M([\d.]+) ([\d.]+)h(\d+)v1h-\3z", path)
    assert "".join(f"M{x} {y}h{n}v1h-{n}z" for x, y, n in runs) == path  # nothing else in the path
    for x, y, n in runs:
        left, top = float(x) * 10, float(y) * 10
        draw.rectangle((left, top, left + int(n) * 10 - 1, top + 9), fill=0)
    return image


@pytest.mark.parametrize("payload", [TRANSFER, BILL])
def test_svg_is_a_standalone_document_that_scans(payload):
    text = qr.svg(payload, payee=PAYEE, amount_satang=123_450)
    root = ET.fromstring(text.encode())
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == f"QR พร้อมเพย์ — ผู้รับเงิน: {PAYEE} — จำนวนเงิน: ฿1,234.50"
    shown = [t.text for t in root.iter(f"{SVG}text")]
    assert shown == ["THAI QR PAYMENT", PAYEE, "฿1,234.50"]
    assert not re.search(r"href|url\(|<image|<script|@import", text)
    assert decode(_svg_modules(root)) == [payload]


def test_svg_escapes_the_payee():
    text = qr.svg(TRANSFER, payee='ร้าน <b>"A&B"</b>')
    root = ET.fromstring(text.encode())
    assert [t.text for t in root.iter(f"{SVG}text")] == ["THAI QR PAYMENT", 'ร้าน <b>"A&B"</b>']
    assert "<b>" not in text


def test_svg_without_payee_or_amount_shows_only_the_band_and_code():
    root = ET.fromstring(qr.svg(TRANSFER).encode())
    assert [t.text for t in root.iter(f"{SVG}text")] == ["THAI QR PAYMENT"]
    assert root.find(f"{SVG}title").text == "QR พร้อมเพย์"


# --- manage.py promptpay -----------------------------------------------------------------------------


def run(*args) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("promptpay", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_command_prints_the_payload():
    assert run("081-234-5678").strip() == promptpay.credit_transfer(promptpay_id="0812345678")
    assert run("0812345678", "125.50").strip() == promptpay.credit_transfer(
        promptpay_id="0812345678", amount_satang=12_550
    )
    assert run("0812345678", "1,250").strip() == promptpay.credit_transfer(
        promptpay_id="0812345678", amount_satang=125_000
    )
    assert "5406125.50" in run("0812345678", "125.5")


def test_command_writes_png_and_svg(tmp_path):
    png, svg = tmp_path / "qr.png", tmp_path / "qr.svg"
    printed = run("0812345678", "99.99", "--png", str(png), "--svg", str(svg), "--payee", PAYEE).strip()
    assert printed == promptpay.credit_transfer(promptpay_id="0812345678", amount_satang=9_999)
    assert decode(Image.open(png)) == [printed]
    shown = [t.text for t in ET.parse(svg).getroot().iter(f"{SVG}text")]
    assert shown == ["THAI QR PAYMENT", PAYEE, "฿99.99"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("0212345678",), "หมายเลขโทรศัพท์พร้อมเพย์ต้องเป็นเบอร์มือถือ 10 หลักที่ขึ้นต้นด้วย 06, 08 หรือ 09"),
        (("hello",), "หมายเลขพร้อมเพย์ไม่ถูกต้อง"),
        (("0812345678", "12.345"), "จำนวนเงินต้องเป็นตัวเลขในหน่วยบาท ทศนิยมไม่เกิน 2 ตำแหน่ง เช่น 125.50"),
        (("0812345678", "abc"), "จำนวนเงินต้องเป็นตัวเลขในหน่วยบาท ทศนิยมไม่เกิน 2 ตำแหน่ง เช่น 125.50"),
        (("0812345678", "NaN"), "จำนวนเงินต้องเป็นตัวเลขในหน่วยบาท ทศนิยมไม่เกิน 2 ตำแหน่ง เช่น 125.50"),
        (("0812345678", "0"), "จำนวนเงินต้องมากกว่า 0 บาท"),
        (("0812345678", "-5"), "จำนวนเงินต้องมากกว่า 0 บาท"),
        (("0812345678", "1e20"), "จำนวนเงินเกินกว่าที่ QR พร้อมเพย์รองรับ (ไม่เกิน 9,999,999,999.99 บาท)"),
        (("0812345678", "--png", "x.png", "--scale", "0"), "ขนาดภาพ (--scale) ต้องอยู่ระหว่าง 1 ถึง 40"),
    ],
)
def test_command_errors_are_thai(args, message):
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert str(caught.value) == message


def test_command_reports_an_unwritable_file(tmp_path):
    with pytest.raises(CommandError, match="เขียนไฟล์ .* ไม่ได้"):
        run("0812345678", "--png", str(tmp_path / "missing" / "qr.png"))
