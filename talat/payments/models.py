"""PromptPay payment requests (one per checkout, covering each shop's order), the bank's
notifications as received, and the bank's statement lines for reconciliation."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from talat.core.classification import confidential, internal
from talat.core.fields import EncryptedTextField
from talat.core.models import TimeStampedModel
from talat.orders.models import Order


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("รอชำระเงิน")
    PAID = "paid", _("ชำระเงินแล้ว")
    REVIEW = "review", _("รอตรวจสอบ")


class PaymentRequest(TimeStampedModel):
    uid = internal(models.UUIDField(default=uuid.uuid4, unique=True, editable=False))
    orders = internal(models.ManyToManyField(Order, related_name="payment_requests"))
    # Reference 1 of the bill payment: what the buyer's bank sends back with the money.
    reference_1 = internal(models.CharField(max_length=20, unique=True))
    reference_2 = internal(models.CharField(max_length=20, blank=True))
    amount_minor = internal(models.PositiveBigIntegerField())
    payload = internal(models.TextField())
    status = internal(
        models.CharField(max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    )
    review_reason = internal(models.CharField(max_length=200, blank=True))
    paid_at = internal(models.DateTimeField(null=True, blank=True))

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.reference_1


class Outcome(models.TextChoices):
    RECEIVED = "received", _("รอจับคู่กับคำสั่งซื้อ")
    MATCHED = "matched", _("ตรงกับคำสั่งซื้อ")
    WRONG_AMOUNT = "wrong_amount", _("ยอดเงินไม่ตรง")
    UNKNOWN_REFERENCE = "unknown_reference", _("ไม่พบเลขอ้างอิง")
    ALREADY_PAID = "already_paid", _("ชำระซ้ำ")
    NOT_PAYABLE = "not_payable", _("คำสั่งซื้อถูกยกเลิกแล้ว")


class Resolution(models.TextChoices):
    RETURNED = "returned", _("คืนเงินให้ผู้โอนแล้ว")
    APPLIED = "applied", _("ใช้ชำระคำสั่งซื้อแล้ว")


class BankTransactionQuerySet(models.QuerySet):
    def unresolved(self):
        """Money held for review that still has something to return or apply."""
        return self.exclude(outcome__in=(Outcome.MATCHED, Outcome.RECEIVED)).filter(
            amount_minor__gt=F("applied_minor") + F("returned_minor")
        )

    def resolved(self):
        """Money held for review that the finance desk has returned or applied in full."""
        return self.exclude(outcome__in=(Outcome.MATCHED, Outcome.RECEIVED)).filter(
            amount_minor=F("applied_minor") + F("returned_minor")
        )


class BankTransaction(models.Model):
    """A credit the bank told Talat about, once per bank transaction however often it is notified:
    recorded as received, then matched to its checkout in a batch with others.
    One that pays no order as it stands is held (in the ledger's suspense account) until the
    finance desk returns it to the payer or applies it to the checkout; applying an overpayment
    leaves the excess to return."""

    uid = internal(models.UUIDField(default=uuid.uuid4, unique=True, editable=False))
    transaction_id = internal(models.CharField(max_length=64, unique=True))
    event_id = internal(models.CharField(max_length=64, unique=True))
    amount_minor = internal(models.PositiveBigIntegerField())
    reference_1 = internal(models.CharField(max_length=40, blank=True))
    reference_2 = internal(models.CharField(max_length=40, blank=True))
    payer_name = confidential(EncryptedTextField(blank=True), personal=True)
    paid_at = internal(models.DateTimeField())
    received_at = internal(models.DateTimeField(auto_now_add=True))
    notifications = internal(models.PositiveIntegerField(default=1))
    payment = internal(
        models.ForeignKey(
            PaymentRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
        )
    )
    outcome = internal(models.CharField(max_length=20, choices=Outcome.choices))
    resolution = internal(models.CharField(max_length=10, choices=Resolution.choices, blank=True))
    applied_minor = internal(models.PositiveBigIntegerField(default=0))
    returned_minor = internal(models.PositiveBigIntegerField(default=0))
    resolved_by = internal(
        models.ForeignKey(
            settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
        )
    )
    resolved_at = internal(models.DateTimeField(null=True, blank=True))
    resolution_note = internal(models.TextField(blank=True))

    objects = BankTransactionQuerySet.as_manager()

    class Meta:
        ordering = ["-paid_at", "-id"]
        indexes = [
            # The few rows the payments worker and the finance desk look for among all the matched
            # ones: without these, every notification scans the whole table.
            models.Index(fields=["id"], condition=Q(outcome=Outcome.RECEIVED), name="payments_inbox"),
            models.Index(
                fields=["id"],
                condition=~Q(outcome__in=[Outcome.MATCHED, Outcome.RECEIVED]),
                name="payments_held",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_minor__gte=F("applied_minor") + F("returned_minor")),
                name="payments_banktransaction_resolved_within_amount",
            )
        ]

    def __str__(self):
        return self.transaction_id

    @property
    def to_return_minor(self) -> int:
        """What is still held for the payer: all of it until resolved, the excess once applied."""
        if self.outcome in (Outcome.MATCHED, Outcome.RECEIVED):
            return 0
        return self.amount_minor - self.applied_minor - self.returned_minor


class StatementImport(models.Model):
    uploaded_by = internal(
        models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    )
    filename = internal(models.CharField(max_length=200))
    uploaded_at = internal(models.DateTimeField(auto_now_add=True))
    first_paid_at = internal(models.DateTimeField(null=True))
    last_paid_at = internal(models.DateTimeField(null=True))

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.filename


class StatementLine(models.Model):
    statement = internal(models.ForeignKey(StatementImport, on_delete=models.CASCADE, related_name="lines"))
    transaction_id = internal(models.CharField(max_length=64))
    paid_at = internal(models.DateTimeField())
    amount_minor = internal(models.PositiveBigIntegerField())
    fee_minor = internal(models.PositiveBigIntegerField(default=0))
    reference_1 = internal(models.CharField(max_length=40, blank=True))
    reference_2 = internal(models.CharField(max_length=40, blank=True))

    class Meta:
        ordering = ["paid_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "transaction_id"], name="payments_line_unique_per_statement"
            )
        ]

    def __str__(self):
        return self.transaction_id
