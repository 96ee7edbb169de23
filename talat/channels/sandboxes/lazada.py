"""A Lazada Open Platform sandbox: the slice of Lazada's published protocol that Talat's connector
uses, as a WSGI app for tests (`Running(LazadaSandbox(...))`) and `make demo`
(`python -m talat.channels.sandboxes.lazada --port 8601`). Standard library only; state in memory
behind one lock.

The protocol, as Lazada publishes it: calls go to `<gateway>/rest<api path>`; every call carries
`app_key`, `timestamp` (ms, within 7200 s of the server's clock), `sign_method=sha256` and `sign`,
the uppercase hex HMAC-SHA256 with the app secret of the API path followed by every other
parameter's name and value, sorted by name; seller APIs also carry `access_token`. Success answers
`{"code": "0", ..., "request_id": ...}`, failure `{"type", "code", "message", "request_id"}`
(HTTP 200 either way). An order holds one order item per unit sold, as on Lazada.
"""

import contextlib
import hashlib
import hmac
import itertools
import json
import random
import secrets
import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlencode

MAX_SKEW_SECONDS = 7200
BANGKOK = timezone(timedelta(hours=7))
COUNTRY_NAMES = {"TH": "Thailand", "SG": "Singapore", "MY": "Malaysia", "VN": "Vietnam", "PH": "Philippines",
                 "ID": "Indonesia"}  # fmt: skip
DEMO_BUYERS = ["สมชาย ใจดี", "Nur Aisyah", "Tan Wei Ming", "มาลี ศรีสุข", "Nguyen Van An", "Maria Santos"]


def sign(app_secret: str, api_path: str, params: dict) -> str:
    """Lazada's signature: HMAC-SHA256(secret, path + name1value1name2value2...), uppercase hex."""
    text = api_path + "".join(f"{k}{v}" for k, v in sorted(params.items()) if k != "sign" and v != "")
    return hmac.new(app_secret.encode(), text.encode(), hashlib.sha256).hexdigest().upper()


class LazadaError(Exception):
    def __init__(self, code: str, message: str, kind: str = "ISV", detail: list | None = None):
        super().__init__(message)
        self.body = {"type": kind, "code": code, "message": message}
        if detail:
            self.body["detail"] = detail


def _missing(name: str) -> LazadaError:
    message = f'The input parameter "{name}" that is mandatory for processing this request is not supplied'
    return LazadaError("MissingParameter", message)


def _problem(field: str, message: str, seller_sku: str | None = None) -> dict:
    return {"field": field, "message": message, **({"seller_sku": seller_sku} if seller_sku else {})}


def _money(text) -> Decimal | None:
    try:
        value = Decimal(str(text))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _baht(value: Decimal) -> str:
    return f"{value:.2f}"


class LazadaSandbox:
    """A WSGI app answering as Lazada's `/rest` gateway (and its `/oauth/authorize` page)."""

    def __init__(self, app_key: str, app_secret: str, *, rate_limit_per_second: float = 20,
                 token_lifetime_seconds: int = 7 * 86400, review_seconds: float = 0,
                 clock=time.time):  # fmt: skip
        self.apps = {app_key: app_secret}
        self.rate = rate_limit_per_second
        self.token_lifetime = token_lifetime_seconds
        self.review_seconds = review_seconds
        self.clock = clock
        self.lock = threading.Lock()
        self.requests: list[dict] = []  # {"path": "/orders/get", "params": {...}} for every call
        self.items: dict[int, dict] = {}  # item_id -> listing
        self.skus: dict[str, dict] = {}  # SellerSku -> sku (each knows its item_id)
        self.orders: list[dict] = []  # {"order": ..., "items": [...], "created": datetime}, oldest first
        self._ids = itertools.count(3_069_252_927)
        self._codes: set[str] = set()
        self._access: dict[str, float] = {}  # token -> expiry
        self._refresh: dict[str, tuple[float, str]] = {}  # refresh token -> (expiry, access token)
        self._buckets: dict[str, tuple[float, float]] = {}  # app key -> (tokens, at)
        self._generator: threading.Event | None = None
        self.routes = {
            "/auth/token/create": (self._token_create, False),
            "/auth/token/refresh": (self._token_refresh, False),
            "/product/create": (self._product_create, True),
            "/product/item/get": (self._item_get, True),
            "/product/price_quantity/update": (self._price_quantity_update, True),
            "/orders/get": (self._orders_get, True),
            "/order/items/get": (self._order_items_get, True),
            "/order/pack": (self._pack, True),
            "/order/rts": (self._rts, True),
        }

    # Helpers for tests and the demo.

    def authorize(self) -> str:
        """A one-time authorization code, as the seller's consent page would hand the app."""
        with self.lock:
            code = secrets.token_hex(16)
            self._codes.add(code)
            return code

    def expire_tokens(self) -> None:
        with self.lock:
            self._access = dict.fromkeys(self._access, 0.0)

    def status_of(self, item: dict) -> str:
        return "Active" if self.clock() - item["created"] >= self.review_seconds else "Pending QC"

    def place_order(
        self, seller_sku: str, quantity: int, *, buyer_name: str = "สมชาย ใจดี", country: str = "TH"
    ):
        """A buyer's order for a live SKU; returns its order number. Refuses more than the stock."""
        with self.lock:
            sku = self.skus.get(seller_sku)
            if sku is None or self.status_of(self.items[sku["item_id"]]) != "Active":
                raise ValueError(f"{seller_sku} is not a live SKU")
            if not 0 < quantity <= sku["quantity"]:
                raise ValueError(f"{seller_sku} has {sku['quantity']} in stock, not {quantity}")
            sku["quantity"] -= quantity
            number = next(self._ids)
            created = datetime.fromtimestamp(self.clock(), UTC)
            stamp = created.astimezone(BANGKOK).strftime("%Y-%m-%d %H:%M:%S %z")
            name = self.items[sku["item_id"]]["attributes"]["name"]
            price = _baht(sku["price"])
            item = {"order_id": number, "name": name, "sku": seller_sku, "shop_sku": sku["ShopSku"],
                    "item_price": price, "paid_price": price, "currency": "THB", "status": "pending",
                    "shipment_provider": "", "tracking_code": "", "created_at": stamp}  # fmt: skip
            items = [{"order_item_id": next(self._ids), **item} for _ in range(quantity)]
            order = {"order_id": number, "order_number": number, "created_at": stamp, "updated_at": stamp,
                     "customer_first_name": buyer_name, "customer_last_name": "", "items_count": quantity,
                     "price": _baht(sku["price"] * quantity), "payment_method": "COD",
                     "address_shipping": {"country": COUNTRY_NAMES.get(country, country)}}  # fmt: skip
            self.orders.append({"order": order, "items": items, "created": created})
            return str(number)

    def start_generator(self, every_seconds: float) -> None:
        """Places a random order (one unit of a random live SKU in stock) every N seconds."""
        self.stop_generator()
        stop = self._generator = threading.Event()
        rng = random.Random()  # noqa: S311 - demo orders, not security

        def run():
            while not stop.wait(every_seconds):
                with self.lock:
                    live = [
                        s
                        for s, sku in self.skus.items()
                        if sku["quantity"] > 0 and self.status_of(self.items[sku["item_id"]]) == "Active"
                    ]
                if live:
                    with contextlib.suppress(ValueError):  # sold out in the meantime
                        buyer, country = rng.choice(DEMO_BUYERS), rng.choice(["TH", "TH", "TH", "SG", "MY"])
                        self.place_order(rng.choice(live), 1, buyer_name=buyer, country=country)

        threading.Thread(target=run, name="lazada-sandbox-orders", daemon=True).start()

    def stop_generator(self) -> None:
        if self._generator:
            self._generator.set()
            self._generator = None

    # The gateway.

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        params = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        if environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            params.update(parse_qsl(environ["wsgi.input"].read(length).decode(), keep_blank_values=True))
        if path == "/oauth/authorize":
            return self._authorize_page(params, start_response)
        api = path.removeprefix("/rest")
        with self.lock:
            self.requests.append({"path": api, "params": dict(params)})
            try:
                body = {"code": "0", **self._handle(api, params)}
            except LazadaError as error:
                body = dict(error.body)
            data = json.dumps({**body, "request_id": secrets.token_hex(12)}, ensure_ascii=False).encode()
        start_response(
            "200 OK", [("Content-Type", "application/json;charset=UTF-8"), ("Content-Length", str(len(data)))]
        )
        return [data]

    def _authorize_page(self, params, start_response):
        """Lazada's consent page, already consented: redirects to redirect_uri with a code."""
        if params.get("client_id") not in self.apps or not params.get("redirect_uri"):
            start_response("400 Bad Request", [("Content-Type", "text/plain;charset=UTF-8")])
            return [b"unknown client_id or missing redirect_uri"]
        query = {"code": self.authorize(), **({"state": params["state"]} if "state" in params else {})}
        start_response("302 Found", [("Location", f"{params['redirect_uri']}?{urlencode(query)}")])
        return [b""]

    def _handle(self, api: str, params: dict) -> dict:
        if api not in self.routes:
            raise LazadaError("InvalidApiPath", "The specified API path is invalid")
        handler, seller_api = self.routes[api]
        secret = self.apps.get(params.get("app_key", ""))
        if secret is None:
            raise LazadaError("InvalidAppKey", "The specified app key is invalid")
        self._take_call(params["app_key"])
        self._check_signature(api, params, secret)
        if seller_api:
            expiry = self._access.get(params.get("access_token", ""))
            if expiry is None or expiry <= self.clock():
                raise LazadaError("IllegalAccessToken", "The specified access token is invalid or expired")
        return handler(params)

    def _take_call(self, app_key: str) -> None:
        """A token bucket per app key holding one second of calls."""
        now = self.clock()
        tokens, at = self._buckets.get(app_key, (max(1.0, self.rate), now))
        tokens = min(max(1.0, self.rate), tokens + (now - at) * self.rate)
        if tokens < 1:
            self._buckets[app_key] = (tokens, now)
            raise LazadaError(
                "ApiCallLimit", "Api access frequency exceeds the limit. this ban will last 1 seconds"
            )
        self._buckets[app_key] = (tokens - 1, now)

    def _check_signature(self, api: str, params: dict, secret: str) -> None:
        bad = LazadaError(
            "IncompleteSignature", "The request signature does not conform to platform standards"
        )
        if params.get("sign_method") != "sha256" or not params.get("sign"):
            raise bad
        stamp = params.get("timestamp", "")
        try:
            sent = int(stamp) / 1000 if stamp.isdigit() else datetime.fromisoformat(stamp).timestamp()
        except ValueError:
            raise bad from None
        if abs(self.clock() - sent) > MAX_SKEW_SECONDS:
            raise bad
        if not hmac.compare_digest(sign(secret, api, params), params["sign"].upper()):
            raise bad

    # Authorization.

    def _issue(self) -> dict:
        access, refresh, now = secrets.token_hex(24), secrets.token_hex(24), self.clock()
        self._access[access] = now + self.token_lifetime
        self._refresh[refresh] = (now + 2 * self.token_lifetime, access)
        return {"access_token": access, "refresh_token": refresh, "expires_in": self.token_lifetime,
                "refresh_expires_in": 2 * self.token_lifetime, "country": "th",
                "account_platform": "seller_center", "account": "sandbox-seller@example.th"}  # fmt: skip

    def _token_create(self, params: dict) -> dict:
        if params.get("code") not in self._codes:
            raise LazadaError("InvalidCode", "Invalid authorization code", "ISP")
        self._codes.discard(params["code"])
        return self._issue()

    def _token_refresh(self, params: dict) -> dict:
        expiry, access = self._refresh.pop(params.get("refresh_token", ""), (0.0, ""))
        if expiry <= self.clock():
            raise LazadaError("IllegalRefreshToken", "The specified refresh token is invalid or expired")
        self._access.pop(access, None)
        return self._issue()

    # Products.

    def _payload(self, params: dict) -> dict:
        if "payload" not in params:
            raise _missing("payload")
        try:
            product = json.loads(params["payload"])["Request"]["Product"]
        except (ValueError, KeyError, TypeError):
            product = None
        if not isinstance(product, dict) or not isinstance(product.get("Skus", {}), dict):
            raise LazadaError("1001", "The parameters are not in JSON format", "ISP")
        return product

    @staticmethod
    def _sku_list(product: dict) -> list[dict]:
        skus = (product.get("Skus") or {}).get("Sku") or []
        return [skus] if isinstance(skus, dict) else list(skus)

    def _product_create(self, params: dict) -> dict:
        product = self._payload(params)
        attributes = product.get("Attributes") or {}
        skus = self._sku_list(product)
        problems = []
        if not str(attributes.get("name") or "").strip():
            problems.append(_problem("name", "name is mandatory"))
        if not str(product.get("PrimaryCategory", "")).isdigit():
            problems.append(_problem("PrimaryCategory", "PrimaryCategory is mandatory"))
        if not skus:
            problems.append(_problem("Skus", "at least one Sku is mandatory"))
        for sku in skus:
            seller_sku = sku.get("SellerSku")
            if not seller_sku:
                problems.append(_problem("SellerSku", "SellerSku is mandatory"))
            price, weight = _money(sku.get("price")), _money(sku.get("package_weight"))
            if price is None or price <= 0:
                problems.append(
                    _problem("price", f"price of {seller_sku} must be greater than 0", seller_sku)
                )
            if not str(sku.get("quantity", "0")).isdigit():
                problems.append(
                    _problem("quantity", f"quantity of {seller_sku} must be a whole number", seller_sku)
                )
            if weight is None or weight <= 0:
                problems.append(
                    _problem("package_weight", f"package_weight of {seller_sku} is mandatory", seller_sku)
                )
        if problems:
            raise LazadaError("500", "Product validation failed", "ISP", problems)
        for seller_sku in (sku["SellerSku"] for sku in skus if sku["SellerSku"] in self.skus):
            message = ("THD_IC_ERR_F_IC_INFRA_PRODUCT_036:Insert sku outer id relation failed, "
                       f"outerId already exists, outer ID:{seller_sku}")  # fmt: skip
            raise LazadaError(
                "4135", message, "ISP", [_problem("SellerSku", "SellerSku already exists", seller_sku)]
            )
        item_id = next(self._ids)
        stored = []
        for sku in skus:
            sku_id = next(self._ids)
            stored.append({**sku, "item_id": item_id, "SkuId": sku_id, "ShopSku": f"{item_id}_TH-{sku_id}",
                           "price": _money(sku["price"]),
                           "quantity": int(sku.get("quantity") or 0)})  # fmt: skip
            self.skus[sku["SellerSku"]] = stored[-1]
        images = (product.get("Images") or {}).get("Image", [])
        self.items[item_id] = {"item_id": item_id, "primary_category": int(product["PrimaryCategory"]),
                               "attributes": attributes, "images": images, "skus": stored,
                               "created": self.clock()}  # fmt: skip
        sku_list = [
            {"shop_sku": s["ShopSku"], "seller_sku": s["SellerSku"], "sku_id": s["SkuId"]} for s in stored
        ]
        return {"data": {"item_id": item_id, "sku_list": sku_list}}

    def _item_get(self, params: dict) -> dict:
        if params.get("item_id", "").isdigit():
            item = self.items.get(int(params["item_id"]))
        elif params.get("seller_sku"):
            sku = self.skus.get(params["seller_sku"])
            item = self.items[sku["item_id"]] if sku else None
        else:
            raise _missing("item_id")
        if item is None:
            raise LazadaError("500", "Item not found", "ISP")
        skus = [
            {**s, "price": _baht(s["price"]), "Status": "active", "Available": s["quantity"]}
            for s in item["skus"]
        ]
        data = {key: item[key] for key in ("item_id", "primary_category", "attributes", "images")}
        return {"data": {**data, "status": self.status_of(item), "skus": skus}}

    def _price_quantity_update(self, params: dict) -> dict:
        changes, problems = [], []
        for sku in self._sku_list(self._payload(params)):
            stored = self.skus.get(sku.get("SellerSku", ""))
            price = _money(sku["Price"]) if "Price" in sku else None
            quantity = str(sku.get("Quantity", "0"))
            if stored is None:
                problems.append(_problem("SellerSku", "SKU not found", sku.get("SellerSku")))
            elif "Price" in sku and (price is None or price <= 0):
                problems.append(_problem("Price", "Price must be greater than 0", sku["SellerSku"]))
            elif not quantity.isdigit():
                problems.append(_problem("Quantity", "Quantity must be a whole number", sku["SellerSku"]))
            else:
                changes.append((stored, price, int(quantity) if "Quantity" in sku else None))
        if problems:
            raise LazadaError("500", "Update price and quantity failed", "ISP", problems)
        for stored, price, quantity in changes:
            stored["price"] = price if price is not None else stored["price"]
            stored["quantity"] = quantity if quantity is not None else stored["quantity"]
        return {}

    # Orders.

    def _orders_get(self, params: dict) -> dict:
        if not params.get("created_after"):
            raise _missing("created_after")
        try:
            after = datetime.fromisoformat(params["created_after"])
            offset, limit = int(params.get("offset", "0")), min(int(params.get("limit", "100")), 100)
        except ValueError:
            raise LazadaError("InvalidParameter", "created_after, offset or limit is invalid") from None
        after = after if after.tzinfo else after.replace(tzinfo=UTC)
        found = [o for o in self.orders if o["created"] >= after]
        if params.get("sort_direction", "DESC").upper() == "DESC":
            found.reverse()
        page = found[offset : offset + limit]
        orders = [{**o["order"], "statuses": sorted({i["status"] for i in o["items"]})} for o in page]
        return {"data": {"count": len(orders), "countTotal": len(found), "orders": orders}}

    def _order(self, order_id: str) -> dict:
        for order in self.orders:
            if str(order["order"]["order_id"]) == order_id:
                return order
        raise LazadaError("16", f"E016: {order_id} Invalid Order ID", "ISP")

    def _order_items_get(self, params: dict) -> dict:
        if not params.get("order_id"):
            raise _missing("order_id")
        return {"data": [dict(item) for item in self._order(params["order_id"])["items"]]}

    def _order_items(self, params: dict, *required: str) -> list[dict]:
        for name in ("order_item_ids", "delivery_type", *required):
            if not params.get(name):
                raise _missing(name)
        if params["delivery_type"] != "dropship":
            raise LazadaError("InvalidParameter", "delivery_type must be dropship")
        invalid = LazadaError("20", f"E020: {params['order_item_ids']} Invalid Order Item ID", "ISP")
        try:
            wanted = {int(i) for i in json.loads(params["order_item_ids"])}
        except (ValueError, TypeError):
            raise invalid from None
        items = [i for o in self.orders for i in o["items"] if i["order_item_id"] in wanted]
        if not wanted or len(items) != len(wanted):
            raise invalid
        return items

    def _pack(self, params: dict) -> dict:
        items = self._order_items(params, "shipping_provider")
        if any(i["status"] != "pending" for i in items):
            raise LazadaError("73", "E073: All order items must have status Pending", "ISP")
        for item in items:
            item.update(status="packed", shipment_provider=params["shipping_provider"])
        packed = [
            {"order_item_id": i["order_item_id"], "package_id": f"FP{i['order_item_id']}"} for i in items
        ]
        return {"data": {"order_items": packed}}

    def _rts(self, params: dict) -> dict:
        items = self._order_items(params, "shipment_provider", "tracking_number")
        if any(i["status"] not in ("pending", "packed", "ready_to_ship") for i in items):
            raise LazadaError("73", "E073: All order items must have status Pending or Ready To Ship", "ISP")
        carrier, tracking = params["shipment_provider"], params["tracking_number"]
        for item in items:
            item.update(status="ready_to_ship", shipment_provider=carrier, tracking_code=tracking)
        return {"data": {"order_items": [{"order_item_id": i["order_item_id"]} for i in items]}}


def make_demo_app() -> LazadaSandbox:
    """The sandbox `make demo` runs: fixed keys, five seconds of review, an order every 20 s."""
    sandbox = LazadaSandbox("lazada-demo-app", "lazada-demo-secret", review_seconds=5)
    # Numbers from a restarted sandbox must not repeat the last run's (Talat remembers those orders).
    sandbox._ids = itertools.count(3_000_000_000 + int(time.time()) % 10**8 * 10)
    sandbox.start_generator(20)
    return sandbox


if __name__ == "__main__":
    import argparse

    from talat.channels.sandboxes.server import serve_forever

    parser = argparse.ArgumentParser(description="Lazada Open Platform sandbox (demo keys)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8601)
    arguments = parser.parse_args()
    print(
        f"Lazada sandbox on http://{arguments.host}:{arguments.port}/rest (app key lazada-demo-app)",
        flush=True,
    )
    serve_forever(make_demo_app(), arguments.host, arguments.port)
