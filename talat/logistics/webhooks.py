"""Tracking events pushed by the logistics partners, as Talat receives them.

Each partner POSTs its own JSON body to the Talat endpoint configured for it:

- the cross-border hub, Cainiao's trace push: `{"msg_type", "partner_code", "logistics_interface":
  {"mailNo", "logisticsOrderCode", "traceDetail": {"eventId", "actionCode", "time", "timeZone",
  "standardDesc", "location"}}}` (`logistics_interface` may also arrive as JSON text, as Cainiao's
  form posts carry it);
- the domestic carrier, Thailand Post's hook: `{"items": [{"event_id", "barcode", "status",
  "status_description", "status_date", "location", "postcode", ...}], "track_datetime"}`.

Whatever the partner, Talat asks for one signature header, the scheme of the bank's notifications:

    X-Talat-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}." + raw body bytes)>

with a secret per partner (several `v1=` values are accepted while a secret is rotated). A partner's
native authentication (Cainiao's data_digest, Thailand Post's bearer token) is not relied on for
pushes. `verify` checks the signature in constant time, refuses timestamps more than `tolerance_s`
from now (replays), and returns the events normalised to Talat's codes. A partner may send the same
event again (same `event_id`) and events may arrive out of order: the receiver de-duplicates on
`event_id` and orders by `occurred_at`.
"""

import json
from collections.abc import Mapping

from talat.core import signatures
from talat.logistics.connectors import cainiao, thaipost
from talat.logistics.connectors.base import TrackingEvent

SIGNATURE_HEADER = "X-Talat-Signature"


class BadWebhook(ValueError):
    """A push Talat must not act on; `code` is "bad_signature", "stale" or "malformed"."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


def sign(body: bytes, *, secret: bytes, timestamp: int) -> str:
    """The `X-Talat-Signature` header value for `body` sent at `timestamp` (unix seconds)."""
    return signatures.sign(body, secret=secret, timestamp=timestamp)


def _cainiao(data: Mapping) -> list[TrackingEvent]:
    message = data["logistics_interface"]
    if isinstance(message, str):
        try:
            message = json.loads(message)
        except ValueError:
            raise BadWebhook("malformed", "logistics_interface is not JSON") from None
    if not isinstance(message, dict) or not isinstance(message.get("traceDetail"), dict):
        raise BadWebhook("malformed", "logistics_interface needs mailNo and traceDetail")
    mail_no = message.get("mailNo")
    if not isinstance(mail_no, str) or not mail_no:
        raise BadWebhook("malformed", "logistics_interface needs mailNo and traceDetail")
    try:
        event = cainiao.trace_event(mail_no, message["traceDetail"])
    except ValueError as error:
        raise BadWebhook("malformed", str(error)) from None
    return [event] if event is not None else []


def _thaipost(data: Mapping) -> list[TrackingEvent]:
    items = data["items"]
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise BadWebhook("malformed", "items must be a list of status records")
    events = []
    for record in items:
        try:
            event = thaipost.status_event(record)
        except ValueError as error:
            raise BadWebhook("malformed", str(error)) from None
        if event is not None:
            events.append(event)
    return events


def parse(body: bytes) -> list[TrackingEvent]:
    """The events in a push body, without checking any signature (use `verify`). Statuses Talat does
    not follow are left out, so a valid push may give no event."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadWebhook("malformed", "body is not JSON") from None
    if not isinstance(data, dict):
        raise BadWebhook("malformed", "body is not a JSON object")
    if "logistics_interface" in data:
        return _cainiao(data)
    if "items" in data:
        return _thaipost(data)
    raise BadWebhook("malformed", "neither a trace push (logistics_interface) nor a status hook (items)")


def verify(
    body: bytes, *, header: str | None, secret: bytes, now: float | None = None, tolerance_s: int = 300
) -> list[TrackingEvent]:
    """The events in `body` if `header` is a valid signature of it with `secret`, made within
    `tolerance_s` seconds of `now`; otherwise raises BadWebhook and nothing may be acted on."""
    try:
        signatures.check(
            body, header=header, secret=secret, now=now, tolerance_s=tolerance_s, name=SIGNATURE_HEADER
        )
    except signatures.BadSignature as error:
        raise BadWebhook(error.code, error.detail) from None
    return parse(body)
