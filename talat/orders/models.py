"""Orders from every channel in one inbox. Each order holds its stock from the moment it is
accepted (catalog reservations); checkout, payment and fulfilment states grow in the payments
issue."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talat.catalog.models import Variant
from talat.core.classification import confidential, internal
from talat.core.fields import EncryptedTextField
from talat.core.models import TimeStampedModel
from talat.registry.models import Enterprise


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("รอชำระเงิน")
    ACCEPTED = "accepted", _("รับคำสั่งซื้อแล้ว")
    CANCELLED = "cancelled", pgettext_lazy("order status", "ยกเลิก")


class Order(TimeStampedModel):
    uid = internal(models.UUIDField(default=uuid.uuid4, unique=True, editable=False))
    enterprise = internal(models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="orders"))
    # "storefront", or the partner code of the marketplace the order came from ("lazada", ...).
    channel = internal(models.CharField(_("ช่องทาง"), max_length=32))
    channel_order_number = internal(models.CharField(_("เลขที่คำสั่งซื้อของช่องทาง"), max_length=64))
    status = internal(models.CharField(_("สถานะ"), max_length=20, choices=OrderStatus.choices))
    partner_status = internal(models.CharField(max_length=40, blank=True))
    buyer_name = confidential(EncryptedTextField(_("ชื่อผู้ซื้อ"), blank=True), personal=True)
    buyer_email = confidential(models.EmailField(_("อีเมลผู้ซื้อ"), blank=True), personal=True)
    buyer_country = internal(models.CharField(_("ประเทศผู้ซื้อ"), max_length=2, blank=True))
    currency = internal(models.CharField(max_length=3, default="THB"))
    total_minor = internal(models.PositiveBigIntegerField(_("ยอดรวม")))
    placed_at = internal(models.DateTimeField(_("เวลาสั่งซื้อ")))
    carrier = internal(models.CharField(_("ผู้ขนส่ง"), max_length=64, blank=True))
    tracking_number = internal(models.CharField(_("เลขพัสดุ"), max_length=64, blank=True))
    note = internal(models.TextField(_("หมายเหตุ"), blank=True))

    class Meta:
        verbose_name = _("คำสั่งซื้อ")
        verbose_name_plural = _("คำสั่งซื้อ")
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "channel", "channel_order_number"],
                name="orders_order_unique_channel_number",
            )
        ]
        indexes = [models.Index(fields=["enterprise", "-placed_at"])]

    def __str__(self):
        return f"{self.channel}:{self.channel_order_number}"


class OrderLine(models.Model):
    order = internal(models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines"))
    variant = internal(models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+"))
    sku = internal(models.CharField(max_length=64))
    name = internal(models.CharField(max_length=200))
    quantity = internal(models.PositiveIntegerField())
    unit_price_minor = internal(models.PositiveBigIntegerField())

    class Meta:
        ordering = ["order_id", "id"]

    def __str__(self):
        return f"{self.quantity} × {self.sku}"
