"""The bank's PromptPay payment notification, as Talat receives it.

The body is the bank's payment-confirmation JSON (the fields of SCB's payment confirmation callback:
`payeeProxyId`, `payeeProxyType`, `payerName`, `amount` as a decimal string, `transactionId`,
`transactionDateandTime`, `billPaymentRef1`, `billPaymentRef2`, `currencyCode` "764", ...) plus a
unique `eventId` that a re-sent notification repeats. The bank signs each delivery with the header

    X-Bank-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}." + raw body bytes)>

and may list several `v1=` values while it rotates its secret. `verify` checks the signature in
constant time, refuses timestamps too far from now (replays), and parses the body without floats.
"""

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from talat.core import signatures

SIGNATURE_HEADER = "X-Bank-Signature"
BANGKOK = timezone(timedelta(hours=7))
CURRENCIES = {"764": "THB"}  # ISO 4217 numeric -> alphabetic; PromptPay is baht only
AMOUNT = re.compile(r"\d{1,13}(\.\d{1,2})?")
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


def sign(body: bytes, *, secret: bytes, timestamp: int) -> str:
    """The `X-Bank-Signature` header value for `body` sent at `timestamp` (unix seconds)."""
    return signatures.sign(body, secret=secret, timestamp=timestamp)


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
    try:
        signatures.check(
            body, header=header, secret=secret, now=now, tolerance_s=tolerance_s, name=SIGNATURE_HEADER
        )
    except signatures.BadSignature as error:
        raise BadNotification(error.code, error.detail) from None
    return parse(body)
