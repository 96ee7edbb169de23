"""The bank's PromptPay payment notification, as Talat receives it.

The body is the bank's payment-confirmation JSON (the fields of SCB's payment confirmation callback:
`payeeProxyId`, `payeeProxyType`, `payerName`, `amount` as a decimal string, `transactionId`,
`transactionDateandTime`, `billPaymentRef1`, `billPaymentRef2`, `currencyCode` "764", ...) plus a
unique `eventId` that a re-sent notification repeats. The bank signs each delivery with the header

    X-Bank-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}." + raw body bytes)>

and may list several `v1=` values while it rotates its secret. `verify` checks the signature in
constant time, refuses timestamps too far from now (replays), and parses the body without floats.
"""

import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

SIGNATURE_HEADER = "X-Bank-Signature"
BANGKOK = timezone(timedelta(hours=7))
CURRENCIES = {"764": "THB"}  # ISO 4217 numeric -> alphabetic; PromptPay is baht only
AMOUNT = re.compile(r"\d{1,13}(\.\d{1,2})?")
HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
REQUIRED = ("eventId", "transactionId", "amount", "currencyCode", "payeeProxyType", "payeeProxyId",
            "transactionDateandTime")  # fmt: skip


class BadNotification(ValueError):
    """A notification Talat must not act on; `code` is "bad_signature", "stale" or "malformed"."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Notification:
    event_id: str
    transaction_id: str
    amount_satang: int
    currency: str
    reference_1: str
    reference_2: str
    proxy_type: str
    proxy_id: str
    payer_name: str
    paid_at: datetime  # aware, UTC
    raw: dict


def _digest(body: bytes, secret: bytes, timestamp: int | str) -> str:
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(body: bytes, *, secret: bytes, timestamp: int) -> str:
    """The `X-Bank-Signature` header value for `body` sent at `timestamp` (unix seconds)."""
    return f"t={int(timestamp)},v1={_digest(body, secret, int(timestamp))}"


def _parse_header(header: str | None) -> tuple[int, list[str]]:
    if not header:
        raise BadNotification("bad_signature", f"missing {SIGNATURE_HEADER} header")
    timestamp, signatures = None, []
    for part in header.split(","):
        key, separator, value = part.strip().partition("=")
        if not separator:
            raise BadNotification("bad_signature", f"garbled {SIGNATURE_HEADER} header")
        if key == "t" and value.isascii() and value.isdigit() and timestamp is None:
            timestamp = int(value)
        elif key == "v1" and HEX_DIGEST.fullmatch(value):
            signatures.append(value)
        elif key in ("t", "v1"):
            raise BadNotification("bad_signature", f"garbled {SIGNATURE_HEADER} header")
        # Other schemes (v0, v2, ...) are ignored, as a receiver that does not know them should.
    if timestamp is None or not signatures:
        raise BadNotification("bad_signature", f"garbled {SIGNATURE_HEADER} header")
    return timestamp, signatures


def amount_to_satang(value) -> int:
    """A positive baht amount with at most two decimals ("107.00", "107", 107) as integer satang."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise BadNotification("malformed", "amount must be a decimal string")
    text = str(value)
    if not AMOUNT.fullmatch(text):
        raise BadNotification("malformed", f"amount {text!r} is not a baht amount with at most 2 decimals")
    satang = int(Decimal(text) * 100)
    if satang <= 0:
        raise BadNotification("malformed", "amount must be greater than zero")
    return satang


def _text(body: dict, name: str) -> str:
    value = body.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadNotification("malformed", f"{name} must be a string")
    return value


def _paid_at(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadNotification("malformed", f"transactionDateandTime {text!r} is not ISO 8601") from None
    # The bank states QR payment times in Bangkok time (GMT+7); a time without an offset is read so.
    return (moment if moment.tzinfo else moment.replace(tzinfo=BANGKOK)).astimezone(UTC)


def parse(body: bytes) -> Notification:
    """The notification in `body`, without checking any signature (use `verify`)."""
    try:
        data = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        raise BadNotification("malformed", "body is not JSON") from None
    if not isinstance(data, dict):
        raise BadNotification("malformed", "body is not a JSON object")
    missing = [name for name in REQUIRED if data.get(name) in (None, "")]
    if missing:
        raise BadNotification("malformed", "missing " + ", ".join(missing))
    currency = CURRENCIES.get(str(data["currencyCode"]))
    if currency is None:
        raise BadNotification("malformed", f"currencyCode {data['currencyCode']!r} is not baht (764)")
    return Notification(
        event_id=_text(data, "eventId"),
        transaction_id=_text(data, "transactionId"),
        amount_satang=amount_to_satang(data["amount"]),
        currency=currency,
        reference_1=_text(data, "billPaymentRef1"),
        reference_2=_text(data, "billPaymentRef2"),
        proxy_type=_text(data, "payeeProxyType"),
        proxy_id=_text(data, "payeeProxyId"),
        payer_name=_text(data, "payerName"),
        paid_at=_paid_at(_text(data, "transactionDateandTime")),
        raw=data,
    )


def verify(
    body: bytes, *, header: str | None, secret: bytes, now: float | None = None, tolerance_s: int = 300
) -> Notification:
    """The notification in `body` if `header` is the bank's valid signature of it, sent within
    `tolerance_s` seconds of `now`; otherwise raises BadNotification and nothing may be acted on."""
    timestamp, signatures = _parse_header(header)
    expected = _digest(body, secret, timestamp)
    # Compare with every listed signature (no early exit), in constant time.
    matched = False
    for candidate in signatures:
        matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise BadNotification("bad_signature", "signature does not match")
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance_s:
        raise BadNotification("stale", f"signed {int(now - timestamp)} s from now, beyond {tolerance_s} s")
    return parse(body)
