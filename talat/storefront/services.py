"""Turning a cart into orders and one PromptPay payment: an order per shop, each reserving its
stock as it is accepted and carrying its own delivery fee, paid together by one QR."""

from itertools import groupby

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from talat.catalog.services.stock import OutOfStock
from talat.channels import services as channels
from talat.core import audit
from talat.orders import services as orders
from talat.orders.models import OrderStatus
from talat.payments import services as payments
from talat.payments.models import PaymentRequest
from talat.storefront.cart import CartLine


def place_orders(
    *,
    lines: list[CartLine],
    buyer_name: str,
    buyer_email: str = "",
    buyer_phone: str = "",
    buyer_country: str = "TH",
    address: dict | None = None,
    shipping_method: str = "standard",
) -> PaymentRequest:
    """All or nothing: every shop's order is accepted with its stock held and one payment asked
    for their sum, or nothing is written."""
    if not lines:
        raise ValidationError(_("ตะกร้าสินค้าว่าง"), code="empty")
    if not buyer_name.strip():
        raise ValidationError({"buyer_name": _("กรุณากรอกชื่อผู้ซื้อ")})
    if shipping_method not in settings.TALAT_SHIPPING_FEES:
        raise ValidationError({"shipping_method": _("กรุณาเลือกวิธีจัดส่ง")})
    placed = []
    try:
        with transaction.atomic(), audit.collected():
            for _enterprise_id, shop_lines in groupby(lines, key=lambda line: line.variant.enterprise_id):
                shop_lines = list(shop_lines)
                order, _created = orders.accept_order(
                    enterprise=shop_lines[0].variant.enterprise,
                    channel="storefront",
                    channel_order_number=None,
                    lines=[
                        orders.Wanted(line.variant, line.quantity, line.variant.price_satang)
                        for line in shop_lines
                    ],
                    buyer_name=buyer_name.strip(),
                    buyer_email=buyer_email.strip(),
                    buyer_phone=buyer_phone,
                    buyer_country=buyer_country,
                    address=address,
                    shipping_method=shipping_method,
                    shipping_minor=settings.TALAT_SHIPPING_FEES[shipping_method],
                    status=OrderStatus.AWAITING_PAYMENT,
                )
                placed.append(order)
            payment = payments.request_payment(orders_to_pay=placed)
            variant_ids = [line.variant.pk for line in lines]
            transaction.on_commit(lambda: channels.stock_changed(variant_ids))
    except OutOfStock as short:
        raise ValidationError(str(short), code="out_of_stock") from short
    return payment
