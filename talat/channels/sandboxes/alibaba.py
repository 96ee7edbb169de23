"""A loopback stand-in for the Alibaba open platform gateway (TOP): the slice of Tmall Global and
Alibaba.com that Talat uses, answering as the real gateway does. Standard library only.

    sandbox = AlibabaSandbox("app", "secret", marketplace="tmall-global", review_seconds=5)
    code = sandbox.authorize()          # what the seller's consent page would return
    with Running(sandbox) as running:   # POST running.url + "/router/rest"
        ...

It checks every request as TOP does (app key, signature, timestamp within 10 minutes, version,
per-app rate limit, session) and keeps each request's decoded parameters in `requests`.
"""

import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time
from collections import deque
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlencode

GMT8 = timezone(timedelta(hours=8))
TOP_TIME = "%Y-%m-%d %H:%M:%S"
BUYERS = {"tmall-global": ["王芳", "李娜", "张伟"], "alibaba": ["Acme Trading LLC", "Nordic Foods AB"]}
COUNTRIES = {"tmall-global": ["CN"], "alibaba": ["US", "DE", "AE", "JP", "AU"]}
DEMO_KEYS = {
    "tmall-global": ("tmall-demo-app", "tmall-demo-secret"),
    "alibaba": ("alibaba-demo-app", "alibaba-demo-secret"),
}


def sign(params, secret: str, sign_method: str) -> str:
    text = "".join(f"{k}{params[k]}" for k in sorted(params) if k != "sign" and params[k] != "")
    if sign_method == "md5":
        return hashlib.md5(f"{secret}{text}{secret}".encode(), usedforsecurity=False).hexdigest().upper()
    algorithm = {"hmac": hashlib.md5, "hmac-sha256": hashlib.sha256}[sign_method]
    return hmac.new(secret.encode(), text.encode(), algorithm).hexdigest().upper()


def _stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, GMT8).strftime(TOP_TIME)


def _epoch(text: str) -> float:
    return datetime.strptime(text, TOP_TIME).replace(tzinfo=GMT8).timestamp()


class Refused(Exception):
    """An `error_response` as TOP writes it."""

    def __init__(self, code: int, msg: str, sub_code: str = "", sub_msg: str = ""):
        super().__init__(msg)
        self.body = {"code": code, "msg": msg}
        if sub_code:
            self.body.update(sub_code=sub_code, sub_msg=sub_msg)


def _business(sub_code: str, sub_msg: str) -> Refused:
    return Refused(15, "Remote service error", sub_code, sub_msg)


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _price(text) -> Decimal | None:
    try:
        return Decimal(str(text)) if text not in (None, "") else None
    except InvalidOperation:
        return Decimal(-1)


class AlibabaSandbox:
    def __init__(
        self,
        app_key: str,
        app_secret: str,
        *,
        marketplace: str,  # "tmall-global" or "alibaba"
        rate_limit_per_second: int = 20,
        token_lifetime_seconds: int = 86400,
        review_seconds: float = 0,
        clock=time.time,
    ):
        if marketplace not in ("tmall-global", "alibaba"):
            raise ValueError("marketplace is 'tmall-global' or 'alibaba'")
        self.app_key, self.app_secret, self.marketplace = app_key, app_secret, marketplace
        self.currency = "CNY" if marketplace == "tmall-global" else "USD"
        self.rate_limit_per_second = rate_limit_per_second
        self.token_lifetime_seconds = token_lifetime_seconds
        self.review_seconds = review_seconds
        self.clock = clock
        self.requests: list[dict] = []
        self.items: dict[str, dict] = {}  # partner item id -> item
        self.orders: dict[str, dict] = {}  # order number -> order
        self._lock = threading.RLock()
        self._codes: set[str] = set()
        self._sessions: dict[str, float] = {}  # access token -> expiry (epoch seconds)
        self._refresh_tokens: set[str] = set()
        self._calls: deque[float] = deque()
        self._ids = itertools.count(1)
        self._stop, self._generator = threading.Event(), None
        self._handlers = {
            "taobao.top.auth.token.create": self._token_create,
            "taobao.top.auth.token.refresh": self._token_refresh,
        }
        if marketplace == "tmall-global":
            self._handlers.update({
                "taobao.item.add": self._item_add,
                "taobao.item.seller.get": self._item_get,
                "taobao.skus.custom.get": self._skus_get,
                "taobao.item.quantity.update": self._quantity_update,
                "taobao.item.sku.price.update": self._price_update,
                "taobao.trades.sold.get": self._trades_sold,
                "taobao.trade.fullinfo.get": self._trade_get,
                "taobao.logistics.offline.send": self._offline_send,
            })  # fmt: skip
        else:
            self._handlers.update({
                "alibaba.icbu.product.add": self._product_add,
                "alibaba.icbu.product.get": self._product_get,
                "alibaba.icbu.product.list": self._product_list,
                "alibaba.icbu.product.update.field": self._product_update,
                "alibaba.seller.order.list": self._order_list,
                "alibaba.seller.order.get": self._order_get,
                "alibaba.seller.order.shipping": self._order_shipping,
            })  # fmt: skip

    # For tests and the demo ---------------------------------------------------------------------

    def authorize(self) -> str:
        """A one-time authorisation code, as the seller's consent page hands back."""
        code = secrets.token_hex(8)
        with self._lock:
            self._codes.add(code)
        return code

    def expire_tokens(self) -> None:
        with self._lock:
            self._sessions = dict.fromkeys(self._sessions, 0.0)

    def status_of(self, item: dict) -> str:
        return "live" if self.clock() - item["created"] >= self.review_seconds else "pending"

    def place_order(self, outer_id_or_sku: str, quantity: int, *, buyer_name="", country="CN") -> str:
        """A buyer orders a live item (by its outer id or a SKU code); returns the order number."""
        with self._lock:
            found = [
                (item, sku) for item in self.items.values() for sku in item["skus"]
                if outer_id_or_sku in (item["outer_id"], sku["code"]) and self.status_of(item) == "live"
            ]  # fmt: skip
            if not found:
                raise ValueError(f"no live item {outer_id_or_sku}")
            return self._place(*found[0], quantity, buyer_name or BUYERS[self.marketplace][0], country)

    def _place(self, item: dict, sku: dict, quantity: int, buyer: str, country: str) -> str:
        if quantity > sku["quantity"]:
            raise ValueError(f"only {sku['quantity']} of {sku['code']} left")
        sku["quantity"] -= quantity
        number = str(4_100_000_000_000 + next(self._ids))
        self.orders[number] = {
            "number": number, "created": self.clock(), "buyer": buyer, "country": country, "shipment": None,
            "status": "WAIT_SELLER_SEND_GOODS",
            "line": {"item": item["id"], "sku": sku["code"], "price": sku["price"], "quantity": quantity},
        }  # fmt: skip
        return number

    def start_generator(self, every_seconds: float) -> None:
        """Places a random order for a live item with stock every `every_seconds` (for the demo)."""
        self._stop.clear()

        def run():
            while not self._stop.wait(every_seconds):
                with self._lock:
                    choices = [(item, sku) for item in self.items.values() for sku in item["skus"]
                               if sku["quantity"] > 0 and self.status_of(item) == "live"]  # fmt: skip
                    if choices:
                        item, sku = secrets.choice(choices)
                        quantity = 1 + secrets.randbelow(min(3, sku["quantity"]))
                        buyer = secrets.choice(BUYERS[self.marketplace])
                        self._place(item, sku, quantity, buyer, secrets.choice(COUNTRIES[self.marketplace]))

        self._generator = threading.Thread(target=run, daemon=True)
        self._generator.start()

    def stop_generator(self) -> None:
        """Stops the generator; returns once its last order is placed."""
        self._stop.set()
        if self._generator is not None:
            self._generator.join()

    # The gateway ------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        params = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        length = int(environ.get("CONTENT_LENGTH") or 0)
        params.update(parse_qsl(environ["wsgi.input"].read(length).decode(), keep_blank_values=True))
        path = environ.get("PATH_INFO", "")
        if path == "/authorize":  # the seller's consent page (client_id = app key), already consented
            if params.get("client_id", self.app_key) != self.app_key:
                return self._json(start_response, "400 Bad Request", {"error": "invalid client_id"})
            query = {"code": self.authorize(), **({"state": params["state"]} if "state" in params else {})}
            if params.get("redirect_uri"):
                start_response("302 Found", [("Location", f"{params['redirect_uri']}?{urlencode(query)}")])
                return [b""]
            return self._json(start_response, "200 OK", query)
        if path != "/router/rest":
            return self._json(start_response, "404 Not Found", {"error": "not found"})
        request_id = secrets.token_hex(7)
        with self._lock:
            self.requests.append(params)
            try:
                answer = self._handle(params)
                body = {self._response_key(params["method"]): {**answer, "request_id": request_id}}
            except Refused as refusal:
                body = {"error_response": {**refusal.body, "request_id": request_id}}
        return self._json(start_response, "200 OK", body)

    @staticmethod
    def _json(start_response, status: str, body: dict):
        data = json.dumps(body, ensure_ascii=False).encode()
        start_response(status, [("Content-Type", "application/json;charset=UTF-8")])
        return [data]

    @staticmethod
    def _response_key(method: str) -> str:
        return method.removeprefix("taobao.").replace(".", "_") + "_response"

    def _handle(self, p: dict) -> dict:
        if not p.get("method"):
            raise Refused(21, "Missing method")
        if not p.get("app_key"):
            raise Refused(28, "Missing app key")
        if p["app_key"] != self.app_key:
            raise Refused(29, "Invalid app key")
        if not p.get("sign"):
            raise Refused(24, "Missing signature")
        method = p.get("sign_method", "md5")
        if method not in ("md5", "hmac", "hmac-sha256") or not hmac.compare_digest(
            sign(p, self.app_secret, method), p["sign"].upper()
        ):
            raise Refused(25, "Invalid signature")
        if not p.get("timestamp"):
            raise Refused(30, "Missing timestamp")
        try:
            skew = abs(self.clock() - _epoch(p["timestamp"]))
        except ValueError:
            skew = float("inf")
        if skew > 600:
            raise Refused(31, "Invalid timestamp", "isv.invalid-timestamp", "时间戳与服务器相差超过10分钟")
        if p.get("v") != "2.0":
            raise Refused(34, "Unsupported version") if p.get("v") else Refused(32, "Missing version")
        now = self.clock()
        while self._calls and self._calls[0] <= now - 1:
            self._calls.popleft()
        if len(self._calls) >= self.rate_limit_per_second:
            raise Refused(7, "App Call Limited", "accesscontrol.limited-by-app-access-count",
                          "This ban will last for 1 more seconds")  # fmt: skip
        self._calls.append(now)
        handler = self._handlers.get(p["method"])
        if handler is None:
            raise Refused(22, "Invalid method")
        if not p["method"].startswith("taobao.top.auth."):
            if not p.get("session"):
                raise Refused(26, "Missing session")
            if self._sessions.get(p["session"], 0.0) <= now:
                raise Refused(27, "Invalid session", "invalid-sessionkey", "SessionKey非法或已过期")
        try:
            return handler(p)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise Refused(41, "Invalid arguments", "isv.invalid-parameter", str(error)) from error

    # Tokens -----------------------------------------------------------------------------------

    def _issue(self) -> dict:
        now = self.clock()
        access, refresh = secrets.token_hex(16), secrets.token_hex(16)
        self._sessions[access] = now + self.token_lifetime_seconds
        self._refresh_tokens.add(refresh)
        token = {
            "access_token": access, "refresh_token": refresh, "expires_in": self.token_lifetime_seconds,
            "expire_time": int((now + self.token_lifetime_seconds) * 1000),
            "refresh_token_valid_time": int((now + 30 * 86400) * 1000), "user_nick": "talat",
        }  # fmt: skip
        return {"token_result": json.dumps(token)}

    def _token_create(self, p):
        if p.get("code") not in self._codes:
            raise _business("isv.invalid-code", "授权码无效、已过期或已使用")
        self._codes.discard(p["code"])
        return self._issue()

    def _token_refresh(self, p):
        if p.get("refresh_token") not in self._refresh_tokens:
            raise _business("isv.invalid-refresh-token", "refresh_token无效或已使用")
        self._refresh_tokens.discard(p["refresh_token"])
        return self._issue()

    # Items, shared by both marketplaces -----------------------------------------------------------

    def _create(self, outer_id: str, title: str, skus: list[dict]) -> dict:
        for item in self.items.values():
            if outer_id and item["outer_id"] == outer_id:
                return item  # the same outer id again: the item already made, not a duplicate
        tmall = self.marketplace == "tmall-global"
        item_id = str(600_000_000_000 + next(self._ids)) if tmall else f"62{secrets.token_hex(6)}"
        item = {"id": item_id, "outer_id": outer_id, "title": title, "created": self.clock(), "skus": skus}
        self.items[item_id] = item
        return item

    def _item(self, item_id: str) -> dict:
        if str(item_id) not in self.items:
            raise _business("isv.item-not-exist", f"商品 {item_id} 不存在")
        return self.items[str(item_id)]

    def _sku(self, item: dict, code: str) -> dict:
        for sku in item["skus"]:
            if sku["code"] == code:
                return sku
        raise _business("isv.sku-not-exist", f"SKU {code} not found")

    def _order(self, number) -> dict:
        if str(number) not in self.orders:
            raise _business("isv.trade-not-exist", f"订单 {number} 不存在")
        return self.orders[str(number)]

    @staticmethod
    def _ship(order: dict, carrier: str, tracking: str, shipped_status: str) -> None:
        if not carrier or not tracking:
            raise _business("isv.missing-parameter", "carrier and tracking number are required")
        if order["shipment"] and order["shipment"] != (carrier, tracking):
            raise _business("isv.logistics-offline-send-fail", "订单已用另一运单号发货")
        order["shipment"], order["status"] = (carrier, tracking), shipped_status

    # Tmall Global -------------------------------------------------------------------------------

    def _item_add(self, p):
        title = p.get("title", "")
        if not any("\u4e00" <= char <= "\u9fff" for char in title):
            raise _business("isv.missing-parameter:title", "天猫国际商品需要中文标题（title）")
        if not p.get("price"):
            raise _business("isv.missing-parameter:price", "天猫国际商品需要人民币售价（price，单位：元）")
        codes = p.get("sku_outer_ids", "").split(",") if p.get("sku_outer_ids") else [p.get("outer_id", "")]
        prices = [_price(v) for v in (p.get("sku_prices") or p["price"]).split(",")]
        quantities = (p.get("sku_quantities") or p.get("num", "0")).split(",")
        if len(prices) != len(codes) or any(pr is None or pr <= 0 for pr in [_price(p["price"]), *prices]):
            raise _business("isv.invalid-parameter:price", "商品价格必须大于0元（price、sku_prices）")
        skus = [{"id": next(self._ids), "code": c, "price": pr, "quantity": int(q or 0)}
                for c, pr, q in zip(codes, prices, quantities, strict=False)]  # fmt: skip
        item = self._create(p.get("outer_id", ""), title, skus)
        return {"item": {"num_iid": int(item["id"]), "created": _stamp(item["created"])}}

    def _item_get(self, p):
        item = self._item(p.get("num_iid"))
        return {"item": {
            "num_iid": int(item["id"]), "outer_id": item["outer_id"], "title": item["title"],
            "approve_status": "onsale" if self.status_of(item) == "live" else "instock",
            "num": sum(sku["quantity"] for sku in item["skus"]),
        }}  # fmt: skip

    def _skus_get(self, p):
        found = [
            {"sku_id": sku["id"], "num_iid": int(item["id"]), "outer_id": sku["code"], "num": sku["quantity"]}
            for item in self.items.values() for sku in item["skus"] if sku["code"] == p.get("outer_id")
        ]  # fmt: skip
        return {"skus": {"sku": found}} if found else {}

    def _quantity_update(self, p):
        item = self._item(p.get("num_iid"))
        sku = self._sku(item, p.get("outer_id", ""))
        quantity = int(p.get("quantity", "0"))
        sku["quantity"] = quantity if p.get("type", "1") == "1" else sku["quantity"] + quantity
        return {"item": {"num_iid": int(item["id"]), "num": sum(s["quantity"] for s in item["skus"])}}

    def _price_update(self, p):
        sku = self._sku(self._item(p.get("num_iid")), p.get("outer_id", ""))
        price = _price(p.get("price"))
        if price is None or price <= 0:
            raise _business("isv.invalid-parameter:price", "商品价格必须大于0元")
        sku["price"] = price
        return {"sku": {"sku_id": sku["id"], "modified": _stamp(self.clock())}}

    def _trade(self, order: dict) -> dict:
        line = order["line"]
        total = _money(line["price"] * line["quantity"])
        entry = {"oid": int(order["number"]), "num_iid": int(line["item"]), "outer_sku_id": line["sku"],
                 "num": line["quantity"], "price": _money(line["price"]), "total_fee": total}  # fmt: skip
        return {
            "tid": int(order["number"]), "status": order["status"], "created": _stamp(order["created"]),
            "buyer_nick": order["buyer"], "receiver_country": order["country"], "type": "tmall_i18n",
            "payment": total, "orders": {"order": [entry]},
        }  # fmt: skip

    def _matching(self, start: str | None) -> list[dict]:
        since = _epoch(start) if start else 0.0
        found = [order for order in self.orders.values() if order["created"] >= since]
        return sorted(found, key=lambda order: (order["created"], order["number"]), reverse=True)

    def _trades_sold(self, p):
        page, size = max(1, int(p.get("page_no") or 1)), min(100, int(p.get("page_size") or 40))
        found = self._matching(p.get("start_created"))
        chosen = found[(page - 1) * size : page * size]
        answer = {"total_results": len(found), "has_next": page * size < len(found)}
        if chosen:
            answer["trades"] = {"trade": [self._trade(order) for order in chosen]}
        return answer

    def _trade_get(self, p):
        return {"trade": self._trade(self._order(p.get("tid")))}

    def _offline_send(self, p):
        order = self._order(p.get("tid"))
        self._ship(order, p.get("company_code", ""), p.get("out_sid", ""), "WAIT_BUYER_CONFIRM_GOODS")
        return {"shipping": {"is_success": True}}

    # Alibaba.com --------------------------------------------------------------------------------

    @staticmethod
    def _json_param(p: dict, name: str) -> dict:
        try:
            value = json.loads(p.get(name) or "{}")
        except ValueError as error:
            raise Refused(41, "Invalid arguments", "isv.invalid-parameter", f"{name} is not JSON") from error
        return value if isinstance(value, dict) else {}

    def _skus_from(self, p: dict, stock_default=None) -> list[dict]:
        return [{"id": next(self._ids), "code": str(s.get("sku_code", "")), "price": _price(s.get("price")),
                 "quantity": (s.get("inventory_dto_list") or [{}])[0].get("current_inventory", stock_default)}
                for s in self._json_param(p, "product_sku").get("special_skus", [])]  # fmt: skip

    def _product_add(self, p):
        subject = p.get("subject", "").strip()
        if not subject:
            raise _business("isv.invalid-parameter:subject", "Product name (subject) is required, in English")
        trade_price = _price(self._json_param(p, "wholesale_trade").get("price"))
        if trade_price is None:
            raise _business("isv.invalid-parameter:price", "wholesale_trade.price (USD) is required")
        skus = self._skus_from(p, stock_default=0)
        if any(price is None or price <= 0 for price in [trade_price, *(s["price"] for s in skus)]):
            raise _business("isv.invalid-parameter:price", "Price must be between 0.01 and 9999999.00 USD")
        item = self._create(str(self._json_param(p, "extra_context").get("outer_id", "")), subject, skus)
        return {"product_id": item["id"]}

    def _product_get(self, p):
        item = self._item(p.get("product_id"))
        live = self.status_of(item) == "live"
        return {"product": {
            "product_id": item["id"], "subject": item["title"], "status": "approved" if live else "new",
            "display": "Y" if live else "N", "language": "ENGLISH",
            "product_sku": {"skus": [
                {"sku_id": s["id"], "sku_code": s["code"], "price": _money(s["price"]),
                 "inventory_dtolist": [{"current_inventory": s["quantity"]}]} for s in item["skus"]
            ]},
        }}  # fmt: skip

    def _product_list(self, p):
        page, size = max(1, int(p.get("current_page") or 1)), min(30, int(p.get("page_size") or 30))
        items = sorted(self.items.values(), key=lambda item: item["created"], reverse=True)
        briefs = [{"id": item["id"], "subject": item["title"]} for item in items[(page - 1) * size :][:size]]
        return {"current_page": page, "page_size": size, "total_item": len(items),
                "products": {"alibaba_product_brief_response": briefs}}  # fmt: skip

    def _product_update(self, p):
        item = self._item(p.get("product_id"))
        for change in self._skus_from(p):
            sku = self._sku(item, change["code"])
            if change["price"] is not None:
                if change["price"] <= 0:
                    raise _business("isv.invalid-parameter:price", "Price must be 0.01 to 9999999.00")
                sku["price"] = change["price"]
            if change["quantity"] is not None:
                sku["quantity"] = int(change["quantity"])
        return {"product_id": item["id"]}

    def _ecology_order(self, order: dict) -> dict:
        line = order["line"]
        created = {"format_date": _stamp(order["created"]), "timestamp": int(order["created"] * 1000)}
        product = {"product_id": line["item"], "sku_code": line["sku"], "quantity": line["quantity"],
                   "unit_price": {"amount": _money(line["price"]), "currency": self.currency}}  # fmt: skip
        return {
            "trade_id": order["number"], "trade_status": order["status"], "create_date": created,
            "total_amount": {"amount": _money(line["price"] * line["quantity"]), "currency": self.currency},
            "buyer": {"full_name": order["buyer"], "country_code": order["country"]},
            "order_products": {"trade_ecology_product": [product]},
        }  # fmt: skip

    def _order_list(self, p):
        query = self._json_param(p, "param_trade_ecology_order_list_query")
        page, size = max(0, int(query.get("start_page", 0))), min(100, int(query.get("page_size", 20)))
        found = self._matching(query.get("create_date_start"))
        briefs = [
            {"trade_id": order["number"], "trade_status": order["status"]}
            for order in found[page * size :][:size]
        ]
        return {"value": {"total_count": len(found), "order_list": {"trade_ecology_order": briefs}}}

    def _order_get(self, p):
        return {"value": self._ecology_order(self._order(p.get("e_trade_id")))}

    def _order_shipping(self, p):
        request = self._json_param(p, "shipping_request")
        order, carrier = self._order(request.get("trade_id")), request.get("service_provider", "")
        self._ship(order, carrier, request.get("tracking_number", ""), "WAIT_BUYER_ACCEPT_GOODS")
        return {"value": True}


def make_demo_app(marketplace: str) -> AlibabaSandbox:
    """The sandbox `make demo` serves: fixed keys, a 5-second review, an order every 25 seconds.
    A seller's consent is `GET /authorize` (with `redirect_uri`, it redirects there with `?code=`)."""
    app_key, app_secret = DEMO_KEYS[marketplace]
    sandbox = AlibabaSandbox(app_key, app_secret, marketplace=marketplace, review_seconds=5)
    # Numbers from a restarted sandbox must not repeat the last run's (Talat remembers those orders).
    sandbox._ids = itertools.count(int(time.time()) % 10**8 * 100)
    sandbox.start_generator(25)
    return sandbox
