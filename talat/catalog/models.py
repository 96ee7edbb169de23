"""Products listed once (Thai, English, Chinese), their variants (SKUs) and the one stock count.

Stock is held once per SKU: `Variant.available` is what any channel may sell, `Variant.reserved`
what accepted orders hold. Per-location counts (`StockLevel.on_hand`) always sum to
available + reserved; services keep that invariant and write a `StockMovement` for every change.
"""

import re
import uuid

import geothai
import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from talat.catalog import tariff
from talat.core.classification import confidential, internal, public
from talat.core.models import TimeStampedModel
from talat.registry.models import Enterprise, GoodsCategory


class Certification(models.TextChoices):
    FDA = "fda", _("อย. (FDA)")
    GMP = "gmp", _("GMP")
    HALAL = "halal", _("ฮาลาล")
    ORGANIC = "organic", _("เกษตรอินทรีย์")


class ProductStatus(models.TextChoices):
    ACTIVE = "active", _("วางขาย")
    DRAFT = "draft", _("ฉบับร่าง")
    ARCHIVED = "archived", _("เลิกขาย")


def localized(record, stem: str) -> str:
    """record.<stem>_th / _en / _zh for the active language, falling back to Thai."""
    language = get_language() or "th"
    suffix = "zh" if language.startswith("zh") else "en" if language.startswith("en") else "th"
    return getattr(record, f"{stem}_{suffix}", "") or getattr(record, f"{stem}_th")


class Product(TimeStampedModel):
    uid = internal(models.UUIDField(default=uuid.uuid4, unique=True, editable=False))
    enterprise = public(
        models.ForeignKey(
            Enterprise, on_delete=models.PROTECT, related_name="products", verbose_name=_("กิจการ")
        )
    )
    name_th = public(models.CharField(_("ชื่อสินค้า (ภาษาไทย)"), max_length=200))
    name_en = public(models.CharField(_("ชื่อสินค้า (ภาษาอังกฤษ)"), max_length=200, blank=True))
    name_zh = public(models.CharField(_("ชื่อสินค้า (ภาษาจีน)"), max_length=200, blank=True))
    description_th = public(models.TextField(_("รายละเอียด (ภาษาไทย)"), blank=True))
    description_en = public(models.TextField(_("รายละเอียด (ภาษาอังกฤษ)"), blank=True))
    description_zh = public(models.TextField(_("รายละเอียด (ภาษาจีน)"), blank=True))
    category = public(
        models.ForeignKey(
            GoodsCategory, on_delete=models.PROTECT, related_name="products", verbose_name=_("หมวดสินค้า")
        )
    )
    brand = public(models.CharField(_("ตราสินค้า"), max_length=100, blank=True))
    province_code = public(models.CharField(_("จังหวัดแหล่งผลิต"), max_length=2))
    otop_stars = public(models.PositiveSmallIntegerField(_("ระดับดาว OTOP"), null=True, blank=True))
    certifications = public(models.JSONField(_("มาตรฐานที่ได้รับ"), default=list, blank=True))
    hs_code = public(models.CharField(_("พิกัดศุลกากร (HS/AHTN)"), max_length=8))
    status = public(
        models.CharField(
            _("สถานะ"), max_length=12, choices=ProductStatus.choices, default=ProductStatus.ACTIVE
        )
    )

    class Meta:
        verbose_name = _("สินค้า")
        verbose_name_plural = _("สินค้า")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(otop_stars__isnull=True) | Q(otop_stars__gte=1, otop_stars__lte=5),
                name="catalog_product_otop_stars_1_5",
            )
        ]
        indexes = [models.Index(fields=["enterprise", "-created_at"])]

    def __str__(self):
        return self.name_th

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def province(self):
        return geothai.province(self.province_code)


class Variant(models.Model):
    """One SKU. Its price is in satang; the optional CNY list price in fen."""

    enterprise = internal(models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+"))
    product = public(models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants"))
    sku = public(models.CharField(_("รหัสสินค้า (SKU)"), max_length=64))
    barcode = public(models.CharField(_("บาร์โค้ด"), max_length=14, blank=True))
    option_th = public(models.CharField(_("ตัวเลือก (ภาษาไทย)"), max_length=100, blank=True))
    option_en = public(models.CharField(_("ตัวเลือก (ภาษาอังกฤษ)"), max_length=100, blank=True))
    option_zh = public(models.CharField(_("ตัวเลือก (ภาษาจีน)"), max_length=100, blank=True))
    price_satang = public(models.PositiveBigIntegerField(_("ราคา (สตางค์)")))
    cny_price_fen = public(models.PositiveBigIntegerField(_("ราคาหยวน (เฟิน)"), null=True, blank=True))
    weight_g = public(models.PositiveIntegerField(_("น้ำหนัก (กรัม)")))
    length_mm = public(models.PositiveIntegerField(_("ยาว (มม.)"), null=True, blank=True))
    width_mm = public(models.PositiveIntegerField(_("กว้าง (มม.)"), null=True, blank=True))
    height_mm = public(models.PositiveIntegerField(_("สูง (มม.)"), null=True, blank=True))
    available = public(models.PositiveIntegerField(_("พร้อมขาย"), default=0))
    reserved = internal(models.PositiveIntegerField(_("จองแล้ว"), default=0))

    class Meta:
        verbose_name = _("รายการสินค้า (SKU)")
        verbose_name_plural = _("รายการสินค้า (SKU)")
        ordering = ["product_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "sku"], name="catalog_variant_unique_sku"),
            models.CheckConstraint(condition=Q(available__gte=0), name="catalog_variant_available_gte_0"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="catalog_variant_reserved_gte_0"),
        ]

    def __str__(self):
        return self.sku

    @property
    def option(self) -> str:
        return localized(self, "option")

    @property
    def on_hand(self) -> int:
        return self.available + self.reserved


def image_path(instance, filename: str) -> str:
    return f"products/{instance.product.uid}/{uuid.uuid4().hex}.jpg"


class ProductImage(models.Model):
    product = public(models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images"))
    image = public(models.ImageField(_("รูปภาพ"), upload_to=image_path))
    thumbnail = public(models.ImageField(upload_to=image_path))
    position = public(models.PositiveSmallIntegerField(default=0))
    alt_th = public(models.CharField(_("คำอธิบายรูป"), max_length=200, blank=True))

    class Meta:
        ordering = ["product_id", "position", "id"]

    def __str__(self):
        return self.image.name


class StockLocation(models.Model):
    enterprise = internal(
        models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="stock_locations")
    )
    code = internal(models.SlugField(_("รหัสคลัง"), max_length=32))
    name = internal(models.CharField(_("ชื่อคลัง"), max_length=100))

    class Meta:
        verbose_name = _("คลังสินค้า")
        verbose_name_plural = _("คลังสินค้า")
        ordering = ["enterprise_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "code"], name="catalog_location_unique_code")
        ]

    def __str__(self):
        return self.name


class StockLevel(models.Model):
    variant = internal(models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="levels"))
    location = internal(models.ForeignKey(StockLocation, on_delete=models.PROTECT, related_name="levels"))
    on_hand = internal(models.PositiveIntegerField(default=0))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variant", "location"], name="catalog_stocklevel_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="catalog_stocklevel_on_hand_gte_0"),
        ]

    def __str__(self):
        return f"{self.variant} @ {self.location}: {self.on_hand}"


class MovementReason(models.TextChoices):
    RECEIPT = "receipt", _("รับสินค้าเข้า")
    ADJUSTMENT = "adjustment", _("ปรับยอด")
    IMPORT = "import", _("นำเข้าจากไฟล์")
    RESERVED = "reserved", _("จองตามคำสั่งซื้อ")
    RELEASED = "released", _("ยกเลิกการจอง")
    SHIPPED = "shipped", _("ส่งออกจากคลัง")


class StockMovement(models.Model):
    """One change of stock: on hand at a location (receipts, adjustments, shipments) and/or the
    split between available and reserved (orders)."""

    variant = internal(models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="movements"))
    location = internal(
        models.ForeignKey(StockLocation, on_delete=models.PROTECT, null=True, related_name="+")
    )
    reason = internal(models.CharField(_("เหตุผล"), max_length=12, choices=MovementReason.choices))
    on_hand_delta = internal(models.IntegerField(default=0))
    reserved_delta = internal(models.IntegerField(default=0))
    reference = internal(models.CharField(_("อ้างอิง"), max_length=100, blank=True))
    by = internal(
        models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    )
    at = internal(models.DateTimeField(auto_now_add=True))

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["variant", "-at"])]

    def __str__(self):
        return f"{self.variant} {self.reason} {self.on_hand_delta:+}/{self.reserved_delta:+}"


class SearchEntry(models.Model):
    """A product's searchable text, segmented into words (PyThaiNLP newmm for Thai, jieba for
    Chinese) and joined by spaces, with the facets. PostgreSQL searches it through a GIN
    full-text index over the words and the facet keys; SQLite through an FTS5 table kept by
    triggers."""

    product = internal(
        models.OneToOneField(Product, on_delete=models.CASCADE, primary_key=True, related_name="+")
    )
    enterprise = internal(models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+"))
    title = internal(models.TextField())  # the names' words, ranked above the rest
    tokens = internal(models.TextField())  # descriptions, brand, category, province, shop name
    active = internal(models.BooleanField(default=True))
    category = internal(models.ForeignKey(GoodsCategory, on_delete=models.CASCADE, related_name="+"))
    province_code = internal(models.CharField(max_length=2))
    min_price_satang = internal(models.PositiveBigIntegerField(default=0))
    certifications = internal(models.CharField(max_length=100, blank=True))
    # The facet values as keys ("category:fruit province:50 price:100-500 certification:gmp"): on
    # PostgreSQL they are lexemes of the same tsvector as the words, so a filtered search is one
    # GIN index scan, not a scan of every word match.
    facets = internal(models.TextField(blank=True, default=""))

    def __str__(self):
        return self.tokens[:60]


class SearchWord(models.Model):
    """Every distinct word of the search entries: the vocabulary a query's last word is completed
    from ("ข้าวหอ" → หอม, หอมมะลิ) and a misspelt word is corrected from (trigram similarity on
    PostgreSQL). Words are added as products are indexed and never removed: a word no product uses
    any more only widens a query to lexemes that match nothing."""

    word = internal(models.CharField(max_length=100, primary_key=True))

    def __str__(self):
        return self.word


class ImportState(models.TextChoices):
    PREVIEW = "preview", _("ตรวจแล้ว รอยืนยัน")
    QUEUED = "queued", _("รอนำเข้า")
    RUNNING = "running", _("กำลังนำเข้า")
    DONE = "done", _("นำเข้าเสร็จแล้ว")
    FAILED = "failed", _("นำเข้าไม่สำเร็จ")
    CANCELLED = "cancelled", _("ยกเลิกแล้ว")


class ImportJob(TimeStampedModel):
    """A spreadsheet of products: checked row by row first (`errors`), saved only when confirmed."""

    uid = internal(models.UUIDField(default=uuid.uuid4, unique=True, editable=False))
    enterprise = internal(models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="imports"))
    by = internal(models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"))
    filename = internal(models.CharField(max_length=200))
    upload = internal(models.FileField(upload_to="imports/"))
    state = internal(
        models.CharField(max_length=10, choices=ImportState.choices, default=ImportState.PREVIEW)
    )
    total_rows = internal(models.PositiveIntegerField(default=0))
    valid_rows = internal(models.PositiveIntegerField(default=0))
    processed_rows = internal(models.PositiveIntegerField(default=0))
    created_products = internal(models.PositiveIntegerField(default=0))
    errors = internal(models.JSONField(default=list, blank=True))  # [{"row", "column", "message"}]
    failure = internal(models.TextField(blank=True))

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.filename


class Material(models.Model):
    """One line of a product's bill of materials, for rules of origin: what goes into one unit of
    the finished product, its tariff code, its country of origin (as the supplier's proof of
    origin shows it; blank when unknown, which counts as non-originating) and its cost per unit.
    `packaging` marks packing materials for retail sale classified with the good: they count in a
    value-content calculation but not in the wholly-obtained or tariff-change tests."""

    product = internal(models.ForeignKey(Product, on_delete=models.CASCADE, related_name="materials"))
    name_th = internal(models.CharField(_("วัตถุดิบ"), max_length=200))
    hs_code = internal(
        models.CharField(
            _("พิกัดศุลกากรของวัตถุดิบ"),
            max_length=8,
            blank=True,
            help_text=_("6 หรือ 8 หลัก เว้นว่างได้ถ้าไม่ทราบ (จะพิสูจน์เกณฑ์การเปลี่ยนพิกัดไม่ได้)"),
        )
    )
    origin_country = internal(
        models.CharField(
            _("ประเทศถิ่นกำเนิด (ISO 3166)"),
            max_length=2,
            blank=True,
            help_text=_("ตามหลักฐานถิ่นกำเนิดจากผู้ขาย เว้นว่างถ้าไม่ทราบ (ถือว่าไม่ได้ถิ่นกำเนิด)"),
        )
    )
    value_satang = confidential(models.PositiveBigIntegerField(_("มูลค่าต่อหน่วยสินค้า (สตางค์)")))
    wholly_obtained = internal(models.BooleanField(_("ได้มาทั้งหมดในประเทศถิ่นกำเนิด"), default=False))
    packaging = internal(models.BooleanField(_("บรรจุภัณฑ์สำหรับขายปลีก"), default=False))
    position = internal(models.PositiveSmallIntegerField(default=0))

    class Meta:
        verbose_name = _("วัตถุดิบ")
        verbose_name_plural = _("วัตถุดิบ")
        ordering = ["product_id", "position", "id"]

    def __str__(self):
        return self.name_th

    def clean_fields(self, exclude=None):
        # "5004.00.00" and "cn" are how people type them; normalise before the length checks.
        self.hs_code = tariff.normalise(self.hs_code)
        self.origin_country = (self.origin_country or "").strip().upper()
        super().clean_fields(exclude=exclude)

    def clean(self):
        """A ValidationError keyed by field says what is wrong: a tariff code of 6 or 8 ASCII
        digits, a known ISO 3166 alpha-2 country."""
        errors = {}
        if self.hs_code and not re.fullmatch(r"[0-9]{6}(?:[0-9]{2})?", self.hs_code):
            errors["hs_code"] = _("พิกัดของวัตถุดิบต้องเป็นตัวเลข 6 หรือ 8 หลัก เช่น 5004.00 หรือ 5004.00.00")
        if self.origin_country and pycountry.countries.get(alpha_2=self.origin_country) is None:
            errors["origin_country"] = _("ไม่รู้จักรหัสประเทศ %(code)s") % {"code": self.origin_country}
        if errors:
            raise ValidationError(errors)


class OriginCosting(TimeStampedModel):
    """The product-level figures for a regional value content calculation, per unit of the
    finished product: the FOB price and the producer's own costs (direct labour, direct overhead,
    other costs such as inland transport to the port, profit). `wholly_obtained` is the exporter's
    declaration that the good is wholly obtained or produced in Thailand (fresh fruit, say, with no
    bill of materials)."""

    product = internal(models.OneToOneField(Product, on_delete=models.CASCADE, related_name="origin_costing"))
    fob_satang = confidential(models.PositiveBigIntegerField(_("ราคา FOB ต่อหน่วย (สตางค์)")))
    direct_labour_satang = confidential(
        models.PositiveBigIntegerField(_("ค่าแรงงานทางตรง (สตางค์)"), default=0)
    )
    overhead_satang = confidential(models.PositiveBigIntegerField(_("ค่าโสหุ้ยการผลิตทางตรง (สตางค์)"), default=0))
    profit_satang = confidential(models.PositiveBigIntegerField(_("กำไร (สตางค์)"), default=0))
    other_satang = confidential(models.PositiveBigIntegerField(_("ค่าใช้จ่ายอื่น (สตางค์)"), default=0))
    wholly_obtained = internal(models.BooleanField(_("สินค้าได้มาทั้งหมดในประเทศไทย"), default=False))

    class Meta:
        verbose_name = _("ต้นทุนเพื่อหนังสือรับรองถิ่นกำเนิด")
        verbose_name_plural = _("ต้นทุนเพื่อหนังสือรับรองถิ่นกำเนิด")
        constraints = [
            models.CheckConstraint(condition=Q(fob_satang__gt=0), name="catalog_origincosting_fob_gt_0")
        ]

    def __str__(self):
        return f"{self.product} FOB {self.fob_satang}"
