"""The cross-border logistics partner at the EEC hub, answering as Cainiao's LINK gateway does: the
slice of the protocol Talat's connector (`talat.logistics.connectors.cainiao`) uses. A WSGI app for
tests (`Running(make_app(...))`) and `make demo` (`python -m talat.logistics.sandboxes hub --port N`).

`POST /gateway/link.do`, form-encoded: `logistics_interface` (JSON text), `msg_type`,
`logistic_provider_id`, optional `to_code`, `data_digest` = base64(md5(logistics_interface + secret)).
Answers are JSON, HTTP 200: `{"success": "true", "data": ...}` or `{"success": "false", "errorCode",
"errorMsg", "needRetry": "false"}`. Gateway errors: S12 a parameter is missing ("request param ...
can not be null"), S01 an unknown provider, S02 a data_digest that does not match, S05 an unknown
msg_type, S23 a to_code the provider may not address. Business errors: PARAM_ERROR (with the fields),
MAIL_NO_NOT_EXIST, ORDER_CANNOT_CANCEL.

Messages (see the connector): order create (`outOrderId` is idempotent per provider; answers
`logisticsOrderCode` "LP" + 14 digits, `mailNo` "CNTH" + 12 digits, `labelUrl`), pickup create,
order cancel (before pickup only; cancelling again answers success), and the tracking inquiry
(trace nodes newest first, as Cainiao lists them).

Routes (`solutionParam.solutionCode`), Thailand to China:

- EEC_AIR_UTP: picked up -> EEC hub (Si Racha, Chon Buri) -> export cleared at U-Tapao -> flight
  UTP-SZX departs -> arrives Shenzhen Bao'an -> import cleared (Shenzhen Customs) -> out for
  delivery -> delivered;
- EEC_ROAD_R3A: ... -> export cleared at Chiang Khong -> truck on the R3A road through Laos ->
  arrives Kunming -> import cleared (Kunming Customs) -> out for delivery -> delivered.

Each scan is pushed to Talat as Cainiao's trace push, in JSON: `{"msg_type": "CAINIAO_GLOBAL_TRACE_PUSH",
"partner_code": <provider id>, "logistics_interface": {"mailNo", "logisticsOrderCode", "traceDetail":
{"eventId", "actionCode", "time", "timeZone", "standardDesc", "desc", "location"}}}`, signed with
`X-Talat-Signature` (see the package docstring).
"""

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl

from talat.logistics.sandboxes import ControlError, EventSandbox, Parcel, json_bytes

DEMO_PROVIDER_ID = "TALAT_EEC_DEMO"
DEMO_SECRET = "hub-sandbox-demo-secret"
DEMO_WEBHOOK_SECRET = b"hub-sandbox-webhook-demo-secret"
DEMO_WEBHOOK_URL = "http://127.0.0.1:8000/logistics/hub/notify"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
ZONES = {"GMT+7": timezone(timedelta(hours=7)), "GMT+8": timezone(timedelta(hours=8))}
MSG_ORDER_CREATE = "CAINIAO_GLOBAL_LOGISTICS_ORDER_CREATE"
MSG_PICKUP_CREATE = "CAINIAO_GLOBAL_PICKUP_ORDER_CREATE"
MSG_ORDER_CANCEL = "CAINIAO_GLOBAL_LOGISTICS_ORDER_CANCEL"
MSG_TRACK = "CN_OVERSEA_LOGISTICS_INQUIRY_TRACKING"
MSG_TRACE_PUSH = "CAINIAO_GLOBAL_TRACE_PUSH"
HUB = "EEC Cross-border E-commerce Hub, Si Racha, Chon Buri, TH"
# actionCode -> (location, time zone, description); "{origin}" and "{destination}" come from the order.
ROUTES = {
    "EEC_AIR_UTP": [
        ("PU_PICKUP_SUCCESS", "{origin}", "GMT+7", "Picked up from the seller"),
        ("SC_INBOUND_SUCCESS", HUB, "GMT+7", "Arrived at the EEC hub sorting centre"),
        (
            "CC_EX_SUCCESS",
            "U-Tapao International Airport, Rayong, TH",
            "GMT+7",
            "Export customs clearance completed",
        ),
        (
            "LH_DEPART",
            "U-Tapao International Airport (UTP), Rayong, TH",
            "GMT+7",
            "Departed on the UTP-SZX flight to Shenzhen",
        ),
        (
            "LH_ARRIVE",
            "Shenzhen Bao'an International Airport (SZX), Guangdong, CN",
            "GMT+8",
            "Arrived at the destination airport",
        ),
        ("CC_IM_SUCCESS", "Shenzhen Customs, Guangdong, CN", "GMT+8", "Import customs clearance completed"),
        ("GTMS_DO_DEPART", "{destination}", "GMT+8", "Out for delivery"),
        ("GTMS_SIGNED", "{destination}", "GMT+8", "Delivered, signed for by the recipient"),
    ],
    "EEC_ROAD_R3A": [
        ("PU_PICKUP_SUCCESS", "{origin}", "GMT+7", "Picked up from the seller"),
        ("SC_INBOUND_SUCCESS", HUB, "GMT+7", "Arrived at the EEC hub sorting centre"),
        (
            "CC_EX_SUCCESS",
            "Chiang Khong Customs House, Chiang Rai, TH",
            "GMT+7",
            "Export customs clearance completed",
        ),
        (
            "LH_DEPART",
            "Chiang Khong, Chiang Rai, TH",
            "GMT+7",
            "Departed by truck on the R3A road to Kunming",
        ),
        ("LH_ARRIVE", "Kunming, Yunnan, CN", "GMT+8", "Arrived at the Kunming cross-border logistics centre"),
        ("CC_IM_SUCCESS", "Kunming Customs, Yunnan, CN", "GMT+8", "Import customs clearance completed"),
        ("GTMS_DO_DEPART", "{destination}", "GMT+8", "Out for delivery"),
        ("GTMS_SIGNED", "{destination}", "GMT+8", "Delivered, signed for by the recipient"),
    ],
}
FAILURES = {
    "PU_PICKUP_FAILURE": ("{origin}", "GMT+7", "Pickup failed"),
    "CC_EX_FAILURE": (HUB, "GMT+7", "Held at export customs"),
    "CC_IM_FAILURE": ("{arrival}", "GMT+8", "Held at import customs"),
    "GTMS_SIGN_FAILURE": ("{destination}", "GMT+8", "Delivery failed"),
}
MAX_WEIGHT_G = 30_000
AMOUNT = re.compile(r"\d{1,10}(\.\d{1,2})?")


def data_digest(content: str, secret: str) -> str:
    digest = hashlib.md5((content + secret).encode("utf-8"), usedforsecurity=False).digest()
    return base64.b64encode(digest).decode("ascii")


class HubError(Exception):
    def __init__(self, code: str, message: str, retry: bool = False):
        super().__init__(message)
        self.body = {
            "success": "false",
            "errorCode": code,
            "errorMsg": message,
            "needRetry": "true" if retry else "false",
        }


class HubSandbox(EventSandbox):
    name = "hub"

    def __init__(self, *, providers: dict[str, str], to_codes: tuple[str, ...] = ("EEC_HUB",), **options):
        super().__init__(**options)
        self.providers = dict(providers)  # logistic_provider_id -> secret key
        self.to_codes = set(to_codes)
        self.requests: list[dict] = []  # every gateway call: {"msg_type", "provider", "message"}
        self._orders: dict[tuple[str, str], str] = {}  # (provider, outOrderId) -> mailNo
        self._pickups: dict[tuple[str, str], dict] = {}
        self._serial = secrets.randbelow(10**9)

    # The partner's side of scans and pushes.

    def _places(self, parcel: Parcel) -> dict[str, str]:
        sender = (parcel.request.get("senderParam") or {}).get("address") or {}
        receiver = (parcel.request.get("receiverParam") or {}).get("address") or {}
        origin = ", ".join(p for p in (sender.get("city"), sender.get("province"), "TH") if p)
        destination = ", ".join(
            p
            for p in (
                receiver.get("city") or receiver.get("zipCode") or "Delivery station",
                receiver.get("country") or "CN",
            )
        )
        arrival = ROUTES[parcel.route_name][4][1]
        return {"origin": origin, "destination": destination, "arrival": arrival}

    def scan(self, parcel: Parcel, status: str, *, reason: str = "") -> dict:
        steps = {code: (place, zone, text) for code, place, zone, text in ROUTES[parcel.route_name]}
        place, zone, text = steps.get(status) or FAILURES.get(status) or ("{origin}", "GMT+7", "Exception")
        moment = datetime.fromtimestamp(self.scan_time(parcel), UTC).astimezone(ZONES[zone])
        event_id = f"evt_{secrets.token_hex(12)}"
        description = f"{text}: {reason}" if reason else text
        return {
            "__event_id": event_id,
            "eventId": event_id,
            "actionCode": status,
            "time": moment.strftime(TIME_FORMAT),
            "timeZone": zone,
            "standardDesc": description,
            "desc": description,
            "location": place.format(**self._places(parcel)),
        }

    def exception_status(self, parcel: Parcel) -> str:
        done = {record["actionCode"] for record in parcel.scans}
        if "PU_PICKUP_SUCCESS" not in done:
            return "PU_PICKUP_FAILURE"
        if "CC_EX_SUCCESS" not in done:
            return "CC_EX_FAILURE"
        if "CC_IM_SUCCESS" not in done:
            return "CC_IM_FAILURE"
        return "GTMS_SIGN_FAILURE"

    def push_body(self, parcel: Parcel, record: dict) -> bytes:
        node = {k: v for k, v in record.items() if not k.startswith("__")}
        message = {
            "mailNo": parcel.tracking_number,
            "logisticsOrderCode": parcel.partner_reference,
            "traceDetail": node,
        }
        provider = parcel.request.get("__provider", "")
        return json_bytes(
            {"msg_type": MSG_TRACE_PUSH, "partner_code": provider, "logistics_interface": message}
        )

    # The gateway.

    def partner(self, method: str, path: str, environ, raw: bytes):
        if path != "/gateway/link.do":
            return (
                404,
                json_bytes({"success": "false", "errorCode": "S04", "errorMsg": "not found"}),
                "application/json; charset=utf-8",
            )
        if method != "POST":
            return 405, b"", "text/plain"
        try:
            data = self._gateway(raw)
        except HubError as error:
            data = error.body
        except ControlError as error:
            data = HubError(error.code, error.detail).body
        return 200, json_bytes(data), "application/json; charset=utf-8"

    def _gateway(self, raw: bytes) -> dict:
        form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        for name, label in (
            ("msg_type", "api"),
            ("logistic_provider_id", "fromCode"),
            ("data_digest", "DataDigest"),
            ("logistics_interface", "content"),
        ):
            if not form.get(name):
                raise HubError("S12", f"request param {label} can not be null")
        provider, content = form["logistic_provider_id"], form["logistics_interface"]
        secret = self.providers.get(provider)
        if secret is None:
            raise HubError("S01", f"fromCode {provider} is not authorized")
        if form.get("to_code") and form["to_code"] not in self.to_codes:
            raise HubError("S23", f"toCode {form['to_code']} is not authorized")
        if not hmac.compare_digest(data_digest(content, secret), form["data_digest"]):
            raise HubError("S02", "data_digest check failed")
        handlers = {
            MSG_ORDER_CREATE: self._order_create,
            MSG_PICKUP_CREATE: self._pickup_create,
            MSG_ORDER_CANCEL: self._order_cancel,
            MSG_TRACK: self._track,
        }
        handler = handlers.get(form["msg_type"])
        if handler is None:
            raise HubError("S05", f"api {form['msg_type']} not found")
        try:
            message = json.loads(content)
        except ValueError:
            raise HubError("PARAM_ERROR", "logistics_interface is not JSON") from None
        if not isinstance(message, dict):
            raise HubError("PARAM_ERROR", "logistics_interface is not a JSON object")
        with self.lock:
            self.requests.append({"msg_type": form["msg_type"], "provider": provider, "message": message})
            return {"success": "true", **handler(provider, message)}

    def _order_create(self, provider: str, message: dict) -> dict:
        out_order_id = message.get("outOrderId")
        if not isinstance(out_order_id, str) or not out_order_id:
            raise HubError("PARAM_ERROR", "outOrderId is required")
        known = self._orders.get((provider, out_order_id))
        if known is not None:
            return {"data": self._booking(self.parcels[known])}
        problems = _order_problems(message)
        if problems:
            raise HubError("PARAM_ERROR", "; ".join(problems))
        self._serial += 1
        mail_no, order_code = f"CNTH{self._serial:012d}", f"LP{self._serial + 10**13:014d}"
        route_name = message["solutionParam"]["solutionCode"]
        parcel = Parcel(
            tracking_number=mail_no,
            reference=out_order_id,
            partner_reference=order_code,
            created_at=self.clock(),
            request={**message, "__provider": provider},
            route=[code for code, *_ in ROUTES[route_name]],
            route_name=route_name,
        )
        self.parcels[mail_no] = parcel
        self._orders[(provider, out_order_id)] = mail_no
        return {"data": self._booking(parcel)}

    @staticmethod
    def _booking(parcel: Parcel) -> dict:
        return {
            "logisticsOrderCode": parcel.partner_reference,
            "mailNo": parcel.tracking_number,
            "labelUrl": f"/gateway/label/{parcel.tracking_number}.pdf",
            "solutionCode": parcel.route_name,
        }

    def _owned(self, provider: str, mail_no) -> Parcel:
        parcel = self.parcels.get(mail_no) if isinstance(mail_no, str) else None
        if parcel is None or parcel.request.get("__provider") != provider:
            raise HubError("MAIL_NO_NOT_EXIST", f"mailNo {mail_no} does not exist")
        return parcel

    def _pickup_create(self, provider: str, message: dict) -> dict:
        key = message.get("outPickupId")
        mail_nos = message.get("mailNos")
        if not isinstance(key, str) or not key or not isinstance(mail_nos, list) or not mail_nos:
            raise HubError("PARAM_ERROR", "outPickupId and mailNos are required")
        if (provider, key) in self._pickups:
            return {"data": self._pickups[(provider, key)]}
        for mail_no in mail_nos:
            if self._owned(provider, mail_no).cancelled:
                raise HubError("ORDER_CANCELLED", f"mailNo {mail_no} was cancelled")
        bangkok = ZONES["GMT+7"]
        day = datetime.fromtimestamp(self.now(), UTC).astimezone(bangkok).date() + timedelta(days=1)
        if message.get("expectedPickupTime"):
            try:
                day = max(day, datetime.strptime(message["expectedPickupTime"], TIME_FORMAT).date())
            except (TypeError, ValueError):
                raise HubError("PARAM_ERROR", "expectedPickupTime must be YYYY-MM-DD HH:MM:SS") from None
        result = {
            "pickupOrderCode": f"PK{secrets.randbelow(10**12):012d}",
            "mailNos": list(mail_nos),
            "startTime": f"{day:%Y-%m-%d} 09:00:00",
            "endTime": f"{day:%Y-%m-%d} 12:00:00",
            "timeZone": "GMT+7",
        }
        self._pickups[(provider, key)] = result
        return {"data": result}

    def _order_cancel(self, provider: str, message: dict) -> dict:
        parcel = self._owned(provider, message.get("mailNo"))
        if parcel.scans and not parcel.cancelled:
            raise HubError("ORDER_CANNOT_CANCEL", "the parcel was already picked up")
        parcel.cancelled = True
        return {"data": {"mailNo": parcel.tracking_number, "status": "CANCELLED"}}

    def _track(self, provider: str, message: dict) -> dict:
        parcel = self._owned(provider, message.get("mailNo"))
        nodes = [{k: v for k, v in r.items() if not k.startswith("__")} for r in reversed(parcel.scans)]
        status = nodes[0]["actionCode"] if nodes else ("CANCELLED" if parcel.cancelled else "ORDER_CREATED")
        return {
            "data": {
                "mailNo": parcel.tracking_number,
                "logisticsOrderCode": parcel.partner_reference,
                "status": status,
                "detailList": nodes,
            }
        }


def _order_problems(message: dict) -> list[str]:
    problems = []
    solution = (message.get("solutionParam") or {}).get("solutionCode")
    if solution not in ROUTES:
        problems.append(f"solutionParam.solutionCode must be one of {', '.join(sorted(ROUTES))}")
    receiver = message.get("receiverParam") or {}
    address = receiver.get("address") or {}
    for name, value in (
        ("receiverParam.name", receiver.get("name")),
        ("receiverParam.mobilePhone", receiver.get("mobilePhone")),
        ("receiverParam.address.detailAddress", address.get("detailAddress")),
    ):
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{name} is required")
    if address.get("country") != "CN":
        problems.append("receiverParam.address.country must be CN on this route")
    sender = message.get("senderParam") or {}
    if not sender.get("name") or not (sender.get("address") or {}).get("detailAddress"):
        problems.append("senderParam.name and senderParam.address.detailAddress are required")
    packages = message.get("packageParams")
    if not isinstance(packages, list) or len(packages) != 1 or not isinstance(packages[0], dict):
        problems.append("packageParams must hold one package")
        return problems
    package = packages[0]
    weight = package.get("weight")
    if not isinstance(weight, int) or isinstance(weight, bool) or not 0 < weight <= MAX_WEIGHT_G:
        problems.append(f"packageParams.weight must be grams, 1 to {MAX_WEIGHT_G}")
    items = package.get("itemParams")
    if not isinstance(items, list) or not items:
        problems.append("packageParams.itemParams must list the goods")
        return problems
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(f"itemParams[{index}] must be an object")
            continue
        if not (item.get("englishName") or item.get("chineseName")):
            problems.append(f"itemParams[{index}].englishName or chineseName is required")
        quantity = item.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
            problems.append(f"itemParams[{index}].quantity must be a positive integer")
        price = item.get("unitPrice")
        try:
            valid_price = isinstance(price, str) and AMOUNT.fullmatch(price) and Decimal(price) > 0
        except InvalidOperation:
            valid_price = False
        if not valid_price:
            problems.append(f'itemParams[{index}].unitPrice must be an amount like "128.14"')
    return problems


def make_app(
    *, webhook_url: str, webhook_secret: bytes, providers: dict[str, str] | None = None, **options
) -> HubSandbox:
    """The hub sandbox; `options` are HubSandbox's and EventSandbox's (to_codes, retry_delays,
    timeout_s, clock, advance_every_s)."""
    return HubSandbox(
        providers=providers or {DEMO_PROVIDER_ID: DEMO_SECRET},
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        **options,
    )


def _secret(name: str) -> str:
    value = os.environ.get(name, "")
    if not value and os.environ.get(f"{name}_FILE"):
        with open(os.environ[f"{name}_FILE"], encoding="utf-8") as file:
            value = file.read().strip()
    return value


def make_demo_app() -> HubSandbox:
    """The sandbox `make demo` runs, configured by the same environment as Talat's settings:
    TALAT_HUB_PROVIDER_ID, TALAT_HUB_SECRET (or TALAT_HUB_SECRET_FILE), TALAT_HUB_WEBHOOK_URL,
    TALAT_HUB_WEBHOOK_SECRET (or ..._FILE) and TALAT_HUB_ADVANCE_S (seconds between scans; 0 stops
    the journeys); unset, the demo defaults."""
    provider = os.environ.get("TALAT_HUB_PROVIDER_ID") or DEMO_PROVIDER_ID
    secret = _secret("TALAT_HUB_SECRET") or DEMO_SECRET
    webhook_secret = _secret("TALAT_HUB_WEBHOOK_SECRET").encode() or DEMO_WEBHOOK_SECRET
    every = float(os.environ.get("TALAT_HUB_ADVANCE_S") or 30)
    return make_app(
        providers={provider: secret},
        webhook_url=os.environ.get("TALAT_HUB_WEBHOOK_URL") or DEMO_WEBHOOK_URL,
        webhook_secret=webhook_secret,
        advance_every_s=every or None,
    )
