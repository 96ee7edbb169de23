import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from talat.accounts.models import Role
from talat.registry import services
from talat.registry.models import Enterprise, VerificationDecision, VerificationStatus
from tests.factories import citizen_id, enterprise, enterprise_fields, juristic_id, officer, user

pytestmark = pytest.mark.django_db


def errors_of(**fields) -> dict:
    with pytest.raises(ValidationError) as caught:
        services.register_enterprise(owner=user(), **enterprise_fields(**fields))
    return caught.value.message_dict


def test_registered_enterprise_waits_for_verification_with_clean_values():
    made = enterprise(registration_number="0-1055-60000-99-" + juristic_id(99)[-1], tax_id=juristic_id(99))
    assert made.status == VerificationStatus.PENDING
    assert made.registration_number == juristic_id(99)
    assert made.phone == "+66812345678"
    assert [c.code for c in made.categories.all()] == ["textiles"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"registration_number": "12345"}, "registration_number", "เลขทะเบียนนิติบุคคลต้องมี 13 หลัก"),
        ({"kind": "individual", "registration_number": "1100000000000"}, "registration_number",
         "เลขประจำตัวประชาชนไม่ถูกต้อง (เลขตรวจสอบไม่ตรง)"),
        ({"postal_code": "10110"}, "postal_code", "รหัสไปรษณีย์ 10110 ไม่ได้อยู่ในอำเภอ/ตำบลที่เลือก"),
        ({"district_code": "1001"}, "district_code", "อำเภอ/เขตที่เลือกไม่อยู่ในจังหวัดนี้"),
        ({"phone": "12"}, "phone", "หมายเลขโทรศัพท์ไม่ถูกต้อง"),
        ({"email": "shop@"}, "email", "อีเมลไม่ถูกต้อง"),
        ({"category_codes": []}, "category_codes", "กรุณาเลือกหมวดสินค้าอย่างน้อยหนึ่งหมวด"),
        ({"category_codes": ["weapons"]}, "category_codes", "กรุณาเลือกหมวดสินค้าอย่างน้อยหนึ่งหมวด"),
        ({"branch": "1"}, "branch", "เลขที่สาขาต้องเป็นตัวเลข 5 หลัก"),
        ({"name_th": "  "}, "name_th", "กรุณากรอกชื่อกิจการภาษาไทย"),
        ({"kind": "bank"}, "kind", "กรุณาเลือกประเภทกิจการ"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_beside_its_field_and_nothing_is_written(fields, field, message):
    errors = errors_of(**fields)
    assert any(message in text for text in errors[field]), errors
    assert not Enterprise.objects.exists()


def test_every_wrong_field_is_reported_at_once():
    errors = errors_of(registration_number="1", postal_code="10110", phone="x")
    assert {"registration_number", "postal_code", "phone"} <= set(errors)


def test_duplicate_juristic_id_is_refused():
    first = enterprise()
    errors = errors_of(registration_number=first.registration_number, tax_id=juristic_id())
    assert errors["registration_number"] == ["เลขทะเบียนนิติบุคคลนี้ลงทะเบียนไว้แล้ว"]
    assert Enterprise.objects.count() == 1


def test_same_tax_id_and_branch_is_refused_but_another_branch_is_fine():
    first = enterprise()
    errors = errors_of(kind="otop", registration_number=citizen_id(), tax_id=first.tax_id)
    assert "tax_id" in errors
    enterprise(kind="otop", registration_number=citizen_id(), tax_id=first.tax_id, branch="00001")
    assert Enterprise.objects.count() == 2


def test_community_enterprise_and_individual_kinds():
    ce = enterprise(kind="community", registration_number="4-50-01-01/1-0007", tax_id=juristic_id())
    person = enterprise(kind="individual", registration_number=citizen_id(5), tax_id=citizen_id(5))
    assert ce.registration_number == "4-50-01-01/1-0007"
    assert person.kind == "individual"


def test_only_sme_owners_register():
    with pytest.raises(PermissionDenied):
        services.register_enterprise(owner=user(Role.AGENCY_OFFICER), **enterprise_fields())


def test_officer_verifies_and_the_decision_is_kept():
    made = enterprise()
    checker = officer()
    services.decide_enterprise(enterprise=made, officer=checker, status=VerificationStatus.VERIFIED)
    made.refresh_from_db()
    assert made.status == VerificationStatus.VERIFIED and made.decided_by == checker
    decision = VerificationDecision.objects.get()
    assert (decision.status, decision.agency.code) == ("verified", "dip")


def test_rejection_needs_a_reason_the_owner_can_read():
    made = enterprise()
    checker = officer()
    with pytest.raises(ValidationError) as caught:
        services.decide_enterprise(enterprise=made, officer=checker, status=VerificationStatus.REJECTED)
    assert "reason" in caught.value.message_dict
    made.refresh_from_db()
    assert made.status == VerificationStatus.PENDING
    services.decide_enterprise(
        enterprise=made, officer=checker, status=VerificationStatus.REJECTED, reason="เอกสารไม่ครบ"
    )
    made.refresh_from_db()
    assert (made.status, made.status_reason) == ("rejected", "เอกสารไม่ครบ")


def test_decisions_follow_the_allowed_transitions():
    made = enterprise()
    checker = officer()
    services.decide_enterprise(enterprise=made, officer=checker, status="rejected", reason="ไม่ครบ")
    with pytest.raises(ValidationError):
        services.decide_enterprise(enterprise=made, officer=checker, status="verified")
    assert VerificationDecision.objects.count() == 1


def test_only_officers_of_a_verifying_agency_decide():
    made = enterprise()
    with pytest.raises(PermissionDenied):
        services.decide_enterprise(enterprise=made, officer=user(Role.SME_OWNER), status="verified")
    with pytest.raises(PermissionDenied):
        services.decide_enterprise(
            enterprise=made, officer=officer(agency_code="tat", verifies=False), status="verified"
        )
    made.refresh_from_db()
    assert made.status == "pending"
