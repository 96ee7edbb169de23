"""Thai postal addresses checked against the official area codes (geothai)."""

from dataclasses import dataclass

import geothai
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def area_name(area) -> str:
    return area.name_th if (get_language() or "th").startswith("th") else area.name_en


@dataclass(frozen=True)
class ThaiAddress:
    province_code: str
    district_code: str
    subdistrict_code: str
    postal_code: str


def validate_thai_address(
    *, province_code: str, district_code: str, subdistrict_code: str, postal_code: str
) -> ThaiAddress:
    """Checks that the subdistrict is in the district, the district in the province, and the
    postal code serves that subdistrict. Raises ValidationError keyed by field name."""
    errors: dict[str, str] = {}
    province = geothai.province(province_code or "")
    district = geothai.district(district_code or "")
    subdistrict = geothai.subdistrict(subdistrict_code or "")
    postal_code = (postal_code or "").strip()
    if province is None:
        errors["province_code"] = _("กรุณาเลือกจังหวัด")
    elif district is None or district.province_code != province.code:
        errors["district_code"] = _("อำเภอ/เขตที่เลือกไม่อยู่ในจังหวัดนี้")
    elif subdistrict is None or subdistrict.district_code != district.code:
        errors["subdistrict_code"] = _("ตำบล/แขวงที่เลือกไม่อยู่ในอำเภอ/เขตนี้")
    if not (len(postal_code) == 5 and postal_code.isdigit()):
        errors["postal_code"] = _("รหัสไปรษณีย์ต้องเป็นตัวเลข 5 หลัก")
    elif subdistrict is not None and not errors and postal_code not in subdistrict.postal_codes:
        errors["postal_code"] = _("รหัสไปรษณีย์ %(postal)s ไม่ได้อยู่ในอำเภอ/ตำบลที่เลือก (ที่ถูกต้องคือ %(valid)s)") % {
            "postal": postal_code,
            "valid": ", ".join(subdistrict.postal_codes),
        }
    if errors:
        raise ValidationError(errors)
    return ThaiAddress(province.code, district.code, subdistrict.code, postal_code)
