import pytest
from django.core.exceptions import ValidationError

from talat.core import ids
from tests.factories import citizen_id, juristic_id


def test_valid_juristic_id_is_returned_compact():
    number = juristic_id(7)
    spaced = f"{number[0]} {number[1:5]} {number[5:10]} {number[10:12]} {number[12]}"
    assert ids.juristic_id(spaced) == number


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("01055", "invalid_length", "เลขทะเบียนนิติบุคคลต้องมี 13 หลัก"),
        ("0105560000010", "invalid_checksum", "เลขทะเบียนนิติบุคคลไม่ถูกต้อง (เลขตรวจสอบไม่ตรง)"),
    ],
)
def test_invalid_juristic_ids_say_why(value, code, message):
    if code == "invalid_checksum":
        good = juristic_id(1)
        value = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(ValidationError) as caught:
        ids.juristic_id(value)
    assert caught.value.code == code
    assert caught.value.messages == [message]


def test_citizen_id_checksum():
    good = citizen_id(3)
    assert ids.citizen_id(good) == good
    with pytest.raises(ValidationError):
        ids.citizen_id(good[:-1] + str((int(good[-1]) + 1) % 10))


def test_tax_id_accepts_juristic_and_citizen_ids():
    assert ids.tax_id(juristic_id(4)) == juristic_id(4)
    assert ids.tax_id(citizen_id(4)) == citizen_id(4)


@pytest.mark.parametrize("value", ["0000", "000001", "abcde", ""])
def test_branch_number_is_five_digits(value):
    with pytest.raises(ValidationError):
        ids.branch_number(value)


def test_community_enterprise_code_must_name_a_real_subdistrict():
    assert ids.community_enterprise_id("4-50-01-01/1-0001") == "4-50-01-01/1-0001"
    with pytest.raises(ValidationError, match="ตำบลที่ไม่มีอยู่จริง"):
        ids.community_enterprise_id("4-99-01-01/1-0001")
    with pytest.raises(ValidationError, match="รูปแบบ"):
        ids.community_enterprise_id("450010110001")
