"""Shipments of orders — domestic by carrier, cross-border through the EEC hub — their tracking
events as the partners report them, and the hub's parcels and export manifests. A parcel is in
exactly one place: its `state` and `location` say where, and every move is a ParcelMove."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from talat.core.classification import confidential, internal, public
from talat.core.models import TimeStampedModel
from talat.orders.models import Order


class Route(models.TextChoices):
    DOMESTIC = "domestic", _("ในประเทศ")
    CROSS_BORDER = "cross_border", _("ข้ามแดนผ่านศูนย์อีอีซี")


class Tracking(models.TextChoices):
    """Talat's tracking codes, in the order a parcel normally goes through them."""

    BOOKED = "booked", _("จองการจัดส่งแล้ว")
    PICKED_UP = "picked_up", _("รับพัสดุแล้ว")
    AT_HUB = "at_hub", _("ถึงศูนย์คัดแยก")
    EXPORT_CLEARED = "export_cleared", _("ผ่านพิธีการส่งออก")
    DEPARTED = "departed", _("ออกจากประเทศไทย")
    ARRIVED = "arrived", _("ถึงประเทศปลายทาง")
    IMPORT_CLEARED = "import_cleared", _("ผ่านพิธีการนำเข้า")
    OUT_FOR_DELIVERY = "out_for_delivery", _("กำลังนำจ่าย")
    DELIVERED = "delivered", _("ส่งถึงผู้รับแล้ว")
    EXCEPTION = "exception", _("มีปัญหาในการจัดส่ง")


PROGRESS = {code: rank for rank, code in enumerate(Tracking.values)}


class Shipment(TimeStampedModel):
    uid = internal(models.UUIDField(default=uuid.uuid4, unique=True, editable=False))
    order = internal(models.ForeignKey(Order, on_delete=models.PROTECT, related_name="shipments"))
    route = internal(models.CharField(_("เส้นทาง"), max_length=16, choices=Route.choices))
    partner = internal(models.CharField(_("ผู้ขนส่ง"), max_length=32))  # connector code
    tracking_number = public(models.CharField(_("เลขพัสดุ"), max_length=40, unique=True))
    partner_reference = internal(models.CharField(max_length=64, blank=True))
    status = internal(
        models.CharField(_("สถานะ"), max_length=20, choices=Tracking.choices, default=Tracking.BOOKED)
    )
    weight_g = internal(models.PositiveIntegerField(_("น้ำหนัก (กรัม)")))
    # When the partner comes to collect the parcel from the shop.
    pickup_reference = internal(models.CharField(max_length=64, blank=True))
    pickup_from = internal(models.DateTimeField(_("เข้ารับพัสดุตั้งแต่"), null=True, blank=True))
    pickup_until = internal(models.DateTimeField(_("เข้ารับพัสดุถึง"), null=True, blank=True))
    last_event_at = internal(models.DateTimeField(null=True, blank=True))

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.tracking_number


class TrackingEvent(models.Model):
    shipment = internal(models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events"))
    event_id = internal(models.CharField(max_length=80, unique=True))
    code = internal(models.CharField(max_length=20, choices=Tracking.choices))
    occurred_at = internal(models.DateTimeField())
    location = public(models.CharField(max_length=120, blank=True))
    description = public(models.CharField(max_length=300, blank=True))
    received_at = internal(models.DateTimeField(auto_now_add=True))

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self):
        return f"{self.shipment}: {self.code}"


class ParcelState(models.TextChoices):
    EXPECTED = "expected", _("รอรับเข้า")
    RECEIVED = "received", _("รับเข้าศูนย์แล้ว")
    STORED = "stored", _("จัดเก็บในคลังทัณฑ์บนแล้ว")
    PICKED = "picked", _("หยิบสินค้าแล้ว")
    PACKED = "packed", _("บรรจุแล้ว")
    MANIFESTED = "manifested", _("อยู่ในบัญชีสินค้าส่งออก")
    RELEASED = "released", _("ปล่อยออกจากศูนย์แล้ว")


# Where a parcel may go next in the hub; it is always in exactly one of these states.
PARCEL_MOVES = {
    ParcelState.EXPECTED: {ParcelState.RECEIVED},
    ParcelState.RECEIVED: {ParcelState.STORED},
    ParcelState.STORED: {ParcelState.PICKED},
    ParcelState.PICKED: {ParcelState.PACKED},
    ParcelState.PACKED: {ParcelState.MANIFESTED},
    ParcelState.MANIFESTED: {ParcelState.RELEASED, ParcelState.PACKED},
    ParcelState.RELEASED: set(),
}


IN_HUB = ["expected", "received", "stored", "picked", "packed"]
ON_MANIFEST = ["manifested", "released"]


class Transport(models.TextChoices):
    AIR = "air", _("ทางอากาศ")
    TRUCK = "truck", _("ทางถนน")
    SEA = "sea", _("ทางเรือ")


class ManifestState(models.TextChoices):
    OPEN = "open", _("กำลังรวบรวม")
    DECLARED = "declared", _("ยื่นใบขนสินค้าแล้ว")
    REJECTED = "rejected", _("ศุลกากรปฏิเสธ")
    ACCEPTED = "accepted", _("ศุลกากรรับใบขนแล้ว")
    CLEARED = "cleared", _("ศุลกากรตรวจปล่อยแล้ว")
    RELEASED = "released", _("ออกเดินทางแล้ว")


class Manifest(TimeStampedModel):
    """Parcels consolidated for one departure to one destination, declared to Customs as one."""

    uid = internal(models.UUIDField(default=uuid.uuid4, unique=True, editable=False))
    number = internal(models.CharField(_("เลขที่บัญชีสินค้า"), max_length=30, unique=True))
    destination = internal(models.CharField(_("ประเทศปลายทาง"), max_length=2))
    transport = internal(models.CharField(_("การขนส่ง"), max_length=8, choices=Transport.choices))
    departure = internal(models.CharField(_("เที่ยวบิน/ทะเบียนรถ"), max_length=40))
    departs_at = internal(models.DateTimeField(_("เวลาออกเดินทาง")))
    state = internal(
        models.CharField(_("สถานะ"), max_length=10, choices=ManifestState.choices, default=ManifestState.OPEN)
    )
    declaration_number = internal(models.CharField(_("เลขที่ใบขนสินค้า"), max_length=40, blank=True))
    customs_reason = internal(models.CharField(_("เหตุผลจากศุลกากร"), max_length=300, blank=True))
    # The declaration message as sent to Customs (exporter, goods lines, values): what the border
    # releases to the Customs Department under its agreement.
    declaration = confidential(models.JSONField(null=True, blank=True))

    class Meta:
        ordering = ["-departs_at", "-id"]

    def __str__(self):
        return self.number


class Parcel(models.Model):
    """A cross-border shipment's parcel in the hub."""

    shipment = internal(models.OneToOneField(Shipment, on_delete=models.PROTECT, related_name="parcel"))
    state = internal(
        models.CharField(_("สถานะ"), max_length=12, choices=ParcelState.choices, default=ParcelState.EXPECTED)
    )
    location = internal(models.CharField(_("ตำแหน่งจัดเก็บ"), max_length=20, blank=True))
    manifest = internal(
        models.ForeignKey(Manifest, null=True, blank=True, on_delete=models.PROTECT, related_name="parcels")
    )
    destination = internal(models.CharField(max_length=2, db_index=True))
    updated_at = internal(models.DateTimeField(auto_now=True))

    class Meta:
        indexes = [models.Index(fields=["state", "destination"])]
        constraints = [
            # In a manifest exactly when manifested or released: a parcel is never in two places.
            models.CheckConstraint(
                condition=models.Q(manifest__isnull=True, state__in=IN_HUB)
                | models.Q(manifest__isnull=False, state__in=ON_MANIFEST),
                name="logistics_parcel_manifest_matches_state",
            ),
        ]

    def __str__(self):
        return f"{self.shipment} ({self.state})"


class ParcelMove(models.Model):
    parcel = internal(models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="moves"))
    from_state = internal(models.CharField(max_length=12, choices=ParcelState.choices))
    to_state = internal(models.CharField(max_length=12, choices=ParcelState.choices))
    location = internal(models.CharField(max_length=20, blank=True))
    by = internal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
        )
    )
    at = internal(models.DateTimeField(auto_now_add=True))

    class Meta:
        ordering = ["parcel_id", "at", "id"]

    def __str__(self):
        return f"{self.parcel_id}: {self.from_state} → {self.to_state}"
