"""The cross-border logistics partner through the EEC hub, over Cainiao's LINK gateway protocol
(no Cainiao SDK).

Every call is one form-encoded POST to `<base_url>/gateway/link.do` with:

- `logistics_interface`: the message itself (JSON text);
- `msg_type`: which message it is;
- `logistic_provider_id`: the caller's code, issued by the partner;
- `to_code`: the partner system addressed (optional; assigned with the integration);
- `data_digest`: base64 of the raw MD5 digest of `logistics_interface` followed by the secret key,
  `base64(md5(content + secret))`, computed on the exact text sent.

Answers are JSON: `{"success": "true", ...}`, or `{"success": "false", "errorCode", "errorMsg"}`
(HTTP 200 either way); `needRetry` says whether the partner wants the same message again.

The messages follow the fields of Cainiao Global's logistics order (`cainiao.global.logistic.order.
create`: trade order, solution, package, items, sender, receiver) in the LINK gateway's camelCase,
and the tracking inquiry (`CN_OVERSEA_LOGISTICS_INQUIRY_TRACKING` with `mailNo`) answers the trace
nodes Cainiao pushes: `{actionCode, time "YYYY-MM-DD HH:MM:SS", timeZone, standardDesc, location}`.
Message type names are assigned per integration, so they are class attributes a deployment may set.
Scans are normalised to Talat's codes by ACTION_CODES; the ids of Cainiao's scan nodes
(`eventId`) are kept, and derived from the node when the partner sends none.

Idempotency: the order carries `outOrderId`, the merchant's order code, which the partner keeps
unique per provider: Talat sends its idempotency key there, and the same code answers the same
booking. Cancelling a cancelled order answers success.

Importing this module needs no Django (the webhook parser uses its tables); the connector itself
sends only through `governance.outbound.Outbound`, imported when it is made.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from talat.logistics.connectors.base import (
    AuthenticationFailed,
    Booking,
    LogisticsError,
    Pickup,
    TemporaryFailure,
    TrackingCode,
    TrackingEvent,
    decimal_text,
    derived_event_id,
    item_name,
    merged_items,
    parcel_weight_g,
    require_released,
    unit_price_minor,
)

if TYPE_CHECKING:
    from talat.governance.border import Released

GATEWAY_PATH = "/gateway/link.do"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# Cainiao trace node action codes -> Talat's codes. Codes not listed (order accepted, handovers
# inside a facility, ...) are informational and not followed; failures map to `exception`.
ACTION_CODES = {
    "PU_PICKUP_SUCCESS": TrackingCode.PICKED_UP,
    "SC_INBOUND_SUCCESS": TrackingCode.AT_HUB,
    "CC_EX_SUCCESS": TrackingCode.EXPORT_CLEARED,
    "LH_HO_AIRLINE": TrackingCode.DEPARTED,
    "LH_DEPART": TrackingCode.DEPARTED,
    "LH_ARRIVE": TrackingCode.ARRIVED,
    "CC_IM_SUCCESS": TrackingCode.IMPORT_CLEARED,
    "GTMS_DO_DEPART": TrackingCode.OUT_FOR_DELIVERY,
    "GTMS_DELIVERING": TrackingCode.OUT_FOR_DELIVERY,
    "GTMS_SIGNED": TrackingCode.DELIVERED,
    "PU_PICKUP_FAILURE": TrackingCode.EXCEPTION,
    "SC_INBOUND_FAILURE": TrackingCode.EXCEPTION,
    "CC_EX_FAILURE": TrackingCode.EXCEPTION,
    "CC_IM_FAILURE": TrackingCode.EXCEPTION,
    "LH_EXCEPTION": TrackingCode.EXCEPTION,
    "GTMS_SIGN_FAILURE": TrackingCode.EXCEPTION,
    "GTMS_DELIVERY_FAILURE": TrackingCode.EXCEPTION,
    "RETURNED": TrackingCode.EXCEPTION,
}
SIGNATURE_ERRORS = {"S02", "SIGN_CHECK_FAIL", "SIGN_CHECK_FAILURE", "S01"}
_OFFSET = re.compile(r"(?:GMT|UTC)?\s*([+-])(\d{1,2})(?::?(\d{2}))?")


def data_digest(content: str, secret: str) -> str:
    """The LINK gateway signature: base64(md5(content + secret)) over the raw MD5 bytes."""
    digest = hashlib.md5((content + secret).encode("utf-8"), usedforsecurity=False).digest()
    return base64.b64encode(digest).decode("ascii")


def talat_code(action_code: str) -> str | None:
    """Talat's code for a Cainiao action code; None for an informational node."""
    code = ACTION_CODES.get(action_code)
    if code is None and ("FAIL" in action_code or "EXCEPTION" in action_code):
        code = TrackingCode.EXCEPTION
    return None if code is None else str(code)


def _zone(name: str):
    name = (name or "").strip()
    if not name:
        return timezone(timedelta(hours=8))  # Cainiao's default is Beijing time
    match = _OFFSET.fullmatch(name)
    if match:
        sign, hours, minutes = match.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
        return timezone(-offset if sign == "-" else offset)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


def trace_time(text: str, zone: str) -> datetime:
    """A trace node's local time and zone ("GMT+7", "+8", "Asia/Bangkok") as aware UTC."""
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=_zone(zone)).astimezone(UTC)


def trace_event(mail_no: str, node: Mapping[str, Any]) -> TrackingEvent | None:
    """One trace node as Talat's event (None for a node Talat does not follow); raises ValueError
    for a node without an action code or a readable time."""
    action = str(node.get("actionCode") or "")
    if not action or not node.get("time"):
        raise ValueError("a trace node needs actionCode and time")
    code = talat_code(action)
    if code is None:
        return None
    time_text, zone = str(node["time"]), str(node.get("timeZone") or "")
    event_id = str(node.get("eventId") or derived_event_id("cainiao", mail_no, action, time_text, zone))
    return TrackingEvent(
        event_id=event_id,
        tracking_number=mail_no,
        code=code,
        occurred_at=trace_time(time_text, zone),
        location=str(node.get("location") or ""),
        description=str(node.get("standardDesc") or node.get("desc") or ""),
        raw=dict(node),
        partner_status=action,
    )


def place_name(kind: str, code: str, language: str = "en") -> str:
    """A Thai province, district or subdistrict code as its name (the code itself if unknown)."""
    import geothai

    try:
        found = getattr(geothai, kind)(code)
    except (KeyError, ValueError):
        found = None
    return getattr(found, f"name_{language}") if found is not None else code


def _thai_address(data: Mapping[str, Any]) -> dict[str, str]:
    address = {"country": "TH"}
    for key, kind in (("province", "province"), ("city", "district"), ("district", "subdistrict")):
        if data.get(f"{kind}_code"):
            address[key] = place_name(kind, str(data[f"{kind}_code"]))
    if data.get("address_line"):
        address["detailAddress"] = str(data["address_line"])
    if data.get("postal_code"):
        address["zipCode"] = str(data["postal_code"])
    return address


class CainiaoConnector:
    code = "cainiao"
    ORDER_CREATE = "CAINIAO_GLOBAL_LOGISTICS_ORDER_CREATE"
    PICKUP_CREATE = "CAINIAO_GLOBAL_PICKUP_ORDER_CREATE"
    ORDER_CANCEL = "CAINIAO_GLOBAL_LOGISTICS_ORDER_CANCEL"
    TRACK = "CN_OVERSEA_LOGISTICS_INQUIRY_TRACKING"

    def __init__(
        self,
        *,
        partner,
        base_url: str,
        provider_id: str,
        secret: str,
        to_code: str = "",
        solution_code: str = "EEC_AIR_UTP",
        locale: str = "en_US",
        transport=None,
    ):
        from talat.governance.outbound import Outbound

        self.provider_id = provider_id
        self.secret = secret
        self.to_code = to_code
        self.solution_code = solution_code  # EEC_AIR_UTP (U-Tapao by air) or EEC_ROAD_R3A (truck to Kunming)
        self.locale = locale
        self._api = Outbound(recipient=partner, base_url=base_url, transport=transport)

    # The protocol.

    def _call(self, msg_type: str, message: Mapping[str, Any], *, released: Sequence[Released] = ()) -> dict:
        import httpx

        content = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
        form = {
            "logistics_interface": content,
            "msg_type": msg_type,
            "logistic_provider_id": self.provider_id,
            "data_digest": data_digest(content, self.secret),
        }
        if self.to_code:
            form["to_code"] = self.to_code
        try:
            response = self._api.send("POST", GATEWAY_PATH, released=released, data=form)
        except httpx.HTTPError as error:
            raise TemporaryFailure("NetworkError", str(error)) from error
        if response.status_code >= 500:
            raise TemporaryFailure(str(response.status_code), f"the hub answered HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise LogisticsError(str(response.status_code), "the hub's answer is not JSON") from None
        if str(body.get("success")).lower() != "true":
            code, message_text = str(body.get("errorCode") or "UNKNOWN"), str(body.get("errorMsg") or "")
            if code in SIGNATURE_ERRORS:
                raise AuthenticationFailed(code, message_text)
            if str(body.get("needRetry")).lower() == "true":
                raise TemporaryFailure(code, message_text)
            raise LogisticsError(code, message_text)
        return body

    # Operations.

    def create_shipment(
        self,
        released: Released,
        *,
        idempotency_key: str,
        items: Sequence[Released] = (),
        sender: Released | None = None,
    ) -> Booking:
        require_released(released, *items, sender)
        data = released.data
        lines = merged_items([item.data for item in items])
        currency = str(data.get("currency") or "THB")
        package: dict[str, Any] = {"itemParams": [self._item(line, currency) for line in lines]}
        weight = parcel_weight_g(data, lines)
        if weight:
            package["weight"] = weight  # grams
        for side in ("length", "width", "height"):
            if data.get(f"{side}_mm"):
                package[side] = -(-int(data[f"{side}_mm"]) // 10)  # mm -> whole cm, rounded up
        prices = [unit_price_minor(line) for line in lines]
        if lines and all(price is not None for price in prices):
            total = sum(p * int(line.get("quantity") or 1) for p, line in zip(prices, lines, strict=True))
            package["price"], package["currency"] = decimal_text(total), currency
        receiver: dict[str, Any] = {}
        if data.get("buyer_name"):
            receiver["name"] = str(data["buyer_name"])
        if data.get("buyer_phone"):
            receiver["mobilePhone"] = str(data["buyer_phone"])
        if data.get("buyer_email"):
            receiver["email"] = str(data["buyer_email"])
        address = {"country": str(data.get("buyer_country") or "")}
        if data.get("address_line"):
            address["detailAddress"] = str(data["address_line"])
        if data.get("postal_code"):
            address["zipCode"] = str(data["postal_code"])
        receiver["address"] = address
        message: dict[str, Any] = {
            "outOrderId": idempotency_key,
            "solutionParam": {"solutionCode": self.solution_code},
            "packageParams": [package],
            "receiverParam": receiver,
            "locale": self.locale,
        }
        if data.get("channel_order_number"):
            message["tradeOrderParam"] = {"tradeOrderId": str(data["channel_order_number"])}
        if sender is not None:
            message["senderParam"] = self._sender(sender.data)
        sent = [released, *items, *([sender] if sender is not None else [])]
        body = self._call(self.ORDER_CREATE, message, released=sent)
        result = body.get("data") or {}
        return Booking(
            tracking_number=str(result["mailNo"]),
            label_reference=str(result.get("labelUrl") or ""),
            partner_reference=str(result.get("logisticsOrderCode") or ""),
        )

    @staticmethod
    def _item(line: Mapping[str, Any], currency: str) -> dict[str, Any]:
        item: dict[str, Any] = {}
        if line.get("sku"):
            item["itemId"] = str(line["sku"])
        english, chinese = item_name(line, "en"), line.get("name_zh")
        if english:
            item["englishName"] = english
        if chinese:
            item["chineseName"] = str(chinese)
        item["quantity"] = int(line.get("quantity") or 1)
        price = unit_price_minor(line)
        if price is not None:
            item["unitPrice"], item["currency"] = decimal_text(price), currency
        if line.get("weight_g"):
            item["weight"] = int(line["weight_g"])
        if line.get("hs_code"):
            item["hscode"] = str(line["hs_code"])
        return item

    @staticmethod
    def _sender(data: Mapping[str, Any]) -> dict[str, Any]:
        sender: dict[str, Any] = {}
        name = data.get("name_en") or data.get("name_th")
        if name:
            sender["name"] = str(name)
        if data.get("phone"):
            sender["mobilePhone"] = str(data["phone"])
        if data.get("email"):
            sender["email"] = str(data["email"])
        sender["address"] = _thai_address(data)
        return sender

    def request_pickup(
        self,
        tracking_numbers: Sequence[str],
        *,
        idempotency_key: str,
        sender: Released | None = None,
        earliest: datetime | None = None,
    ) -> Pickup:
        require_released(sender)
        message: dict[str, Any] = {"outPickupId": idempotency_key, "mailNos": list(tracking_numbers)}
        if earliest is not None:
            message["expectedPickupTime"] = earliest.astimezone(timezone(timedelta(hours=7))).strftime(
                TIME_FORMAT
            )
            message["timeZone"] = "GMT+7"
        if sender is not None:
            message["pickupAddress"] = self._sender(sender.data)
        data = self._call(self.PICKUP_CREATE, message, released=[sender] if sender is not None else [])[
            "data"
        ]
        zone = str(data.get("timeZone") or "GMT+7")
        return Pickup(
            reference=str(data["pickupOrderCode"]),
            window_start=trace_time(data["startTime"], zone),
            window_end=trace_time(data["endTime"], zone),
        )

    def cancel(self, tracking_number: str, *, idempotency_key: str) -> None:
        self._call(self.ORDER_CANCEL, {"mailNo": tracking_number, "outCancelId": idempotency_key})

    def track(self, tracking_number: str) -> list[TrackingEvent]:
        message = {"mailNo": tracking_number, "locale": self.locale, "role": "seller"}
        data = self._call(self.TRACK, message).get("data") or {}
        events = []
        for node in reversed(data.get("detailList") or []):  # Cainiao lists the newest first
            try:
                event = trace_event(tracking_number, node)
            except ValueError as error:
                raise LogisticsError("BAD_TRACE", str(error)) from None
            if event is not None:
                events.append(event)
        return sorted(events, key=lambda e: e.occurred_at)
