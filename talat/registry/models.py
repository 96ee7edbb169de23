"""Enterprises that sell on Talat, the agencies that support them and the partners Talat works with."""

import uuid

import geothai
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from talat.core.classification import confidential, internal, public
from talat.core.crypto import blind_index
from talat.core.fields import EncryptedTextField
from talat.core.models import TimeStampedModel


class Agency(models.Model):
    code = public(models.SlugField(_("รหัส"), max_length=32, unique=True))
    name_th = public(models.CharField(_("ชื่อภาษาไทย"), max_length=200))
    name_en = public(models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=200))
    name_zh = public(models.CharField(_("ชื่อภาษาจีน"), max_length=200, blank=True))
    ministry_th = public(models.CharField(_("กระทรวง"), max_length=200, blank=True))
    verifies_enterprises = public(models.BooleanField(_("ตรวจสอบการลงทะเบียนกิจการ"), default=False))
    handles_personal_data = public(
        models.BooleanField(_("ดำเนินการคำขอของเจ้าของข้อมูลส่วนบุคคล (PDPA)"), default=False)
    )

    class Meta:
        verbose_name = _("หน่วยงาน")
        verbose_name_plural = _("หน่วยงาน")
        ordering = ["name_th"]

    def __str__(self):
        return localized_name(self)


class PartnerKind(models.TextChoices):
    MARKETPLACE = "marketplace", _("ตลาดออนไลน์")
    LOGISTICS = "logistics", _("โลจิสติกส์")
    BANK = "bank", _("ธนาคาร")
    PAYMENT = "payment", _("ผู้ให้บริการชำระเงิน")


class Partner(models.Model):
    code = public(models.SlugField(_("รหัส"), max_length=32, unique=True))
    name_th = public(models.CharField(_("ชื่อภาษาไทย"), max_length=200))
    name_en = public(models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=200))
    name_zh = public(models.CharField(_("ชื่อภาษาจีน"), max_length=200, blank=True))
    kind = public(models.CharField(_("ประเภท"), max_length=20, choices=PartnerKind.choices))
    country = public(models.CharField(_("ประเทศ (ISO 3166)"), max_length=2))

    class Meta:
        verbose_name = _("พันธมิตร")
        verbose_name_plural = _("พันธมิตร")
        ordering = ["name_en"]

    def __str__(self):
        return localized_name(self)


class Affiliation(models.Model):
    """Which agency an officer, or which partner an operator, works for."""

    user = internal(
        models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affiliation")
    )
    agency = internal(
        models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="officers")
    )
    partner = internal(
        models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="operators")
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(agency__isnull=False, partner__isnull=True)
                | Q(agency__isnull=True, partner__isnull=False),
                name="registry_affiliation_exactly_one",
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.agency or self.partner}"


class GoodsCategory(models.Model):
    code = public(models.SlugField(max_length=32, unique=True))
    name_th = public(models.CharField(max_length=100))
    name_en = public(models.CharField(max_length=100))
    name_zh = public(models.CharField(max_length=100))

    class Meta:
        verbose_name = _("หมวดสินค้า")
        verbose_name_plural = _("หมวดสินค้า")
        ordering = ["name_th"]

    def __str__(self):
        return localized_name(self)


class EnterpriseKind(models.TextChoices):
    COMPANY = "company", _("บริษัทจำกัด / บริษัทมหาชน")
    PARTNERSHIP = "partnership", _("ห้างหุ้นส่วน")
    COMMUNITY = "community", _("วิสาหกิจชุมชน")
    OTOP = "otop", _("ผู้ผลิต OTOP")
    INDIVIDUAL = "individual", _("บุคคลธรรมดา")


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("รอการตรวจสอบ")
    VERIFIED = "verified", _("ตรวจสอบแล้ว")
    REJECTED = "rejected", _("ไม่ผ่านการตรวจสอบ")
    SUSPENDED = "suspended", _("ถูกระงับ")


class Enterprise(TimeStampedModel):
    uid = internal(models.UUIDField(default=uuid.uuid4, unique=True, editable=False))
    kind = public(models.CharField(_("ประเภทกิจการ"), max_length=20, choices=EnterpriseKind.choices))
    # Registration and tax numbers are a citizen ID for an individual seller: stored encrypted,
    # found through keyed blind indexes.
    registration_number = confidential(EncryptedTextField(_("เลขทะเบียน")), personal=True)
    registration_index = internal(models.CharField(max_length=64, editable=False))
    name_th = public(models.CharField(_("ชื่อกิจการ (ภาษาไทย)"), max_length=200))
    name_en = public(models.CharField(_("ชื่อกิจการ (ภาษาอังกฤษ)"), max_length=200, blank=True))
    tax_id = confidential(EncryptedTextField(_("เลขประจำตัวผู้เสียภาษี")), personal=True)
    tax_index = internal(models.CharField(max_length=64, editable=False))
    branch = internal(models.CharField(_("เลขที่สาขา"), max_length=5, default="00000"))
    vat_registered = public(
        models.BooleanField(
            _("จดทะเบียนภาษีมูลค่าเพิ่ม"), default=False, help_text=_("ราคาสินค้ารวมภาษีมูลค่าเพิ่ม 7% แล้ว")
        )
    )
    address_line = confidential(EncryptedTextField(_("ที่อยู่ (เลขที่ หมู่ ถนน)")), personal=True)
    subdistrict_code = public(models.CharField(_("ตำบล/แขวง"), max_length=6))
    district_code = public(models.CharField(_("อำเภอ/เขต"), max_length=4))
    province_code = public(models.CharField(_("จังหวัด"), max_length=2, db_index=True))
    postal_code = internal(models.CharField(_("รหัสไปรษณีย์"), max_length=5))
    phone = confidential(EncryptedTextField(_("โทรศัพท์")), personal=True)
    email = confidential(models.EmailField(_("อีเมล")), personal=True)
    categories = public(
        models.ManyToManyField(GoodsCategory, verbose_name=_("หมวดสินค้า"), related_name="enterprises")
    )
    status = public(
        models.CharField(
            _("สถานะการตรวจสอบ"),
            max_length=16,
            choices=VerificationStatus.choices,
            default=VerificationStatus.PENDING,
        )
    )
    status_reason = internal(models.TextField(_("เหตุผล"), blank=True))
    decided_at = internal(models.DateTimeField(null=True, blank=True))
    decided_by = internal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
        )
    )
    owner = internal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            on_delete=models.PROTECT,
            related_name="owned_enterprises",
            verbose_name=_("เจ้าของ"),
        )
    )
    staff = internal(
        models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="staffed_enterprises")
    )

    class Meta:
        verbose_name = _("กิจการ")
        verbose_name_plural = _("กิจการ")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "registration_number"], name="registry_enterprise_unique_reg"
            ),
            models.UniqueConstraint(
                fields=["tax_id", "branch"], name="registry_enterprise_unique_tax_branch"
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self):
        return self.name_th

    def save(self, *args, **kwargs):
        # The blind indexes follow the encrypted values they index (an invariant of the row).
        self.registration_index = registration_index(self.kind, self.registration_number)
        self.tax_index = tax_index(self.tax_id)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "registration_index", "tax_index"}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        if (get_language() or "th").startswith("th") or not self.name_en:
            return self.name_th
        return self.name_en

    @property
    def province(self):
        return geothai.province(self.province_code)

    @property
    def province_th(self) -> str:
        return self.province.name_th

    @property
    def province_en(self) -> str:
        return self.province.name_en

    @property
    def category_codes(self) -> list[str]:
        return [c.code for c in self.categories.all()]

    @property
    def address(self):
        return geothai.address(self.subdistrict_code)


def registration_index(kind: str, number: str) -> str:
    return blind_index(f"{kind}:{number}", purpose="registry.enterprise.registration_number")


def tax_index(tax_id: str) -> str:
    return blind_index(tax_id, purpose="registry.enterprise.tax_id")


class VerificationDecision(models.Model):
    """Every officer decision on an enterprise, kept as history."""

    enterprise = internal(models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="decisions"))
    status = internal(models.CharField(max_length=16, choices=VerificationStatus.choices))
    reason = internal(models.TextField(blank=True))
    officer = internal(
        models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    )
    agency = internal(models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+"))
    at = internal(models.DateTimeField(auto_now_add=True))

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.enterprise} {self.status} {self.at:%Y-%m-%d}"


def localized_name(record) -> str:
    language = (get_language() or "th").lower()
    if language.startswith("zh") and getattr(record, "name_zh", ""):
        return record.name_zh
    if language.startswith("en") and record.name_en:
        return record.name_en
    return record.name_th
