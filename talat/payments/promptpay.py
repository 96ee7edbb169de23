"""PromptPay payloads: the text inside a Thai QR Payment code.

Thai QR Payment (Bank of Thailand / Thai Bankers' Association) is EMVCo QR Code, merchant-presented
mode: a string of TLV data objects, each a 2-digit ID, a 2-digit length and the value. Two kinds of
merchant account information carry PromptPay:

* tag 29, credit transfer (AID A000000677010111) to a PromptPay proxy: sub-tag 01 a mobile number
  as 0066 + 9 digits, 02 a national ID or tax ID (13 digits), 03 an e-wallet ID (15 digits);
* tag 30, bill payment (AID A000000677010112): 01 the biller ID (the biller's tax ID + a 2-digit
  suffix), 02 reference 1, 03 reference 2.

Then 53 the currency (764, baht), 54 the amount with two decimals when the code is for one
payment (tag 01 "12", dynamic; "11", static, has no amount), 58 the country, and last 63 the
CRC-16/CCITT-FALSE of everything before it including "6304".

EMVCo puts the payload format indicator (00) first and the CRC (63) last; bank apps read the others
in any order (published generators differ). This module writes them in the order of the widely used
promptpay-qr generators (00 01 29|30 58 53 54 63), so its payloads are byte for byte their published
examples; `parse` reads the data objects in any order.
"""

import binascii
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from stdnum.th import tin

AID_CREDIT_TRANSFER = "A000000677010111"
AID_BILL_PAYMENT = "A000000677010112"
CURRENCY_THB = "764"
COUNTRY_TH = "TH"

SUB_TAG_MOBILE = "01"
SUB_TAG_TAX_ID = "02"
SUB_TAG_EWALLET = "03"
SUB_TAG_BANK_ACCOUNT = "04"  # read by `parse`; Talat never writes it

# Parsed.proxy_type values, by credit-transfer sub-tag; a bill payment's proxy is its biller ID.
PROXY_TYPES = {
    SUB_TAG_MOBILE: "mobile",
    SUB_TAG_TAX_ID: "tax_id",
    SUB_TAG_EWALLET: "ewallet",
    SUB_TAG_BANK_ACCOUNT: "bank_account",
}
PROXY_BILLER_ID = "biller_id"

# Tag 54 holds at most 13 characters: 9999999999.99 baht.
MAX_AMOUNT_SATANG = 999_999_999_999
MAX_REFERENCE_LENGTH = 20

_SEPARATORS = str.maketrans("", "", " -.()\t")
_REFERENCE = re.compile(r"[A-Z0-9]{1,20}")
_AMOUNT = re.compile(r"(\d{1,10})(?:\.(\d{1,2}))?")
_MOBILE_PREFIXES = ("6", "8", "9")  # Thai mobile numbers are 06x, 08x and 09x

# Constant parts of every payload, built once.
_HEAD_STATIC = "000201" + "010211"
_HEAD_DYNAMIC = "000201" + "010212"
_CREDIT_AID = "0016" + AID_CREDIT_TRANSFER
_BILL_AID = "0016" + AID_BILL_PAYMENT
_TAIL = "5802" + COUNTRY_TH + "5303" + CURRENCY_THB


class InvalidPayload(ValueError):
    """A PromptPay ID, reference, amount or QR payload that cannot be used; the message is for people."""


@dataclass(frozen=True)
class Parsed:
    method: str  # "credit_transfer" or "bill_payment"
    proxy_type: str  # "mobile", "tax_id", "ewallet", "bank_account" or "biller_id"
    proxy_value: str  # as it is in the payload: "0066812345678", 13 or 15 digits
    reference_1: str
    reference_2: str
    amount_satang: int | None
    currency: str  # ISO 4217 numeric, "764" for baht
    country: str
    dynamic: bool  # tag 01 is "12": a code for one payment


def crc16(data: bytes) -> str:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final XOR) as 4 uppercase hex
    digits. binascii.crc_hqx is exactly this CRC when started at 0xFFFF, and runs in C."""
    return f"{binascii.crc_hqx(data, 0xFFFF):04X}"


def _tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def _mobile(national: str) -> tuple[str, str]:
    """9 digits after the country code (or the leading 0) -> ("01", "0066" + the 9 digits)."""
    if len(national) != 9 or national[0] not in _MOBILE_PREFIXES:
        raise InvalidPayload(_("หมายเลขโทรศัพท์พร้อมเพย์ต้องเป็นเบอร์มือถือ 10 หลักที่ขึ้นต้นด้วย 06, 08 หรือ 09"))
    return SUB_TAG_MOBILE, "0066" + national


def normalize_id(promptpay_id: str) -> tuple[str, str]:
    """A PromptPay ID as people write it -> (sub-tag of tag 29, value in the payload).

    "081-234-5678", "+66 81 234 5678", "66812345678" -> ("01", "0066812345678");
    a national ID or tax ID with a valid check digit ("1-1017-00230-70-8") -> ("02", 13 digits);
    a 15-digit e-wallet ID -> ("03", 15 digits)."""
    if not isinstance(promptpay_id, str):
        raise InvalidPayload(_("หมายเลขพร้อมเพย์ไม่ถูกต้อง"))
    text = promptpay_id.strip().translate(_SEPARATORS)
    international = text.startswith("+")
    digits = text[1:] if international else text
    if not digits.isascii() or not digits.isdigit():
        raise InvalidPayload(_("หมายเลขพร้อมเพย์ไม่ถูกต้อง"))
    length = len(digits)
    if international:
        if not digits.startswith("66") or length not in (11, 12):
            raise InvalidPayload(_("หมายเลขพร้อมเพย์ไม่ถูกต้อง"))
        national = digits[2:]
        if length == 12 and national[0] == "0":  # "+66 (0)81 234 5678"
            national = national[1:]
        return _mobile(national)
    if length == 10 and digits[0] == "0":
        return _mobile(digits[1:])
    if length == 11 and digits.startswith("66"):
        return _mobile(digits[2:])
    if length == 13:
        # "0066" + 9 digits is a mobile number in payload form; no juristic ID starts 006 (its 2nd and
        # 3rd digits are a registration office code, 10 and up).
        if digits.startswith("0066"):
            return _mobile(digits[4:])
        if tin.is_valid(digits):
            return SUB_TAG_TAX_ID, digits
        raise InvalidPayload(_("เลขประจำตัวประชาชนหรือเลขประจำตัวผู้เสียภาษีไม่ถูกต้อง (เลขตรวจสอบไม่ตรง)"))
    if length == 15:
        return SUB_TAG_EWALLET, digits
    raise InvalidPayload(_("หมายเลขพร้อมเพย์ไม่ถูกต้อง"))


def _amount(amount_satang: int | None) -> str:
    """Tag 54 for an amount in satang, or "" for none; integer arithmetic only."""
    if amount_satang is None:
        return ""
    if not isinstance(amount_satang, int) or isinstance(amount_satang, bool):  # no floats, no Decimals
        raise InvalidPayload(_("จำนวนเงินต้องเป็นจำนวนเต็มในหน่วยสตางค์"))
    if amount_satang <= 0:
        raise InvalidPayload(_("จำนวนเงินต้องมากกว่า 0 บาท"))
    if amount_satang > MAX_AMOUNT_SATANG:
        raise InvalidPayload(_("จำนวนเงินเกินกว่าที่ QR พร้อมเพย์รองรับ (ไม่เกิน 9,999,999,999.99 บาท)"))
    baht, satang = divmod(amount_satang, 100)
    value = f"{baht}.{satang:02d}"
    return f"54{len(value):02d}{value}"


def _finish(head: str, account: str, amount: str) -> str:
    body = f"{head}{account}{_TAIL}{amount}6304"
    return body + crc16(body.encode("ascii"))


def credit_transfer(*, promptpay_id: str, amount_satang: int | None = None) -> str:
    """The payload of a transfer to a PromptPay ID; with an amount, a one-payment (dynamic) code."""
    sub_tag, value = normalize_id(promptpay_id)
    amount = _amount(amount_satang)
    account = _tlv("29", _CREDIT_AID + _tlv(sub_tag, value))
    return _finish(_HEAD_DYNAMIC if amount else _HEAD_STATIC, account, amount)


def _biller_id(biller_id: str) -> str:
    digits = biller_id.strip().translate(_SEPARATORS) if isinstance(biller_id, str) else ""
    if len(digits) != 15 or not digits.isascii() or not digits.isdigit():
        raise InvalidPayload(_("รหัสผู้รับชำระ (Biller ID) ต้องเป็นเลขประจำตัวผู้เสียภาษี 13 หลักตามด้วยรหัสต่อท้าย 2 หลัก"))
    if not tin.is_valid(digits[:13]):
        raise InvalidPayload(_("เลขประจำตัวผู้เสียภาษีในรหัสผู้รับชำระ (Biller ID) ไม่ถูกต้อง (เลขตรวจสอบไม่ตรง)"))
    return digits


def _reference(value: str, *, required: bool, number: int) -> str:
    if not isinstance(value, str):
        value = ""
    if not value and not required:
        return ""
    if _REFERENCE.fullmatch(value) is None:
        raise InvalidPayload(
            _("เลขอ้างอิง %(number)s ต้องมี 1–20 ตัว เป็นตัวอักษรภาษาอังกฤษพิมพ์ใหญ่ (A–Z) หรือตัวเลขเท่านั้น")
            % {"number": number}
        )
    return value


def bill_payment(
    *, biller_id: str, reference_1: str, reference_2: str = "", amount_satang: int | None = None
) -> str:
    """The payload of a bill payment to a biller ID with its references (uppercase A–Z and 0–9, at most
    20 each; reference 1 is required); with an amount, a one-payment (dynamic) code."""
    biller = _biller_id(biller_id)
    ref1 = _reference(reference_1, required=True, number=1)
    ref2 = _reference(reference_2, required=False, number=2)
    amount = _amount(amount_satang)
    inner = _BILL_AID + _tlv("01", biller) + _tlv("02", ref1) + (_tlv("03", ref2) if ref2 else "")
    return _finish(_HEAD_DYNAMIC if amount else _HEAD_STATIC, _tlv("30", inner), amount)


# --- reading ----------------------------------------------------------------------------------------


def _bad_qr() -> InvalidPayload:
    return InvalidPayload(_("ข้อมูล QR พร้อมเพย์ไม่ถูกต้อง"))


def _fields(data: str) -> dict[str, str]:
    """TLV data objects -> {tag: value}; any malformed length, non-numeric tag or repeated tag fails."""
    fields: dict[str, str] = {}
    position, end = 0, len(data)
    while position < end:
        header = data[position : position + 4]
        if len(header) < 4 or not header.isascii() or not header.isdigit():
            raise _bad_qr()
        tag, length = header[:2], int(header[2:])
        value = data[position + 4 : position + 4 + length]
        if len(value) != length or tag in fields:
            raise _bad_qr()
        fields[tag] = value
        position += 4 + length
    return fields


def _parse_amount(value: str) -> int:
    match = _AMOUNT.fullmatch(value)
    if match is None:
        raise InvalidPayload(_("จำนวนเงินใน QR พร้อมเพย์ไม่ถูกต้อง"))
    baht, decimals = match.groups()
    satang = int(baht) * 100 + int((decimals or "0").ljust(2, "0"))
    if satang <= 0:
        raise InvalidPayload(_("จำนวนเงินใน QR พร้อมเพย์ไม่ถูกต้อง"))
    return satang


def parse(payload: str) -> Parsed:
    """Reads a PromptPay payload back, checking its TLV structure, its CRC and the PromptPay fields;
    raises InvalidPayload otherwise. Check digits of the proxy are not checked: what is in the code
    is reported as it is."""
    if not isinstance(payload, str):
        raise _bad_qr()
    payload = payload.strip()  # a scanner may hand over a trailing newline
    if not payload.isascii() or len(payload) < 12:
        raise _bad_qr()
    if payload[-8:-4] != "6304":
        raise _bad_qr()
    if crc16(payload[:-4].encode("ascii")) != payload[-4:].upper():
        raise InvalidPayload(_("รหัสตรวจสอบ (CRC) ของ QR พร้อมเพย์ไม่ตรงกับข้อมูล"))
    fields = _fields(payload[:-8])
    if "63" in fields or fields.get("00") != "01" or not payload.startswith("000201"):
        raise _bad_qr()
    poi = fields.get("01", "11")
    if poi not in ("11", "12"):
        raise _bad_qr()
    currency, country = fields.get("53"), fields.get("58")
    if not currency or not country:
        raise _bad_qr()
    amount = _parse_amount(fields["54"]) if "54" in fields else None

    if "30" in fields:
        account = _fields(fields["30"])
        biller, ref1 = account.get("01", ""), account.get("02", "")
        if account.get("00") != AID_BILL_PAYMENT or len(biller) != 15 or not biller.isdigit() or not ref1:
            raise InvalidPayload(_("QR นี้ไม่ใช่ QR ชำระบิลพร้อมเพย์ที่ถูกต้อง"))
        return Parsed(
            method="bill_payment",
            proxy_type=PROXY_BILLER_ID,
            proxy_value=biller,
            reference_1=ref1,
            reference_2=account.get("03", ""),
            amount_satang=amount,
            currency=currency,
            country=country,
            dynamic=poi == "12",
        )
    if "29" in fields:
        account = _fields(fields["29"])
        proxies = [tag for tag in PROXY_TYPES if tag in account]
        if account.get("00") != AID_CREDIT_TRANSFER or len(proxies) != 1:
            raise InvalidPayload(_("QR นี้ไม่ใช่ QR โอนเงินพร้อมเพย์ที่ถูกต้อง"))
        sub_tag = proxies[0]
        value = account[sub_tag]
        expected = {SUB_TAG_MOBILE: 13, SUB_TAG_TAX_ID: 13, SUB_TAG_EWALLET: 15}.get(sub_tag)
        if not value.isdigit() or (expected is not None and len(value) != expected):
            raise InvalidPayload(_("หมายเลขพร้อมเพย์ใน QR ไม่ถูกต้อง"))
        return Parsed(
            method="credit_transfer",
            proxy_type=PROXY_TYPES[sub_tag],
            proxy_value=value,
            reference_1="",
            reference_2="",
            amount_satang=amount,
            currency=currency,
            country=country,
            dynamic=poi == "12",
        )
    raise InvalidPayload(_("QR นี้ไม่ใช่ QR พร้อมเพย์"))
