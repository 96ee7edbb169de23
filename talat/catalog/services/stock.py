"""The one stock count. Every change is one conditional UPDATE of the SKU row inside the caller's
transaction, so concurrent sales on any channel can never take more than is available:
`available` never goes below zero (a CHECK constraint backs the condition)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from talat.catalog.models import MovementReason, StockLevel, StockLocation, StockMovement, Variant


class OutOfStock(Exception):
    def __init__(self, sku: str, wanted: int, available: int):
        self.sku, self.wanted, self.available = sku, wanted, available
        super().__init__(
            _("สินค้า %(sku)s มีไม่พอ: ต้องการ %(wanted)s เหลือ %(available)s")
            % {"sku": sku, "wanted": wanted, "available": available}
        )


@dataclass(frozen=True)
class Line:
    variant_id: int
    quantity: int


def default_location(enterprise) -> StockLocation:
    location, _created = StockLocation.objects.get_or_create(
        enterprise=enterprise, code="main", defaults={"name": _("คลังหลัก")}
    )
    return location


def receive(*, variant: Variant, quantity: int, location: StockLocation | None = None, by=None,
            reason: str = MovementReason.RECEIPT, reference: str = "") -> None:  # fmt: skip
    """Goods arrive at a location: on hand there and available both grow."""
    if quantity <= 0:
        raise ValidationError(_("จำนวนต้องมากกว่าศูนย์"), code="quantity")
    location = location or default_location(variant.enterprise)
    if location.enterprise_id != variant.enterprise_id:
        raise ValidationError(_("คลังนี้ไม่ใช่ของกิจการนี้"), code="location")
    with transaction.atomic():
        level, _created = StockLevel.objects.get_or_create(variant=variant, location=location)
        StockLevel.objects.filter(pk=level.pk).update(on_hand=F("on_hand") + quantity)
        Variant.objects.filter(pk=variant.pk).update(available=F("available") + quantity)
        StockMovement.objects.create(
            variant=variant,
            location=location,
            reason=reason,
            on_hand_delta=quantity,
            reference=reference,
            by=by,
        )


def count(*, variant: Variant, location: StockLocation, counted: int, by=None, reference: str = "") -> int:
    """A stock count at a location sets what is on hand there; returns the change. Stock held by
    orders cannot be counted away."""
    if counted < 0:
        raise ValidationError(_("จำนวนต้องไม่ติดลบ"), code="quantity")
    with transaction.atomic():
        level, _created = StockLevel.objects.select_for_update().get_or_create(
            variant=variant, location=location
        )
        delta = counted - level.on_hand
        if delta == 0:
            return 0
        changed = Variant.objects.filter(pk=variant.pk, available__gte=-delta).update(
            available=F("available") + delta
        )
        if not changed:
            raise ValidationError(_("ปรับยอดไม่ได้: สินค้าส่วนนี้ถูกจองไว้กับคำสั่งซื้อแล้ว"), code="reserved")
        StockLevel.objects.filter(pk=level.pk).update(on_hand=counted)
        StockMovement.objects.create(variant=variant, location=location, reason=MovementReason.ADJUSTMENT,
                                     on_hand_delta=delta, reference=reference, by=by)  # fmt: skip
        return delta


def reserve(lines: Iterable[Line], *, reference: str, savepoint: bool = True) -> None:
    """Moves each line's quantity from available to reserved, all or none. Call inside the
    transaction that accepts the order; raises OutOfStock (the caller's transaction rolls back).
    Without `savepoint` a refusal also spoils the caller's transaction, for a caller that is all
    or nothing itself (one statement fewer each way)."""
    merged: dict[int, int] = {}
    for line in lines:
        if line.quantity <= 0:
            raise ValidationError(_("จำนวนต้องมากกว่าศูนย์"), code="quantity")
        merged[line.variant_id] = merged.get(line.variant_id, 0) + line.quantity
    with transaction.atomic(savepoint=savepoint):
        for variant_id in sorted(merged):  # one lock order for every caller: no deadlocks
            wanted = merged[variant_id]
            taken = Variant.objects.filter(pk=variant_id, available__gte=wanted).update(
                available=F("available") - wanted, reserved=F("reserved") + wanted
            )
            if not taken:
                variant = Variant.objects.get(pk=variant_id)
                raise OutOfStock(variant.sku, wanted, variant.available)
        StockMovement.objects.bulk_create(
            StockMovement(
                variant_id=vid, reason=MovementReason.RESERVED, reserved_delta=q, reference=reference
            )
            for vid, q in sorted(merged.items())
        )


def release(lines: Iterable[Line], *, reference: str) -> None:
    """Gives reserved stock back to available (an order cancelled or expired)."""
    with transaction.atomic():
        for line in sorted(lines, key=lambda item: item.variant_id):
            changed = Variant.objects.filter(pk=line.variant_id, reserved__gte=line.quantity).update(
                available=F("available") + line.quantity, reserved=F("reserved") - line.quantity
            )
            if not changed:
                raise ValidationError(_("ไม่มีสินค้าที่จองไว้ให้คืน"), code="not_reserved")
            StockMovement.objects.create(variant_id=line.variant_id, reason=MovementReason.RELEASED,
                                         reserved_delta=-line.quantity, reference=reference)  # fmt: skip


def dispatch(lines: Iterable[Line], *, reference: str) -> None:
    """Reserved goods leave the warehouse (an order shipped): reserved and on hand both shrink,
    taken from the locations holding the most first."""
    with transaction.atomic():
        for line in sorted(lines, key=lambda item: item.variant_id):
            changed = Variant.objects.filter(pk=line.variant_id, reserved__gte=line.quantity).update(
                reserved=F("reserved") - line.quantity
            )
            if not changed:
                raise ValidationError(_("ไม่มีสินค้าที่จองไว้ให้ส่ง"), code="not_reserved")
            remaining = line.quantity
            levels = StockLevel.objects.select_for_update().filter(variant_id=line.variant_id, on_hand__gt=0)
            for index, level in enumerate(levels.order_by("-on_hand", "pk")):
                taken = min(remaining, level.on_hand)
                StockLevel.objects.filter(pk=level.pk).update(on_hand=F("on_hand") - taken)
                StockMovement.objects.create(variant_id=line.variant_id, location_id=level.location_id,
                                             reason=MovementReason.SHIPPED, on_hand_delta=-taken,
                                             reserved_delta=-line.quantity if index == 0 else 0,
                                             reference=reference)  # fmt: skip
                remaining -= taken
                if not remaining:
                    break
