from django import forms
from django.utils.translation import gettext_lazy as _

from talat.storefront.models import ShopProfile


class CheckoutForm(forms.Form):
    buyer_name = forms.CharField(label=_("ชื่อผู้ซื้อ"), max_length=200)
    buyer_email = forms.EmailField(label=_("อีเมลผู้ซื้อ"), help_text=_("ร้านจะส่งรายละเอียดคำสั่งซื้อและใบเสร็จไปที่อีเมลนี้"))
    buyer_country = forms.ChoiceField(
        label=_("ประเทศปลายทาง"),
        choices=[
            ("TH", _("ไทย")),
            ("CN", _("จีน")),
            ("KH", _("กัมพูชา")),
            ("LA", _("ลาว")),
            ("MM", _("เมียนมา")),
            ("VN", _("เวียดนาม")),
        ],  # fmt: skip
        initial="TH",
    )


class ShopProfileForm(forms.ModelForm):
    class Meta:
        model = ShopProfile
        fields = ["story_th", "story_en", "story_zh"]
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name in fields}
