"""Logs in by e-mail and refuses while too many recent attempts have failed."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from talat.accounts import services


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


class ThrottledEmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        email = (username or kwargs.get("email") or "").strip()
        if not email or password is None:
            return None
        ip = client_ip(request)
        if services.login_retry_after(email=email, ip_address=ip):
            raise PermissionDenied("too many failed logins")
        user = super().authenticate(request, username=email, password=password)
        if user is None:
            services.record_login_failure(email=email, ip_address=ip)
        else:
            services.clear_login_failures(email=email)
        services.audit_login(email=email, user=user)
        return user
