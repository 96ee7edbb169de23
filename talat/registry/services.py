"""Operations on the registry: registering an enterprise and officers' decisions on it."""

import phonenumbers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from talat.accounts.models import Role, User
from talat.core import audit, ids
from talat.core.address import validate_thai_address
from talat.registry.models import (
    Affiliation,
    Agency,
    Enterprise,
    EnterpriseKind,
    GoodsCategory,
    Partner,
    VerificationDecision,
    VerificationStatus,
    registration_index,
    tax_index,
)

JURISTIC_KINDS = {EnterpriseKind.COMPANY, EnterpriseKind.PARTNERSHIP}


def check_identity(*, kind: str, registration_number: str) -> str:
    """The registration number in compact form, checked for its kind and not yet registered.
    Raises ValidationError keyed by field."""
    if kind not in EnterpriseKind.values:
        raise ValidationError({"kind": _("กรุณาเลือกประเภทกิจการ")})
    try:
        if kind in JURISTIC_KINDS:
            number = ids.juristic_id(registration_number)
        elif kind == EnterpriseKind.INDIVIDUAL:
            number = ids.citizen_id(registration_number)
        elif kind == EnterpriseKind.COMMUNITY:
            number = ids.community_enterprise_id(registration_number)
        else:  # an OTOP producer registers with its juristic or its owner's citizen ID
            number = ids.tax_id(registration_number)
    except ValidationError as error:
        raise ValidationError({"registration_number": error.messages}) from error
    if Enterprise.objects.filter(kind=kind, registration_index=registration_index(kind, number)).exists():
        message = (
            _("เลขทะเบียนนิติบุคคลนี้ลงทะเบียนไว้แล้ว") if kind in JURISTIC_KINDS else _("เลขทะเบียนนี้ลงทะเบียนไว้แล้ว")
        )
        raise ValidationError({"registration_number": message}, code="duplicate")
    return number


def default_tax_id(*, kind: str, registration_number: str) -> str:
    """A juristic person's or an individual's tax ID is their 13-digit ID."""
    return registration_number if kind != EnterpriseKind.COMMUNITY else ""


def normalize_phone(value: str) -> str:
    try:
        number = phonenumbers.parse(value, "TH")
    except phonenumbers.NumberParseException as error:
        raise ValidationError({"phone": _("หมายเลขโทรศัพท์ไม่ถูกต้อง")}) from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationError({"phone": _("หมายเลขโทรศัพท์ไม่ถูกต้อง")})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _validated(fields: dict) -> dict:
    errors: dict[str, list[str]] = {}

    def collect(call):
        try:
            return call()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
            return None

    data = dict(fields)
    data["registration_number"] = collect(
        lambda: check_identity(kind=fields["kind"], registration_number=fields["registration_number"])
    )
    for name, label in (("name_th", _("กรุณากรอกชื่อกิจการภาษาไทย")), ("address_line", _("กรุณากรอกที่อยู่"))):
        data[name] = (fields.get(name) or "").strip()
        if not data[name]:
            errors.setdefault(name, []).append(label)
    data["name_en"] = (fields.get("name_en") or "").strip()

    def tax():
        try:
            return ids.tax_id(fields.get("tax_id") or "")
        except ValidationError as error:
            raise ValidationError({"tax_id": error.messages}) from error

    data["tax_id"] = collect(tax)
    data["vat_registered"] = fields.get("vat_registered") in (True, "on", "true", "1")

    def branch():
        try:
            return ids.branch_number(fields.get("branch") or "00000")
        except ValidationError as error:
            raise ValidationError({"branch": error.messages}) from error

    data["branch"] = collect(branch)
    address = collect(
        lambda: validate_thai_address(
            province_code=fields.get("province_code", ""),
            district_code=fields.get("district_code", ""),
            subdistrict_code=fields.get("subdistrict_code", ""),
            postal_code=fields.get("postal_code", ""),
        )
    )
    data["phone"] = collect(lambda: normalize_phone(fields.get("phone") or ""))

    def email():
        value = (fields.get("email") or "").strip().lower()
        try:
            validate_email(value)
        except ValidationError as error:
            raise ValidationError({"email": _("อีเมลไม่ถูกต้อง")}) from error
        return value

    data["email"] = collect(email)
    codes = list(dict.fromkeys(fields.get("category_codes") or []))
    categories = list(GoodsCategory.objects.filter(code__in=codes))
    if not codes or len(categories) != len(codes):
        errors.setdefault("category_codes", []).append(_("กรุณาเลือกหมวดสินค้าอย่างน้อยหนึ่งหมวด"))
    if (
        data["tax_id"]
        and data["branch"]
        and Enterprise.objects.filter(tax_index=tax_index(data["tax_id"]), branch=data["branch"]).exists()
    ):
        errors.setdefault("tax_id", []).append(_("เลขประจำตัวผู้เสียภาษีและสาขานี้ลงทะเบียนไว้แล้ว"))
    if errors:
        raise ValidationError(errors)
    data["categories"] = categories
    data.update(vars(address))
    return data


FIELDS = [
    "kind",
    "registration_number",
    "name_th",
    "name_en",
    "tax_id",
    "branch",
    "vat_registered",
    "address_line",
    "province_code",
    "district_code",
    "subdistrict_code",
    "postal_code",
    "phone",
    "email",
    "category_codes",
]


def validate_enterprise(**fields) -> dict:
    """Every check that registration makes, without writing anything."""
    return _validated({name: fields.get(name) for name in FIELDS})


@transaction.atomic
def register_enterprise(*, owner: User, registered_by: User | None = None, **fields) -> Enterprise:
    """Registers an enterprise for `owner`; it waits for an agency officer's verification.
    `registered_by` is a partner's account registering on the owner's behalf (audited as the
    actor). Raises ValidationError (keyed by field) and writes nothing when any field is wrong."""
    if owner.role != Role.SME_OWNER:
        raise PermissionDenied(_("เฉพาะบัญชีเจ้าของกิจการเท่านั้นที่ลงทะเบียนกิจการได้"))
    data = validate_enterprise(**fields)
    categories = data.pop("categories")
    data.pop("category_codes")
    try:
        with transaction.atomic():
            enterprise = Enterprise.objects.create(owner=owner, status=VerificationStatus.PENDING, **data)
    except IntegrityError as error:  # a concurrent registration of the same number
        raise ValidationError({"registration_number": _("เลขทะเบียนนี้ลงทะเบียนไว้แล้ว")}) from error
    enterprise.categories.set(categories)
    audit.append(
        "enterprise.registered",
        actor=registered_by or owner,
        refs={
            "enterprise": audit.pseudonym("enterprise", enterprise.pk),
            "kind": enterprise.kind,
            "owner": audit.pseudonym("user", owner.pk),
        },
    )
    return enterprise


def _officer_agency(officer: User) -> Agency:
    affiliation = (
        Affiliation.objects.filter(user=officer, agency__isnull=False).select_related("agency").first()
    )
    if not officer.is_agency_officer or affiliation is None:
        raise PermissionDenied(_("เฉพาะเจ้าหน้าที่หน่วยงานเท่านั้นที่ตรวจสอบกิจการได้"))
    if not affiliation.agency.verifies_enterprises:
        raise PermissionDenied(_("หน่วยงานของคุณไม่ได้รับมอบหมายให้ตรวจสอบกิจการ"))
    return affiliation.agency


@transaction.atomic
def decide_enterprise(*, enterprise: Enterprise, officer: User, status: str, reason: str = "") -> Enterprise:
    """An officer verifies, rejects (with a reason) or suspends (with a reason) an enterprise."""
    agency = _officer_agency(officer)
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    reason = (reason or "").strip()
    allowed = {
        VerificationStatus.VERIFIED: {VerificationStatus.PENDING, VerificationStatus.SUSPENDED},
        VerificationStatus.REJECTED: {VerificationStatus.PENDING},
        VerificationStatus.SUSPENDED: {VerificationStatus.VERIFIED},
    }
    if status not in allowed:
        raise ValidationError({"status": _("คำตัดสินไม่ถูกต้อง")})
    if enterprise.status not in allowed[status]:
        raise ValidationError(
            _("กิจการนี้อยู่ในสถานะ “%(status)s” จึงเปลี่ยนเป็น “%(new)s” ไม่ได้")
            % {"status": enterprise.get_status_display(), "new": VerificationStatus(status).label}
        )
    if status != VerificationStatus.VERIFIED and not reason:
        raise ValidationError({"reason": _("กรุณาระบุเหตุผลให้เจ้าของกิจการทราบ")})
    enterprise.status = status
    enterprise.status_reason = reason
    enterprise.decided_at = timezone.now()
    enterprise.decided_by = officer
    enterprise.save(update_fields=["status", "status_reason", "decided_at", "decided_by", "updated_at"])
    VerificationDecision.objects.create(
        enterprise=enterprise, status=status, reason=reason, officer=officer, agency=agency
    )
    audit.append(
        f"enterprise.{status}",
        actor=officer,
        refs={"enterprise": audit.pseudonym("enterprise", enterprise.pk), "agency": agency.code},
        hashes={"reason_hmac": audit.commitment(reason)},
    )
    return enterprise


@transaction.atomic
def affiliate(*, user: User, agency: Agency | None = None, partner: Partner | None = None) -> Affiliation:
    """Attaches an officer to an agency or an operator to a partner."""
    if (agency is None) == (partner is None):
        raise ValidationError(_("ระบุหน่วยงานหรือพันธมิตรอย่างใดอย่างหนึ่ง"))
    expected = Role.AGENCY_OFFICER if agency else Role.PARTNER_OPERATOR
    if user.role != expected:
        raise ValidationError(_("บทบาทของผู้ใช้ไม่ตรงกับสังกัด"))
    affiliation, _created = Affiliation.objects.update_or_create(
        user=user, defaults={"agency": agency, "partner": partner}
    )
    return affiliation
