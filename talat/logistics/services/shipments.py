"""Booking a paid order's parcel: cross-border through the EEC hub's logistics partner, domestic
by carrier. The partner receives, through the border under its logistics agreement, only the
consignee and the parcel's goods — never the shop's business records."""

import importlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from talat.catalog.models import Variant
from talat.governance import border
from talat.governance.models import Purpose
from talat.logistics.models import Route, Shipment
from talat.logistics.services import hub
from talat.orders.models import Order, OrderLine, OrderStatus
from talat.registry.models import Enterprise, Partner

CONNECTORS = {
    "cainiao": "talat.logistics.connectors.cainiao.CainiaoConnector",
    "thailandpost": "talat.logistics.connectors.thaipost.ThaiPostConnector",
}
PARTNER_FOR = {Route.CROSS_BORDER: "cainiao", Route.DOMESTIC: "thailandpost"}
CONSIGNEE = (
    "buyer_name", "buyer_phone", "address_line", "subdistrict_code", "district_code", "province_code",
    "postal_code", "buyer_country", "channel_order_number", "currency",
)  # fmt: skip
GOODS = ("sku", "name", "quantity", "unit_price_minor")
WEIGHTS = ("sku", "weight_g")
# Where the partner collects the parcel: the shop's trading name, pickup address and phone (never
# its tax ID, sales or other business records).
SENDER = ("name_th", "name_en", "phone", "address_line", "subdistrict_code", "district_code", "province_code",
          "postal_code")  # fmt: skip
# What a logistics agreement must release for a booking: the consignee and the parcel's goods.
RELEASED_FIELDS = [
    *(f"orders.Order.{name}" for name in CONSIGNEE),
    *(f"orders.OrderLine.{name}" for name in GOODS),
    *(f"catalog.Variant.{name}" for name in WEIGHTS),
    *(f"registry.Enterprise.{name}" for name in SENDER),
]


def connector_for(partner: Partner, *, transport=None):
    module, name = CONNECTORS[partner.code].rsplit(".", 1)
    options = {
        k: v for k, v in settings.TALAT_LOGISTICS[partner.code].items() if k not in ("url", "webhook_secret")
    }
    cls = getattr(importlib.import_module(module), name)
    return cls(
        partner=partner,
        base_url=settings.TALAT_LOGISTICS[partner.code]["url"],
        transport=transport,
        **options,
    )


def book(*, order: Order, weight_g: int, by=None, transport=None) -> Shipment:
    """Books the order's parcel once (booking again returns the same shipment)."""
    existing = order.shipments.first()
    if existing:
        return existing
    if order.status not in (OrderStatus.PAID, OrderStatus.PACKED):
        raise ValidationError(_("จัดส่งได้เฉพาะคำสั่งซื้อที่ชำระเงินแล้ว"), code="not_paid")
    if not 0 < weight_g <= 30_000:
        raise ValidationError({"weight_g": _("น้ำหนักพัสดุต้องอยู่ระหว่าง 1 กรัมถึง 30 กิโลกรัม")})
    route = Route.DOMESTIC if (order.buyer_country or "TH") == "TH" else Route.CROSS_BORDER
    partner = Partner.objects.get(code=PARTNER_FOR[route])
    consignee = border.release(
        {name: getattr(order, name) for name in CONSIGNEE}, source=Order, recipient=partner,
        purpose=Purpose.LOGISTICS, subject=order.enterprise,
    )  # fmt: skip
    lines = list(order.lines.select_related("variant"))
    goods = border.release_many(
        [({name: getattr(line, name) for name in GOODS}, order.enterprise) for line in lines],
        source=OrderLine, recipient=partner, purpose=Purpose.LOGISTICS,
    )  # fmt: skip
    weights = border.release_many(
        [({name: getattr(line.variant, name) for name in WEIGHTS}, order.enterprise) for line in lines],
        source=Variant, recipient=partner, purpose=Purpose.LOGISTICS,
    )  # fmt: skip
    sender = border.release(
        {name: getattr(order.enterprise, name) for name in SENDER}, source=Enterprise, recipient=partner,
        purpose=Purpose.LOGISTICS, subject=order.enterprise,
    )  # fmt: skip
    connector = connector_for(partner, transport=transport)
    booking = connector.create_shipment(
        consignee, items=[*goods, *weights], sender=sender, idempotency_key=f"ship:{order.uid}"
    )
    # The partner collects the parcel from the shop's pickup address.
    pickup = connector.request_pickup(
        [booking.tracking_number], sender=sender, idempotency_key=f"pickup:{order.uid}"
    )
    with transaction.atomic():
        shipment = Shipment.objects.create(
            order=order, route=route, partner=partner.code, tracking_number=booking.tracking_number,
            partner_reference=booking.partner_reference, weight_g=weight_g, pickup_reference=pickup.reference,
            pickup_from=pickup.window_start, pickup_until=pickup.window_end,
        )  # fmt: skip
        if route == Route.CROSS_BORDER:
            hub.expect(shipment)
    return shipment
