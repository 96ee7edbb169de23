"""The tariff lines Talat knows, and the check on a product's tariff code.

Thailand's customs tariff classifies goods at eight digits by the ASEAN Harmonised Tariff
Nomenclature (AHTN 2022). Talat ships a reference table of the AHTN lines that Thai SMEs export
most (fruit, rice, coffee and tea, spices, food preparations, cosmetics, silk and textiles,
handicrafts, furniture) in data/tariff_lines.csv, described in Thai, English and Chinese. It is a
picker and a guard against typing errors, not the whole tariff: a code that is missing here may
still be a valid AHTN line.

    tariff_line("0810.60.00").description   # "ทุเรียน สด" (or "Durians, fresh" under English)
"""

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

DATA_FILE = Path(__file__).resolve().parent / "data" / "tariff_lines.csv"

# Spaces (any kind), dots and hyphens are how people group the digits: "0810.60.00", "0810 60 00".
_SEPARATORS = re.compile(r"[\s.\-]+")
# ASCII digits only: \d would also accept Thai digits (๐-๙), which customs systems do not.
_CODE = re.compile(r"[0-9]{8}")
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class TariffLine:
    code: str
    description_th: str
    description_en: str
    description_zh: str

    @property
    def display_code(self) -> str:
        """The code as the tariff prints it: 0810.60.00."""
        return f"{self.code[:4]}.{self.code[4:6]}.{self.code[6:]}"

    @property
    def description(self) -> str:
        """The description in the active language; Thai unless English or Chinese is active."""
        language = (get_language() or "th").lower()
        if language.startswith("en"):
            return self.description_en
        if language.startswith("zh"):
            return self.description_zh
        return self.description_th


@functools.cache
def lines() -> dict[str, TariffLine]:
    """Every tariff line in the table, by 8-digit code, read once per process. Do not mutate."""
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle)
        return {
            row["code"]: TariffLine(
                code=row["code"],
                description_th=row["description_th"],
                description_en=row["description_en"],
                description_zh=row["description_zh"],
            )
            for row in rows
        }


def normalise(raw: str) -> str:
    """The code with its spaces, dots and hyphens taken out: "0810.60.00" -> "08106000"."""
    return _SEPARATORS.sub("", raw or "")


def tariff_line(raw: str) -> TariffLine:
    """The tariff line for a code as a person typed it, or a ValidationError saying what is wrong
    (code "hs_format" for anything but eight digits, "hs_unknown" for a code not in the table)."""
    code = normalise(raw)
    if not _CODE.fullmatch(code):
        raise ValidationError(_("พิกัดศุลกากรต้องเป็นตัวเลข 8 หลัก เช่น 0810.60.00"), code="hs_format")
    line = lines().get(code)
    if line is None:
        raise ValidationError(
            _("ไม่พบพิกัด %(code)s ในตารางพิกัดของตลาด"),
            code="hs_unknown",
            params={"code": f"{code[:4]}.{code[4:6]}.{code[6:]}"},
        )
    return line


def search(term: str, limit: int = 20) -> list[TariffLine]:
    """Tariff lines for a picker, in code order: by code prefix when the term is digits
    ("0810", "0810.60"), otherwise by a case-insensitive match in any of the three descriptions."""
    term = (term or "").strip()
    if not term or limit <= 0:
        return []
    digits = normalise(term)
    if _DIGITS.fullmatch(digits):
        matches = (line for code, line in lines().items() if code.startswith(digits))
    else:
        needle = term.casefold()
        matches = (
            line
            for line in lines().values()
            if needle in line.description_th.casefold()
            or needle in line.description_en.casefold()
            or needle in line.description_zh.casefold()
        )
    return sorted(matches, key=lambda line: line.code)[:limit]
