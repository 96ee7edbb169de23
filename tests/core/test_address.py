import pytest
from django.core.exceptions import ValidationError

from talat.core.address import validate_thai_address
from tests.factories import ADDRESS


def codes(**overrides):
    fields = {k: v for k, v in ADDRESS.items() if k != "address_line"}
    fields.update(overrides)
    return fields


def test_real_address_is_accepted():
    address = validate_thai_address(**codes())
    assert (address.province_code, address.district_code, address.subdistrict_code) == (
        "50",
        "5001",
        "500101",
    )


def test_postal_code_of_another_district_is_refused_with_the_right_one():
    with pytest.raises(ValidationError) as caught:
        validate_thai_address(**codes(postal_code="10200"))
    message = caught.value.message_dict["postal_code"][0]
    assert "10200" in message and "50200" in message


def test_district_of_another_province_is_refused():
    with pytest.raises(ValidationError) as caught:
        validate_thai_address(**codes(district_code="1001"))
    assert set(caught.value.message_dict) == {"district_code"}


def test_subdistrict_of_another_district_is_refused():
    with pytest.raises(ValidationError) as caught:
        validate_thai_address(**codes(subdistrict_code="500201"))
    assert set(caught.value.message_dict) == {"subdistrict_code"}


@pytest.mark.parametrize("postal", ["5020", "5020a", ""])
def test_postal_code_must_be_five_digits(postal):
    with pytest.raises(ValidationError) as caught:
        validate_thai_address(**codes(postal_code=postal))
    assert "postal_code" in caught.value.message_dict
