"""What every marketplace connector does, whatever the partner's protocol.

A connector speaks one partner's published open-platform protocol (request signing, tokens,
payloads) over an `Outbound` channel. Everything Talat sends about a business or a product
arrives here as `Released` values from the border; a connector builds the partner's request
from `released.data` and protocol parameters (keys, timestamps, signatures, tokens) only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from talat.governance.border import Released


@dataclass
class Credentials:
    """One channel account's keys. `app_secret` signs requests; the access token expires."""

    app_key: str
    app_secret: str
    access_token: str = ""
    refresh_token: str = ""
    expires_at: datetime | None = None  # aware UTC


class ChannelError(Exception):
    """The partner refused or failed a call. `retryable` says whether trying again may help."""

    retryable = False

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class TemporaryFailure(ChannelError):
    """Network trouble or a 5xx: try again later."""

    retryable = True


class RateLimited(ChannelError):
    retryable = True

    def __init__(self, code: str, message: str, retry_after: float = 1.0):
        super().__init__(code, message)
        self.retry_after = retry_after


class TokenExpired(ChannelError):
    """The access token is expired or invalid: refresh it, then retry."""

    retryable = True


class SignatureRejected(ChannelError):
    """The partner says our signature is wrong: a configuration fault, not worth a retry."""


class ListingState:
    PENDING = "pending"  # submitted, the partner's review is not done
    LIVE = "live"
    REJECTED = "rejected"


@dataclass
class ListingResult:
    partner_item_id: str
    state: str  # a ListingState value
    reason: str = ""  # the partner's reason when rejected


@dataclass
class PartnerOrderLine:
    seller_sku: str
    quantity: int
    unit_price_minor: int  # satang for THB, fen for CNY
    currency: str  # ISO 4217
    partner_item_id: str = ""


@dataclass
class PartnerOrder:
    order_number: str  # the partner's order number, unique per channel
    ordered_at: datetime  # aware UTC
    status: str  # the partner's own status word, kept for display
    lines: list[PartnerOrderLine] = field(default_factory=list)
    buyer_name: str = ""
    buyer_country: str = ""  # ISO 3166 alpha-2


class Connector(Protocol):
    """The one interface Talat's channel services call."""

    code: str  # partner code in the registry: "lazada", "tmall-global", "alibaba"

    def refresh_token(self) -> Credentials:
        """Exchanges the refresh token for a new access token; returns the updated credentials."""

    def publish(
        self,
        *,
        product: Released,
        variants: Sequence[Released],
        images: Sequence[Released],
        idempotency_key: str,
    ) -> ListingResult:
        """Creates the listing (catalog.Product + catalog.Variant + catalog.ProductImage fields)."""

    def listing_status(self, partner_item_id: str) -> ListingResult: ...

    def update_price_stock(self, *, variants: Sequence[Released], idempotency_key: str) -> None:
        """Sets price and available quantity of listed SKUs (catalog.Variant fields)."""

    def pull_orders(self, *, since: datetime) -> list[PartnerOrder]: ...

    def acknowledge(self, order_number: str) -> None: ...

    def mark_shipped(self, order_number: str, *, shipment: Released, idempotency_key: str) -> None:
        """Tells the partner the order left, with the carrier and tracking number released."""
