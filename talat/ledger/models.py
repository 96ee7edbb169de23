"""Talat's double-entry ledger of the money it holds for SMEs, in integer satang (THB only).

Every posting is a *transfer*: one row that debits one account and credits another by a
positive amount. Debits therefore equal credits by construction, in the database itself, and
two CHECK constraints keep every row meaningful. Entries are append-only: a correction is a
new entry, never an edit. Exchange rates published by the Bank of Thailand live here too.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from talat.core.classification import confidential, internal, public
from talat.registry.models import Enterprise


class AccountKind(models.TextChoices):
    ASSET = "asset", _("สินทรัพย์")
    LIABILITY = "liability", _("หนี้สิน")
    INCOME = "income", _("รายได้")
    EXPENSE = "expense", _("ค่าใช้จ่าย")


# Kinds whose balance grows with credits; the others grow with debits.
CREDIT_NORMAL = frozenset({AccountKind.LIABILITY, AccountKind.INCOME})


class EntryKind(models.TextChoices):
    PAYMENT = "payment", _("รับชำระเงิน")
    REFUND = "refund", _("คืนเงิน")
    PAYOUT = "payout", _("โอนเงินให้ผู้ขาย")
    ADJUSTMENT = "adjustment", _("รายการปรับปรุง")
    SUSPENSE = "suspense", _("เงินรับรอตรวจสอบ")


class TransferKind(models.TextChoices):
    SALE = "sale", _("ยอดขาย")
    VAT_OUTPUT = "vat_output", _("ภาษีขาย")
    PLATFORM_FEE = "platform_fee", _("ค่าธรรมเนียมแพลตฟอร์ม")
    CHANNEL_FEE = "channel_fee", _("ค่าธรรมเนียมช่องทางขาย")
    PAYMENT_FEE = "payment_fee", _("ค่าธรรมเนียมรับชำระเงิน")
    REFUND = "refund", _("คืนเงิน")
    PAYOUT = "payout", _("โอนเงินให้ผู้ขาย")
    SUSPENSE_IN = "suspense_in", _("รับเงินที่ไม่ตรงกับคำสั่งซื้อ")
    SUSPENSE_RETURN = "suspense_return", _("คืนเงินให้ผู้โอน")
    SUSPENSE_APPLY = "suspense_apply", _("นำเงินรอตรวจสอบไปชำระคำสั่งซื้อ")


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk update and delete are refused too: the ledger is corrected by new entries."""

    def update(self, **kwargs):
        raise TypeError("ledger rows are append-only: post a correcting entry instead")

    def delete(self):
        raise TypeError("ledger rows are append-only: post a correcting entry instead")


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} is append-only: post a correcting entry instead")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} is append-only: post a correcting entry instead")


class Account(models.Model):
    """An account of the chart: "bank", "suspense", "channel:lazada", "sme:42:revenue", "sme:42:vat",
    "talat:platform_fee". Created by the services the first time a posting names it."""

    code = internal(models.CharField(_("รหัสบัญชี"), max_length=64, unique=True))
    kind = internal(models.CharField(_("ประเภทบัญชี"), max_length=16, choices=AccountKind.choices))
    enterprise = internal(
        models.ForeignKey(
            Enterprise,
            verbose_name=_("กิจการ"),
            on_delete=models.PROTECT,
            null=True,
            blank=True,
            related_name="ledger_accounts",
        )
    )
    name_th = internal(models.CharField(_("ชื่อบัญชี"), max_length=200))
    created_at = internal(models.DateTimeField(auto_now_add=True, editable=False))

    class Meta:
        verbose_name = _("บัญชี")
        verbose_name_plural = _("บัญชี")
        ordering = ["code"]

    def __str__(self):
        return self.code


class Entry(AppendOnly):
    """A journal entry: one business event (a payment, a refund, a payout), posted once per key."""

    key = internal(models.CharField(_("คีย์กันซ้ำ"), max_length=128, unique=True))
    kind = internal(models.CharField(_("ประเภทรายการ"), max_length=16, choices=EntryKind.choices))
    reference = internal(models.CharField(_("เลขที่อ้างอิง"), max_length=64, blank=True, db_index=True))
    memo = internal(models.CharField(_("บันทึก"), max_length=255, blank=True))
    enterprise = internal(
        models.ForeignKey(
            Enterprise,
            verbose_name=_("กิจการ"),
            on_delete=models.PROTECT,
            null=True,
            blank=True,
            related_name="ledger_entries",
        )
    )
    created_at = internal(models.DateTimeField(_("เวลาบันทึก"), auto_now_add=True, editable=False))

    class Meta:
        verbose_name = _("รายการบัญชี")
        verbose_name_plural = _("รายการบัญชี")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["enterprise", "created_at"])]

    def __str__(self):
        return self.key


class Transfer(AppendOnly):
    """Moves `amount_satang` from the credit account to the debit account."""

    entry = internal(
        models.ForeignKey(
            Entry, verbose_name=_("รายการบัญชี"), on_delete=models.PROTECT, related_name="transfers"
        )
    )
    kind = internal(models.CharField(_("ประเภท"), max_length=16, choices=TransferKind.choices))
    debit = internal(
        models.ForeignKey(Account, verbose_name=_("บัญชีเดบิต"), on_delete=models.PROTECT, related_name="+")
    )
    credit = internal(
        models.ForeignKey(Account, verbose_name=_("บัญชีเครดิต"), on_delete=models.PROTECT, related_name="+")
    )
    amount_satang = confidential(models.PositiveBigIntegerField(_("จำนวนเงิน (สตางค์)")))

    class Meta:
        verbose_name = _("การโอนทางบัญชี")
        verbose_name_plural = _("การโอนทางบัญชี")
        ordering = ["entry_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_satang__gt=0), name="ledger_transfer_amount_positive"),
            models.CheckConstraint(condition=~Q(debit=F("credit")), name="ledger_transfer_two_accounts"),
        ]
        # Statements walk one account's transfers in posting order, from either side.
        indexes = [
            models.Index(fields=["debit", "entry"], name="ledger_transfer_debit_idx"),
            models.Index(fields=["credit", "entry"], name="ledger_transfer_credit_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.amount_satang}"


class PayoutBatch(models.Model):
    """One run of payouts to SMEs. Its key makes a rerun pay nothing twice."""

    key = internal(models.CharField(_("คีย์กันซ้ำ"), max_length=128, unique=True))
    minimum_satang = internal(models.PositiveBigIntegerField(_("ยอดขั้นต่ำ (สตางค์)"), default=1))
    total_satang = confidential(models.PositiveBigIntegerField(_("ยอดรวม (สตางค์)"), default=0))
    created_at = internal(models.DateTimeField(_("เวลาสร้าง"), auto_now_add=True, editable=False))
    completed_at = internal(models.DateTimeField(_("เวลาเสร็จ"), null=True, blank=True))

    class Meta:
        verbose_name = _("รอบโอนเงินให้ผู้ขาย")
        verbose_name_plural = _("รอบโอนเงินให้ผู้ขาย")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.key


class PayoutLine(models.Model):
    batch = internal(models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="lines"))
    enterprise = internal(
        models.ForeignKey(Enterprise, verbose_name=_("กิจการ"), on_delete=models.PROTECT, related_name="+")
    )
    entry = internal(models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="payout_line"))
    amount_satang = confidential(models.PositiveBigIntegerField(_("จำนวนเงิน (สตางค์)")))

    class Meta:
        verbose_name = _("รายการโอนเงินให้ผู้ขาย")
        verbose_name_plural = _("รายการโอนเงินให้ผู้ขาย")
        ordering = ["batch_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "enterprise"], name="ledger_payoutline_once_per_batch"),
            models.CheckConstraint(
                condition=Q(amount_satang__gt=0), name="ledger_payoutline_amount_positive"
            ),
        ]

    def __str__(self):
        return f"{self.batch_id}:{self.enterprise_id} {self.amount_satang}"


class ExchangeRate(models.Model):
    """The Bank of Thailand's daily average rate of commercial banks: THB for `unit` units of
    the currency (1 for most, 100 for JPY, 1,000 for IDR, as the published file says)."""

    currency = public(models.CharField(_("สกุลเงิน"), max_length=3))
    date = public(models.DateField(_("วันที่")))
    unit = public(models.PositiveIntegerField(_("ต่อจำนวนหน่วย"), default=1))
    buying_sight = public(
        models.DecimalField(_("อัตราซื้อตั๋วเงิน"), max_digits=18, decimal_places=6, null=True, blank=True)
    )
    buying_transfer = public(
        models.DecimalField(_("อัตราซื้อเงินโอน"), max_digits=18, decimal_places=6, null=True, blank=True)
    )
    selling = public(
        models.DecimalField(_("อัตราขาย"), max_digits=18, decimal_places=6, null=True, blank=True)
    )
    mid_rate = public(models.DecimalField(_("อัตรากลาง"), max_digits=18, decimal_places=6))
    source = internal(models.CharField(_("แหล่งที่มา"), max_length=200, blank=True))
    imported_at = internal(models.DateTimeField(_("เวลานำเข้า"), auto_now=True))

    class Meta:
        verbose_name = _("อัตราแลกเปลี่ยน")
        verbose_name_plural = _("อัตราแลกเปลี่ยน")
        ordering = ["currency", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="ledger_exchangerate_once_a_day"),
            models.CheckConstraint(condition=Q(mid_rate__gt=0), name="ledger_exchangerate_mid_positive"),
        ]

    def __str__(self):
        return f"{self.currency} {self.date} {self.mid_rate}/{self.unit}"
