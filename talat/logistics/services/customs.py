"""Declaring a consolidated manifest to Customs: one e-Export declaration built from every parcel
on it (lines of the same goods merged), checked before it is sent, released through the border
to the Customs Department under its agreement, and its verdict kept on the manifest.

Under cross-border e-commerce consolidation the hub's operating company declares as exporter
(TALAT_HUB_EXPORTER); the SMEs' goods are the declaration's lines."""

import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from talat.customs import declarations, exports
from talat.customs.connector import CustomsConnector
from talat.governance import border
from talat.governance.models import Purpose
from talat.ledger import rates
from talat.logistics.models import Manifest, ManifestState
from talat.logistics.services import hub
from talat.orders.models import OrderLine
from talat.registry.models import Agency

PORT_OF = {"air": "2622", "sea": "2801", "truck": "4401"}  # U-Tapao, Laem Chabang, Chiang Khong (R3A)
PACKAGING_PERCENT = 10  # gross weight = net weight + 10 % for cartons and filling
STATES = {
    "submitted": ManifestState.DECLARED,
    "accepted": ManifestState.ACCEPTED,
    "rejected": ManifestState.REJECTED,
    "released": ManifestState.CLEARED,
}


def parcel_lines(manifest: Manifest):
    """Every order line on the manifest as a declaration line (plain dicts, one query)."""
    rows = OrderLine.objects.filter(order__shipments__parcel__manifest=manifest).values_list(
        "quantity", "unit_price_minor", "order__currency", "order__placed_at", "variant__weight_g",
        "variant__product__hs_code", "variant__product__name_th", "variant__product__name_en",
    )  # fmt: skip
    for quantity, price, currency, placed_at, weight_g, hs_code, name_th, name_en in rows.iterator(
        chunk_size=5_000
    ):
        value = quantity * price
        net = quantity * (weight_g or 0)
        yield {
            "hs_code": hs_code or "",
            "statistical_suffix": "000",
            "description_th": name_th,
            "description_en": name_en or name_th,
            "quantity": quantity,
            "unit": "C62",
            "net_weight_g": net,
            "gross_weight_g": net + net * PACKAGING_PERCENT // 100,
            "fob_satang": value
            if currency == "THB"
            else rates.to_satang(value, currency, on=placed_at.date()),
            "fob_foreign_minor": value,
            "currency": currency,
        }


def build(manifest: Manifest) -> declarations.Declaration:
    return declarations.from_manifest(
        parcel_lines(manifest),
        reference=manifest.number,
        exporter=declarations.Exporter(**settings.TALAT_HUB_EXPORTER),
        destination_country=manifest.destination,
        port_of_loading=PORT_OF[manifest.transport],
        transport_mode=declarations.MODE_OF[manifest.transport],
        vessel_or_flight=manifest.departure,
        departure_date=timezone.localtime(manifest.departs_at).date(),
        invoice_number=manifest.number,
    )


def declare(*, manifest: Manifest, by, connector: CustomsConnector | None = None) -> Manifest:
    """Checks the declaration, then sends it; a declaration with problems is not sent (the
    problems come back as a ValidationError, in Thai)."""
    if manifest.state not in (ManifestState.OPEN, ManifestState.REJECTED):
        raise ValidationError(
            _("บัญชีสินค้านี้ยื่นใบขนแล้ว (สถานะ: %(state)s)") % {"state": manifest.get_state_display()},
            code="declared",
        )
    declaration = build(manifest)
    problems = declarations.validate(declaration)
    if problems:
        raise ValidationError([f"{p.field}: {p.message_th}" for p in problems], code="invalid_declaration")
    message = declarations.to_message(declaration)
    Manifest.objects.filter(pk=manifest.pk).update(declaration=message)
    customs = Agency.objects.get(code="customs")
    released = border.release(
        {"declaration": message},
        source=Manifest,
        recipient=customs,
        purpose=Purpose.CUSTOMS_CLEARANCE,
        subject=by,
    )
    connector = connector or CustomsConnector(
        settings.TALAT_CUSTOMS["url"], settings.TALAT_CUSTOMS["client_id"], settings.TALAT_CUSTOMS["secret"],
        recipient=customs,
    )  # fmt: skip
    # The same declaration again (a retry) is the same request; a corrected one is a new one.
    digest = hashlib.sha256(json.dumps(message, sort_keys=True, default=str).encode()).hexdigest()[:16]
    submission = connector.submit(released, idempotency_key=f"declare:{manifest.uid}:{digest}")
    hub.set_customs_state(
        manifest=manifest, state=STATES[submission.status], declaration_number=submission.declaration_number,
        reason=submission.reason,
    )  # fmt: skip
    return manifest


@transaction.atomic
def customs_said(*, declaration_number: str, status: str, reason: str = "") -> Manifest | None:
    """A verdict Customs sent later (its signed notification); a release also writes each shop's
    export records."""
    manifest = Manifest.objects.filter(declaration_number=declaration_number).first()
    if manifest is None or status not in STATES or manifest.state == ManifestState.RELEASED:
        return None
    hub.set_customs_state(manifest=manifest, state=STATES[status], reason=reason)
    if STATES[status] == ManifestState.CLEARED:
        record_exports(manifest)
    return manifest


def record_exports(manifest: Manifest) -> int:
    """Each shop's goods on a released declaration, as the shop's own export records."""
    rows = (
        OrderLine.objects.filter(order__shipments__parcel__manifest=manifest)
        .values("order__enterprise_id", "variant__product__hs_code", "name")
        .annotate(units=Sum("quantity"), fob=Sum(F("quantity") * F("unit_price_minor")))
        .order_by()
    )
    return exports.record(
        declaration_number=manifest.declaration_number,
        exported_on=timezone.localtime(manifest.departs_at).date(),
        destination=manifest.destination,
        lines=[
            {"enterprise_id": row["order__enterprise_id"], "hs_code": row["variant__product__hs_code"] or "",
             "description": row["name"][:200], "quantity": row["units"], "fob_satang": row["fob"]}
            for row in rows
        ],
    )  # fmt: skip
