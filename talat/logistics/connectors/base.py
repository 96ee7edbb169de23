"""What every logistics connector does, whatever the partner's protocol.

A connector speaks one logistics partner's published protocol (request signing, tokens, payloads)
over an `Outbound` channel. Everything Talat sends about a shipment arrives as `Released` values
from the border; the connector builds the partner's request from `released.data` and protocol
parameters (keys, timestamps, signatures, tokens) only.

What a connector reads from released data (field names of `orders.Order` and of the shipment
model, which should keep the same names; what is missing is left out for the partner to refuse):

- the consignment (`released`): `buyer_name`, `buyer_phone`, `buyer_email`, `address_line`,
  `subdistrict_code`, `district_code`, `province_code` (Thai geography codes), `postal_code`,
  `buyer_country` (ISO 3166 alpha-2), `channel_order_number`, `currency`, and the parcel's
  `weight_g`, `length_mm`, `width_mm`, `height_mm`;
- the goods (`items`): `sku`, `name` (or `name_en` / `name_zh` / `name_th`), `quantity`,
  `unit_price_minor` (or `price_satang`), `weight_g`, `hs_code`. Items with the same `sku` are one
  line, so an order line (quantity, price) and its variant (weight) may be released separately;
  without a parcel `weight_g` the parcel weighs what its lines weigh;
- the sender (`sender`, the enterprise): `name_th`, `name_en`, `phone`, `email`, `address_line`,
  `subdistrict_code`, `district_code`, `province_code`, `postal_code`.

This module imports nothing of Django, so the webhook parser and the sandboxes can use it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from talat.governance.border import Released


class TrackingCode(StrEnum):
    """Talat's normalised tracking codes; every partner status maps to one of them (or to none)."""

    PICKED_UP = "picked_up"
    AT_HUB = "at_hub"
    EXPORT_CLEARED = "export_cleared"
    DEPARTED = "departed"
    ARRIVED = "arrived"
    IMPORT_CLEARED = "import_cleared"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"


@dataclass(frozen=True)
class TrackingEvent:
    """One scan of a parcel. `event_id` is the same however often, and by whichever way (webhook,
    track call), the partner reports the scan, so it is the key to de-duplicate on."""

    event_id: str
    tracking_number: str
    code: str  # a TrackingCode value
    occurred_at: datetime  # aware, UTC
    location: str
    description: str
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)  # the partner's record
    partner_status: str = ""  # the partner's own status code, kept for display and support


@dataclass(frozen=True)
class Booking:
    tracking_number: str  # what the parcel is labelled and tracked with
    label_reference: str  # where or how the label is fetched from the partner
    partner_reference: str  # the partner's own order number


@dataclass(frozen=True)
class Pickup:
    reference: str
    window_start: datetime  # aware UTC
    window_end: datetime


class LogisticsError(Exception):
    """The partner refused or failed a call. `retryable` says whether trying again may help."""

    retryable = False

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class TemporaryFailure(LogisticsError):
    """Network trouble, a 5xx, or the partner asks for a retry."""

    retryable = True


class AuthenticationFailed(LogisticsError):
    """The partner refuses our signature or key: a configuration fault, not worth a retry."""


def require_released(*values) -> None:
    """Refuses, before a byte is built, anything that is not data the border released (None is
    an optional value not given)."""
    from talat.governance.border import require_released as check

    for value in values:
        if value is not None:
            check(value)


def derived_event_id(*parts: str) -> str:
    """A stable event id for a partner that sends none: the same scan always gives the same id."""
    return "evt_" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def merged_items(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Released item data merged by `sku` (first value of a key wins), in first-seen order."""
    lines: list[dict[str, Any]] = []
    by_sku: dict[str, dict[str, Any]] = {}
    for item in items:
        sku = item.get("sku")
        if sku and sku in by_sku:
            for key, value in item.items():
                by_sku[sku].setdefault(key, value)
            continue
        line = dict(item)
        lines.append(line)
        if sku:
            by_sku[sku] = line
    return lines


def parcel_weight_g(consignment: Mapping[str, Any], lines: Sequence[Mapping[str, Any]]) -> int | None:
    """The parcel's weight: declared on the consignment, else the sum of its lines (None if unknown)."""
    if consignment.get("weight_g"):
        return int(consignment["weight_g"])
    if lines and all(line.get("weight_g") for line in lines):
        return sum(int(line["weight_g"]) * int(line.get("quantity") or 1) for line in lines)
    return None


def unit_price_minor(line: Mapping[str, Any]) -> int | None:
    value = line.get("unit_price_minor", line.get("price_satang"))
    return None if value is None else int(value)


def item_name(line: Mapping[str, Any], *languages: str) -> str:
    for key in [f"name_{language}" for language in languages] + ["name", "name_en", "name_th", "name_zh"]:
        if line.get(key):
            return str(line[key])
    return ""


def decimal_text(minor: int) -> str:
    """Integer minor units as the partner's two-decimal amount string, exactly (12814 -> "128.14")."""
    sign = "-" if minor < 0 else ""
    minor = abs(minor)
    return f"{sign}{minor // 100}.{minor % 100:02d}"


class Connector(Protocol):
    """The one interface Talat's logistics services call."""

    code: str  # the partner's code in the registry

    def create_shipment(
        self,
        released: Released,
        *,
        idempotency_key: str,
        items: Sequence[Released] = (),
        sender: Released | None = None,
    ) -> Booking:
        """Books the parcel; the same idempotency key gives the same booking, never a second parcel."""

    def request_pickup(
        self,
        tracking_numbers: Sequence[str],
        *,
        idempotency_key: str,
        sender: Released | None = None,
        earliest: datetime | None = None,
    ) -> Pickup:
        """Asks the partner to collect these booked parcels (from the released sender address)."""

    def cancel(self, tracking_number: str, *, idempotency_key: str) -> None:
        """Cancels a booking not yet picked up; cancelling twice is not an error."""

    def track(self, tracking_number: str) -> list[TrackingEvent]:
        """Every scan the partner has, oldest first, as Talat's normalised events."""
