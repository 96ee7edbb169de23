"""Orders from every channel in one inbox. Each order holds its stock from the moment it is
accepted (catalog reservations) and moves through one state machine (`TRANSITIONS`); every move
is kept as an `OrderEvent` and in the audit log."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talat.catalog.models import Variant
from talat.core.classification import confidential, internal
from talat.core.fields import EncryptedTextField
from talat.core.models import TimeStampedModel
from talat.registry.models import Enterprise


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("รอชำระเงิน")
    PAID = "paid", _("ชำระเงินแล้ว")
    PACKED = "packed", _("แพ็กสินค้าแล้ว")
    SHIPPED = "shipped", _("จัดส่งแล้ว")
    DELIVERED = "delivered", _("ส่งถึงผู้ซื้อแล้ว")
    CANCELLED = "cancelled", pgettext_lazy("order status", "ยกเลิก")
    REFUNDED = "refunded", _("คืนเงินแล้ว")


S = OrderStatus
# Where an order may go next. A paid order is not cancelled but refunded (the money goes back);
# a partial refund keeps the order where it is, a full one ends it.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.AWAITING_PAYMENT: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.PACKED, S.REFUNDED}),
    S.PACKED: frozenset({S.SHIPPED, S.REFUNDED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.REFUNDED}),
    S.DELIVERED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}
REFUNDABLE = frozenset({S.PAID, S.PACKED, S.SHIPPED, S.DELIVERED})
HOLDS_STOCK = frozenset({S.AWAITING_PAYMENT, S.PAID, S.PACKED})


class ShippingMethod(models.TextChoices):
    STANDARD = "standard", _("ไปรษณีย์ธรรมดา (3–5 วัน)")
    EXPRESS = "express", _("ด่วนพิเศษ (1–2 วัน)")
    CROSS_BORDER = "cross_border", _("ส่งข้ามแดนผ่านศูนย์อีอีซี")
    MARKETPLACE = "marketplace", _("จัดส่งตามช่องทางขาย")


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
    buyer_phone = confidential(EncryptedTextField(_("โทรศัพท์ผู้ซื้อ"), blank=True), personal=True)
    buyer_country = internal(models.CharField(_("ประเทศผู้ซื้อ"), max_length=2, blank=True))
    # Delivery address: Thai addresses by official area codes, foreign ones as written.
    address_line = confidential(EncryptedTextField(_("ที่อยู่จัดส่ง"), blank=True), personal=True)
    subdistrict_code = internal(models.CharField(max_length=6, blank=True), personal=True)
    district_code = internal(models.CharField(max_length=4, blank=True), personal=True)
    province_code = internal(models.CharField(max_length=2, blank=True))
    postal_code = internal(models.CharField(_("รหัสไปรษณีย์"), max_length=10, blank=True), personal=True)
    shipping_method = internal(
        models.CharField(_("วิธีจัดส่ง"), max_length=20, choices=ShippingMethod.choices, blank=True)
    )
    currency = internal(models.CharField(max_length=3, default="THB"))
    shipping_minor = internal(models.PositiveBigIntegerField(_("ค่าจัดส่ง"), default=0))
    total_minor = internal(models.PositiveBigIntegerField(_("ยอดรวม")))
    # The VAT included in the total (prices are VAT-inclusive); 0 when the seller is not registered.
    vat_minor = internal(models.PositiveBigIntegerField(_("ภาษีมูลค่าเพิ่ม"), default=0))
    refunded_minor = internal(models.PositiveBigIntegerField(_("คืนเงินแล้ว"), default=0))
    placed_at = internal(models.DateTimeField(_("เวลาสั่งซื้อ")))
    paid_at = internal(models.DateTimeField(_("เวลาชำระเงิน"), null=True, blank=True))
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
            ),
            models.CheckConstraint(
                condition=models.Q(refunded_minor__lte=models.F("total_minor")),
                name="orders_order_refund_within_total",
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "-placed_at"])]

    def __str__(self):
        return f"{self.channel}:{self.channel_order_number}"

    @property
    def goods_minor(self) -> int:
        return self.total_minor - self.shipping_minor

    @property
    def refundable_minor(self) -> int:
        return self.total_minor - self.refunded_minor if self.status in REFUNDABLE else 0

    def next_statuses(self) -> frozenset[str]:
        return TRANSITIONS[self.status]


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


class OrderEvent(models.Model):
    """One move of an order through its states (or a refund), kept for the seller, the buyer's
    page and audits."""

    order = internal(models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events"))
    from_status = internal(models.CharField(max_length=20, choices=OrderStatus.choices, blank=True))
    to_status = internal(models.CharField(max_length=20, choices=OrderStatus.choices))
    actor = internal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
        )
    )
    amount_minor = internal(models.PositiveBigIntegerField(default=0))  # refunds: how much went back
    note = internal(models.CharField(max_length=300, blank=True))
    at = internal(models.DateTimeField(default=timezone.now))

    class Meta:
        ordering = ["order_id", "at", "id"]

    def __str__(self):
        return f"{self.order}: {self.from_status} → {self.to_status}"
