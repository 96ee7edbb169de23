"""The import rules a landed-cost estimate is computed from: one table of rates by destination,
route and HS prefix, one table of limits (transaction, annual, de minimis) by destination and
route, both with the dates they are in force. The figures are data, loaded from data/*.csv (see
data/README.md for their sources); an officer corrects or adds a row in the admin, never in code.

Rates are basis points (1 % = 100 bp) and money is integer minor units of `currency`.
`valid_until` is inclusive; an empty `valid_until` means "until further notice".
"""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import In
from django.utils.translation import gettext_lazy as _

from talat.core.classification import confidential, internal, public


class Route(models.TextChoices):
    CBEC_RETAIL = "cbec_retail", _("การนำเข้าแบบค้าปลีกข้ามพรมแดน (CBEC)")
    GENERAL = "general", _("การนำเข้าทั่วไป")


HS_PREFIX = RegexValidator(r"^([0-9]{2}){1,4}$", _("ต้นพิกัดต้องเป็นตัวเลข 2, 4, 6 หรือ 8 หลัก"), code="hs_prefix")
COUNTRY = RegexValidator(r"^[A-Z]{2}$", _("ใช้รหัสประเทศ ISO 3166 สองตัวอักษรพิมพ์ใหญ่ เช่น CN"))
CURRENCY = RegexValidator(r"^[A-Z]{3}$", _("ใช้รหัสสกุลเงิน ISO 4217 สามตัวอักษรพิมพ์ใหญ่ เช่น CNY"))


class ImportRule(models.Model):
    """The rates for goods whose HS code starts with `hs_prefix`; the longest prefix in force wins."""

    destination = public(models.CharField(_("ประเทศปลายทาง"), max_length=2, validators=[COUNTRY]))
    route = public(models.CharField(_("ช่องทางนำเข้า"), max_length=16, choices=Route.choices))
    hs_prefix = public(models.CharField(_("ต้นพิกัดศุลกากร"), max_length=8, validators=[HS_PREFIX]))
    on_positive_list = public(
        models.BooleanField(
            _("อยู่ในบัญชีสินค้าที่อนุญาต"),
            default=True,
            help_text=_("สำหรับ CBEC ของจีน: อยู่ในบัญชีสินค้านำเข้าแบบค้าปลีกข้ามพรมแดน (正面清单)"),
        )
    )
    duty_bp = public(models.PositiveIntegerField(_("อากรขาเข้า (basis point)")))
    atiga_duty_bp = public(
        models.PositiveIntegerField(
            _("อากรตามความตกลง ATIGA (basis point)"),
            null=True,
            blank=True,
            help_text=_("ใช้เมื่อมีหนังสือรับรองถิ่นกำเนิดสินค้า Form D; ว่างไว้ถ้าไม่มีสิทธิพิเศษ"),
        )
    )
    vat_bp = public(models.PositiveIntegerField(_("ภาษีมูลค่าเพิ่ม (basis point)")))
    consumption_tax_bp = public(models.PositiveIntegerField(_("ภาษีการบริโภค (basis point)"), default=0))
    valid_from = public(models.DateField(_("มีผลตั้งแต่")))
    valid_until = public(models.DateField(_("มีผลถึง"), null=True, blank=True))
    note = public(models.TextField(_("หมายเหตุ"), blank=True))
    source = internal(models.CharField(_("แหล่งที่มา"), max_length=300, blank=True))
    confirmed = public(
        models.BooleanField(
            _("ตรวจกับแหล่งทางการแล้ว"),
            default=False,
            help_text=_("ไม่ติ๊กถ้าเป็นตัวเลขตัวอย่างที่ยังไม่ได้ยืนยันกับประกาศทางการ"),
        )
    )

    class Meta:
        verbose_name = _("กฎอัตราภาษีนำเข้า")
        verbose_name_plural = _("กฎอัตราภาษีนำเข้า")
        ordering = ["destination", "route", "hs_prefix", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["destination", "route", "hs_prefix", "valid_from"], name="customs_rule_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="customs_rule_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(consumption_tax_bp__lt=10_000), name="customs_rule_consumption_tax_lt_100"
            ),
            models.CheckConstraint(
                condition=In(Length("hs_prefix"), [2, 4, 6, 8]), name="customs_rule_hs_prefix_length"
            ),
        ]
        indexes = [models.Index(fields=["destination", "route", "hs_prefix"])]

    def __str__(self):
        return f"{self.destination} {self.route} {self.hs_prefix} ({self.valid_from})"


class DestinationLimit(models.Model):
    """The limits of a route into a destination, in the destination's assessment currency."""

    destination = public(models.CharField(_("ประเทศปลายทาง"), max_length=2, validators=[COUNTRY]))
    route = public(models.CharField(_("ช่องทางนำเข้า"), max_length=16, choices=Route.choices))
    currency = public(models.CharField(_("สกุลเงินที่ใช้ประเมิน"), max_length=3, validators=[CURRENCY]))
    per_transaction_minor = public(
        models.PositiveBigIntegerField(_("วงเงินต่อครั้ง (หน่วยย่อย)"), null=True, blank=True)
    )
    per_year_minor = public(
        models.PositiveBigIntegerField(_("วงเงินต่อคนต่อปี (หน่วยย่อย)"), null=True, blank=True)
    )
    de_minimis_minor = public(
        models.PositiveBigIntegerField(
            _("มูลค่าที่ได้รับยกเว้นอากรและภาษี (หน่วยย่อย)"),
            default=0,
            help_text=_("สินค้ามูลค่าไม่เกินจำนวนนี้ไม่ต้องเสียอากรและภาษี; 0 คือไม่มีการยกเว้น"),
        )
    )
    cbec_tax_factor_bp = public(
        models.PositiveIntegerField(
            _("สัดส่วนภาษีที่ต้องชำระ (basis point)"),
            default=10_000,
            help_text=_("CBEC ของจีนเก็บภาษีมูลค่าเพิ่มและภาษีการบริโภค 70% ของอัตราตามกฎหมาย (7000)"),
        )
    )
    valid_from = public(models.DateField(_("มีผลตั้งแต่")))
    valid_until = public(models.DateField(_("มีผลถึง"), null=True, blank=True))
    note = public(models.TextField(_("หมายเหตุ"), blank=True))
    source = internal(models.CharField(_("แหล่งที่มา"), max_length=300, blank=True))
    confirmed = public(
        models.BooleanField(
            _("ตรวจกับแหล่งทางการแล้ว"),
            default=False,
            help_text=_("ไม่ติ๊กถ้าเป็นตัวเลขตัวอย่างที่ยังไม่ได้ยืนยันกับประกาศทางการ"),
        )
    )

    class Meta:
        verbose_name = _("วงเงินและเกณฑ์ยกเว้นของประเทศปลายทาง")
        verbose_name_plural = _("วงเงินและเกณฑ์ยกเว้นของประเทศปลายทาง")
        ordering = ["destination", "route", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["destination", "route", "valid_from"], name="customs_limit_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="customs_limit_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(cbec_tax_factor_bp__lte=10_000), name="customs_limit_factor_lte_100"
            ),
        ]

    def __str__(self):
        return f"{self.destination} {self.route} ({self.valid_from})"


class ExportRecord(models.Model):
    """One line of an exporter's goods on an export declaration Customs released: the exporter's
    own record of what left Thailand, which they may choose to share with a marketplace partner
    (only through an agreement and their consent; every release shows in their data passbook)."""

    enterprise = internal(
        models.ForeignKey("registry.Enterprise", on_delete=models.CASCADE, related_name="export_records")
    )
    declaration_number = internal(models.CharField(_("เลขที่ใบขนสินค้า"), max_length=40))
    exported_on = internal(models.DateField(_("วันที่ส่งออก")))
    destination = internal(models.CharField(_("ประเทศปลายทาง"), max_length=2))
    hs_code = internal(models.CharField(_("พิกัดศุลกากร"), max_length=8))
    description = internal(models.CharField(_("รายการสินค้า"), max_length=200))
    quantity = internal(models.PositiveIntegerField(_("จำนวน")))
    fob_satang = confidential(models.PositiveBigIntegerField(_("มูลค่า FOB (สตางค์)")))

    class Meta:
        ordering = ["-exported_on", "declaration_number", "hs_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "declaration_number", "hs_code", "description"],
                name="customs_export_record_unique_line",
            )
        ]

    def __str__(self):
        return f"{self.declaration_number} {self.hs_code}"
