"""Forms of the governance pages; the rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from talat.core.classification import DataClass
from talat.governance import selectors
from talat.governance.models import AgreementStatus, LegalBasis, Purpose, TransferBasis
from talat.registry.models import Agency, Partner


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
