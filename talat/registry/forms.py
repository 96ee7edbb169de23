"""The onboarding wizard's steps and the officer's decision form. Forms shape input; the
checks that matter live in services so the API makes the same ones."""

import geothai
from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from talat.core.address import area_name
from talat.registry.models import EnterpriseKind, GoodsCategory, VerificationStatus


class IdentityStep(forms.Form):
    kind = forms.ChoiceField(label=_("ประเภทกิจการ"), choices=EnterpriseKind.choices, widget=forms.RadioSelect)
    registration_number = forms.CharField(
        label=_("เลขทะเบียน"),
        max_length=32,
        help_text=_(
            "นิติบุคคล: เลขทะเบียนนิติบุคคล 13 หลัก · วิสาหกิจชุมชน: รหัสทะเบียน เช่น 4-50-01-01/1-0001 · "
            "OTOP: เลขประจำตัวผู้เสียภาษี 13 หลัก · บุคคลธรรมดา: เลขประจำตัวประชาชน 13 หลัก"
        ),
        widget=forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off"}),
    )


class NamesStep(forms.Form):
    name_th = forms.CharField(label=_("ชื่อกิจการ (ภาษาไทย)"), max_length=200)
    name_en = forms.CharField(label=_("ชื่อกิจการ (ภาษาอังกฤษ)"), max_length=200, required=False)
    tax_id = forms.CharField(label=_("เลขประจำตัวผู้เสียภาษี"), max_length=17)
    branch = forms.CharField(
        label=_("เลขที่สาขา"), max_length=5, initial="00000", help_text=_("สำนักงานใหญ่ใช้ 00000")
    )
    vat_registered = forms.BooleanField(
        label=_("จดทะเบียนภาษีมูลค่าเพิ่ม"), required=False, help_text=_("ราคาสินค้ารวมภาษีมูลค่าเพิ่ม 7% แล้ว")
    )
    category_codes = forms.MultipleChoiceField(
        label=_("หมวดสินค้า"), widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category_codes"].choices = [(c.code, str(c)) for c in GoodsCategory.objects.all()]


def province_choices():
    return [("", _("— เลือกจังหวัด —"))] + sorted(
        ((p.code, area_name(p)) for p in geothai.provinces()), key=lambda c: c[1]
    )


def district_choices(province_code: str):
    return [("", _("— เลือกอำเภอ/เขต —"))] + [
        (d.code, area_name(d)) for d in geothai.districts(province_code or "")
    ]


def subdistrict_choices(district_code: str):
    return [("", _("— เลือกตำบล/แขวง —"))] + [
        (s.code, area_name(s)) for s in geothai.subdistricts(district_code or "")
    ]


class AddressStep(forms.Form):
    address_line = forms.CharField(label=_("ที่อยู่ (เลขที่ หมู่ ถนน)"), max_length=300)
    province_code = forms.ChoiceField(label=_("จังหวัด"))
    district_code = forms.ChoiceField(label=_("อำเภอ/เขต"))
    subdistrict_code = forms.ChoiceField(label=_("ตำบล/แขวง"))
    postal_code = forms.CharField(
        label=_("รหัสไปรษณีย์"), max_length=5, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        data = self.data if self.is_bound else self.initial
        self.fields["province_code"].choices = province_choices()
        self.fields["district_code"].choices = district_choices(data.get("province_code", ""))
        self.fields["subdistrict_code"].choices = subdistrict_choices(data.get("district_code", ""))
        self.fields["province_code"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("registry:districts"),
                "hx-target": "#id_district_code",
                "hx-trigger": "change",
            }
        )
        self.fields["district_code"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("registry:subdistricts"),
                "hx-target": "#id_subdistrict_code",
                "hx-trigger": "change",
            }
        )


class ContactStep(forms.Form):
    phone = forms.CharField(label=_("โทรศัพท์"), max_length=20, widget=forms.TextInput(attrs={"type": "tel"}))
    email = forms.EmailField(label=_("อีเมลของกิจการ"))


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("คำตัดสิน"),
        choices=[(VerificationStatus.VERIFIED, _("อนุมัติ")), (VerificationStatus.REJECTED, _("ไม่อนุมัติ"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("เหตุผล (แจ้งเจ้าของกิจการ)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
