"""Tmall Global and Alibaba.com, both over the Alibaba open platform's signed gateway (TOP).

Every call is one POST to `/router/rest`: system parameters (`method`, `app_key`, `session`,
`timestamp` in GMT+8, `format=json`, `v=2.0`, `sign_method`, `sign`) in the query string, the
method's own parameters in the form body. The signature covers all of them: sort by name, join
name+value, then MD5 with the secret on both ends (`md5`) or HMAC keyed with the secret
(`hmac` = HMAC-MD5, `hmac-sha256`), as uppercase hex. Success answers `{"<method>_response": ...}`
(dots as underscores, a leading "taobao." dropped); failures `{"error_response": {"code", "msg",
"sub_code", "sub_msg"}}` with `isv.*` sub-codes for the caller's faults and `isp.*` for the
platform's.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import httpx
from django.conf import settings

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

GATEWAY = "/router/rest"
GMT8 = timezone(timedelta(hours=8))
TOP_TIME = "%Y-%m-%d %H:%M:%S"


def top_sign(params: Mapping[str, str], secret: str, sign_method: str) -> str:
    """The TOP signature of every parameter but `sign` (empty values are left out, as the SDKs do)."""
    text = "".join(f"{key}{params[key]}" for key in sorted(params) if key != "sign" and params[key] != "")
    if sign_method == "md5":
        digest = hashlib.md5(f"{secret}{text}{secret}".encode(), usedforsecurity=False).hexdigest()
    elif sign_method in ("hmac", "hmac-sha256"):
        algorithm = hashlib.md5 if sign_method == "hmac" else hashlib.sha256
        digest = hmac.new(secret.encode(), text.encode(), algorithm).hexdigest()
    else:
        raise ValueError(f"unknown sign_method {sign_method!r}")
    return digest.upper()


def top_time(moment: datetime) -> str:
    return moment.astimezone(GMT8).strftime(TOP_TIME)


def from_top_time(text: str) -> datetime:
    return datetime.strptime(text, TOP_TIME).replace(tzinfo=GMT8).astimezone(UTC)


def to_minor(amount) -> int:
    """A decimal amount string ("12.35") as integer minor units (1235), refusing anything inexact."""
    try:
        minor = Decimal(str(amount)) * 100
    except InvalidOperation as error:
        raise ChannelError("bad_amount", f"not an amount: {amount!r}") from error
    if minor != minor.to_integral_value():
        raise ChannelError("bad_amount", f"{amount!r} has more than two decimal places")
    return int(minor)


def to_major(minor: int) -> str:
    return f"{Decimal(minor) / 100:.2f}"


def _response_key(method: str) -> str:
    return method.removeprefix("taobao.").replace(".", "_") + "_response"


def _ban_seconds(message: str) -> float:
    found = re.search(r"(\d+) more seconds?", message)
    return float(found.group(1)) if found else 1.0


def _raise_for(error: Mapping) -> None:
    code = str(error.get("code", ""))
    sub_code = str(error.get("sub_code") or "")
    message = str(error.get("sub_msg") or error.get("msg") or "")
    if code == "25":
        raise SignatureRejected(code, message)
    if code in ("26", "27"):
        raise TokenExpired(code, message)
    if code == "7":
        raise RateLimited(code, message, retry_after=_ban_seconds(message))
    if code == "10" or sub_code.startswith("isp."):
        raise TemporaryFailure(sub_code or code, message)
    raise ChannelError(sub_code if code == "15" and sub_code else code, message)


def _put(fields: dict, name: str, value) -> None:
    """Adds a parameter only when the released data has a value for it."""
    if value not in (None, ""):
        fields[name] = str(value)


class _OpenPlatformConnector:
    """What Tmall Global and Alibaba.com share: signing, calling, tokens and error mapping."""

    code = ""
    page_size = 50

    def __init__(
        self,
        *,
        partner,
        base_url: str,
        credentials: Credentials,
        transport=None,
        clock=time.time,
        sign_method: str = "hmac-sha256",
        min_interval: float = 0.1,
    ):
        self.credentials = credentials
        self.clock = clock
        self.sign_method = sign_method
        self.min_interval = min_interval
        self.channel = Outbound(recipient=partner, base_url=base_url, transport=transport)
        self._lock = threading.Lock()
        self._last_call = float("-inf")

    def _pace(self) -> None:
        """Keeps at least `min_interval` seconds between two calls from this connector."""
        with self._lock:
            wait = self._last_call + self.min_interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last_call = time.monotonic()

    def call(self, method: str, fields: Mapping[str, str], *, released: Sequence = (), session=True) -> dict:
        """One signed call; returns the body of `<method>_response`, or raises the mapped ChannelError."""
        system = {
            "method": method,
            "app_key": self.credentials.app_key,
            "timestamp": top_time(datetime.fromtimestamp(self.clock(), UTC)),
            "format": "json",
            "v": "2.0",
            "sign_method": self.sign_method,
        }
        if session:
            system["session"] = self.credentials.access_token
        system["sign"] = top_sign({**system, **fields}, self.credentials.app_secret, self.sign_method)
        self._pace()
        try:
            response = self.channel.send("POST", GATEWAY, released=released, params=system, data=dict(fields))
        except httpx.HTTPError as error:
            raise TemporaryFailure("network", str(error)) from error
        if response.status_code >= 500:
            raise TemporaryFailure(str(response.status_code), response.text[:200])
        try:
            body = response.json()
        except ValueError as error:
            raise ChannelError(str(response.status_code), "the answer is not JSON") from error
        if "error_response" in body:
            _raise_for(body["error_response"])
        if _response_key(method) not in body:
            raise ChannelError("bad_response", f"no {_response_key(method)} in the partner's answer")
        return body[_response_key(method)]

    # Tokens ---------------------------------------------------------------------------------

    def _take_token(self, method: str, fields: dict) -> Credentials:
        token = json.loads(self.call(method, fields, session=False)["token_result"])
        self.credentials = Credentials(
            app_key=self.credentials.app_key,
            app_secret=self.credentials.app_secret,
            access_token=token["access_token"],
            refresh_token=token["refresh_token"],
            expires_at=datetime.fromtimestamp(int(token["expire_time"]) / 1000, UTC),
        )
        return self.credentials

    def create_token(self, code: str) -> Credentials:
        """Exchanges the one-time code the seller's authorisation returned for a first token."""
        return self._take_token("taobao.top.auth.token.create", {"code": code})

    def refresh_token(self) -> Credentials:
        refresh = {"refresh_token": self.credentials.refresh_token}
        return self._take_token("taobao.top.auth.token.refresh", refresh)

    # Shared helpers ---------------------------------------------------------------------------

    def _publish(self, method: str, fields: dict, released: Sequence[Released], id_of) -> ListingResult:
        try:
            answer = self.call(method, fields, released=released)
        except ChannelError as error:
            if type(error) is ChannelError and error.code.startswith("isv."):  # a business refusal (code 15)
                return ListingResult(partner_item_id="", state=ListingState.REJECTED, reason=error.message)
            raise
        return ListingResult(partner_item_id=str(id_of(answer)), state=ListingState.PENDING)

    def close(self) -> None:
        self.channel.close()


class TmallGlobalConnector(_OpenPlatformConnector):
    """Tmall Global (cross-border, `tmall_i18n` trades): Chinese titles and CNY prices in yuan."""

    code = "tmall-global"

    def publish(self, *, product, variants, images, idempotency_key) -> ListingResult:
        item = product.data
        skus = [variant.data for variant in variants]
        fields = {
            "outer_id": idempotency_key,  # a second add with the same outer_id returns the first item
            "type": "fixed",
            "stuff_status": "new",
            "approve_status": "onsale",
            "lang": "zh_CN",
            "global_stock_type": "1",  # stock on hand
            "global_stock_delivery_place": "2",  # ships from overseas
            "global_stock_country": "泰国",
            "sku_outer_ids": ",".join(str(sku.get("sku", "")) for sku in skus),
        }
        if skus and all("available" in sku for sku in skus):
            fields["num"] = str(sum(int(sku["available"]) for sku in skus))
            fields["sku_quantities"] = ",".join(str(sku["available"]) for sku in skus)
        _put(fields, "title", item.get("name_zh"))
        _put(fields, "desc", item.get("description_zh"))
        prices = [sku.get("cny_price_fen") for sku in skus]
        if prices and None not in prices:
            fields["price"] = to_major(min(prices))
            fields["sku_prices"] = ",".join(to_major(price) for price in prices)
        if images and images[0].data.get("image"):
            fields["pic_path"] = str(images[0].data["image"])
        released = [product, *variants, *images]
        return self._publish("taobao.item.add", fields, released, lambda answer: answer["item"]["num_iid"])

    def listing_status(self, partner_item_id: str) -> ListingResult:
        fields = {"num_iid": partner_item_id, "fields": "num_iid,approve_status,outer_id"}
        item = self.call("taobao.item.seller.get", fields)["item"]
        state = ListingState.LIVE if item.get("approve_status") == "onsale" else ListingState.PENDING
        return ListingResult(partner_item_id=str(item["num_iid"]), state=state)

    def update_price_stock(self, *, variants, idempotency_key) -> None:
        """Full (not incremental) updates, so a repeated call sets the same values again."""
        for variant in variants:
            sku = variant.data.get("sku")
            fields = {"outer_id": str(sku), "fields": "sku_id,num_iid,outer_id"}
            found = self.call("taobao.skus.custom.get", fields, released=[variant])
            listed = found.get("skus", {}).get("sku", [])
            if not listed:
                raise ChannelError("unknown_sku", f"Tmall Global has no SKU {sku}")
            for entry in listed:
                target = {"num_iid": str(entry["num_iid"]), "outer_id": str(sku)}
                if "available" in variant.data:
                    quantity = {**target, "quantity": str(variant.data["available"]), "type": "1"}
                    self.call("taobao.item.quantity.update", quantity, released=[variant])
                if variant.data.get("cny_price_fen") is not None:
                    price = {**target, "price": to_major(variant.data["cny_price_fen"])}
                    self.call("taobao.item.sku.price.update", price, released=[variant])

    def pull_orders(self, *, since: datetime) -> list[PartnerOrder]:
        orders: dict[str, PartnerOrder] = {}
        page = 1
        while True:
            fields = {
                "fields": "tid,status,created,buyer_nick,receiver_country,orders",
                "type": "tmall_i18n",
                "start_created": top_time(since),
                "page_no": str(page),
                "page_size": str(self.page_size),
                "use_has_next": "true",
            }
            answer = self.call("taobao.trades.sold.get", fields)
            for trade in answer.get("trades", {}).get("trade", []):
                orders.setdefault(str(trade["tid"]), self._order(trade))
            if not answer.get("has_next"):
                return list(orders.values())
            page += 1

    @staticmethod
    def _order(trade: Mapping) -> PartnerOrder:
        country = str(trade.get("receiver_country") or "")
        lines = [
            PartnerOrderLine(
                seller_sku=str(line.get("outer_sku_id", "")),
                quantity=int(line["num"]),
                unit_price_minor=to_minor(line["price"]),
                currency="CNY",
                partner_item_id=str(line.get("num_iid", "")),
            )
            for line in trade.get("orders", {}).get("order", [])
        ]
        return PartnerOrder(
            order_number=str(trade["tid"]),
            ordered_at=from_top_time(trade["created"]),
            status=str(trade.get("status", "")),
            lines=lines,
            buyer_name=str(trade.get("buyer_nick", "")),
            buyer_country=country if len(country) == 2 else "",
        )

    def acknowledge(self, order_number: str) -> None:
        """Tmall has no acceptance step: we confirm the trade exists and is ours."""
        self.call("taobao.trade.fullinfo.get", {"tid": order_number, "fields": "tid,status"})

    def mark_shipped(self, order_number: str, *, shipment, idempotency_key) -> None:
        fields = {"tid": order_number}
        _put(fields, "out_sid", shipment.data.get("tracking_number"))
        _put(fields, "company_code", shipment.data.get("carrier"))
        self.call("taobao.logistics.offline.send", fields, released=[shipment])


class AlibabaComConnector(_OpenPlatformConnector):
    """Alibaba.com (ICBU, B2B wholesale): English titles, prices in US dollars.

    Talat's prices are THB satang; the protocol's prices are USD. `thb_per_usd` (else the setting
    TALAT_THB_PER_USD) converts with Decimal arithmetic, half up to the cent."""

    code = "alibaba"
    page_size = 20

    def __init__(self, *, thb_per_usd: Decimal | str | None = None, **kwargs):
        super().__init__(**kwargs)
        rate = thb_per_usd if thb_per_usd is not None else getattr(settings, "TALAT_THB_PER_USD", None)
        self.thb_per_usd = Decimal(str(rate)) if rate is not None else None
        self._product_of_sku: dict[str, str] = {}

    def _usd(self, satang: int) -> str:
        if self.thb_per_usd is None:
            raise ChannelError("no_exchange_rate", "set TALAT_THB_PER_USD to list prices on Alibaba.com")
        cents = (Decimal(satang) / self.thb_per_usd).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return to_major(int(cents))

    def _sku_entry(self, data: Mapping) -> dict:
        entry: dict = {"sku_code": str(data.get("sku", ""))}
        if data.get("price_satang") is not None:
            entry["price"] = self._usd(data["price_satang"])
        if "available" in data:
            entry["inventory_dto_list"] = [{"current_inventory": int(data["available"])}]
        return entry

    def publish(self, *, product, variants, images, idempotency_key) -> ListingResult:
        item = product.data
        skus = [self._sku_entry(variant.data) for variant in variants]
        trade: dict = {"min_order_quantity": 1, "sale_type": "normal"}
        prices = [Decimal(sku["price"]) for sku in skus if "price" in sku]
        if prices and len(prices) == len(skus):
            trade["price"] = f"{min(prices):.2f}"
        weights = [variant.data["weight_g"] for variant in variants if variant.data.get("weight_g")]
        if weights:
            trade["weight"] = f"{Decimal(max(weights)) / 1000:.3f}"
        pictures = [image.data["image"] for image in images if image.data.get("image")]
        fields = {
            "language": "ENGLISH",
            "product_type": "wholesale",
            "market": "main",
            # ICBU has no seller key on a product: the key rides in extra_context, and a second add
            # carrying the same outer_id returns the product made first.
            "extra_context": json.dumps({"outer_id": idempotency_key}),
            "wholesale_trade": json.dumps(trade),
            "product_sku": json.dumps({"special_skus": skus}),
            "main_image": json.dumps({"images": pictures}),
        }
        _put(fields, "subject", item.get("name_en"))
        _put(fields, "description", item.get("description_en"))
        released = [product, *variants, *images]
        result = self._publish(
            "alibaba.icbu.product.add", fields, released, lambda answer: answer["product_id"]
        )
        for sku in skus if result.partner_item_id else ():
            self._product_of_sku[sku["sku_code"]] = result.partner_item_id
        return result

    def _product(self, product_id: str) -> Mapping:
        fields = {"product_id": product_id, "language": "ENGLISH"}
        return self.call("alibaba.icbu.product.get", fields)["product"]

    def listing_status(self, partner_item_id: str) -> ListingResult:
        product = self._product(partner_item_id)
        status = product.get("status")
        if status == "tbd":
            return ListingResult(partner_item_id, ListingState.REJECTED, str(product.get("audit_reason", "")))
        live = status == "approved" and product.get("display") == "Y"
        return ListingResult(partner_item_id, ListingState.LIVE if live else ListingState.PENDING)

    def _find_products(self, skus: set[str]) -> None:
        """Alibaba.com finds products by id only: walk the seller's products to learn which holds a SKU."""
        page = 1
        while skus - set(self._product_of_sku):
            fields = {"language": "ENGLISH", "current_page": str(page), "page_size": "30"}
            answer = self.call("alibaba.icbu.product.list", fields)
            briefs = answer.get("products", {}).get("alibaba_product_brief_response", [])
            for brief in briefs:
                for sku in self._product(str(brief["id"])).get("product_sku", {}).get("skus", []):
                    self._product_of_sku[str(sku["sku_code"])] = str(brief["id"])
            if page * 30 >= int(answer.get("total_item", 0)) or not briefs:
                return
            page += 1

    def update_price_stock(self, *, variants, idempotency_key) -> None:
        """Sets each SKU's price and stock in place (update.field), so a repeat sets the same values."""
        self._find_products({str(variant.data.get("sku")) for variant in variants})
        by_product: dict[str, list[Released]] = {}
        for variant in variants:
            product_id = self._product_of_sku.get(str(variant.data.get("sku")))
            if product_id is None:
                raise ChannelError("unknown_sku", f"Alibaba.com has no SKU {variant.data.get('sku')}")
            by_product.setdefault(product_id, []).append(variant)
        for product_id, listed in by_product.items():
            skus = {"special_skus": [self._sku_entry(variant.data) for variant in listed]}
            fields = {"product_id": product_id, "language": "ENGLISH", "product_sku": json.dumps(skus)}
            self.call("alibaba.icbu.product.update.field", fields, released=listed)

    def pull_orders(self, *, since: datetime) -> list[PartnerOrder]:
        numbers: list[str] = []
        page = 0
        while True:
            query = {"role": "seller", "start_page": page, "page_size": self.page_size}
            query["create_date_start"] = top_time(since)
            fields = {"param_trade_ecology_order_list_query": json.dumps(query)}
            answer = self.call("alibaba.seller.order.list", fields)
            value = answer.get("value", {})
            for brief in value.get("order_list", {}).get("trade_ecology_order", []):
                if str(brief["trade_id"]) not in numbers:
                    numbers.append(str(brief["trade_id"]))
            if (page + 1) * self.page_size >= int(value.get("total_count", 0)):
                break
            page += 1
        return [self._order(number) for number in numbers]

    def _order(self, number: str) -> PartnerOrder:
        detail = self.call("alibaba.seller.order.get", {"e_trade_id": number, "language": "en_US"})["value"]
        lines = [
            PartnerOrderLine(
                seller_sku=str(line.get("sku_code", "")),
                quantity=int(line["quantity"]),
                unit_price_minor=to_minor(line["unit_price"]["amount"]),
                currency=str(line["unit_price"]["currency"]),
                partner_item_id=str(line.get("product_id", "")),
            )
            for line in detail.get("order_products", {}).get("trade_ecology_product", [])
        ]
        buyer = detail.get("buyer", {})
        return PartnerOrder(
            order_number=str(detail["trade_id"]),
            ordered_at=datetime.fromtimestamp(int(detail["create_date"]["timestamp"]) / 1000, UTC),
            status=str(detail.get("trade_status", "")),
            lines=lines,
            buyer_name=str(buyer.get("full_name", "")),
            buyer_country=str(buyer.get("country_code", "")),
        )

    def acknowledge(self, order_number: str) -> None:
        """Alibaba.com has no acceptance step: we confirm the order exists and is ours."""
        self.call("alibaba.seller.order.get", {"e_trade_id": order_number, "language": "en_US"})

    def mark_shipped(self, order_number: str, *, shipment, idempotency_key) -> None:
        request = {"trade_id": order_number, "logistics_type": "EXPRESS"}
        _put(request, "service_provider", shipment.data.get("carrier"))
        _put(request, "tracking_number", shipment.data.get("tracking_number"))
        fields = {"shipping_request": json.dumps(request)}
        self.call("alibaba.seller.order.shipping", fields, released=[shipment])
