"""Issued tax documents. A document is never changed once issued: its full content is kept as
issued (encrypted: it names the buyer) and rendered from that snapshot; corrections are credit
notes. Numbers run per seller, per series and Buddhist-era year, without gaps."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from talat.core.classification import confidential, internal
from talat.core.fields import EncryptedTextField
from talat.core.models import TimeStampedModel
from talat.registry.models import Enterprise


class DocumentSeries(models.Model):
    enterprise = internal(models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+"))
    prefix = internal(models.CharField(max_length=8))
    year = internal(models.PositiveIntegerField())  # Buddhist era
    last_number = internal(models.PositiveIntegerField(default=0))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "prefix", "year"], name="invoicing_series_unique")
        ]

    def __str__(self):
        return f"{self.prefix}{self.year}"


class TaxDocument(TimeStampedModel):
    uid = internal(models.UUIDField(default=uuid.uuid4, unique=True, editable=False))
    enterprise = internal(
        models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="tax_documents")
    )
    kind = internal(models.CharField(_("ประเภทเอกสาร"), max_length=4))
    title = internal(models.CharField(_("ชื่อเอกสาร"), max_length=60))
    number = internal(models.CharField(_("เลขที่"), max_length=30))
    issued_at = internal(models.DateTimeField(_("วันที่ออก")))
    order_uid = internal(models.UUIDField(db_index=True))
    order_number = internal(models.CharField(_("คำสั่งซื้อ"), max_length=64))
    total_minor = internal(models.BigIntegerField(_("ยอดรวม")))
    vat_minor = internal(models.BigIntegerField(_("ภาษีมูลค่าเพิ่ม")))
    original = internal(
        models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="notes")
    )
    buyer_email = confidential(models.EmailField(blank=True), personal=True)  # whose document it is (PDPA)
    content = confidential(EncryptedTextField(), personal=True)  # the Document as issued, JSON

    class Meta:
        verbose_name = _("เอกสารภาษี")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "number"], name="invoicing_document_unique_number"),
            models.UniqueConstraint(
                fields=["order_uid"],
                condition=models.Q(original__isnull=True),
                name="invoicing_one_receipt_per_order",
            ),
        ]

    def __str__(self):
        return self.number
