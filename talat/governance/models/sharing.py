"""Data-sharing agreements, consent, disclosures and the tamper-evident audit log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from talat.core import audit
from talat.core.classification import internal, public
from talat.registry.models import Agency, Enterprise, Partner


class Purpose(models.TextChoices):
    ORDER_FULFILMENT = "order_fulfilment", _("การจัดการคำสั่งซื้อ")
    LISTING = "listing", _("การลงขายสินค้าบนตลาดออนไลน์")
    LOGISTICS = "logistics", _("การขนส่งสินค้า")
    CUSTOMS_CLEARANCE = "customs_clearance", _("พิธีการศุลกากร")
    PAYMENT = "payment", _("การชำระเงิน")
    MARKETING = "marketing", _("การตลาด")
    MARKET_ANALYTICS = "market_analytics", _("การวิเคราะห์ตลาด")
    BUSINESS_VERIFICATION = "business_verification", _("การตรวจสอบตัวตนกิจการ")


class LegalBasis(models.TextChoices):
    """PDPA section 24 (and 26) bases for processing."""

    CONSENT = "consent", _("ความยินยอม")
    CONTRACT = "contract", _("การปฏิบัติตามสัญญา")
    LEGAL_OBLIGATION = "legal_obligation", _("การปฏิบัติตามกฎหมาย")
    PUBLIC_TASK = "public_task", _("ภารกิจเพื่อประโยชน์สาธารณะ")
    LEGITIMATE_INTEREST = "legitimate_interest", _("ประโยชน์โดยชอบด้วยกฎหมาย")


class TransferBasis(models.TextChoices):
    """The PDPA basis for sending personal data to a country outside Thailand."""

    DOMESTIC = "domestic", _("ประมวลผลในประเทศไทยเท่านั้น")
    S28_ADEQUATE = "s28_adequate", _("มาตรา 28: ประเทศปลายทางมีมาตรฐานการคุ้มครองเพียงพอ")
    S28_LAW = "s28_law", _("มาตรา 28 (1): เป็นการปฏิบัติตามกฎหมาย")
    S28_CONSENT = "s28_consent", _("มาตรา 28 (2): ได้รับความยินยอมโดยแจ้งมาตรฐานของประเทศปลายทาง")
    S28_CONTRACT = "s28_contract", _("มาตรา 28 (3)/(4): จำเป็นเพื่อปฏิบัติตามสัญญา")
    S29_BCR = "s29_bcr", _("มาตรา 29 วรรคหนึ่ง: นโยบายคุ้มครองข้อมูลในเครือกิจการที่ได้รับการรับรอง")
    S29_SAFEGUARDS = "s29_safeguards", _("มาตรา 29 วรรคสาม: มาตรการคุ้มครองที่เหมาะสม (ข้อสัญญามาตรฐาน)")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("ร่าง")
    ACTIVE = "active", _("มีผลบังคับใช้")
    SUSPENDED = "suspended", _("ระงับชั่วคราว")
    REVOKED = "revoked", _("ยกเลิก")


class Agreement(models.Model):
    """A signed, purpose-bound data-sharing agreement with one recipient."""

    title_th = public(models.CharField(_("ชื่อข้อตกลง"), max_length=200))
    title_en = public(models.CharField(_("ชื่อข้อตกลง (ภาษาอังกฤษ)"), max_length=200, blank=True))
    recipient_partner = public(
        models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="agreements")
    )
    recipient_agency = public(
        models.ForeignKey(
            Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="received_agreements"
        )
    )
    responsible_agency = public(
        models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="responsible_agreements")
    )
    purpose = public(models.CharField(_("วัตถุประสงค์"), max_length=32, choices=Purpose.choices))
    legal_basis = public(models.CharField(_("ฐานทางกฎหมาย"), max_length=32, choices=LegalBasis.choices))
    fields = public(models.JSONField(_("ข้อมูลที่เปิดเผย"), default=list))
    countries = public(models.JSONField(_("ประเทศที่ประมวลผล"), default=list))
    transfer_basis = public(
        models.CharField(_("ฐานการส่งข้อมูลไปต่างประเทศ"), max_length=32, choices=TransferBasis.choices)
    )
    retention_days = public(models.PositiveIntegerField(_("ระยะเวลาเก็บรักษา (วัน)")))
    consent_required = public(models.BooleanField(_("ต้องได้รับความยินยอมจากเจ้าของข้อมูล"), default=True))
    valid_from = public(models.DateField(_("มีผลตั้งแต่")))
    valid_until = public(models.DateField(_("สิ้นสุด")))
    summary_th = public(models.TextField(_("คำอธิบายสำหรับเจ้าของข้อมูล")))
    text_version = public(models.PositiveIntegerField(default=1))
    status = public(
        models.CharField(max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT)
    )
    status_reason = internal(models.TextField(blank=True))
    drafted_by = internal(
        models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    )
    approved_by = internal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
        )
    )
    approved_at = internal(models.DateTimeField(null=True, blank=True))
    created_at = internal(models.DateTimeField(auto_now_add=True))

    class Meta:
        verbose_name = _("ข้อตกลงการแบ่งปันข้อมูล")
        verbose_name_plural = _("ข้อตกลงการแบ่งปันข้อมูล")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient_partner__isnull=False, recipient_agency__isnull=True)
                | Q(recipient_partner__isnull=True, recipient_agency__isnull=False),
                name="governance_agreement_one_recipient",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="governance_valid_dates"
            ),
        ]
        indexes = [models.Index(fields=["recipient_partner", "purpose", "status"])]

    def __str__(self):
        return self.title_th

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        audit.bump_policy_version()  # borders that cached agreements must look again

    @property
    def recipient(self):
        return self.recipient_partner or self.recipient_agency


class Consent(models.Model):
    """One decision of a data owner on an agreement; the latest row per owner is in force."""

    agreement = internal(
        models.ForeignKey(
            Agreement, on_delete=models.PROTECT, related_name="consents", verbose_name=_("ข้อตกลง")
        )
    )
    enterprise = internal(
        models.ForeignKey(
            Enterprise, null=True, blank=True, on_delete=models.CASCADE, related_name="consents"
        )
    )
    person = internal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            null=True,
            blank=True,
            on_delete=models.CASCADE,
            related_name="consents",
            verbose_name=_("เจ้าของข้อมูล"),
        ),
        personal=True,
    )
    granted = internal(models.BooleanField(_("ยินยอม")))
    text_version = internal(models.PositiveIntegerField(_("ฉบับของข้อความ")))
    text_sha256 = internal(models.CharField(max_length=64))
    decided_by = internal(
        models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    )
    at = internal(models.DateTimeField(_("เมื่อ"), auto_now_add=True))

    class Meta:
        verbose_name = _("ความยินยอม")
        verbose_name_plural = _("ความยินยอม")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False, person__isnull=True)
                | Q(enterprise__isnull=True, person__isnull=False),
                name="governance_consent_one_owner",
            )
        ]
        indexes = [
            models.Index(fields=["agreement", "enterprise", "-at"]),
            models.Index(fields=["agreement", "person", "-at"]),
        ]

    def __str__(self):
        return f"{self.agreement_id} {'granted' if self.granted else 'withdrawn'} {self.at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        audit.bump_policy_version()  # borders that cached consent must look again


class Disclosure(models.Model):
    """One release of data through the border: what the data passbook lists."""

    at = internal(models.DateTimeField(_("เมื่อ"), db_index=True))
    agreement = internal(
        models.ForeignKey(
            Agreement, on_delete=models.PROTECT, related_name="disclosures", verbose_name=_("ข้อตกลง")
        )
    )
    purpose = internal(models.CharField(_("วัตถุประสงค์"), max_length=32, choices=Purpose.choices))
    recipient_label = internal(models.CharField(_("ผู้รับ"), max_length=200))
    enterprise = internal(
        models.ForeignKey(
            Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="disclosures"
        )
    )
    person = internal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            null=True,
            blank=True,
            on_delete=models.PROTECT,
            related_name="disclosures",
            verbose_name=_("เจ้าของข้อมูล"),
        ),
        personal=True,
    )
    field_names = internal(models.JSONField(_("ข้อมูลที่ส่ง"), default=list))
    payload_sha256 = internal(models.CharField(max_length=64))
    audit_index = internal(models.BigIntegerField(unique=True))

    class Meta:
        verbose_name = _("การเปิดเผยข้อมูล")
        verbose_name_plural = _("การเปิดเผยข้อมูล")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["enterprise", "-at"]), models.Index(fields=["person", "-at"])]

    def __str__(self):
        return f"{self.recipient_label} {self.purpose} {self.at:%Y-%m-%d}"
