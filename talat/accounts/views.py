"""Account pages: sign-up, login, logout, password reset, and partners' API keys."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from talat.accounts import services
from talat.accounts.forms import LoginForm, QueuedPasswordResetForm, SignUpForm
from talat.accounts.models import ApiKey, Role, Scope, User
from talat.core.forms import add_service_errors


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = QueuedPasswordResetForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


def signup(request):
    if request.user.is_authenticated:
        return redirect("registry:onboarding")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_up(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                full_name=form.cleaned_data["full_name"],
                language=request.LANGUAGE_CODE,
            )
        except ValidationError as error:
            add_service_errors(form, error, fallback_field="password")
        else:
            login(request, user, backend="talat.accounts.backends.ThrottledEmailBackend")
            messages.success(request, _("สร้างบัญชีเรียบร้อยแล้ว ขั้นต่อไปคือลงทะเบียนกิจการของคุณ"))
            return redirect("registry:onboarding")
    return render(request, "accounts/signup.html", {"form": form})


class ApiKeyForm(forms.Form):
    user = forms.ModelChoiceField(
        label=gettext_lazy("บัญชีพันธมิตร"),
        queryset=User.objects.filter(role=Role.PARTNER_OPERATOR, is_active=True),
    )
    name = forms.CharField(label=gettext_lazy("ชื่อกุญแจ"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("สิทธิ์"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    valid_days = forms.IntegerField(label=gettext_lazy("อายุ (วัน)"), min_value=1, max_value=730, initial=365)


def _require_admin(request) -> None:
    if not request.user.is_platform_admin:
        raise PermissionDenied


@login_required
def api_keys(request):
    _require_admin(request)
    form = ApiKeyForm(request.POST or None)
    plaintext = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            key, plaintext = services.create_api_key(
                user=data["user"],
                name=data["name"],
                scopes=data["scopes"],
                expires_at=timezone.now() + timedelta(days=data["valid_days"]),
                created_by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            form = ApiKeyForm()
    keys = ApiKey.objects.select_related("user").all()
    return render(request, "accounts/api_keys.html", {"form": form, "keys": keys, "plaintext": plaintext})


@login_required
@require_POST
def revoke_api_key(request, pk: int):
    _require_admin(request)
    key = get_object_or_404(ApiKey, pk=pk)
    services.revoke_api_key(key=key, revoked_by=request.user)
    messages.success(request, _("เพิกถอนกุญแจ %(name)s แล้ว") % {"name": key.name})
    return redirect("accounts:api_keys")
