"""Operations on agreements and consent. Every change is written to the audit log in the same
transaction, so an unaudited change cannot happen."""

import functools
import gettext
import hashlib
from datetime import date

import pycountry
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from talat.accounts.models import Role, User
from talat.core import audit
from talat.core.classification import DataClass, classification_of
from talat.core.thai import thai_date
from talat.governance.models import Agreement, AgreementStatus, Consent, LegalBasis, Purpose, TransferBasis
from talat.registry.models import Affiliation, Agency, Enterprise

AGREEMENT_FIELDS = [
    "title_th",
    "title_en",
    "recipient_partner",
    "recipient_agency",
    "responsible_agency",
    "purpose",
    "legal_basis",
    "fields",
    "countries",
    "transfer_basis",
    "retention_days",
    "consent_required",
    "valid_from",
    "valid_until",
    "summary_th",
]


def resolve_field(path: str):
    """'registry.Enterprise.tax_id' -> the model field, or ValidationError."""
    try:
        app_label, model_name, field_name = path.split(".")
        return apps.get_model(app_label, model_name)._meta.get_field(field_name)
    except (ValueError, LookupError, FieldDoesNotExist) as error:
        raise ValidationError({"fields": _("ไม่รู้จักข้อมูล %(path)s") % {"path": path}}) from error


def _validate(data: dict) -> dict:
    errors: dict[str, list[str]] = {}

    def fail(field, message):
        errors.setdefault(field, []).append(message)

    if bool(data.get("recipient_partner")) == bool(data.get("recipient_agency")):
        fail("recipient_partner", _("ระบุผู้รับข้อมูลเป็นพันธมิตรหรือหน่วยงานอย่างใดอย่างหนึ่ง"))
    if not isinstance(data.get("responsible_agency"), Agency):
        fail("responsible_agency", _("ระบุหน่วยงานที่รับผิดชอบ"))
    if data.get("purpose") not in Purpose.values:
        fail("purpose", _("เลือกวัตถุประสงค์"))
    if data.get("legal_basis") not in LegalBasis.values:
        fail("legal_basis", _("เลือกฐานทางกฎหมาย"))
    if not (data.get("title_th") or "").strip():
        fail("title_th", _("กรุณาตั้งชื่อข้อตกลง"))
    if not (data.get("summary_th") or "").strip():
        fail("summary_th", _("กรุณาอธิบายข้อตกลงเป็นภาษาไทยสำหรับเจ้าของข้อมูล"))
    paths = list(dict.fromkeys(data.get("fields") or []))
    if not paths:
        fail("fields", _("เลือกข้อมูลที่จะเปิดเผยอย่างน้อยหนึ่งรายการ"))
    for path in paths:
        try:
            model_field = resolve_field(path)
        except ValidationError as error:
            fail("fields", error.message_dict["fields"][0])
            continue
        classification = classification_of(model_field)
        if classification is None or classification.data_class == DataClass.SECRET:
            fail("fields", _("ข้อมูลชั้นลับมากหรือลับที่สุดเปิดเผยไม่ได้: %(path)s") % {"path": path})
    countries = [str(c).upper() for c in dict.fromkeys(data.get("countries") or [])]
    if not countries:
        fail("countries", _("ระบุประเทศที่ผู้รับจะประมวลผลข้อมูล"))
    for code in countries:
        if pycountry.countries.get(alpha_2=code) is None:
            fail("countries", _("ไม่รู้จักรหัสประเทศ %(code)s") % {"code": code})
    abroad = any(code != "TH" for code in countries)
    basis = data.get("transfer_basis")
    if basis not in TransferBasis.values:
        fail("transfer_basis", _("เลือกฐานการส่งข้อมูลไปต่างประเทศ"))
    elif abroad and basis == TransferBasis.DOMESTIC:
        fail("transfer_basis", _("การประมวลผลนอกประเทศไทยต้องระบุฐานตามมาตรา 28 หรือ 29"))
    elif not abroad and basis != TransferBasis.DOMESTIC:
        fail("transfer_basis", _("ผู้รับประมวลผลในประเทศไทยเท่านั้น ให้เลือก “ประมวลผลในประเทศไทยเท่านั้น”"))
    if data.get("legal_basis") == LegalBasis.CONSENT and not data.get("consent_required"):
        fail("consent_required", _("ข้อตกลงที่อาศัยฐานความยินยอมต้องขอความยินยอมจากเจ้าของข้อมูล"))
    retention = data.get("retention_days")
    if not isinstance(retention, int) or not 1 <= retention <= 3650:
        fail("retention_days", _("ระยะเวลาเก็บรักษาต้องอยู่ระหว่าง 1 ถึง 3,650 วัน"))
    valid_from, valid_until = data.get("valid_from"), data.get("valid_until")
    if not isinstance(valid_from, date) or not isinstance(valid_until, date):
        fail("valid_from", _("ระบุวันที่มีผลและวันสิ้นสุด"))
    elif valid_until < valid_from:
        fail("valid_until", _("วันสิ้นสุดต้องไม่ก่อนวันที่มีผล"))
    if errors:
        raise ValidationError(errors)
    return {
        **data,
        "title_th": data["title_th"].strip(),
        "title_en": (data.get("title_en") or "").strip(),
        "summary_th": data["summary_th"].strip(),
        "consent_required": bool(data.get("consent_required")),
        "fields": paths,
        "countries": countries,
    }


def _affiliated_agency(user: User):
    return Affiliation.objects.filter(user=user).values_list("agency_id", flat=True).first()


def _audit(kind: str, agreement: Agreement, actor: User, **refs):
    audit.append(kind, actor=actor, refs={"agreement": agreement.pk, "status": agreement.status, **refs})


@transaction.atomic
def draft_agreement(*, drafted_by: User, **fields) -> Agreement:
    if not (drafted_by.is_agency_officer or drafted_by.is_platform_admin):
        raise PermissionDenied(_("เฉพาะเจ้าหน้าที่หน่วยงานหรือผู้ดูแลแพลตฟอร์มเท่านั้นที่ร่างข้อตกลงได้"))
    data = _validate({name: fields.get(name) for name in AGREEMENT_FIELDS})
    agreement = Agreement.objects.create(drafted_by=drafted_by, status=AgreementStatus.DRAFT, **data)
    _audit("agreement.drafted", agreement, drafted_by, fields=agreement.fields, countries=agreement.countries)
    return agreement


@transaction.atomic
def approve_agreement(*, agreement: Agreement, officer: User) -> Agreement:
    """An officer of the responsible agency, other than the drafter, brings a draft into force."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if not officer.is_agency_officer or _affiliated_agency(officer) != agreement.responsible_agency_id:
        raise PermissionDenied(_("เฉพาะเจ้าหน้าที่ของหน่วยงานที่รับผิดชอบเท่านั้นที่อนุมัติข้อตกลงได้"))
    if officer.pk == agreement.drafted_by_id:
        raise PermissionDenied(_("ผู้ร่างข้อตกลงอนุมัติข้อตกลงของตนเองไม่ได้"))
    if agreement.status != AgreementStatus.DRAFT:
        raise ValidationError(_("อนุมัติได้เฉพาะข้อตกลงที่เป็นร่าง"))
    agreement.status = AgreementStatus.ACTIVE
    agreement.approved_by = officer
    agreement.approved_at = timezone.now()
    agreement.save(update_fields=["status", "approved_by", "approved_at"])
    _audit("agreement.approved", agreement, officer)
    return agreement


TRANSITIONS = {
    AgreementStatus.SUSPENDED: {AgreementStatus.ACTIVE},
    AgreementStatus.ACTIVE: {AgreementStatus.SUSPENDED},  # reinstating a suspended agreement
    AgreementStatus.REVOKED: {AgreementStatus.DRAFT, AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED},
}


@transaction.atomic
def change_agreement_status(*, agreement: Agreement, officer: User, status: str, reason: str) -> Agreement:
    """Suspends, reinstates or revokes an agreement; every later release sees the change."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if not officer.is_agency_officer or _affiliated_agency(officer) != agreement.responsible_agency_id:
        raise PermissionDenied(_("เฉพาะเจ้าหน้าที่ของหน่วยงานที่รับผิดชอบเท่านั้นที่เปลี่ยนสถานะข้อตกลงได้"))
    if status not in TRANSITIONS or agreement.status not in TRANSITIONS[status]:
        raise ValidationError(
            _("เปลี่ยนข้อตกลงจาก “%(old)s” เป็น “%(new)s” ไม่ได้")
            % {"old": agreement.get_status_display(), "new": AgreementStatus(status).label}
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("กรุณาระบุเหตุผล")})
    agreement.status = status
    agreement.status_reason = reason.strip()
    agreement.save(update_fields=["status", "status_reason"])
    _audit(f"agreement.{status}", agreement, officer, reason_hmac=audit.commitment(reason))
    return agreement


def consent_text(agreement: Agreement) -> str:
    """The plain-Thai text an owner reads before deciding; its hash is recorded with the decision."""
    labels = []
    for path in agreement.fields:
        model_field = resolve_field(path)
        labels.append(str(model_field.verbose_name))
    recipient = agreement.recipient
    countries = ", ".join(country_name_th(code) for code in agreement.countries)
    return (
        f"ตลาดจะส่งข้อมูลต่อไปนี้ของคุณ: {', '.join(labels)}\n"
        f"ให้แก่: {recipient.name_th} ({recipient.name_en})\n"
        f"เพื่อ: {Purpose(agreement.purpose).label}\n"
        f"ผู้รับจะประมวลผลข้อมูลที่: {countries}\n"
        f"ฐานการส่งข้อมูล: {TransferBasis(agreement.transfer_basis).label}\n"
        f"ผู้รับเก็บข้อมูลได้ไม่เกิน {agreement.retention_days} วัน\n"
        f"ข้อตกลงมีผลตั้งแต่ {thai_date(agreement.valid_from)} ถึง {thai_date(agreement.valid_until)}\n"
        f"{agreement.summary_th}\n"
        "คุณถอนความยินยอมได้ทุกเมื่อ การถอนมีผลกับการส่งข้อมูลครั้งต่อไปทั้งหมด"
    )


@functools.cache
def _thai_country_names():
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["th"], fallback=True)


def country_name_th(code: str) -> str:
    """'CN' -> 'ประเทศจีน', from the ISO 3166 names' Thai translation that ships with pycountry."""
    country = pycountry.countries.get(alpha_2=code)
    return f"ประเทศ{_thai_country_names().gettext(country.name)}" if country else code


def may_decide_for(user: User, owner) -> bool:
    if isinstance(owner, Enterprise):
        return user.role == Role.SME_OWNER and owner.owner_id == user.pk
    return isinstance(owner, User) and owner.pk == user.pk


@transaction.atomic
def decide_consent(
    *, agreement: Agreement, owner: Enterprise | User, by: User, granted: bool, text_version: int
) -> Consent:
    """Grants or withdraws consent; `text_version` is the version of the text the owner was shown."""
    if not may_decide_for(by, owner):
        raise PermissionDenied(_("คุณไม่ใช่เจ้าของข้อมูลนี้"))
    if not agreement.consent_required or agreement.status == AgreementStatus.DRAFT:
        raise ValidationError(_("ข้อตกลงนี้ไม่ได้ขอความยินยอม"))
    if text_version != agreement.text_version:
        raise ValidationError(_("ข้อความของข้อตกลงเปลี่ยนไปแล้ว กรุณาอ่านฉบับล่าสุดก่อนตัดสินใจ"))
    owner_field = "enterprise" if isinstance(owner, Enterprise) else "person"
    consent = Consent.objects.create(
        agreement=agreement,
        granted=granted,
        text_version=text_version,
        text_sha256=hashlib.sha256(consent_text(agreement).encode()).hexdigest(),
        decided_by=by,
        **{owner_field: owner},
    )
    audit.append(
        "consent.granted" if granted else "consent.withdrawn",
        actor=by,
        refs={
            "agreement": agreement.pk,
            "owner": audit.pseudonym(owner_field, owner.pk),
            "text_version": text_version,
        },
        hashes={"text_sha256": consent.text_sha256},
    )
    return consent
