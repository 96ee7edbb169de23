"""Forms of the account pages. They validate; services change state."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from talat.accounts import services
from talat.accounts.backends import client_ip
from talat.accounts.tasks import send_email


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("อีเมล"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    error_messages = {
        "invalid_login": _("อีเมลหรือรหัสผ่านไม่ถูกต้อง"),
        "inactive": _("บัญชีนี้ถูกระงับการใช้งาน"),
        "throttled": _("เข้าสู่ระบบไม่สำเร็จหลายครั้งเกินไป กรุณาลองใหม่ในอีก %(minutes)s นาที"),  # minutes ≥ 1
    }

    def clean(self):
        email = self.cleaned_data.get("username")
        if email:
            wait = services.login_retry_after(email=email, ip_address=client_ip(self.request))
            if wait:
                raise ValidationError(
                    self.error_messages["throttled"], code="throttled", params={"minutes": -(-wait // 60)}
                )
        return super().clean()


class SignUpForm(forms.Form):
    full_name = forms.CharField(label=_("ชื่อ-นามสกุล"), max_length=200)
    email = forms.EmailField(label=_("อีเมล"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label=_("รหัสผ่าน"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("อย่างน้อย 10 ตัวอักษร และไม่ใช่ตัวเลขล้วน"),
    )
    password_confirm = forms.CharField(
        label=_("ยืนยันรหัสผ่าน"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    accept_terms = forms.BooleanField(label=_("ข้าพเจ้ายอมรับข้อกำหนดการใช้งานและนโยบายความเป็นส่วนตัว"))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_confirm"):
            self.add_error("password_confirm", _("รหัสผ่านทั้งสองช่องไม่ตรงกัน"))
        return data


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the e-mail handed to the task worker after commit."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from django.template import loader

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        transaction.on_commit(lambda: send_email.enqueue(subject=subject, body=body, to=[to_email]))
