"""Exporters' own export records: written when Customs releases a declaration (one row per shop
and goods line), and released to a marketplace partner only through the border — under an
agreement for business verification and the exporter's consent — when the partner asks."""

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from talat.customs.models import ExportRecord
from talat.governance import border
from talat.governance.models import Purpose

FIELDS = (
    "declaration_number",
    "exported_on",
    "destination",
    "hs_code",
    "description",
    "quantity",
    "fob_satang",
)


@transaction.atomic
def record(*, declaration_number: str, exported_on: date, destination: str, lines: Iterable[dict]) -> int:
    """`lines`: dicts with enterprise_id, hs_code, description, quantity, fob_satang, already summed
    per shop and goods. Recording the same declaration again changes nothing."""
    made = ExportRecord.objects.bulk_create(
        [ExportRecord(declaration_number=declaration_number, exported_on=exported_on, destination=destination,
                      **line) for line in lines],
        ignore_conflicts=True,
    )  # fmt: skip
    return len(made)


def release_to(partner, *, enterprise) -> list[dict]:
    """The exporter's records as the partner may have them (border.Refused when there is no
    agreement or no consent: nothing is released). An exporter with no records releases nothing."""
    records = list(ExportRecord.objects.filter(enterprise=enterprise))
    released = border.release_many(
        [({name: getattr(r, name) for name in FIELDS}, enterprise) for r in records],
        source=ExportRecord, recipient=partner, purpose=Purpose.BUSINESS_VERIFICATION,
    )  # fmt: skip
    return [dict(item.data) for item in released]
