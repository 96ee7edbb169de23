"""Requests people make under the law: PDPA data-subject requests (sections 30, 32, 33, 35) and
Official Information Act B.E. 2540 requests, with the section 17 notices to affected businesses."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from talat.core.classification import confidential, internal, public
from talat.governance.models.sharing import Purpose
from talat.registry.models import Agency, Enterprise

PDPA_RESPONSE_DAYS = 30  # PDPA section 30 paragraph four
OIA_APPEAL_DAYS = 15  # Official Information Act section 18
OIA_OBJECTION_DAYS = 15  # Official Information Act section 17: not less than 15 days


class RequestKind(models.TextChoices):
    ACCESS = "access", _("ขอเข้าถึงและขอรับสำเนาข้อมูลส่วนบุคคล (มาตรา 30)")
    RECTIFICATION = "rectification", _("ขอแก้ไขข้อมูลส่วนบุคคลให้ถูกต้อง (มาตรา 35)")
    ERASURE = "erasure", _("ขอลบหรือทำให้ข้อมูลไม่สามารถระบุตัวบุคคลได้ (มาตรา 33)")
    OBJECTION = "objection", _("คัดค้านการเก็บ ใช้ หรือเปิดเผยข้อมูลส่วนบุคคล (มาตรา 32)")


SHORT_KIND_LABELS = {
    RequestKind.ACCESS: _("ขอสำเนา (ม. 30)"),
    RequestKind.RECTIFICATION: _("ขอแก้ไข (ม. 35)"),
    RequestKind.ERASURE: _("ขอลบ (ม. 33)"),
    RequestKind.OBJECTION: _("คัดค้าน (ม. 32)"),
}


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("ได้รับคำขอแล้ว")
    IN_PROGRESS = "in_progress", _("อยู่ระหว่างดำเนินการ")
    COMPLETED = "completed", _("ดำเนินการเสร็จแล้ว")
    REFUSED = "refused", _("ปฏิเสธคำขอ")


OPEN_STATUSES = (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)


class DataSubjectRequest(models.Model):
    """One request of a person about their own personal data; due 30 days after receipt."""

    requester = internal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            on_delete=models.PROTECT,
            related_name="data_subject_requests",
            verbose_name=_("ผู้ยื่นคำขอ"),
        ),
        personal=True,
    )
    kind = public(models.CharField(_("ประเภทคำขอ"), max_length=16, choices=RequestKind.choices))
    details = confidential(models.TextField(_("รายละเอียดคำขอ"), blank=True), personal=True)
    objection_purpose = internal(
        models.CharField(_("วัตถุประสงค์ที่คัดค้าน"), max_length=32, choices=Purpose.choices, blank=True),
        personal=True,
    )
    status = internal(
        models.CharField(
            _("สถานะ"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
        )
    )
    received_at = internal(models.DateTimeField(_("ได้รับคำขอเมื่อ"), default=timezone.now, db_index=True))
    handled_by = internal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            null=True,
            blank=True,
            on_delete=models.PROTECT,
            related_name="+",
            verbose_name=_("เจ้าหน้าที่ผู้ดำเนินการ"),
        )
    )
    started_at = internal(models.DateTimeField(null=True, blank=True))
    closed_at = internal(models.DateTimeField(_("ปิดคำขอเมื่อ"), null=True, blank=True))
    resolution = confidential(models.TextField(_("ผลการดำเนินการ"), blank=True), personal=True)
    refusal_reason = confidential(models.TextField(_("เหตุผลที่ปฏิเสธ"), blank=True), personal=True)
    export = confidential(models.JSONField(_("สำเนาข้อมูลส่วนบุคคล"), null=True, blank=True), personal=True)
    export_sha256 = internal(models.CharField(max_length=64, blank=True))
    erasure_report = internal(models.JSONField(_("รายงานการลบข้อมูล"), null=True, blank=True))

    class Meta:
        verbose_name = _("คำขอใช้สิทธิของเจ้าของข้อมูลส่วนบุคคล")
        verbose_name_plural = _("คำขอใช้สิทธิของเจ้าของข้อมูลส่วนบุคคล")
        ordering = ["received_at", "pk"]
        indexes = [models.Index(fields=["status", "received_at"]), models.Index(fields=["requester", "kind"])]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def short_kind(self) -> str:
        return SHORT_KIND_LABELS.get(self.kind, self.kind)

    @property
    def due_at(self):
        return self.received_at + timedelta(days=PDPA_RESPONSE_DAYS)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and timezone.now() > self.due_at


class OiaStatus(models.TextChoices):
    RECEIVED = "received", _("ได้รับคำขอแล้ว")
    ANSWERED = "answered", _("เปิดเผยข้อมูลแล้ว")
    REFUSED = "refused", _("มีคำสั่งไม่เปิดเผยข้อมูล")


class OiaGround(models.TextChoices):
    """The statutory grounds on which an agency may order information not to be disclosed."""

    S14 = "s14", _("มาตรา 14: ข้อมูลข่าวสารที่อาจก่อให้เกิดความเสียหายต่อสถาบันพระมหากษัตริย์")
    S15_1 = (
        "s15_1",
        _(
            "มาตรา 15 (1): การเปิดเผยจะก่อให้เกิดความเสียหายต่อความมั่นคงของประเทศ "
            "ความสัมพันธ์ระหว่างประเทศ หรือความมั่นคงในทางเศรษฐกิจหรือการคลังของประเทศ"
        ),
    )
    S15_2 = "s15_2", _("มาตรา 15 (2): การเปิดเผยจะทำให้การบังคับใช้กฎหมายเสื่อมประสิทธิภาพหรือไม่อาจสำเร็จตามวัตถุประสงค์")
    S15_3 = "s15_3", _("มาตรา 15 (3): ความเห็นหรือคำแนะนำภายในหน่วยงานในการดำเนินการเรื่องใดเรื่องหนึ่ง")
    S15_4 = "s15_4", _("มาตรา 15 (4): การเปิดเผยจะก่อให้เกิดอันตรายต่อชีวิตหรือความปลอดภัยของบุคคล")
    S15_5 = "s15_5", _("มาตรา 15 (5): ข้อมูลข่าวสารส่วนบุคคลซึ่งการเปิดเผยจะเป็นการรุกล้ำสิทธิส่วนบุคคลโดยไม่สมควร")
    S15_6 = (
        "s15_6",
        _(
            "มาตรา 15 (6): ข้อมูลข่าวสารที่มีกฎหมายคุ้มครองมิให้เปิดเผย หรือที่มีผู้ให้มาโดยไม่ประสงค์ให้เปิดเผย "
            "รวมถึงความลับทางการค้าและข้อมูลที่การเปิดเผยจะกระทบประโยชน์ของกิจการ"
        ),
    )
    S15_7 = "s15_7", _("มาตรา 15 (7): กรณีอื่นตามที่กำหนดในพระราชกฤษฎีกา")
    S24 = "s24", _("มาตรา 24: ข้อมูลข่าวสารส่วนบุคคลที่เปิดเผยไม่ได้โดยไม่ได้รับความยินยอมจากเจ้าของข้อมูล")


class InformationRequest(models.Model):
    """A request under the Official Information Act B.E. 2540. Anyone may file one without an
    account; the unguessable tracking code opens its status page."""

    code = internal(models.CharField(_("รหัสติดตาม"), max_length=32, unique=True, editable=False))
    requester_name = confidential(models.CharField(_("ชื่อผู้ขอ"), max_length=200), personal=True)
    contact_email = confidential(models.EmailField(_("อีเมลติดต่อกลับ")), personal=True)
    information_wanted = internal(models.TextField(_("ข้อมูลข่าวสารที่ต้องการ")))
    agency = public(
        models.ForeignKey(
            Agency, on_delete=models.PROTECT, related_name="information_requests", verbose_name=_("หน่วยงาน")
        )
    )
    status = internal(
        models.CharField(_("สถานะ"), max_length=16, choices=OiaStatus.choices, default=OiaStatus.RECEIVED)
    )
    received_at = internal(models.DateTimeField(_("ได้รับคำขอเมื่อ"), default=timezone.now, db_index=True))
    concerns_business = internal(models.BooleanField(_("ข้อมูลเกี่ยวกับกิจการ (มาตรา 17)"), default=False))
    answer = internal(models.TextField(_("ข้อมูลข่าวสารที่เปิดเผย"), blank=True))
    refusal_ground = internal(
        models.CharField(_("เหตุตามกฎหมายที่ไม่เปิดเผย"), max_length=8, choices=OiaGround.choices, blank=True)
    )
    refusal_reason = internal(models.TextField(_("คำอธิบายเหตุผล"), blank=True))
    handled_by = internal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
        )
    )
    closed_at = internal(models.DateTimeField(_("มีคำสั่งเมื่อ"), null=True, blank=True))

    class Meta:
        verbose_name = _("คำขอข้อมูลข่าวสารของราชการ")
        verbose_name_plural = _("คำขอข้อมูลข่าวสารของราชการ")
        ordering = ["received_at", "pk"]
        indexes = [models.Index(fields=["agency", "status", "received_at"])]

    def __str__(self):
        return f"OIA #{self.pk} ({self.status})"

    @property
    def appeal_until(self):
        """The last moment to appeal a refusal to the Information Disclosure Tribunal (section 18)."""
        if self.status != OiaStatus.REFUSED or self.closed_at is None:
            return None
        return self.closed_at + timedelta(days=OIA_APPEAL_DAYS)


class EnterpriseNotice(models.Model):
    """Section 17: an enterprise whose interests the requested information may affect was told,
    and may object within 15 days."""

    request = internal(
        models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="notices")
    )
    enterprise = internal(
        models.ForeignKey(
            Enterprise, on_delete=models.PROTECT, related_name="information_notices", verbose_name=_("กิจการ")
        )
    )
    notified_at = internal(models.DateTimeField(_("แจ้งเมื่อ"), default=timezone.now))
    notified_by = internal(
        models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    )
    objection = internal(models.TextField(_("คำคัดค้าน"), blank=True))
    objected_at = internal(models.DateTimeField(_("คัดค้านเมื่อ"), null=True, blank=True))

    class Meta:
        verbose_name = _("หนังสือแจ้งผู้มีประโยชน์ได้เสีย (มาตรา 17)")
        verbose_name_plural = _("หนังสือแจ้งผู้มีประโยชน์ได้เสีย (มาตรา 17)")
        ordering = ["-notified_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "enterprise"], name="governance_notice_once")
        ]

    def __str__(self):
        return f"notice {self.request_id} → {self.enterprise_id}"

    @property
    def objection_until(self):
        return self.notified_at + timedelta(days=OIA_OBJECTION_DAYS)

    @property
    def may_object(self) -> bool:
        return not self.objected_at and timezone.now() <= self.objection_until
