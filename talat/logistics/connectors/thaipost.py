"""The domestic carrier, in the style of Thailand Post's published track API (no SDK).

What Thailand Post publishes (trackapi.thailandpost.co.th, and the same on its webhook host):

- `POST /post/api/v1/authenticate/token` with `Authorization: Token <API key>` answers
  `{"expire": "YYYY-MM-DD HH:MM:SS+07:00", "token": "..."}`: a token for the other calls;
- `POST /post/api/v1/track` with `Authorization: Token <token>` and
  `{"status": "all", "language": "TH"|"EN"|"CN", "barcode": [...]}` answers
  `{"response": {"items": {"<barcode>": [<status>, ...]}, "track_count": {...}}, "message":
  "successful", "status": true}`, each status `{barcode, status, status_description, status_date
  "dd/mm/yyyy HH:MM:SS+07:00" (Buddhist-era year in Thai), location, postcode, delivery_status,
  delivery_description, delivery_datetime, receiver_name, signature}`;
- a webhook (`/post/api/v1/hook` subscribes barcodes) POSTs `{"items": [<status>, ...],
  "track_datetime": ...}` to the subscriber.
- Authentication failures answer HTTP 401 `{"detail": "Invalid token."}` (or "Authentication
  credentials were not provided.").

Status codes (the S10 barcode's scans): 101 preload, 102 accepted by agent, 103 accepted at the
counter, 201 in transit, 202 customs, 203 returned to sender, 204/205 at the outward/inward
exchange office, 206 at the delivery post office, 207 preparing transport, 208 left the outward
exchange, 209/210 export/import cancelled, 211 at a sorting centre, 301 out for delivery, 302
waiting at a collection point, 401 delivery failed, 501 delivered, 901 COD money transferred.
STATUS_CODES maps them to Talat's codes.

Booking, pickup and cancellation are not part of the published track API; they follow the same
conventions (token auth, JSON, `{"status": bool, "message", "response"}`) at `/post/api/v1/
shipments`, `/post/api/v1/pickups` and `/post/api/v1/shipments/cancel`, the slice Talat's sandbox
implements; a contract with the carrier fixes the real paths (class attributes). The booking's
`reference` is Talat's idempotency key: the same reference answers the same barcode.

Thailand Post's scans carry no id, so an event's id is derived from (barcode, status, time)
unless the record has an `event_id`. Importing this module needs no Django.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

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
from talat.logistics.connectors.cainiao import place_name

if TYPE_CHECKING:
    from talat.governance.border import Released

BANGKOK = timezone(timedelta(hours=7))
STATUS_CODES = {
    "102": TrackingCode.PICKED_UP,
    "103": TrackingCode.PICKED_UP,
    "201": TrackingCode.AT_HUB,  # in transit between mail centres
    "203": TrackingCode.EXCEPTION,  # returned to sender
    "204": TrackingCode.AT_HUB,  # at the outward exchange office
    "205": TrackingCode.ARRIVED,  # at the inward exchange office
    "206": TrackingCode.AT_HUB,  # at the delivering post office
    "207": TrackingCode.AT_HUB,
    "208": TrackingCode.DEPARTED,
    "209": TrackingCode.EXCEPTION,
    "210": TrackingCode.EXCEPTION,
    "211": TrackingCode.AT_HUB,
    "301": TrackingCode.OUT_FOR_DELIVERY,
    "302": TrackingCode.OUT_FOR_DELIVERY,  # waiting at a collection point
    "401": TrackingCode.EXCEPTION,
    "501": TrackingCode.DELIVERED,
}  # 101 (preload), 202 (customs, in progress) and 901 (COD transfer) are not followed
_STATUS_DATE = re.compile(r"(\d{2})/(\d{2})/(\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?(?:([+-])(\d{2}):?(\d{2}))?")
S10 = re.compile(r"[A-Z]{2}\d{9}[A-Z]{2}")
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check_digit(serial: str) -> int:
    """The UPU S10 check digit of an 8-digit serial number."""
    if len(serial) != 8 or not serial.isdigit():
        raise ValueError("an S10 serial number has 8 digits")
    check = 11 - sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def is_valid_s10(number: str) -> bool:
    return bool(S10.fullmatch(number)) and s10_check_digit(number[2:10]) == int(number[10])


def talat_code(status: str) -> str | None:
    code = STATUS_CODES.get(str(status))
    return None if code is None else str(code)


def status_time(text: str) -> datetime:
    """Thailand Post's "dd/mm/yyyy HH:MM[:SS][+07:00]" (a Buddhist-era year in Thai answers) as UTC."""
    match = _STATUS_DATE.fullmatch((text or "").strip())
    if not match:
        raise ValueError(f"status_date {text!r} is not dd/mm/yyyy HH:MM:SS+07:00")
    day, month, year, hour, minute, second, sign, off_h, off_m = match.groups()
    year_ce = int(year) - 543 if int(year) > 2400 else int(year)
    zone = BANGKOK
    if sign:
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        zone = timezone(-offset if sign == "-" else offset)
    moment = datetime(year_ce, int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=zone)
    return moment.astimezone(UTC)


def status_event(record: Mapping[str, Any]) -> TrackingEvent | None:
    """One status record as Talat's event (None for a status Talat does not follow); raises
    ValueError for a record without a barcode, status or readable date."""
    barcode, status, date_text = (str(record.get(k) or "") for k in ("barcode", "status", "status_date"))
    if not barcode or not status or not date_text:
        raise ValueError("a status record needs barcode, status and status_date")
    code = talat_code(status)
    if code is None:
        return None
    occurred_at = status_time(date_text)
    event_id = str(
        record.get("event_id") or derived_event_id("thailandpost", barcode, status, occurred_at.isoformat())
    )
    description = str(record.get("status_description") or "")
    if record.get("delivery_description"):
        extra = str(record["delivery_description"])
        description = f"{description} ({extra})" if description else extra
    location = str(record.get("location") or "")
    if record.get("postcode"):
        location = f"{location} {record['postcode']}".strip()
    return TrackingEvent(
        event_id=event_id,
        tracking_number=barcode,
        code=code,
        occurred_at=occurred_at,
        location=location,
        description=description,
        raw=dict(record),
        partner_status=status,
    )


def _json_channel(partner, base_url: str, transport):
    from talat.governance.outbound import Outbound

    class JsonOutbound(Outbound):
        """Outbound with a JSON body built by the connector from released values' data."""

        def post_body(self, path: str, body: Mapping, *, released: Sequence = (), headers: Mapping):
            for value in released:
                self._check(value)
            return self.client.post(path, json=dict(body), headers=dict(headers))

    return JsonOutbound(recipient=partner, base_url=base_url, transport=transport)


def _address(name, phone, data: Mapping[str, Any]) -> dict[str, str]:
    address: dict[str, str] = {}
    if name:
        address["name"] = str(name)
    if phone:
        address["phone"] = str(phone)
    if data.get("address_line"):
        address["address"] = str(data["address_line"])
    for kind in ("subdistrict", "district", "province"):
        if data.get(f"{kind}_code"):
            address[kind] = place_name(kind, str(data[f"{kind}_code"]), "th")
    if data.get("postal_code"):
        address["postcode"] = str(data["postal_code"])
    return address


class ThaiPostConnector:
    code = "thailandpost"
    TOKEN_PATH = "/post/api/v1/authenticate/token"
    TRACK_PATH = "/post/api/v1/track"
    BOOK_PATH = "/post/api/v1/shipments"
    PICKUP_PATH = "/post/api/v1/pickups"
    CANCEL_PATH = "/post/api/v1/shipments/cancel"

    def __init__(
        self,
        *,
        partner,
        base_url: str,
        api_key: str,
        language: str = "TH",
        service: str = "EMS",
        transport=None,
        clock=time.time,
    ):
        self.api_key = api_key
        self.language = language
        self.service = service
        self.clock = clock
        self._api = _json_channel(partner, base_url, transport)
        self._lock = threading.Lock()
        self._token = ""
        self._token_expires = 0.0

    # The protocol.

    def _send(self, path: str, body: Mapping | None, authorization: str, released: Sequence = ()):
        import httpx

        try:
            return self._api.post_body(
                path, body or {}, released=released, headers={"Authorization": authorization}
            )
        except httpx.HTTPError as error:
            raise TemporaryFailure("NetworkError", str(error)) from error

    def _fresh_token(self) -> str:
        response = self._send(self.TOKEN_PATH, None, f"Token {self.api_key}")
        body = self._answer(response)
        try:
            expires = datetime.fromisoformat(str(body["expire"])).timestamp()
        except (KeyError, ValueError):
            expires = self.clock() + 3600
        self._token, self._token_expires = str(body["token"]), expires
        return self._token

    def token(self) -> str:
        with self._lock:
            if not self._token or self.clock() > self._token_expires - 60:
                return self._fresh_token()
            return self._token

    @staticmethod
    def _answer(response) -> dict:
        if response.status_code == 401 or response.status_code == 403:
            try:
                detail = str(response.json().get("detail") or "")
            except ValueError:
                detail = ""
            raise AuthenticationFailed(str(response.status_code), detail or "authentication failed")
        if response.status_code == 429 or response.status_code >= 500:
            raise TemporaryFailure(
                str(response.status_code), f"the carrier answered HTTP {response.status_code}"
            )
        try:
            body = response.json()
        except ValueError:
            raise LogisticsError(str(response.status_code), "the carrier's answer is not JSON") from None
        if not isinstance(body, dict):
            raise LogisticsError(str(response.status_code), "the carrier's answer is not a JSON object")
        if response.status_code >= 400 or body.get("status") is False:
            raise LogisticsError(
                str(body.get("code") or response.status_code), str(body.get("message") or "")
            )
        return body

    def _call(self, path: str, body: Mapping, *, released: Sequence = ()) -> dict:
        """One call with the current token; a token the carrier no longer accepts is renewed once."""
        response = self._send(path, body, f"Token {self.token()}", released)
        if response.status_code == 401:
            with self._lock:
                self._token = ""
            response = self._send(path, body, f"Token {self.token()}", released)
        return self._answer(response)

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
        body: dict[str, Any] = {
            "reference": idempotency_key,
            "service": self.service,
            "receiver": _address(data.get("buyer_name"), data.get("buyer_phone"), data),
        }
        if data.get("channel_order_number"):
            body["order_number"] = str(data["channel_order_number"])
        weight = parcel_weight_g(data, lines)
        if weight:
            body["weight"] = weight  # grams
        for side in ("length", "width", "height"):
            if data.get(f"{side}_mm"):
                body[side] = -(-int(data[f"{side}_mm"]) // 10)  # whole cm, rounded up
        body["items"] = []
        for line in lines:
            item: dict[str, Any] = {"quantity": int(line.get("quantity") or 1)}
            if line.get("sku"):
                item["sku"] = str(line["sku"])
            if item_name(line, "th"):
                item["name"] = item_name(line, "th")
            price = unit_price_minor(line)
            if price is not None:
                item["price"] = decimal_text(price)
            body["items"].append(item)
        if sender is not None:
            s = sender.data
            body["sender"] = _address(s.get("name_th") or s.get("name_en"), s.get("phone"), s)
        sent = [released, *items, *([sender] if sender is not None else [])]
        result = self._call(self.BOOK_PATH, body, released=sent)["response"]
        barcode = str(result["barcode"])
        return Booking(
            tracking_number=barcode,
            label_reference=str(result.get("label") or barcode),
            partner_reference=str(result.get("reference") or idempotency_key),
        )

    def request_pickup(
        self,
        tracking_numbers: Sequence[str],
        *,
        idempotency_key: str,
        sender: Released | None = None,
        earliest: datetime | None = None,
    ) -> Pickup:
        require_released(sender)
        body: dict[str, Any] = {"reference": idempotency_key, "barcode": list(tracking_numbers)}
        if earliest is not None:
            body["pickup_date"] = earliest.astimezone(BANGKOK).strftime("%d/%m/%Y")
        if sender is not None:
            s = sender.data
            body["address"] = _address(s.get("name_th") or s.get("name_en"), s.get("phone"), s)
        result = self._call(self.PICKUP_PATH, body, released=[sender] if sender is not None else [])[
            "response"
        ]
        return Pickup(
            reference=str(result["pickup_id"]),
            window_start=status_time(result["window_start"]),
            window_end=status_time(result["window_end"]),
        )

    def cancel(self, tracking_number: str, *, idempotency_key: str) -> None:
        self._call(self.CANCEL_PATH, {"barcode": tracking_number, "reference": idempotency_key})

    def track(self, tracking_number: str) -> list[TrackingEvent]:
        body = {"status": "all", "language": self.language, "barcode": [tracking_number]}
        items = (self._call(self.TRACK_PATH, body).get("response") or {}).get("items") or {}
        events = []
        for record in items.get(tracking_number) or []:
            try:
                event = status_event(record)
            except ValueError as error:
                raise LogisticsError("bad_status", str(error)) from None
            if event is not None:
                events.append(event)
        return sorted(events, key=lambda e: e.occurred_at)
