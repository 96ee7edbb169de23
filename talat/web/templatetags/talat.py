"""Template filters used on every page (loaded as builtins)."""

from django import template
from django.utils import formats
from django.utils.translation import get_language

from talat.core.thai import thai_date, to_local

register = template.Library()


def _is_thai() -> bool:
    return (get_language() or "th").startswith("th")


@register.filter
def local_date(value, style: str = ""):
    """A date for the reader: Buddhist-era on Thai pages ('12 พ.ย. 2569'), else the locale's format.
    style "short" abbreviates the month; "time" adds the time."""
    if not value:
        return ""
    with_time = style == "time"
    if _is_thai():
        return thai_date(value, abbreviated=style in ("short", "time"), with_time=with_time)
    return formats.date_format(to_local(value), "DATETIME_FORMAT" if with_time else "DATE_FORMAT")


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
