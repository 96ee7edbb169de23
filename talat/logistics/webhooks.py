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

import hashlib
import hmac
import json
import re
import time
from collections.abc import Mapping

from talat.logistics.connectors import cainiao, thaipost
from talat.logistics.connectors.base import TrackingEvent

SIGNATURE_HEADER = "X-Talat-Signature"
HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


class BadWebhook(ValueError):
    """A push Talat must not act on; `code` is "bad_signature", "stale" or "malformed"."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _digest(body: bytes, secret: bytes, timestamp: int | str) -> str:
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(body: bytes, *, secret: bytes, timestamp: int) -> str:
    """The `X-Talat-Signature` header value for `body` sent at `timestamp` (unix seconds)."""
    return f"t={int(timestamp)},v1={_digest(body, secret, int(timestamp))}"


def _parse_header(header: str | None) -> tuple[int, list[str]]:
    if not header:
        raise BadWebhook("bad_signature", f"missing {SIGNATURE_HEADER} header")
    timestamp, signatures = None, []
    for part in header.split(","):
        key, separator, value = part.strip().partition("=")
        if not separator:
            raise BadWebhook("bad_signature", f"garbled {SIGNATURE_HEADER} header")
        if key == "t" and value.isascii() and value.isdigit() and timestamp is None:
            timestamp = int(value)
        elif key == "v1" and HEX_DIGEST.fullmatch(value):
            signatures.append(value)
        elif key in ("t", "v1"):
            raise BadWebhook("bad_signature", f"garbled {SIGNATURE_HEADER} header")
    if timestamp is None or not signatures:
        raise BadWebhook("bad_signature", f"garbled {SIGNATURE_HEADER} header")
    return timestamp, signatures


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
    timestamp, signatures = _parse_header(header)
    expected = _digest(body, secret, timestamp)
    matched = False
    for candidate in signatures:  # every listed signature, no early exit, in constant time
        matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise BadWebhook("bad_signature", "signature does not match")
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance_s:
        raise BadWebhook("stale", f"signed {int(now - timestamp)} s from now, beyond {tolerance_s} s")
    return parse(body)
