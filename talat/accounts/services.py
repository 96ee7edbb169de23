"""Operations that change accounts: sign-up, login throttling, API keys."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from talat.accounts.models import ApiKey, LoginFailure, Role, Scope, User
from talat.core import audit
from talat.core.crypto import blind_index

API_KEY_PREFIX = "tlt"


@transaction.atomic
def sign_up(*, email: str, password: str, full_name: str, language: str = "th") -> User:
    """Creates an SME owner's account. Raises ValidationError and creates nothing on bad input."""
    email = User.objects.normalize_email(email.strip()).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("อีเมลนี้มีบัญชีอยู่แล้ว")})
    candidate = User(email=email, full_name=full_name.strip(), role=Role.SME_OWNER, language=language)
    validate_password(password, user=candidate)
    user = User.objects.create_user(
        email, password, full_name=candidate.full_name, role=Role.SME_OWNER, language=language
    )
    audit.append(
        "account.created", actor=user, refs={"user": audit.pseudonym("user", user.pk), "role": user.role}
    )
    return user


def _recent_failures(since: datetime):
    return LoginFailure.objects.filter(at__gte=since)


def login_retry_after(*, email: str, ip_address: str | None) -> int:
    """Seconds until another login attempt is allowed; 0 when it is allowed now."""
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)
    since = timezone.now() - window
    limit = settings.LOGIN_MAX_FAILURES
    oldest_blocking = None
    by_email = _recent_failures(since).filter(email=email.strip().lower()).order_by("-at")
    by_ip = _recent_failures(since).filter(ip_address=ip_address).order_by("-at") if ip_address else None
    # Client addresses get a wider allowance: many people may share an office's address.
    for rows, allowed in ((by_email, limit), (by_ip, limit * 4)):
        if rows is None:
            continue
        recent = list(rows.values_list("at", flat=True)[:allowed])
        if len(recent) >= allowed:
            oldest_blocking = max(oldest_blocking or recent[-1], recent[-1])
    if oldest_blocking is None:
        return 0
    return max(1, int((oldest_blocking + window - timezone.now()).total_seconds()))


def record_login_failure(*, email: str, ip_address: str | None) -> None:
    LoginFailure.objects.create(email=email.strip().lower()[:254], ip_address=ip_address)


def audit_login(*, email: str, user: User | None) -> None:
    """Logs the attempt; the e-mail appears only as a keyed hash, never in the clear."""
    audit.append(
        "login.succeeded" if user else "login.failed",
        actor=user,
        hashes={"email_hmac": blind_index(email.strip().lower(), purpose="accounts.login")},
    )


def clear_login_failures(*, email: str) -> None:
    LoginFailure.objects.filter(email=email.strip().lower()).delete()


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_api_key(
    *, user: User, name: str, scopes: list[str], expires_at: datetime, created_by: User
) -> tuple[ApiKey, str]:
    """Creates a key and returns it with its plaintext, which is never stored and shown once."""
    if not created_by.is_platform_admin:
        raise ValidationError(_("เฉพาะผู้ดูแลแพลตฟอร์มเท่านั้นที่สร้างกุญแจ API ได้"))
    if user.role != Role.PARTNER_OPERATOR:
        raise ValidationError({"user": _("กุญแจ API ออกให้เฉพาะบัญชีผู้ปฏิบัติงานของพันธมิตร")})
    unknown = set(scopes) - set(Scope.values)
    if not scopes or unknown:
        raise ValidationError({"scopes": _("เลือกสิทธิ์อย่างน้อยหนึ่งรายการจากรายการที่กำหนด")})
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("วันหมดอายุต้องอยู่ในอนาคต")})
    if not name.strip():
        raise ValidationError({"name": _("กรุณาตั้งชื่อกุญแจ")})
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        user=user,
        name=name.strip(),
        prefix=prefix,
        secret_hash=_hash_secret(secret),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
        created_by=created_by,
    )
    audit.append(
        "apikey.created",
        actor=created_by,
        refs={
            "key": prefix,
            "user": audit.pseudonym("user", user.pk),
            "scopes": key.scopes,
            "expires_at": expires_at.isoformat(),
        },
    )
    return key, f"{API_KEY_PREFIX}_{prefix}_{secret}"


@transaction.atomic
def revoke_api_key(*, key: ApiKey, revoked_by: User) -> ApiKey:
    if not revoked_by.is_platform_admin:
        raise ValidationError(_("เฉพาะผู้ดูแลแพลตฟอร์มเท่านั้นที่เพิกถอนกุญแจ API ได้"))
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit.append("apikey.revoked", actor=revoked_by, refs={"key": key.prefix})
    return key


def authenticate_api_key(raw: str) -> ApiKey | None:
    """The usable key that `raw` is, or None. Compares hashes in constant time."""
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    key = ApiKey.objects.select_related("user").filter(prefix=parts[1]).first()
    if key is None or not secrets.compare_digest(key.secret_hash, _hash_secret(parts[2])):
        return None
    if not key.is_usable:
        return None
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key
