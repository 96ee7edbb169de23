"""A product's bill of materials and costing for certificates of origin (Form E, Form D, RCEP):
replaced as a whole, in one transaction, or not at all.

    set_bill_of_materials(
        product=product,
        materials=[{"name_th": "ด้ายไหม", "hs_code": "5004.00", "origin_country": "CN",
                    "value_satang": 35_000, "wholly_obtained": False, "packaging": False}],
        costing={"fob_satang": 50_000, "direct_labour_satang": 6_000, "overhead_satang": 2_000,
                 "profit_satang": 3_500, "other_satang": 1_000, "wholly_obtained": False},
        by=user,
    )

A bad row raises one ValidationError listing every problem, keyed by row and field
(`row_key(0, "hs_code")` -> "materials.0.hs_code", `costing_key("fob_satang")` ->
"costing.fob_satang"), and nothing is written. Money is integer satang.
"""

from collections.abc import Sequence

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from talat.catalog.models import Material, OriginCosting, Product
from talat.core import audit

MAX_MATERIALS = 100
MATERIAL_FIELDS = ("name_th", "hs_code", "origin_country", "value_satang", "wholly_obtained", "packaging")
COSTING_MONEY = ("fob_satang", "direct_labour_satang", "overhead_satang", "profit_satang", "other_satang")
# No real per-unit figure comes near this (฿10,000,000,000); it keeps sums far inside a bigint.
MAX_SATANG = 10**12


def row_key(index: int, field: str) -> str:
    """The error key of `field` of the `index`-th material (0-based, in the order given)."""
    return f"materials.{index}.{field}"


def costing_key(field: str) -> str:
    return f"costing.{field}"


def _money_problem(value, *, required: bool) -> str | None:
    if value is None or value == "":
        return _("กรุณากรอกจำนวนเงิน") if required else None
    if isinstance(value, bool) or not isinstance(value, int):
        return _("จำนวนเงินต้องเป็นจำนวนเต็มสตางค์")
    if value < 0:
        return _("จำนวนเงินต้องไม่ติดลบ")
    if value > MAX_SATANG:
        return _("จำนวนเงินสูงเกินไป")
    return None


def _check_material(index: int, data: dict, errors: dict) -> Material:
    material = Material(
        name_th=(data.get("name_th") or "").strip(),
        hs_code=data.get("hs_code") or "",
        origin_country=data.get("origin_country") or "",
        value_satang=data.get("value_satang"),
        wholly_obtained=bool(data.get("wholly_obtained")),
        packaging=bool(data.get("packaging")),
        position=index,
    )
    row = {}
    if not material.name_th:
        row["name_th"] = [_("กรุณากรอกชื่อวัตถุดิบ")]
    elif len(material.name_th) > 200:
        row["name_th"] = [_("ชื่อวัตถุดิบยาวได้ไม่เกิน 200 ตัวอักษร")]
    if problem := _money_problem(material.value_satang, required=True):
        row["value_satang"] = [problem]
    # Material.clean_fields normalises the code and the country ("5004.00" -> "500400", "cn" -> "CN");
    # Material.clean says in Thai what is wrong with them.
    material.clean_fields(exclude=[field.name for field in Material._meta.fields])
    try:
        material.clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            row.setdefault(field, messages)
    for field, messages in row.items():
        errors[row_key(index, field)] = messages
    return material


def _check_costing(costing: dict | None, errors: dict) -> dict | None:
    """The costing to store, or None to keep no costing (every figure blank and no declaration)."""
    costing = costing or {}
    declared = bool(costing.get("wholly_obtained"))
    if all(costing.get(field) in (None, "") for field in COSTING_MONEY) and not declared:
        return None
    checked = {"wholly_obtained": declared}
    for field in COSTING_MONEY:
        value = costing.get(field)
        if field == "fob_satang" and value in (None, ""):
            errors[costing_key(field)] = [_("กรุณากรอกราคา FOB ต่อหน่วย")]
            continue
        if problem := _money_problem(value, required=False):
            errors[costing_key(field)] = [problem]
            continue
        checked[field] = value or 0
    if costing_key("fob_satang") not in errors and checked.get("fob_satang", 0) <= 0:
        errors[costing_key("fob_satang")] = [_("ราคา FOB ต้องมากกว่าศูนย์")]
    return checked


def set_bill_of_materials(*, product: Product, materials: Sequence[dict], costing: dict | None, by) -> None:
    """Replaces `product`'s bill of materials with `materials` (in that order) and its costing
    with `costing`, all or nothing. Each material is a dict of MATERIAL_FIELDS with money in
    satang; `costing` holds COSTING_MONEY (fob_satang required, the rest default to 0) and
    `wholly_obtained`. A costing with every figure blank and no declaration removes the costing.
    Raises ValidationError keyed by row_key / costing_key with every problem found."""
    errors: dict[str, list] = {}
    if len(materials) > MAX_MATERIALS:
        errors[NON_FIELD_ERRORS] = [_("รายการวัตถุดิบมีได้ไม่เกิน %(limit)s รายการ") % {"limit": MAX_MATERIALS}]
    rows = [_check_material(index, data, errors) for index, data in enumerate(materials)]
    checked_costing = _check_costing(costing, errors)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        # One editor at a time: a second save waits and then replaces the whole bill again.
        Product.objects.select_for_update().filter(pk=product.pk).first()
        Material.objects.filter(product=product).delete()
        for material in rows:
            material.product = product
        Material.objects.bulk_create(rows)
        if checked_costing is None:
            OriginCosting.objects.filter(product=product).delete()
        else:
            OriginCosting.objects.update_or_create(product=product, defaults=checked_costing)
        audit.append(
            "catalog.bill_of_materials",
            actor=by,
            refs={
                "product": str(product.uid),
                "materials": len(rows),
                "costing": checked_costing is not None,
            },
        )
    # The product's cached reverse relations no longer match the stored bill.
    product._state.fields_cache.pop("origin_costing", None)
    getattr(product, "_prefetched_objects_cache", {}).pop("materials", None)
