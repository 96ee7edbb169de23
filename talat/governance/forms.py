"""Forms of the governance pages; the rules live in services."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from talat.core.classification import DataClass
from talat.governance import selectors
from talat.governance.models import (
    AgreementStatus,
    LegalBasis,
    OiaGround,
    Purpose,
    RequestKind,
    TransferBasis,
)
from talat.registry.models import Agency, Enterprise, Partner


def releasable_field_choices():
    groups: dict[str, list[tuple[str, str]]] = {}
    for row in selectors.data_dictionary():
        if row.data_class == DataClass.SECRET or row.model.startswith(("core.", "governance.")):
            continue
        personal = f", {_('ข้อมูลส่วนบุคคล')}" if row.personal else ""
        label = f"{row.field_label} ({row.data_class_label}{personal})"
        groups.setdefault(row.model_label, []).append((f"{row.model}.{row.field}", label))
    return list(groups.items())


class AgreementForm(forms.Form):
    title_th = forms.CharField(label=_("ชื่อข้อตกลง"), max_length=200)
    title_en = forms.CharField(label=_("ชื่อข้อตกลง (ภาษาอังกฤษ)"), max_length=200, required=False)
    recipient_partner = forms.ModelChoiceField(
        label=_("ผู้รับ: พันธมิตร"), queryset=Partner.objects.all(), required=False
    )
    recipient_agency = forms.ModelChoiceField(
        label=_("ผู้รับ: หน่วยงาน"), queryset=Agency.objects.all(), required=False
    )
    responsible_agency = forms.ModelChoiceField(
        label=_("หน่วยงานที่รับผิดชอบและอนุมัติ"), queryset=Agency.objects.all()
    )
    purpose = forms.ChoiceField(label=_("วัตถุประสงค์"), choices=Purpose.choices)
    legal_basis = forms.ChoiceField(label=_("ฐานทางกฎหมาย (PDPA)"), choices=LegalBasis.choices)
    fields = forms.MultipleChoiceField(
        label=_("ข้อมูลที่เปิดเผย"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    countries = forms.CharField(
        label=_("ประเทศที่ผู้รับประมวลผลข้อมูล"), help_text=_("รหัสประเทศ 2 ตัวอักษร คั่นด้วยจุลภาค เช่น TH, CN")
    )
    transfer_basis = forms.ChoiceField(label=_("ฐานการส่งข้อมูลไปต่างประเทศ"), choices=TransferBasis.choices)
    retention_days = forms.IntegerField(label=_("ระยะเวลาเก็บรักษา (วัน)"), min_value=1, max_value=3650)
    consent_required = forms.BooleanField(
        label=_("ต้องได้รับความยินยอมจากเจ้าของข้อมูล"), required=False, initial=True
    )
    valid_from = forms.DateField(label=_("มีผลตั้งแต่"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label=_("สิ้นสุด"), widget=forms.DateInput(attrs={"type": "date"}))
    summary_th = forms.CharField(
        label=_("คำอธิบายสำหรับเจ้าของข้อมูล (ภาษาไทย)"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fields"].choices = releasable_field_choices()

    def clean_countries(self):
        return [code.strip().upper() for code in self.cleaned_data["countries"].split(",") if code.strip()]


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("เปลี่ยนสถานะเป็น"),
        choices=[
            (AgreementStatus.SUSPENDED, _("ระงับชั่วคราว")),
            (AgreementStatus.ACTIVE, _("กลับมามีผลบังคับใช้")),
            (AgreementStatus.REVOKED, _("ยกเลิก")),
        ],
    )
    reason = forms.CharField(label=_("เหตุผล"), widget=forms.Textarea(attrs={"rows": 2}))


class PassbookFilter(forms.Form):
    purpose = forms.ChoiceField(
        label=_("วัตถุประสงค์"), choices=[("", _("ทั้งหมด")), *Purpose.choices], required=False
    )
    recipient = forms.CharField(label=_("ผู้รับ"), required=False)
    since = forms.DateField(
        label=_("ตั้งแต่วันที่"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(label=_("ถึงวันที่"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


# --- requests under the law ---------------------------------------------------------------


class SubjectRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("คุณต้องการใช้สิทธิใด"),
        choices=RequestKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("เลือกประเภทคำขอ")},
    )
    objection_purpose = forms.ChoiceField(
        label=_("วัตถุประสงค์ที่คุณคัดค้าน (เฉพาะคำขอคัดค้าน)"),
        choices=[("", "—"), *Purpose.choices],
        required=False,
    )
    details = forms.CharField(
        label=_("รายละเอียด"),
        help_text=_("ขอแก้ไข: บอกว่าข้อมูลใดไม่ถูกต้องและควรเป็นอย่างไร ส่วนคำขออื่นจะเว้นว่างก็ได้"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )


class ResolutionForm(forms.Form):
    resolution = forms.CharField(
        label=_("ผลการดำเนินการที่แจ้งผู้ยื่นคำขอ"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )


class RefusalForm(forms.Form):
    reason = forms.CharField(
        label=_("เหตุผลที่ปฏิเสธ (ผู้ยื่นคำขอจะเห็น)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": _("ระบุเหตุผลที่ปฏิเสธ ผู้ยื่นคำขอจะเห็นเหตุผลนี้")},
    )


class InformationRequestForm(forms.Form):
    requester_name = forms.CharField(
        label=_("ชื่อ-นามสกุลผู้ขอ"),
        max_length=200,
        error_messages={"required": _("กรุณาระบุชื่อผู้ขอ")},
    )
    contact_email = forms.EmailField(
        label=_("อีเมลติดต่อกลับ"),
        error_messages={
            "required": _("กรุณาระบุอีเมลที่ถูกต้องเพื่อให้หน่วยงานตอบกลับ"),
            "invalid": _("กรุณาระบุอีเมลที่ถูกต้องเพื่อให้หน่วยงานตอบกลับ"),
        },
    )
    agency = forms.ModelChoiceField(
        label=_("หน่วยงานที่ถือข้อมูลข่าวสาร"),
        queryset=Agency.objects.order_by("name_th"),
        error_messages={"required": _("เลือกหน่วยงานที่ถือข้อมูลข่าวสารนั้น")},
    )
    information_wanted = forms.CharField(
        label=_("ข้อมูลข่าวสารที่ต้องการ"),
        help_text=_("ระบุให้ชัดพอที่หน่วยงานจะค้นหาได้ เช่น เรื่อง ช่วงเวลา หรือเลขที่เอกสาร"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": _("บอกหน่วยงานว่าคุณต้องการข้อมูลข่าวสารใด")},
    )


class NotifyForm(forms.Form):
    enterprises = forms.ModelMultipleChoiceField(
        label=_("กิจการที่อาจได้รับผลกระทบ"),
        queryset=Enterprise.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("เลือกกิจการที่อาจได้รับผลกระทบอย่างน้อยหนึ่งแห่ง")},
    )

    def __init__(self, *args, search: str = "", notified=(), **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.fields["enterprises"].queryset = Enterprise.objects.all()
        elif len(search) >= 2:
            self.fields["enterprises"].queryset = (
                Enterprise.objects.filter(Q(name_th__icontains=search) | Q(name_en__icontains=search))
                .exclude(pk__in=notified)
                .order_by("name_th")[:50]
            )
        self.fields["enterprises"].label_from_instance = lambda e: f"{e.name_th} ({e.province_th})"


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("ข้อมูลข่าวสารที่เปิดเผย"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        error_messages={"required": _("ใส่ข้อมูลข่าวสารที่เปิดเผย")},
    )
    concerns_business = forms.BooleanField(
        label=_("ข้อมูลนี้อาจกระทบประโยชน์ของกิจการ (ต้องแจ้งตามมาตรา 17 ก่อน)"), required=False
    )


class OiaRefusalForm(forms.Form):
    ground = forms.ChoiceField(
        label=_("เหตุตามกฎหมายที่ไม่เปิดเผย"),
        choices=OiaGround.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("เลือกเหตุตามกฎหมายที่ไม่เปิดเผยข้อมูล")},
    )
    reason = forms.CharField(
        label=_("คำอธิบายเหตุผลสำหรับผู้ขอ"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": _("อธิบายเหตุผลให้ผู้ขอเข้าใจ (มาตรา 15 วรรคสอง)")},
    )


class ObjectionForm(forms.Form):
    objection = forms.CharField(
        label=_("เหตุผลที่คัดค้าน"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": _("ระบุเหตุผลที่คัดค้าน")},
    )
