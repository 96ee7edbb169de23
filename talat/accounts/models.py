"""Users (who log in with e-mail), their roles, failed logins and partners' API keys."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from talat.core.classification import (
    Classification,
    DataClass,
    classify_inherited,
    confidential,
    internal,
    secret,
)


class Role(models.TextChoices):
    SME_OWNER = "sme_owner", _("เจ้าของกิจการ")
    SME_STAFF = "sme_staff", _("พนักงานกิจการ")
    AGENCY_OFFICER = "agency_officer", _("เจ้าหน้าที่หน่วยงาน")
    PARTNER_OPERATOR = "partner_operator", _("ผู้ปฏิบัติงานของพันธมิตร")
    PLATFORM_ADMIN = "platform_admin", _("ผู้ดูแลแพลตฟอร์ม")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True, role=Role.PLATFORM_ADMIN)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    email = confidential(models.EmailField(_("อีเมล"), unique=True), personal=True)
    full_name = confidential(models.CharField(_("ชื่อ-นามสกุล"), max_length=200), personal=True)
    role = internal(models.CharField(_("บทบาท"), max_length=32, choices=Role.choices, default=Role.SME_OWNER))
    language = internal(
        models.CharField(_("ภาษา"), max_length=10, choices=settings.LANGUAGES, default="th"), personal=True
    )
    is_active = internal(models.BooleanField(_("ใช้งานอยู่"), default=True))
    is_staff = internal(models.BooleanField(_("เข้าหน้าผู้ดูแลระบบได้"), default=False))
    date_joined = internal(models.DateTimeField(_("วันที่สมัคร"), default=timezone.now), personal=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("ผู้ใช้")
        verbose_name_plural = _("ผู้ใช้")
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self):
        return f"{self.full_name} <{self.email}>"

    @property
    def is_platform_admin(self) -> bool:
        return self.is_active and (self.role == Role.PLATFORM_ADMIN or self.is_superuser)

    @property
    def is_agency_officer(self) -> bool:
        return self.is_active and self.role == Role.AGENCY_OFFICER


classify_inherited(
    User,
    password=Classification(DataClass.SECRET, personal=True),
    last_login=Classification(DataClass.INTERNAL, personal=True),
    is_superuser=Classification(DataClass.INTERNAL, personal=False),
    groups=Classification(DataClass.INTERNAL, personal=False),
    user_permissions=Classification(DataClass.INTERNAL, personal=False),
)


class LoginFailure(models.Model):
    """One failed login; recent rows throttle further attempts by e-mail or client address."""

    email = confidential(models.CharField(max_length=254, db_index=True), personal=True)
    ip_address = confidential(models.GenericIPAddressField(null=True, db_index=True), personal=True)
    at = internal(models.DateTimeField(default=timezone.now, db_index=True))

    class Meta:
        verbose_name = _("การเข้าสู่ระบบที่ไม่สำเร็จ")
        verbose_name_plural = _("การเข้าสู่ระบบที่ไม่สำเร็จ")

    def __str__(self):
        return f"{self.email} {self.ip_address} {self.at:%Y-%m-%d %H:%M}"


class Scope(models.TextChoices):
    ENTERPRISES_READ = "enterprises:read", _("อ่านข้อมูลกิจการ")
    ENTERPRISES_WRITE = "enterprises:write", _("ลงทะเบียนกิจการ")
    EXPORT_RECORDS_READ = "export_records:read", _("อ่านประวัติการส่งออก (ตามความยินยอมของผู้ส่งออก)")


class ApiKey(models.Model):
    """A partner's key to the API. Only a SHA-256 hash of the secret is kept."""

    user = internal(
        models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("บัญชี"))
    )
    name = internal(models.CharField(_("ชื่อกุญแจ"), max_length=100))
    prefix = internal(models.CharField(max_length=16, unique=True))
    secret_hash = secret(models.CharField(max_length=64))
    scopes = internal(models.JSONField(_("สิทธิ์"), default=list))
    expires_at = internal(models.DateTimeField(_("หมดอายุ")))
    revoked_at = internal(models.DateTimeField(_("เพิกถอนเมื่อ"), null=True, blank=True))
    last_used_at = internal(models.DateTimeField(null=True, blank=True))
    created_at = internal(models.DateTimeField(auto_now_add=True))
    created_by = internal(models.ForeignKey(User, on_delete=models.PROTECT, related_name="+"))

    class Meta:
        verbose_name = _("กุญแจ API")
        verbose_name_plural = _("กุญแจ API")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now() and self.user.is_active
