"""Turning a cart into orders: one order per shop, each reserving its stock as it is accepted.
Payment (PromptPay) follows in the payments module; until then orders wait for payment."""

import secrets
from itertools import groupby

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from talat.catalog.services.stock import OutOfStock
from talat.channels import services as channels
from talat.orders import services as orders
from talat.orders.models import Order, OrderStatus
from talat.storefront.cart import CartLine


def _order_number() -> str:
    return "TL-" + secrets.token_hex(5).upper()


def place_orders(
    *, lines: list[CartLine], buyer_name: str, buyer_email: str = "", buyer_country: str = "TH"
) -> list[Order]:
    """All or nothing: every shop's order is accepted with its stock held, or none is."""
    if not lines:
        raise ValidationError(_("ตะกร้าสินค้าว่าง"), code="empty")
    if not buyer_name.strip():
        raise ValidationError({"buyer_name": _("กรุณากรอกชื่อผู้ซื้อ")})
    placed = []
    try:
        with transaction.atomic():
            for _enterprise_id, shop_lines in groupby(lines, key=lambda line: line.variant.enterprise_id):
                shop_lines = list(shop_lines)
                order, _created = orders.accept_order(
                    enterprise=shop_lines[0].variant.enterprise,
                    channel="storefront",
                    channel_order_number=_order_number(),
                    lines=[
                        orders.Wanted(line.variant, line.quantity, line.variant.price_satang)
                        for line in shop_lines
                    ],
                    buyer_name=buyer_name.strip(),
                    buyer_email=buyer_email.strip(),
                    buyer_country=buyer_country,
                    status=OrderStatus.AWAITING_PAYMENT,
                )
                placed.append(order)
            variant_ids = [line.variant.pk for line in lines]
            transaction.on_commit(lambda: channels.stock_changed(variant_ids))
    except OutOfStock as short:
        raise ValidationError(str(short), code="out_of_stock") from short
    return placed
