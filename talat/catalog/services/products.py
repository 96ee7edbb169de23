"""Creating and changing products, their SKUs and images. Each call is one transaction that also
refreshes the product's search entry."""

import io
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from talat.catalog.models import MovementReason, Product, ProductImage, Variant
from talat.catalog.search.engine import index_products
from talat.catalog.services import stock

MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_IMAGE_PIXELS = 40_000_000
MAX_IMAGE_SIDE = 1600
THUMBNAIL_SIDE = 400
MAX_IMAGES = 8

PRODUCT_FIELDS = (
    "name_th", "name_en", "name_zh", "description_th", "description_en", "description_zh",
    "category", "brand", "province_code", "otop_stars", "certifications", "hs_code",
)  # fmt: skip
VARIANT_FIELDS = (
    "sku", "barcode", "option_th", "option_en", "option_zh", "price_satang", "cny_price_fen",
    "weight_g", "length_mm", "width_mm", "height_mm",
)  # fmt: skip


def _sku_taken(enterprise, skus, exclude_product=None) -> list[str]:
    taken = Variant.objects.filter(enterprise=enterprise, sku__in=skus)
    if exclude_product is not None:
        taken = taken.exclude(product=exclude_product)
    return sorted(taken.values_list("sku", flat=True))


def _check_skus(enterprise, variants: Sequence[dict], exclude_product=None) -> None:
    skus = [v["sku"] for v in variants]
    if not skus:
        raise ValidationError(_("สินค้าต้องมีอย่างน้อยหนึ่งรายการ (SKU)"), code="no_variants")
    if len(set(skus)) != len(skus):
        raise ValidationError(_("รหัสสินค้า (SKU) ซ้ำกันในสินค้าเดียวกัน"), code="sku_duplicate")
    taken = _sku_taken(enterprise, skus, exclude_product)
    if taken:
        raise ValidationError(
            _("รหัสสินค้า (SKU) %(skus)s มีอยู่แล้วในร้านของคุณ") % {"skus": ", ".join(taken)}, code="sku_taken"
        )


def create_product(*, enterprise, by, product: dict, variants: Sequence[dict], stock_by_sku=None) -> Product:
    """`product` and `variants` are cleaned data of catalog.forms.ProductForm / VariantForm;
    `stock_by_sku` the opening quantities, received at the main location."""
    _check_skus(enterprise, variants)
    stock_by_sku = stock_by_sku or {}
    try:
        with transaction.atomic():
            created = Product.objects.create(enterprise=enterprise, **{k: product[k] for k in PRODUCT_FIELDS})
            for data in variants:
                variant = Variant.objects.create(
                    enterprise=enterprise,
                    product=created,
                    **{k: data[k] for k in VARIANT_FIELDS if k in data},
                )
                opening = stock_by_sku.get(variant.sku, 0)
                if opening:
                    stock.receive(variant=variant, quantity=opening, by=by, reason=MovementReason.IMPORT,
                                  reference=_("สต็อกเริ่มต้น"))  # fmt: skip
            index_products([created.pk])
    except IntegrityError as error:
        if "catalog_variant_unique_sku" not in str(error) and "catalog_variant.sku" not in str(error):
            raise
        # a concurrent create took the SKU between the check and the insert
        raise ValidationError(_("รหัสสินค้า (SKU) นี้มีอยู่แล้วในร้านของคุณ"), code="sku_taken") from error
    return created


def update_product(*, product: Product, by, data: dict, variants: Sequence[dict]) -> Product:
    """Changes the product's fields and its SKUs: SKUs are matched by code, new ones added;
    a SKU that holds stock or is missing from `variants` is kept (archive the product instead)."""
    _check_skus(product.enterprise, variants, exclude_product=product)
    with transaction.atomic():
        for key in PRODUCT_FIELDS:
            setattr(product, key, data[key])
        product.save()
        existing = {v.sku: v for v in product.variants.all()}
        for item in variants:
            variant = existing.get(item["sku"]) or Variant(enterprise=product.enterprise, product=product)
            for key in VARIANT_FIELDS:
                if key in item:
                    setattr(variant, key, item[key])
            variant.save()
        index_products([product.pk])
    return product


def set_status(*, product: Product, status: str, by) -> None:
    with transaction.atomic():
        product.status = status
        product.save(update_fields=["status", "updated_at"])
        index_products([product.pk])


def _jpeg(image: Image.Image, side: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((side, side))
    if copy.mode not in ("RGB", "L"):
        copy = copy.convert("RGB")
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def add_image(*, product: Product, upload, alt: str = "") -> ProductImage:
    """Checks an uploaded image (size, real type, dimensions), stores it re-encoded as JPEG (which
    drops any embedded metadata such as GPS positions) with a thumbnail."""
    if upload.size > MAX_IMAGE_BYTES:
        raise ValidationError(_("รูปภาพต้องไม่เกิน 5 MB"), code="image_size")
    if product.images.count() >= MAX_IMAGES:
        raise ValidationError(_("สินค้าหนึ่งรายการมีรูปได้ไม่เกิน %(n)s รูป") % {"n": MAX_IMAGES}, code="image_count")
    try:
        image = Image.open(upload)
        kind = image.format
        if image.width * image.height > MAX_IMAGE_PIXELS:  # checked before decoding a byte of it
            raise ValidationError(_("รูปภาพใหญ่เกินไป (ไม่เกิน 40 ล้านพิกเซล)"), code="image_pixels")
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValidationError(_("ไฟล์นี้ไม่ใช่รูปภาพที่อ่านได้"), code="image_type") from error
    if kind not in IMAGE_FORMATS:
        raise ValidationError(_("รองรับเฉพาะรูป JPEG, PNG หรือ WebP"), code="image_type")
    if min(image.size) < 200:
        raise ValidationError(_("รูปภาพต้องกว้างและสูงอย่างน้อย 200 พิกเซล"), code="image_small")
    with transaction.atomic():
        record = ProductImage(product=product, position=product.images.count(), alt_th=alt[:200])
        record.image.save("image.jpg", ContentFile(_jpeg(image, MAX_IMAGE_SIDE)), save=False)
        record.thumbnail.save("thumb.jpg", ContentFile(_jpeg(image, THUMBNAIL_SIDE)), save=False)
        record.save()
    return record


def remove_image(*, image: ProductImage) -> None:
    with transaction.atomic():
        image.delete()
        transaction.on_commit(lambda: (image.image.delete(save=False), image.thumbnail.delete(save=False)))
