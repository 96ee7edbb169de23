"""Lazada Open Platform connector, written from Lazada's published protocol (no Lazada SDK).

Every call goes to `<base_url><api path>` (base_url is the `/rest` gateway, e.g.
https://api.lazada.co.th/rest; authorization lives on https://auth.lazada.com/rest, pass it as
`auth_url`) with the common parameters `app_key`, `timestamp` (ms), `sign_method=sha256`,
`access_token` (seller APIs) and `sign`: the uppercase hex HMAC-SHA256, keyed with the app secret,
of the API path followed by every other parameter's name and value sorted by name. Lazada answers
`{"code": "0", ...}` on success and `{"type", "code", "message", "request_id"}` on failure: gateway
errors have word codes (IncompleteSignature, IllegalAccessToken, ApiCallLimit, ...), business errors
numeric ones (500 with a `detail` list of field messages, 4135 for a SellerSku already in use, ...).

Lazada has no idempotency-key parameter, so idempotency comes from the protocol itself: a product
is identified by its SellerSku (create answers 4135 "outerId already exists" the second time, and
we look the item up instead), price/quantity updates set absolute values, and an order already
ready to ship with the same tracking number is not shipped again. Lazada has no acknowledge call:
an order stays "pending" until it is packed, so `acknowledge` sends nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import ROUND_UP, Decimal

import httpx

from talat.channels.connectors.base import (
    ChannelError,
    Credentials,
    ListingResult,
    ListingState,
    PartnerOrder,
    PartnerOrderLine,
    RateLimited,
    SignatureRejected,
    TemporaryFailure,
    TokenExpired,
)
from talat.governance.border import Released
from talat.governance.outbound import Outbound

# Talat goods categories (talat/registry/reference.py) -> Lazada Thailand primary (leaf) categories.
# The ids are placeholders to be confirmed with GET /category/tree/get for the seller's country (they
# differ between countries and could not be read offline); the sandbox accepts any id.
CATEGORY_IDS = {
    "food": "10000316",  # Groceries > Snacks & Sweets
    "fruit": "10000328",  # Groceries > Fresh Produce > Fruits
    "rice": "10000336",  # Groceries > Rice
    "coffee-tea": "10000343",  # Groceries > Beverages > Coffee & Tea
    "spices": "10000352",  # Groceries > Cooking Essentials > Seasoning
    "herbal": "10000567",  # Health & Beauty > Food Supplements
    "cosmetics": "10000588",  # Health & Beauty > Skin Care
    "textiles": "10001948",  # Women's Fashion > Clothing > Fabric
    "handicrafts": "10002631",  # Home & Living > Home Decor > Decorative Accents
    "furniture": "10002605",  # Home & Living > Furniture
    "beverages": "10000340",  # Groceries > Beverages
    "seafood": "10000333",  # Groceries > Seafood
}
COUNTRY_CODES = {"thailand": "TH", "singapore": "SG", "malaysia": "MY", "vietnam": "VN", "philippines": "PH",
                 "indonesia": "ID"}  # fmt: skip
SHIPPED_STATUSES = {"ready_to_ship", "shipped", "delivered"}
SKUS_PER_UPDATE = 20  # Lazada accepts 50 SKUs per price/quantity call and recommends 20


def sign(app_secret: str, api_path: str, params: dict[str, str]) -> str:
    """Lazada's request signature (empty values are left out, as Lazada's own SDKs do)."""
    text = api_path + "".join(f"{k}{v}" for k, v in sorted(params.items()) if k != "sign" and v != "")
    return hmac.new(app_secret.encode(), text.encode(), hashlib.sha256).hexdigest().upper()


def baht(satang: int) -> str:
    """Integer satang -> Lazada's THB decimal string, exactly."""
    return f"{Decimal(satang) / 100:.2f}"


def satang(value) -> int:
    """Lazada's THB amount (a decimal string or number) -> integer satang; refuses fractions of a satang."""
    amount = Decimal(str(value)) * 100
    if amount != amount.to_integral_value():
        raise ChannelError("BadAmount", f"{value} THB is not a whole number of satang")
    return int(amount)


def _error(code: str, body: dict) -> ChannelError:
    message = str(body.get("message") or "")
    details = "; ".join(str(d.get("message", "")) for d in body.get("detail") or [] if isinstance(d, dict))
    message = f"{message}: {details}" if details else message
    if code == "IncompleteSignature":
        return SignatureRejected(code, message)
    if code == "IllegalAccessToken":
        return TokenExpired(code, message)
    if code == "ApiCallLimit":
        ban = re.search(r"last (\d+) second", message)
        return RateLimited(code, message, retry_after=float(ban.group(1)) if ban else 1.0)
    if code == "ServiceTimeout" or body.get("type") == "SYSTEM":
        return TemporaryFailure(code, message)
    return ChannelError(code, message)


class LazadaConnector:
    code = "lazada"
    page_size = 100  # orders per /orders/get call (Lazada's maximum)

    def __init__(self, *, partner, base_url: str, credentials: Credentials, transport=None, clock=time.time,
                 auth_url: str | None = None, min_interval: float = 0.05):  # fmt: skip
        self.credentials = credentials
        self.clock = clock
        self.min_interval = min_interval  # seconds between two calls of this connector
        self._api = Outbound(recipient=partner, base_url=base_url, transport=transport)
        self._auth = (
            Outbound(recipient=partner, base_url=auth_url, transport=transport) if auth_url else self._api
        )
        self._pace_lock = threading.Lock()
        self._last_call = float("-inf")

    # The protocol.

    def _wait_turn(self) -> None:
        with self._pace_lock:
            wait = self._last_call + self.min_interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last_call = time.monotonic()

    def _call(self, path: str, params: dict[str, str] | None = None, *, released: Sequence[Released] = (),
              post: bool = False, seller: bool = True) -> dict:  # fmt: skip
        """One signed call; returns Lazada's answer or raises the matching ChannelError."""
        self._wait_turn()
        common = {"app_key": self.credentials.app_key, "timestamp": str(int(self.clock() * 1000)),
                  "sign_method": "sha256"}  # fmt: skip
        if seller:
            common["access_token"] = self.credentials.access_token
        signed = {**common, **(params or {})}
        signed["sign"] = sign(self.credentials.app_secret, path, signed)
        channel = self._api if seller else self._auth
        try:
            if post:  # everything in the form body, as Lazada's SDKs post it: no token in the URL
                response = channel.send("POST", path, released=released, data=signed)
            else:
                response = channel.send("GET", path, released=released, params=signed)
        except httpx.HTTPError as error:
            raise TemporaryFailure("NetworkError", str(error)) from error
        if response.status_code >= 500:
            raise TemporaryFailure(str(response.status_code), f"Lazada answered HTTP {response.status_code}")
        try:
            body = json.loads(response.content, parse_float=Decimal)
        except ValueError:
            raise ChannelError(str(response.status_code), "Lazada's answer is not JSON") from None
        code = str(body.get("code", ""))
        if code != "0":
            raise _error(code, body)
        return body

    def _store_tokens(self, body: dict) -> Credentials:
        expires_at = datetime.fromtimestamp(self.clock(), UTC) + timedelta(seconds=int(body["expires_in"]))
        self.credentials = dataclasses.replace(self.credentials, access_token=body["access_token"],
                                               refresh_token=body["refresh_token"],
                                               expires_at=expires_at)  # fmt: skip
        return self.credentials

    def create_token(self, code: str) -> Credentials:
        """Exchanges the authorization code from the seller's consent for tokens."""
        return self._store_tokens(self._call("/auth/token/create", {"code": code}, post=True, seller=False))

    def refresh_token(self) -> Credentials:
        body = self._call(
            "/auth/token/refresh", {"refresh_token": self.credentials.refresh_token}, post=True, seller=False
        )
        return self._store_tokens(body)

    # Listings.

    def publish(self, *, product: Released, variants: Sequence[Released], images: Sequence[Released],
                idempotency_key: str) -> ListingResult:  # fmt: skip
        node = _product(product.data, [v.data for v in variants], [i.data for i in images])
        payload = json.dumps({"Request": {"Product": node}}, ensure_ascii=False)
        try:
            body = self._call("/product/create", {"payload": payload}, released=[product, *variants, *images],
                              post=True)  # fmt: skip
        except ChannelError as error:
            if type(error) is not ChannelError or not error.code.isdigit():
                raise  # gateway trouble (words: InvalidAppKey, ...) is not a verdict on the listing
            if error.code == "4135" and variants and variants[0].data.get("sku"):
                body = self._call(
                    "/product/item/get", {"seller_sku": variants[0].data["sku"]}, released=variants[:1]
                )
                return _listing(body["data"])
            return ListingResult(partner_item_id="", state=ListingState.REJECTED, reason=error.message)
        return ListingResult(partner_item_id=str(body["data"]["item_id"]), state=ListingState.PENDING)

    def listing_status(self, partner_item_id: str) -> ListingResult:
        return _listing(self._call("/product/item/get", {"item_id": partner_item_id})["data"])

    def update_price_stock(self, *, variants: Sequence[Released], idempotency_key: str) -> None:
        for start in range(0, len(variants), SKUS_PER_UPDATE):
            batch = variants[start : start + SKUS_PER_UPDATE]
            skus = []
            for variant in batch:
                data, sku = variant.data, {}
                if "sku" in data:
                    sku["SellerSku"] = data["sku"]
                if "price_satang" in data:
                    sku["Price"] = baht(data["price_satang"])
                if "available" in data:
                    sku["Quantity"] = str(data["available"])
                skus.append(sku)
            payload = {"Request": {"Product": {"Skus": {"Sku": skus}}}}
            self._call(
                "/product/price_quantity/update", {"payload": json.dumps(payload)}, released=batch, post=True
            )

    # Orders.

    def pull_orders(self, *, since: datetime) -> list[PartnerOrder]:
        if since.tzinfo is None:
            raise ValueError("since must be an aware datetime")
        created_after = since.astimezone(UTC).isoformat(timespec="seconds")
        orders, offset = [], 0
        while True:
            params = {"created_after": created_after, "offset": str(offset), "limit": str(self.page_size),
                      "sort_by": "created_at", "sort_direction": "ASC"}  # fmt: skip
            data = self._call("/orders/get", params)["data"]
            page = data.get("orders") or []
            for order in page:
                items = self._call("/order/items/get", {"order_id": str(order["order_id"])})["data"]
                orders.append(_order(order, items))
            offset += len(page)
            if not page or offset >= int(data.get("countTotal") or 0):
                return orders

    def acknowledge(self, order_number: str) -> None:
        """Lazada has no acknowledge call: a new order waits, "pending", until it is packed."""

    def mark_shipped(self, order_number: str, *, shipment: Released, idempotency_key: str) -> None:
        """Packs the order's pending items (dropship, with the released carrier) and sets them ready
        to ship with the released tracking number. Lazada's order_number is also its order_id."""
        items = self._call("/order/items/get", {"order_id": order_number})["data"]
        carrier, tracking = shipment.data.get("carrier", ""), shipment.data.get("tracking_number", "")
        if tracking and all(
            i["status"] in SHIPPED_STATUSES and i.get("tracking_code") == tracking for i in items
        ):
            return  # already shipped with this tracking number
        pending = [i["order_item_id"] for i in items if i["status"] == "pending"]
        if pending:
            params = {
                "delivery_type": "dropship",
                "order_item_ids": json.dumps(pending),
                "shipping_provider": carrier,
            }
            self._call("/order/pack", params, released=[shipment], post=True)
        ids = [i["order_item_id"] for i in items if i["status"] in ("pending", "packed", "ready_to_ship")]
        params = {"delivery_type": "dropship", "order_item_ids": json.dumps(ids),
                  "shipment_provider": carrier, "tracking_number": tracking}  # fmt: skip
        self._call("/order/rts", params, released=[shipment], post=True)


def _product(product: dict, variants: list[dict], images: list[dict]) -> dict:
    """Lazada's CreateProduct `Product` node from released catalog fields; what is missing is left
    out for Lazada to refuse."""
    attributes = {"brand": product.get("brand") or "No Brand"}
    name = product.get("name_th") or product.get("name_en")
    if name:
        attributes["name"] = name
    description = product.get("description_th") or product.get("description_en")
    if description:
        attributes["description"] = description
    node = {"Attributes": attributes, "Skus": {"Sku": [_sku(v) for v in variants]}}
    if product.get("category") in CATEGORY_IDS:
        node["PrimaryCategory"] = CATEGORY_IDS[product["category"]]
    urls = [image["image"] for image in images if image.get("image")]
    if urls:
        node["Images"] = {"Image": urls[:8]}
    return node


def _sku(variant: dict) -> dict:
    sku = {}
    if "sku" in variant:
        sku["SellerSku"] = variant["sku"]
    if "price_satang" in variant:
        sku["price"] = baht(variant["price_satang"])
    if "available" in variant:
        sku["quantity"] = str(variant["available"])
    if variant.get("weight_g"):  # grams -> kg, two decimals at most, never under-declared
        sku["package_weight"] = str((Decimal(variant["weight_g"]) / 1000).quantize(Decimal("0.01"), ROUND_UP))
    for side in ("length", "width", "height"):
        if variant.get(f"{side}_mm"):
            sku[f"package_{side}"] = str(Decimal(variant[f"{side}_mm"]) / 10)  # mm -> cm
    return sku


def _listing(item: dict) -> ListingResult:
    status = str(item.get("status", ""))
    if status.lower() == "active":
        state, reason = ListingState.LIVE, ""
    elif "pending" in status.lower():
        state, reason = ListingState.PENDING, ""
    else:
        state, reason = ListingState.REJECTED, str(item.get("reason") or status)
    return ListingResult(partner_item_id=str(item["item_id"]), state=state, reason=reason)


def _order(order: dict, items: list[dict]) -> PartnerOrder:
    """One Lazada order; Lazada sends one order item per unit, counted here into lines."""
    units = Counter(
        (i["sku"], satang(i["item_price"]), i.get("currency") or "THB", str(i.get("shop_sku", "")))
        for i in items
    )
    lines = [PartnerOrderLine(seller_sku=sku, quantity=count, unit_price_minor=price, currency=currency,
                              partner_item_id=shop_sku)
             for (sku, price, currency, shop_sku), count in units.items()]  # fmt: skip
    country = str((order.get("address_shipping") or {}).get("country", ""))
    name = f"{order.get('customer_first_name', '')} {order.get('customer_last_name', '')}".strip()
    return PartnerOrder(
        order_number=str(order["order_number"]),
        ordered_at=datetime.strptime(order["created_at"], "%Y-%m-%d %H:%M:%S %z").astimezone(UTC),
        status=",".join(order.get("statuses") or []),
        lines=lines,
        buyer_name=name,
        buyer_country=COUNTRY_CODES.get(country.lower(), country.upper() if len(country) == 2 else ""),
    )
