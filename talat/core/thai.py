"""Thai calendar and formatting helpers."""

from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.translation import get_language

BUDDHIST_ERA_OFFSET = 543

MONTHS_TH = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
MONTHS_TH_ABBR = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip


def to_local(value: date | datetime) -> date | datetime:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def thai_date(value: date | datetime, *, abbreviated: bool = False, with_time: bool = False) -> str:
    """'12 พฤศจิกายน 2569' (or '12 พ.ย. 2569'), in the Buddhist era and Bangkok time."""
    value = to_local(value)
    months = MONTHS_TH_ABBR if abbreviated else MONTHS_TH
    text = f"{value.day} {months[value.month - 1]} {value.year + BUDDHIST_ERA_OFFSET}"
    if with_time and isinstance(value, datetime):
        text += f" {value:%H:%M} น."
    return text


def display_date(value: date | datetime, style: str = "") -> str:
    """A date for the reader: Buddhist era on Thai pages ('12 พ.ย. 2569'), else the locale's
    format. style "short" abbreviates the month; "time" adds the time."""
    if not value:
        return ""
    with_time = style == "time"
    if (get_language() or "th").startswith("th"):
        return thai_date(value, abbreviated=style in ("short", "time"), with_time=with_time)
    return formats.date_format(to_local(value), "DATETIME_FORMAT" if with_time else "DATE_FORMAT")
