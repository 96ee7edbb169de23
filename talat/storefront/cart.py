"""The shopper's cart, kept in the session as {variant id: quantity}. It holds no stock: stock is
reserved only when an order is accepted."""

from dataclasses import dataclass

from talat.catalog.models import ProductStatus, Variant
from talat.registry.models import VerificationStatus

SESSION_KEY = "cart"
MAX_QUANTITY = 99


@dataclass
class CartLine:
    variant: Variant
    quantity: int

    @property
    def total_satang(self) -> int:
        return self.variant.price_satang * self.quantity

    @property
    def short(self) -> bool:
        return self.quantity > self.variant.available


def _raw(session) -> dict[str, int]:
    return dict(session.get(SESSION_KEY, {}))


def set_quantity(session, variant_id: int, quantity: int) -> None:
    cart = _raw(session)
    quantity = max(0, min(MAX_QUANTITY, quantity))
    if quantity:
        cart[str(variant_id)] = quantity
    else:
        cart.pop(str(variant_id), None)
    session[SESSION_KEY] = cart


def add(session, variant_id: int, quantity: int = 1) -> None:
    set_quantity(session, variant_id, _raw(session).get(str(variant_id), 0) + quantity)


def clear(session, variant_ids=None) -> None:
    cart = _raw(session)
    for key in list(cart):
        if variant_ids is None or int(key) in variant_ids:
            cart.pop(key)
    session[SESSION_KEY] = cart


def lines(session) -> list[CartLine]:
    """The cart's lines still on sale (products of verified shops that are active)."""
    cart = _raw(session)
    variants = Variant.objects.filter(
        pk__in=[int(k) for k in cart],
        product__status=ProductStatus.ACTIVE,
        enterprise__status=VerificationStatus.VERIFIED,
    ).select_related("product", "enterprise")
    return [CartLine(v, cart[str(v.pk)]) for v in sorted(variants, key=lambda v: (v.enterprise_id, v.pk))]


def count(session) -> int:
    return sum(_raw(session).values())
