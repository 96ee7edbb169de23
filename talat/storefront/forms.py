import phonenumbers
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from talat.core.address import validate_thai_address
from talat.orders.models import ShippingMethod
from talat.registry.forms import district_choices, province_choices, subdistrict_choices
from talat.storefront.models import ShopProfile

COUNTRIES = [
    ("TH", _("ไทย")),
    ("CN", _("จีน")),
    ("KH", _("กัมพูชา")),
    ("LA", _("ลาว")),
    ("MM", _("เมียนมา")),
    ("VN", _("เวียดนาม")),
]
DOMESTIC = [ShippingMethod.STANDARD, ShippingMethod.EXPRESS]


def shipping_choices():
    return [
        (method.value, f"{method.label} — ฿{settings.TALAT_SHIPPING_FEES[method.value] / 100:,.2f}")
        for method in (*DOMESTIC, ShippingMethod.CROSS_BORDER)
    ]


class CheckoutForm(forms.Form):
    """Who buys and where the goods go. Thai addresses are checked against the official area
    codes; a buyer abroad writes their address as their post office needs it."""

    buyer_name = forms.CharField(label=_("ชื่อผู้ซื้อ"), max_length=200)
    buyer_email = forms.EmailField(label=_("อีเมลผู้ซื้อ"), help_text=_("ร้านจะส่งรายละเอียดคำสั่งซื้อและใบเสร็จไปที่อีเมลนี้"))
    buyer_phone = forms.CharField(
        label=_("โทรศัพท์ผู้ซื้อ"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    buyer_country = forms.ChoiceField(label=_("ประเทศปลายทาง"), choices=COUNTRIES, initial="TH")
    address_line = forms.CharField(
        label=_("ที่อยู่จัดส่ง"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "ในประเทศไทย: เลขที่ หมู่ ถนน แล้วเลือกจังหวัด อำเภอ ตำบลด้านล่าง ต่างประเทศ: ที่อยู่เต็มตามที่ไปรษณีย์ปลายทางใช้"
        ),
    )  # fmt: skip
    province_code = forms.ChoiceField(label=_("จังหวัด"), required=False)
    district_code = forms.ChoiceField(label=_("อำเภอ/เขต"), required=False)
    subdistrict_code = forms.ChoiceField(label=_("ตำบล/แขวง"), required=False)
    postal_code = forms.CharField(label=_("รหัสไปรษณีย์"), max_length=10)
    shipping_method = forms.ChoiceField(
        label=_("วิธีจัดส่ง"), widget=forms.RadioSelect, initial=ShippingMethod.STANDARD
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        data = self.data if self.is_bound else self.initial
        self.fields["shipping_method"].choices = shipping_choices()
        self.fields["province_code"].choices = province_choices()
        # Choosing the destination or the delivery refreshes the import-tax estimate and the totals.
        refresh = {"hx-get": reverse_lazy("storefront:landed_cost"), "hx-target": "#landed-cost",
                   "hx-swap": "outerHTML", "hx-trigger": "change",
                   "hx-include": "[name=buyer_country],[name=shipping_method]"}  # fmt: skip
        self.fields["buyer_country"].widget.attrs.update(refresh)
        self.fields["shipping_method"].widget.attrs.update(refresh)
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
            {"hx-get": reverse_lazy("registry:subdistricts"), "hx-target": "#id_subdistrict_code",
             "hx-trigger": "change"}
        )  # fmt: skip

    def clean_buyer_phone(self):
        value = self.cleaned_data["buyer_phone"]
        try:
            number = phonenumbers.parse(value, self.data.get("buyer_country") or "TH")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise ValidationError(_("หมายเลขโทรศัพท์ไม่ถูกต้อง"))
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean(self):
        data = super().clean()
        country, method = data.get("buyer_country"), data.get("shipping_method")
        if country == "TH":
            if method not in DOMESTIC:
                self.add_error("shipping_method", _("ส่งในประเทศไทยเลือกได้เฉพาะไปรษณีย์ธรรมดาหรือด่วนพิเศษ"))
            try:
                validate_thai_address(
                    province_code=data.get("province_code", ""),
                    district_code=data.get("district_code", ""),
                    subdistrict_code=data.get("subdistrict_code", ""),
                    postal_code=data.get("postal_code", ""),
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field, messages)
        elif country:
            if method != ShippingMethod.CROSS_BORDER:
                self.add_error("shipping_method", _("ส่งต่างประเทศใช้การส่งข้ามแดนผ่านศูนย์อีอีซี"))
            for name in ("province_code", "district_code", "subdistrict_code"):
                data[name] = ""
        return data

    def address(self) -> dict:
        return {name: self.cleaned_data[name] for name in (
            "address_line", "province_code", "district_code", "subdistrict_code", "postal_code")}  # fmt: skip


class ShopProfileForm(forms.ModelForm):
    class Meta:
        model = ShopProfile
        fields = ["story_th", "story_en", "story_zh"]
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name in fields}
