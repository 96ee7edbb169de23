"""Template filters used on every page (loaded as builtins)."""

from decimal import Decimal

from django import template
from django.utils.translation import get_language

from talat.core.thai import display_date
from talat.ledger.rates import minor_digits

register = template.Library()


@register.filter
def local_date(value, style: str = ""):
    return display_date(value, style)


@register.filter
def localized(record, field: str = "name"):
    """record.<field>_zh / _en / _th for the reader's language, falling back to Thai."""
    language = (get_language() or "th").lower()
    suffixes = (
        ["zh", "en", "th"]
        if language.startswith("zh")
        else ["en", "th"]
        if language.startswith("en")
        else ["th"]
    )
    for suffix in suffixes:
        text = getattr(record, f"{field}_{suffix}", "")
        if text:
            return text
    return ""


@register.filter
def baht(satang) -> str:
    """Integer satang as "฿1,234.50" (whole baht without decimals)."""
    if satang is None or satang == "":
        return ""
    sign = "−" if int(satang) < 0 else ""
    whole, part = divmod(abs(int(satang)), 100)
    return f"{sign}฿{whole:,}" + (f".{part:02d}" if part else "")


@register.filter
def yuan(fen) -> str:
    if fen is None or fen == "":
        return ""
    whole, part = divmod(int(fen), 100)
    return f"¥{whole:,}.{part:02d}"


@register.filter
def money(minor, currency: str) -> str:
    """Integer minor units of `currency` as "1,250.00 CNY" (no float on the way)."""
    if minor is None or minor == "":
        return ""
    digits = minor_digits(currency)
    major = Decimal(int(minor)).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))
    return f"{major:,} {currency}"
