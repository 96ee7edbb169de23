"""Product and SKU forms: the same rules for the product pages and for spreadsheet import rows."""

import geothai
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum import ean

from talat.catalog import tariff
from talat.catalog.models import Certification, Product, Variant
from talat.registry.models import GoodsCategory


class ProductForm(forms.ModelForm):
    category = forms.ModelChoiceField(
        GoodsCategory.objects.all(), to_field_name="code", label=gettext_lazy("หมวดสินค้า")
    )
    certifications = forms.MultipleChoiceField(
        choices=Certification.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("มาตรฐานที่ได้รับ"),
    )
    province_code = forms.ChoiceField(label=gettext_lazy("จังหวัดแหล่งผลิต"))
    hs_code = forms.CharField(
        label=gettext_lazy("พิกัดศุลกากร (HS/AHTN)"),
        max_length=12,
        help_text=gettext_lazy("8 หลัก เช่น 0813.40.90"),
    )
    otop_stars = forms.TypedChoiceField(
        choices=[("", "—")] + [(str(n), "★" * n) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        label=gettext_lazy("ระดับดาว OTOP"),
    )

    class Meta:
        model = Product
        fields = [
            "name_th", "name_en", "name_zh", "description_th", "description_en", "description_zh",
            "category", "brand", "province_code", "otop_stars", "certifications", "hs_code",
        ]  # fmt: skip
        widgets = {f"description_{lang}": forms.Textarea(attrs={"rows": 3}) for lang in ("th", "en", "zh")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province_code"].choices = [("", "—")] + [
            (p.code, p.name_th) for p in sorted(geothai.provinces(), key=lambda p: p.name_th)
        ]

    def clean_hs_code(self):
        return tariff.tariff_line(self.cleaned_data["hs_code"]).code


class VariantForm(forms.ModelForm):
    class Meta:
        model = Variant
        fields = [
            "sku", "barcode", "option_th", "option_en", "option_zh", "price_satang", "cny_price_fen",
            "weight_g", "length_mm", "width_mm", "height_mm",
        ]  # fmt: skip

    def clean_sku(self):
        sku = self.cleaned_data["sku"].strip()
        if not sku or any(c.isspace() for c in sku):
            raise ValidationError(_("รหัสสินค้า (SKU) ต้องไม่มีช่องว่าง"), code="sku")
        return sku

    def clean_barcode(self):
        barcode = ean.compact(self.cleaned_data["barcode"] or "")
        if barcode and not ean.is_valid(barcode):
            raise ValidationError(_("บาร์โค้ด EAN/GTIN ไม่ถูกต้อง (ตรวจหลักสุดท้าย)"), code="barcode")
        return barcode

    def clean_price_satang(self):
        price = self.cleaned_data["price_satang"]
        if price is None or price <= 0:
            raise ValidationError(_("ราคาต้องมากกว่าศูนย์"), code="price")
        return price

    def clean_weight_g(self):
        weight = self.cleaned_data["weight_g"]
        if weight is None or weight <= 0:
            raise ValidationError(_("น้ำหนักต้องมากกว่าศูนย์"), code="weight")
        return weight


class StockForm(forms.Form):
    quantity = forms.IntegerField(label=gettext_lazy("จำนวน"), min_value=0, max_value=1_000_000)
    reference = forms.CharField(label=gettext_lazy("อ้างอิง"), max_length=100, required=False)
