"""PromptPay payloads: published examples, round trips through `parse`, rejected input, and agreement
with an independent implementation (the `promptpay` package, which computes its CRC with libscrc)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from promptpay import qrcode as independent
from stdnum.th import pin

from talat.payments import promptpay
from talat.payments.promptpay import InvalidPayload, Parsed
from tests.factories import citizen_id, juristic_id

BILLER = juristic_id(77) + "01"


def tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def build(*fields: str) -> str:
    """A payload of these data objects and a correct CRC."""
    body = "".join(fields) + "6304"
    return body + promptpay.crc16(body.encode())


# --- CRC ---------------------------------------------------------------------------------------------


def test_crc16_check_value():
    # The catalogued check value of CRC-16/CCITT-FALSE over "123456789".
    assert promptpay.crc16(b"123456789") == "29B1"
    assert promptpay.crc16(b"") == "FFFF"


def test_crc16_keeps_leading_zeros():
    small = next(data for n in range(100_000) if int(promptpay.crc16(data := str(n).encode()), 16) < 0x100)
    assert len(promptpay.crc16(small)) == 4
    assert promptpay.crc16(small).startswith("00")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=200))
def test_crc16_agrees_with_libscrc(text):
    assert promptpay.crc16(text.encode("ascii")) == independent.checksum(text)


# --- published examples ------------------------------------------------------------------------------

# From the promptpay-qr (dtinth) test suite.
DTINTH = {
    "0801234567": "00020101021129370016A000000677010111011300668012345675802TH530376463046197",
    "080-123-4567": "00020101021129370016A000000677010111011300668012345675802TH530376463046197",
    "+66-89-123-4567": "00020101021129370016A000000677010111011300668912345675802TH5303764630429C1",
}
# From a PHP implementation's test suite (vocolboy/php-emv-qrcode), same field order.
PHONE_0912345678 = {
    None: "00020101021129370016A000000677010111011300669123456785802TH53037646304F1E3",
    10088: "00020101021229370016A000000677010111011300669123456785802TH53037645406100.8863049DA4",
    10000: "00020101021229370016A000000677010111011300669123456785802TH53037645406100.00630492CB",
}


@pytest.mark.parametrize(("promptpay_id", "expected"), DTINTH.items())
def test_published_phone_examples(promptpay_id, expected):
    assert promptpay.credit_transfer(promptpay_id=promptpay_id) == expected


@pytest.mark.parametrize(("amount_satang", "expected"), PHONE_0912345678.items())
def test_published_examples_with_and_without_amount(amount_satang, expected):
    assert promptpay.credit_transfer(promptpay_id="091-234-5678", amount_satang=amount_satang) == expected


def test_phone_0812345678_with_and_without_amount():
    static = promptpay.credit_transfer(promptpay_id="0812345678")
    assert (
        static
        == "00020101021129370016A000000677010111011300668123456785802TH53037646304"
        + promptpay.crc16(b"00020101021129370016A000000677010111011300668123456785802TH53037646304")
    )
    dynamic = promptpay.credit_transfer(promptpay_id="081-234-5678", amount_satang=12_550)
    assert dynamic.startswith("000201010212")  # one payment: dynamic
    assert "5406125.50" in dynamic
    assert static == independent.generate_payload("0812345678")
    assert dynamic == independent.generate_payload("0812345678", Decimal("125.50"))


@pytest.mark.parametrize(
    "payload",
    [
        # dtinth: national ID 1111111111111, tax ID 0123456789012, amount 4.22 to 000-000-0000
        "00020101021129370016A000000677010111021311111111111115802TH530376463047B5A",
        "00020101021129370016A000000677010111021301234567890125802TH530376463040CBD",
        "00020101021229370016A000000677010111011300660000000005802TH530376454044.226304E469",
        # pheerathach/promptpay (Java): fields in ascending order, a static code with an amount
        "00020101021129370016A0000006770101110113006600000000053037645406100.005802TH6304D19E",
        "00020101021229370016A0000006770101110113006600000000053037645406100.005802TH630471B5",
        "00020101021129370016A0000006770101110213000000000000153037645406100.005802TH63042874",
    ],
)
def test_published_payloads_parse(payload):
    parsed = promptpay.parse(payload)
    assert parsed.method == "credit_transfer"
    assert parsed.currency == "764"
    assert parsed.country == "TH"
    assert parsed.dynamic is (payload[6:12] == "010212")


def test_published_payloads_parse_to_their_fields():
    assert promptpay.parse(
        "00020101021229370016A000000677010111011300660000000005802TH530376454044.226304E469"
    ) == Parsed(
        method="credit_transfer",
        proxy_type="mobile",
        proxy_value="0066000000000",
        reference_1="",
        reference_2="",
        amount_satang=422,
        currency="764",
        country="TH",
        dynamic=True,
    )
    national = promptpay.parse("00020101021129370016A000000677010111021311111111111115802TH530376463047B5A")
    assert (national.proxy_type, national.proxy_value, national.amount_satang) == (
        "tax_id",
        "1111111111111",
        None,
    )


def test_published_bill_payment_crc():
    # pheerathach/promptpay: biller 0000000000001, ref1 6300002, ref2 121214564541, 100.35 baht.
    body = (
        "000201010212"
        "30640016A00000067701011201130000000000001020763000020312121214564541"
        "53037645406100.355802TH6304"
    )
    assert promptpay.crc16(body.encode()) == "BD9D"


def test_national_id_and_tax_id_and_ewallet():
    person, company = citizen_id(42), juristic_id(42)
    assert promptpay.normalize_id(
        f"{person[0]}-{person[1:5]}-{person[5:10]}-{person[10:12]}-{person[12]}"
    ) == (
        "02",
        person,
    )
    assert promptpay.normalize_id(company) == ("02", company)
    assert promptpay.normalize_id("004999000281286") == ("03", "004999000281286")
    payload = promptpay.credit_transfer(promptpay_id="004999000281286", amount_satang=49)
    assert payload == (
        "00020101021229390016A000000677010111031500499900028128658"
        "02TH530376454040.496304"
        + promptpay.crc16(b"00020101021229390016A00000067701011103150049990002812865802TH530376454040.496304")
    )
    assert payload == independent.generate_payload("004999000281286", Decimal("0.49"))


@pytest.mark.parametrize(
    "written",
    ["0812345678", "081-234-5678", "081 234 5678", "+66812345678", "+66 (0)81 234 5678", "66812345678",
     "0066812345678", " 081.234.5678 "],
)  # fmt: skip
def test_mobile_numbers_as_people_write_them(written):
    assert promptpay.normalize_id(written) == ("01", "0066812345678")


# --- bill payment ------------------------------------------------------------------------------------


def test_bill_payment_layout():
    payload = promptpay.bill_payment(
        biller_id=BILLER, reference_1="ORDER2024001", reference_2="SHOP7", amount_satang=123_450
    )
    account = f"0016A0000006770101120115{BILLER}0212ORDER20240010305SHOP7"
    body = f"000201010212{'30'}{len(account):02d}{account}5802TH530376454071234.506304"
    assert payload == body + promptpay.crc16(body.encode())
    assert promptpay.parse(payload) == Parsed(
        method="bill_payment",
        proxy_type="biller_id",
        proxy_value=BILLER,
        reference_1="ORDER2024001",
        reference_2="SHOP7",
        amount_satang=123_450,
        currency="764",
        country="TH",
        dynamic=True,
    )


def test_bill_payment_without_amount_or_reference_2_is_static():
    payload = promptpay.bill_payment(biller_id=BILLER, reference_1="A1")
    parsed = promptpay.parse(payload)
    account = f"0016A0000006770101120115{BILLER}0202A1"
    assert payload == build("000201010211", f"30{len(account):02d}{account}", "5802TH", "5303764")
    assert (parsed.dynamic, parsed.amount_satang, parsed.reference_2) == (False, None, "")


# --- round trips -------------------------------------------------------------------------------------

mobiles = st.builds(
    lambda first, rest: f"0{first}{rest}",
    st.sampled_from("689"),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
)
citizen_ids = st.builds(
    lambda first, rest: f"{first}{rest}" + pin.calc_check_digit(f"{first}{rest}"),
    st.sampled_from("012345678"),  # 0: a juristic person's tax ID; 1-8: a citizen's ID
    st.text(alphabet="0123456789", min_size=11, max_size=11),
)
ewallets = st.text(alphabet="0123456789", min_size=15, max_size=15)
amounts = st.one_of(st.none(), st.integers(min_value=1, max_value=promptpay.MAX_AMOUNT_SATANG))


def _written(mobile: str, style: int) -> str:
    return [
        mobile,
        f"{mobile[:3]}-{mobile[3:6]}-{mobile[6:]}",
        f"+66 {mobile[1:3]} {mobile[3:6]} {mobile[6:]}",
    ][style]


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.builds(_written, mobiles, st.integers(0, 2)),
        citizen_ids,
        ewallets,
    ),
    amounts,
)
def test_same_payload_as_the_independent_implementation(promptpay_id, amount_satang):
    ours = promptpay.credit_transfer(promptpay_id=promptpay_id, amount_satang=amount_satang)
    theirs = independent.generate_payload(
        promptpay_id, Decimal(amount_satang) / 100 if amount_satang is not None else 0
    )
    assert ours == theirs


@settings(max_examples=200, deadline=None)
@given(st.one_of(mobiles, citizen_ids, ewallets), amounts)
def test_credit_transfer_round_trip(promptpay_id, amount_satang):
    sub_tag, value = promptpay.normalize_id(promptpay_id)
    parsed = promptpay.parse(
        promptpay.credit_transfer(promptpay_id=promptpay_id, amount_satang=amount_satang)
    )
    assert parsed.method == "credit_transfer"
    assert parsed.proxy_type == promptpay.PROXY_TYPES[sub_tag]
    assert parsed.proxy_value == value
    assert parsed.amount_satang == amount_satang
    assert parsed.dynamic is (amount_satang is not None)


references = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=20)


@settings(max_examples=200, deadline=None)
@given(references, st.one_of(st.just(""), references), amounts, st.integers(0, 99))
def test_bill_payment_round_trip(reference_1, reference_2, amount_satang, suffix):
    biller = juristic_id(5) + f"{suffix:02d}"
    payload = promptpay.bill_payment(
        biller_id=biller, reference_1=reference_1, reference_2=reference_2, amount_satang=amount_satang
    )
    assert promptpay.parse(payload) == Parsed(
        method="bill_payment",
        proxy_type="biller_id",
        proxy_value=biller,
        reference_1=reference_1,
        reference_2=reference_2,
        amount_satang=amount_satang,
        currency="764",
        country="TH",
        dynamic=amount_satang is not None,
    )


@pytest.mark.parametrize(
    ("satang", "field"),
    [(1, "54040.01"), (10, "54040.10"), (100, "54041.00"), (100_000, "54071000.00"),
     (123_456_789, "54101234567.89"), (promptpay.MAX_AMOUNT_SATANG, "54139999999999.99")],
)  # fmt: skip
def test_amount_field_is_exact(satang, field):
    payload = promptpay.credit_transfer(promptpay_id="0812345678", amount_satang=satang)
    assert payload[:-8].endswith(field)
    assert promptpay.parse(payload).amount_satang == satang


# --- rejected input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("promptpay_id", "message"),
    [
        ("", "หมายเลขพร้อมเพย์ไม่ถูกต้อง"),
        ("abc", "หมายเลขพร้อมเพย์ไม่ถูกต้อง"),
        ("12345", "หมายเลขพร้อมเพย์ไม่ถูกต้อง"),
        ("08123456789", "หมายเลขพร้อมเพย์ไม่ถูกต้อง"),
        ("+1 415 555 0100", "หมายเลขพร้อมเพย์ไม่ถูกต้อง"),
        ("๐๘๑๒๓๔๕๖๗๘", "หมายเลขพร้อมเพย์ไม่ถูกต้อง"),
        ("081+2345678", "หมายเลขพร้อมเพย์ไม่ถูกต้อง"),
        (None, "หมายเลขพร้อมเพย์ไม่ถูกต้อง"),
        ("0212345678", "หมายเลขโทรศัพท์พร้อมเพย์ต้องเป็นเบอร์มือถือ 10 หลักที่ขึ้นต้นด้วย 06, 08 หรือ 09"),
        ("+66 2 123 4567", "หมายเลขพร้อมเพย์ไม่ถูกต้อง"),
        ("0000000000", "หมายเลขโทรศัพท์พร้อมเพย์ต้องเป็นเบอร์มือถือ 10 หลักที่ขึ้นต้นด้วย 06, 08 หรือ 09"),
        ("1111111111111", "เลขประจำตัวประชาชนหรือเลขประจำตัวผู้เสียภาษีไม่ถูกต้อง (เลขตรวจสอบไม่ตรง)"),
        ("0066212345678", "หมายเลขโทรศัพท์พร้อมเพย์ต้องเป็นเบอร์มือถือ 10 หลักที่ขึ้นต้นด้วย 06, 08 หรือ 09"),
    ],
)
def test_bad_promptpay_ids_are_refused_with_a_thai_message(promptpay_id, message):
    with pytest.raises(InvalidPayload) as caught:
        promptpay.credit_transfer(promptpay_id=promptpay_id)
    assert str(caught.value) == message


def test_a_wrong_check_digit_is_refused():
    good = citizen_id(9)
    assert promptpay.normalize_id(good) == ("02", good)
    with pytest.raises(InvalidPayload, match="เลขตรวจสอบไม่ตรง"):
        promptpay.normalize_id(good[:-1] + str((int(good[-1]) + 1) % 10))


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (0, "จำนวนเงินต้องมากกว่า 0 บาท"),
        (-100, "จำนวนเงินต้องมากกว่า 0 บาท"),
        (10**12, "จำนวนเงินเกินกว่าที่ QR พร้อมเพย์รองรับ (ไม่เกิน 9,999,999,999.99 บาท)"),
        (12.5, "จำนวนเงินต้องเป็นจำนวนเต็มในหน่วยสตางค์"),
        (Decimal("1250"), "จำนวนเงินต้องเป็นจำนวนเต็มในหน่วยสตางค์"),
        ("1250", "จำนวนเงินต้องเป็นจำนวนเต็มในหน่วยสตางค์"),
        (True, "จำนวนเงินต้องเป็นจำนวนเต็มในหน่วยสตางค์"),
    ],
)
def test_bad_amounts_are_refused(amount, message):
    with pytest.raises(InvalidPayload) as caught:
        promptpay.credit_transfer(promptpay_id="0812345678", amount_satang=amount)
    assert str(caught.value) == message
    with pytest.raises(InvalidPayload) as caught:
        promptpay.bill_payment(biller_id=BILLER, reference_1="A1", amount_satang=amount)
    assert str(caught.value) == message


BILLER_FORMAT = "รหัสผู้รับชำระ (Biller ID) ต้องเป็นเลขประจำตัวผู้เสียภาษี 13 หลักตามด้วยรหัสต่อท้าย 2 หลัก"


@pytest.mark.parametrize(
    ("biller_id", "message"),
    [
        ("", BILLER_FORMAT),
        (BILLER[:13], BILLER_FORMAT),
        (BILLER + "1", BILLER_FORMAT),
        (BILLER[:-1] + "X", BILLER_FORMAT),
        (None, BILLER_FORMAT),
        (
            BILLER[:12] + str((int(BILLER[12]) + 1) % 10) + BILLER[13:],
            "เลขประจำตัวผู้เสียภาษีในรหัสผู้รับชำระ (Biller ID) ไม่ถูกต้อง (เลขตรวจสอบไม่ตรง)",
        ),
    ],
)
def test_bad_biller_ids_are_refused(biller_id, message):
    with pytest.raises(InvalidPayload) as caught:
        promptpay.bill_payment(biller_id=biller_id, reference_1="A1")
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("reference_1", "reference_2", "number"),
    [
        ("", "", 1),
        ("order1", "", 1),
        ("ORDER-1", "", 1),
        ("A" * 21, "", 1),
        ("คำสั่งซื้อ1", "", 1),
        ("ORDER 1", "", 1),
        ("ORDER1", "x", 2),
        ("ORDER1", "B" * 21, 2),
        ("ORDER1", "#1", 2),
    ],
)
def test_bad_references_are_refused(reference_1, reference_2, number):
    with pytest.raises(InvalidPayload) as caught:
        promptpay.bill_payment(biller_id=BILLER, reference_1=reference_1, reference_2=reference_2)
    assert str(caught.value) == (
        f"เลขอ้างอิง {number} ต้องมี 1–20 ตัว เป็นตัวอักษรภาษาอังกฤษพิมพ์ใหญ่ (A–Z) หรือตัวเลขเท่านั้น"
    )


def test_twenty_character_references_are_accepted():
    payload = promptpay.bill_payment(biller_id=BILLER, reference_1="A" * 20, reference_2="9" * 20)
    assert promptpay.parse(payload).reference_1 == "A" * 20


GOOD = promptpay.credit_transfer(promptpay_id="0812345678", amount_satang=10_000)
AID = "A000000677010111"
PROXY = "01130066812345678"


def transfer(
    account: str = tlv("00", AID) + PROXY, amount: str = "100.00", head: str = "000201010212"
) -> str:
    return build(head, tlv("29", account), "5802TH", "5303764", tlv("54", amount))


BAD = "ข้อมูล QR พร้อมเพย์ไม่ถูกต้อง"
BAD_AMOUNT = "จำนวนเงินใน QR พร้อมเพย์ไม่ถูกต้อง"
NOT_TRANSFER = "QR นี้ไม่ใช่ QR โอนเงินพร้อมเพย์ที่ถูกต้อง"


def test_the_helpers_build_a_good_payload():
    assert transfer() == GOOD


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1"), "รหัสตรวจสอบ (CRC) ของ QR พร้อมเพย์ไม่ตรงกับข้อมูล"),
        (GOOD.replace("5406100.00", "5406900.00"), "รหัสตรวจสอบ (CRC) ของ QR พร้อมเพย์ไม่ตรงกับข้อมูล"),
        (GOOD[:30], BAD),
        ("", BAD),
        (None, BAD),
        ("https://example.com/pay", BAD),
        (GOOD.replace("5802TH", "5802ไท"), BAD),
        # a length that runs past the end, a repeated tag, a non-numeric tag, no CRC tag last
        (build("000201010212", "2999" + tlv("00", AID), "5802TH", "5303764"), BAD),
        (build("000201010212", tlv("29", tlv("00", AID) + PROXY), "5802TH", "5802TH", "5303764"), BAD),
        (build("000201010212", tlv("29", tlv("00", AID) + PROXY), "5802TH", "5303764", "AB02XY"), BAD),
        (GOOD[:-8] + "6305" + GOOD[-4:], BAD),
        # a wrong format indicator, an unknown point of initiation, no currency, no country
        (transfer(head="000202010212"), BAD),
        (transfer(head="000201010213"), BAD),
        (build("000201010211", tlv("29", tlv("00", AID) + PROXY), "5802TH"), BAD),
        (build("000201010211", tlv("29", tlv("00", AID) + PROXY), "5303764"), BAD),
        # amounts: not a number, zero, three decimals, negative
        (transfer(amount="ABC"), BAD_AMOUNT),
        (transfer(amount="0.00"), BAD_AMOUNT),
        (transfer(amount="1.005"), BAD_AMOUNT),
        (transfer(amount="-1.00"), BAD_AMOUNT),
        # merchant account information: none that is PromptPay, a wrong AID, no proxy, two proxies
        (build("000201010211", tlv("26", "ABCD"), "5802TH", "5303764"), "QR นี้ไม่ใช่ QR พร้อมเพย์"),
        (transfer(account=tlv("00", "A000000677010199") + PROXY), NOT_TRANSFER),
        (transfer(account=tlv("00", AID)), NOT_TRANSFER),
        (transfer(account=tlv("00", AID) + PROXY + tlv("03", "0" * 15)), NOT_TRANSFER),
        (transfer(account=tlv("00", AID) + "0199" + PROXY[4:]), BAD),  # an inner length past the end
        # a proxy of the wrong length or not digits
        (transfer(account=tlv("00", AID) + tlv("01", "006681234567")), "หมายเลขพร้อมเพย์ใน QR ไม่ถูกต้อง"),
        (transfer(account=tlv("00", AID) + tlv("02", "11111111111X1")), "หมายเลขพร้อมเพย์ใน QR ไม่ถูกต้อง"),
        # bill payment: wrong AID, short biller ID, no reference 1
        (build("000201010211", tlv("30", tlv("00", AID) + tlv("01", BILLER) + tlv("02", "A1")), "5802TH",
               "5303764"), "QR นี้ไม่ใช่ QR ชำระบิลพร้อมเพย์ที่ถูกต้อง"),
        (build("000201010211", tlv("30", tlv("00", promptpay.AID_BILL_PAYMENT) + tlv("01", BILLER[:13])
                                         + tlv("02", "A1")), "5802TH", "5303764"),
         "QR นี้ไม่ใช่ QR ชำระบิลพร้อมเพย์ที่ถูกต้อง"),
        (build("000201010211", tlv("30", tlv("00", promptpay.AID_BILL_PAYMENT) + tlv("01", BILLER)), "5802TH",
               "5303764"), "QR นี้ไม่ใช่ QR ชำระบิลพร้อมเพย์ที่ถูกต้อง"),
    ],
)  # fmt: skip
def test_bad_payloads_are_refused(payload, message):
    with pytest.raises(InvalidPayload) as caught:
        promptpay.parse(payload)
    assert str(caught.value) == message


def test_parse_accepts_a_trailing_newline_and_a_lowercase_crc():
    assert promptpay.parse(GOOD + "\n").amount_satang == 10_000
    assert promptpay.parse(GOOD[:-4] + GOOD[-4:].lower()).amount_satang == 10_000


def test_invalid_payload_is_a_value_error():
    assert issubclass(InvalidPayload, ValueError)
