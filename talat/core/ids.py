"""Thai identifiers, checked with python-stdnum. Each checker returns the compact form or raises
ValidationError with a message a person can act on."""

import re

import geothai
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.th import moa, pin, tin


def _check(module, value: str, wrong_length: str, wrong_digit: str, invalid: str) -> str:
    try:
        return module.validate(value)
    except stdnum_errors.InvalidLength as error:
        raise ValidationError(wrong_length, code="invalid_length") from error
    except stdnum_errors.InvalidChecksum as error:
        raise ValidationError(wrong_digit, code="invalid_checksum") from error
    except stdnum_errors.ValidationError as error:
        raise ValidationError(invalid, code="invalid") from error


def juristic_id(value: str) -> str:
    """13-digit juristic person ID issued by the Department of Business Development."""
    return _check(
        moa, value,
        _("เลขทะเบียนนิติบุคคลต้องมี 13 หลัก"),
        _("เลขทะเบียนนิติบุคคลไม่ถูกต้อง (เลขตรวจสอบไม่ตรง)"),
        _("เลขทะเบียนนิติบุคคลไม่ถูกต้อง"),
    )  # fmt: skip


def citizen_id(value: str) -> str:
    """13-digit personal identification number."""
    return _check(
        pin, value,
        _("เลขประจำตัวประชาชนต้องมี 13 หลัก"),
        _("เลขประจำตัวประชาชนไม่ถูกต้อง (เลขตรวจสอบไม่ตรง)"),
        _("เลขประจำตัวประชาชนไม่ถูกต้อง"),
    )  # fmt: skip


def tax_id(value: str) -> str:
    """13-digit taxpayer identification number (a juristic or a citizen ID)."""
    return _check(
        tin, value,
        _("เลขประจำตัวผู้เสียภาษีต้องมี 13 หลัก"),
        _("เลขประจำตัวผู้เสียภาษีไม่ถูกต้อง (เลขตรวจสอบไม่ตรง)"),
        _("เลขประจำตัวผู้เสียภาษีไม่ถูกต้อง"),
    )  # fmt: skip


def branch_number(value: str) -> str:
    """Revenue Department branch number: five digits, 00000 for the head office."""
    value = (value or "").strip()
    if not re.fullmatch(r"\d{5}", value):
        raise ValidationError(_("เลขที่สาขาต้องเป็นตัวเลข 5 หลัก (สำนักงานใหญ่ใช้ 00000)"), code="invalid")
    return value


COMMUNITY_ENTERPRISE_RE = re.compile(r"(\d)-(\d{2})-(\d{2})-(\d{2})/(\d)-(\d{4})")


def community_enterprise_id(value: str) -> str:
    """Community enterprise registration code, e.g. 4-50-01-01/1-0001: a type digit, the
    subdistrict's DOPA code in three pairs, the group type and a running number."""
    value = re.sub(r"\s+", "", value or "")
    found = COMMUNITY_ENTERPRISE_RE.fullmatch(value)
    if not found:
        raise ValidationError(_("รหัสทะเบียนวิสาหกิจชุมชนต้องอยู่ในรูปแบบ 4-50-01-01/1-0001"), code="invalid_format")
    if geothai.subdistrict("".join(found.group(2, 3, 4))) is None:
        raise ValidationError(_("รหัสทะเบียนวิสาหกิจชุมชนอ้างถึงตำบลที่ไม่มีอยู่จริง"), code="unknown_subdistrict")
    return value
