from django import forms
from django.utils.translation import gettext_lazy as _


class ConnectForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=None, label=_("ตลาดออนไลน์"), to_field_name="code")
    shop_name = forms.CharField(label=_("ชื่อร้านบนตลาดออนไลน์"), max_length=120)
    app_key = forms.CharField(label=_("App key"), max_length=64)
    app_secret = forms.CharField(label=_("App secret"), max_length=200, widget=forms.PasswordInput)
    code = forms.CharField(
        label=_("รหัสอนุญาต (authorization code)"),
        max_length=200,
        help_text=_("รหัสใช้ครั้งเดียวที่ได้จากหน้าอนุญาตของตลาดออนไลน์"),
    )

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        from talat.registry.models import Partner

        self.fields["partner"].queryset = Partner.objects.filter(pk__in=[p.pk for p in partners])
