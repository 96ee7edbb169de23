"""An SME's accounts on partner marketplaces, its listings there, and every call made to them."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from talat.catalog.models import Product
from talat.core.classification import internal, secret
from talat.core.fields import EncryptedTextField
from talat.core.models import TimeStampedModel
from talat.registry.models import Enterprise, Partner


class ChannelAccount(TimeStampedModel):
    uid = internal(models.UUIDField(default=uuid.uuid4, unique=True, editable=False))
    enterprise = internal(
        models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="channel_accounts")
    )
    partner = internal(models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="channel_accounts"))
    shop_name = internal(models.CharField(_("ชื่อร้านบนช่องทาง"), max_length=120))
    app_key = internal(models.CharField(_("App key"), max_length=64))
    app_secret = secret(EncryptedTextField(_("App secret")))
    access_token = secret(EncryptedTextField(blank=True))
    refresh_token = secret(EncryptedTextField(blank=True))
    token_expires_at = internal(models.DateTimeField(null=True, blank=True))
    orders_pulled_until = internal(models.DateTimeField(null=True, blank=True))
    active = internal(models.BooleanField(default=True))

    class Meta:
        verbose_name = _("บัญชีช่องทางขาย")
        verbose_name_plural = _("บัญชีช่องทางขาย")
        ordering = ["enterprise_id", "partner_id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "partner"], name="channels_account_unique_partner")
        ]

    def __str__(self):
        return f"{self.partner} / {self.shop_name}"


class ListingState(models.TextChoices):
    DRAFT = "draft", _("ฉบับร่าง")
    QUEUED = "queued", _("กำลังส่ง")
    PENDING = "pending", _("รอพันธมิตรตรวจสอบ")
    LIVE = "live", _("ขายอยู่")
    REJECTED = "rejected", _("ถูกปฏิเสธ")
    FAILED = "failed", _("ส่งไม่สำเร็จ")


class Listing(TimeStampedModel):
    account = internal(models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="listings"))
    product = internal(models.ForeignKey(Product, on_delete=models.CASCADE, related_name="listings"))
    state = internal(
        models.CharField(_("สถานะ"), max_length=12, choices=ListingState.choices, default="draft")
    )
    partner_item_id = internal(models.CharField(max_length=64, blank=True))
    reason = internal(models.TextField(_("เหตุผลจากพันธมิตร"), blank=True))

    class Meta:
        ordering = ["account_id", "product_id"]
        constraints = [models.UniqueConstraint(fields=["account", "product"], name="channels_listing_unique")]

    def __str__(self):
        return f"{self.product} @ {self.account}"


class JobKind(models.TextChoices):
    PUBLISH = "publish", _("ลงขายสินค้า")
    LISTING_STATUS = "listing_status", _("ตรวจสถานะการลงขาย")
    SYNC_STOCK = "sync_stock", _("ปรับราคาและจำนวน")
    PULL_ORDERS = "pull_orders", _("ดึงคำสั่งซื้อ")


class JobState(models.TextChoices):
    QUEUED = "queued", _("รอดำเนินการ")
    RETRYING = "retrying", _("รอลองใหม่")
    DONE = "done", _("สำเร็จ")
    FAILED = "failed", _("ล้มเหลว")


class ChannelJob(TimeStampedModel):
    """One call (with its retries) to a partner. The idempotency key is sent with every attempt,
    so a partner that saw an attempt whose answer was lost does not act twice."""

    account = internal(models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="jobs"))
    kind = internal(models.CharField(max_length=16, choices=JobKind.choices))
    listing = internal(
        models.ForeignKey(Listing, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs")
    )
    variant_ids = internal(models.JSONField(default=list, blank=True))
    idempotency_key = internal(models.CharField(max_length=64, unique=True))
    state = internal(models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED))
    attempts = internal(models.PositiveSmallIntegerField(default=0))
    next_attempt_at = internal(models.DateTimeField(null=True, blank=True))
    last_error = internal(models.TextField(blank=True))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "state"])]

    def __str__(self):
        return f"{self.kind} {self.idempotency_key}"
