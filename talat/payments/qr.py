"""A PromptPay payload drawn as a Thai QR Payment card: a dark blue band reading "THAI QR PAYMENT", the
QR code (error correction M, 4-module quiet zone) centred on white, then the payee's name and the
amount in baht. No logo image is used; the band is plain text.

segno makes the QR matrix; the SVG is written here from that matrix (one path, no external
references); the PNG is drawn with Pillow in the Thai font that ships in talat/core/fonts/.
Both share one layout, measured in QR modules, so they look the same."""

import io
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import segno
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

import talat.core

FONT = Path(talat.core.__file__).resolve().parent / "fonts" / "Loma.ttf"
FONT_FAMILY = "Loma, 'Noto Sans Thai', Tahoma, sans-serif"

BLUE = "#0E3D6E"
INK = "#1B2430"
WHITE = "#FFFFFF"
HEADING = "THAI QR PAYMENT"

QUIET_ZONE = 4  # modules, as ISO/IEC 18004 asks
SIDE = 2  # white margin left and right of the quiet zone, in modules
BAND = 8  # height of the header band
HEADING_SIZE = 3.2
PAYEE_LINE, PAYEE_SIZE = 4.0, 2.4
AMOUNT_LINE, AMOUNT_SIZE = 5.0, 3.4
BOTTOM = 2.5
MIN_TEXT_SIZE = 1.4


def format_baht(amount_satang: int) -> str:
    """12345050 -> "฿123,450.50" (integer arithmetic)."""
    baht, satang = divmod(amount_satang, 100)
    return f"฿{baht:,}.{satang:02d}"


class _Layout:
    """Positions in modules; one QR module is one unit."""

    def __init__(self, payload: str, payee: str, amount_satang: int | None):
        code = segno.make(payload, error="m", boost_error=False, micro=False)
        self.matrix = code.matrix
        self.modules = len(self.matrix)
        self.qr_side = self.modules + 2 * QUIET_ZONE
        self.width = self.qr_side + 2 * SIDE
        self.qr_top = BAND
        y = self.qr_top + self.qr_side
        self.lines: list[tuple[str, float, float, bool]] = []  # text, baseline y, size, bold
        if payee:
            size, text = _fit(payee, PAYEE_SIZE, self.width - 2 * SIDE)
            self.lines.append((text, y + PAYEE_LINE * 0.7, size, False))
            y += PAYEE_LINE
        if amount_satang is not None:
            size, text = _fit(format_baht(amount_satang), AMOUNT_SIZE, self.width - 2 * SIDE)
            self.lines.append((text, y + AMOUNT_LINE * 0.7, size, True))
            y += AMOUNT_LINE
        self.height = y + BOTTOM

    def runs(self):
        """(row, first column, length) of every horizontal run of dark modules."""
        for row, cells in enumerate(self.matrix):
            column, count = 0, len(cells)
            while column < count:
                if cells[column]:
                    start = column
                    while column < count and cells[column]:
                        column += 1
                    yield row, start, column - start
                else:
                    column += 1


@lru_cache(maxsize=64)
def _font(pixels: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), pixels)


@lru_cache(maxsize=256)
def _fit(text: str, size: float, room: float) -> tuple[float, str]:
    """A font size (in modules) at which `text` fits `room` modules, measured in the Thai font; a text
    still too wide at the smallest size is cut with an ellipsis."""
    measure = _font(100)  # 100 px = 1 module, for measuring only

    def width(value: str, at: float) -> float:
        return measure.getlength(value) / 100 * at

    while size > MIN_TEXT_SIZE and width(text, size) > room:
        size = max(MIN_TEXT_SIZE, size - 0.2)
    while len(text) > 1 and width(text, size) > room:
        text = text[:-2] + "…"
    return size, text


def _title(payee: str, amount_satang: int | None) -> str:
    parts = [_("QR พร้อมเพย์")]
    if payee:
        parts.append(_("ผู้รับเงิน: %(payee)s") % {"payee": payee})
    if amount_satang is not None:
        parts.append(_("จำนวนเงิน: %(amount)s") % {"amount": format_baht(amount_satang)})
    return " — ".join(parts)


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def svg(payload: str, *, payee: str = "", amount_satang: int | None = None) -> str:
    """A standalone SVG document of the card; sized in modules (viewBox), so it scales crisply."""
    layout = _Layout(payload, payee, amount_satang)
    x0, y0 = SIDE + QUIET_ZONE, layout.qr_top + QUIET_ZONE
    path = "".join(
        f"M{x0 + column} {y0 + row}h{length}v1h-{length}z" for row, column, length in layout.runs()
    )
    width, height = _number(layout.width), _number(layout.height)
    centre = _number(layout.width / 2)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{_number(layout.width * 8)}" height="{_number(layout.height * 8)}" role="img" '
        f'aria-labelledby="promptpay-title">',
        f'<title id="promptpay-title">{escape(_title(payee, amount_satang))}</title>',
        f'<rect width="{width}" height="{height}" fill="{WHITE}"/>',
        f'<rect width="{width}" height="{BAND}" fill="{BLUE}"/>',
        f'<text x="{centre}" y="{_number(BAND / 2 + HEADING_SIZE * 0.36)}" fill="{WHITE}" '
        f'font-family="{FONT_FAMILY}" font-size="{HEADING_SIZE}" font-weight="bold" text-anchor="middle" '
        f'letter-spacing="0.15">{HEADING}</text>',
        f'<path d="{path}" fill="#000000" shape-rendering="crispEdges"/>',
    ]
    for text, baseline, size, bold in layout.lines:
        weight = ' font-weight="bold"' if bold else ""
        parts.append(
            f'<text x="{centre}" y="{_number(baseline)}" fill="{BLUE if bold else INK}" '
            f'font-family="{FONT_FAMILY}" font-size="{_number(size)}"{weight} '
            f'text-anchor="middle">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + "\n".join(parts) + "\n"


def png(payload: str, *, payee: str = "", amount_satang: int | None = None, scale: int = 6) -> bytes:
    """The card as a PNG, `scale` pixels to a QR module."""
    if not isinstance(scale, int) or isinstance(scale, bool) or not 1 <= scale <= 40:
        raise ValueError("scale must be an integer from 1 to 40")
    layout = _Layout(payload, payee, amount_satang)
    image = Image.new("RGB", (round(layout.width * scale), round(layout.height * scale)), WHITE)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, image.width, BAND * scale - 1), fill=BLUE)
    centre = image.width / 2
    draw.text(
        (centre, BAND * scale / 2),
        HEADING,
        fill=WHITE,
        font=_font(round(HEADING_SIZE * scale)),
        anchor="mm",
        stroke_width=max(1, scale // 8),  # Loma has no bold face: a thin stroke stands in for it
        stroke_fill=WHITE,
    )
    x0, y0 = (SIDE + QUIET_ZONE) * scale, (layout.qr_top + QUIET_ZONE) * scale
    for row, column, length in layout.runs():
        left, top = x0 + column * scale, y0 + row * scale
        draw.rectangle((left, top, left + length * scale - 1, top + scale - 1), fill="#000000")
    for text, baseline, size, bold in layout.lines:
        draw.text(
            (centre, baseline * scale),
            text,
            fill=BLUE if bold else INK,
            font=_font(max(8, round(size * scale))),
            anchor="ms",
            stroke_width=max(1, scale // 8) if bold else 0,
            stroke_fill=BLUE,
        )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
