"""A Thai bank sandbox: it "pays" PromptPay QR codes and tells the merchant, the way a bank's QR
payment service does (modelled on SCB's QR 30 bill payment and its payment confirmation callback).
A WSGI app for tests (`Running(make_app(...))`) and `make demo`
(`python -m talat.payments.sandboxes bank --port 8604`). Standard library only (it shares only the
signature with Talat's receiving side); state in memory behind one lock.

What it does, as the bank would:

- parses the QR payload itself: the EMVCo TLV walk, the CRC-16/CCITT-FALSE in tag 63, PromptPay
  credit transfer (tag 29: mobile 01, national/tax ID 02, e-wallet 03) or bill payment (tag 30:
  biller ID 01, ref1 02, ref2 03), currency (tag 53, baht 764 only) and amount (tag 54);
- `POST /v1/payments` pays a QR: `{"qrPayload", "amount" (only when the QR carries none; else it must
  equal it), "payerName", "deliver": true}`; the answer is the transaction;
- after each payment, in a background thread, it POSTs the payment confirmation (JSON: payeeProxyId,
  payeeProxyType, payerName, amount "107.00", transactionId, transactionDateandTime, billPaymentRef1/2,
  currencyCode "764", ... and a unique eventId) to the merchant's callback URL, signed with
  `X-Bank-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`, retrying with
  back-off on a non-2xx answer or a connection error; `"deliver": false` holds it instead;
- `POST /v1/notifications/{transactionId}/resend` sends the same body (same eventId) again;
  `POST /v1/notifications/deliver {"transactionIds": [...]}` sends held ones in that order;
  `GET /v1/transactions/{transactionId}` shows a transaction and its delivery attempts;
- `GET /v1/statements?date=YYYY-MM-DD` is the day's statement file (CSV); `POST /v1/credits` adds a
  credit that never notifies (a plain transfer), for reconciliation to find;
- `GET /pay?qr=<payload>&return=<url>` is the buyer's page: payee, reference, amount and a Pay button
  (a plain form; no script).

Answers are JSON `{"status": {"code": 1000, "description": "Success"}, "data": ...}`; refusals carry
an HTTP 4xx status and `{"status": {"code": <4xxx>, "description": ...}}` (see ERRORS).
"""

import csv
import html
import io
import json
import os
import re
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from talat.core import signatures
from talat.payments.notifications import SIGNATURE_HEADER

BANGKOK = timezone(timedelta(hours=7))
DEMO_SECRET = b"bank-sandbox-demo-secret"  # Talat's settings default to the same
DEMO_CALLBACK_URL = "http://127.0.0.1:8000/payments/bank/notify"
CREDIT_TRANSFER_AID = "A000000677010111"  # tag 29, PromptPay credit transfer
BILL_PAYMENT_AID = "A000000677010112"  # tag 30, PromptPay bill payment
PROXY_TYPES = {"01": "MSISDN", "02": "NATID", "03": "EWALLETID"}
PROXY_LENGTHS = {"01": 13, "02": 13, "03": 15}
REFERENCE = re.compile(r"[A-Z0-9]{1,20}")
AMOUNT = re.compile(r"\d{1,10}(\.\d{1,2})?")
BANK_CODE = "014"
PAYEE_ACCOUNT = "4071234567"
PAYER_ACCOUNT = "1112223334"
MAX_BODY = 64 * 1024
CSV_COLUMNS = ["transaction_id", "value_datetime", "amount", "ref1", "ref2", "payer_name", "channel"]
ID_ALPHABET = string.ascii_letters + string.digits

# (HTTP status, bank code, description)
ERRORS = {
    "invalid_parameter": (400, 4001, "Invalid parameter"),
    "not_found": (404, 4004, "Transaction not found"),
    "no_route": (404, 4040, "Resource not found"),
    "method": (405, 4050, "Method not allowed"),
    "too_large": (413, 4130, "Request body too large"),
    "invalid_qr": (400, 4101, "Invalid QR payload"),
    "bad_crc": (400, 4102, "QR payload CRC does not match"),
    "amount_required": (400, 4103, "Amount is required for a QR without an amount"),
    "amount_mismatch": (400, 4104, "Amount does not match the QR amount"),
    "currency": (400, 4105, "Currency not supported"),
}


class BankError(Exception):
    def __init__(self, kind: str, detail: str = ""):
        self.http_status, self.code, description = ERRORS[kind]
        self.description = f"{description}: {detail}" if detail else description
        super().__init__(self.description)

    @property
    def body(self) -> dict:
        return {"status": {"code": self.code, "description": self.description}}


# The QR payload.


def crc16(data: bytes) -> str:
    """CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF), as four uppercase hex digits."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def tlv(text: str) -> dict[str, str]:
    """EMVCo tag-length-value fields of `text` (two-digit tag and length), refusing any fault."""
    fields, position = {}, 0
    while position < len(text):
        head = text[position : position + 4]
        if len(head) < 4 or not (head.isascii() and head.isdigit()):
            raise BankError("invalid_qr", f"bad tag or length at position {position}")
        tag, length = head[:2], int(head[2:])
        value = text[position + 4 : position + 4 + length]
        if length == 0 or len(value) < length:
            raise BankError("invalid_qr", f"tag {tag} runs past the end")
        if tag in fields:
            raise BankError("invalid_qr", f"tag {tag} appears twice")
        fields[tag] = value
        position += 4 + length
    return fields


@dataclass(frozen=True)
class PromptPayQR:
    static: bool
    proxy_type: str  # MSISDN, NATID, EWALLETID or BILLERID
    proxy_id: str
    reference_1: str = ""
    reference_2: str = ""
    reference_3: str = ""
    amount: Decimal | None = None
    payee_name: str = ""
    country: str = "TH"
    extra: dict = field(default_factory=dict)


def parse_qr(payload: str) -> PromptPayQR:
    """The PromptPay QR in `payload`, checked as a paying bank checks it; raises BankError."""
    payload = (payload or "").strip()
    if len(payload) < 12 or payload[-8:-4] != "6304":
        raise BankError("invalid_qr", "the payload must end with the CRC field (tag 63)")
    try:
        checked = payload[:-4].encode("utf-8")
    except UnicodeEncodeError:
        raise BankError("invalid_qr", "the payload is not text") from None
    if crc16(checked) != payload[-4:].upper():
        raise BankError("bad_crc")
    fields = tlv(payload)
    if fields.get("00") != "01":
        raise BankError("invalid_qr", "payload format indicator (tag 00) must be 01")
    if fields.get("01", "11") not in ("11", "12"):
        raise BankError("invalid_qr", "point of initiation (tag 01) must be 11 or 12")
    if fields.get("53") != "764":
        raise BankError("currency", f"tag 53 is {fields.get('53')!r}, only 764 (THB) is accepted")
    if "58" in fields and fields["58"] != "TH":
        raise BankError("invalid_qr", "country code (tag 58) must be TH")
    amount = None
    if "54" in fields:
        if not AMOUNT.fullmatch(fields["54"]) or Decimal(fields["54"]) <= 0:
            raise BankError("invalid_qr", f"amount (tag 54) {fields['54']!r} is not a baht amount")
        amount = Decimal(fields["54"])
    extra = tlv(fields["62"]) if "62" in fields else {}
    common = {"static": fields.get("01", "11") == "11", "amount": amount, "payee_name": fields.get("59", ""),
              "reference_3": extra.get("07", ""), "extra": extra}  # fmt: skip
    if "30" in fields:
        bill = tlv(fields["30"])
        if bill.get("00") != BILL_PAYMENT_AID:
            raise BankError("invalid_qr", f"bill payment (tag 30) application ID must be {BILL_PAYMENT_AID}")
        biller, ref1, ref2 = bill.get("01", ""), bill.get("02", ""), bill.get("03", "")
        if not (len(biller) == 15 and biller.isascii() and biller.isdigit()):
            raise BankError("invalid_qr", "biller ID (tag 30 01) must be 15 digits")
        if not REFERENCE.fullmatch(ref1):
            raise BankError("invalid_qr", "reference 1 (tag 30 02) must be 1-20 characters A-Z or 0-9")
        if ref2 and not REFERENCE.fullmatch(ref2):
            raise BankError("invalid_qr", "reference 2 (tag 30 03) must be up to 20 characters A-Z or 0-9")
        return PromptPayQR(
            proxy_type="BILLERID", proxy_id=biller, reference_1=ref1, reference_2=ref2, **common
        )
    if "29" in fields:
        transfer = tlv(fields["29"])
        if transfer.get("00") != CREDIT_TRANSFER_AID:
            raise BankError(
                "invalid_qr", f"credit transfer (tag 29) application ID must be {CREDIT_TRANSFER_AID}"
            )
        proxies = [tag for tag in PROXY_TYPES if tag in transfer]
        if len(proxies) != 1:
            raise BankError("invalid_qr", "credit transfer (tag 29) needs exactly one of sub-tags 01, 02, 03")
        tag = proxies[0]
        proxy = transfer[tag]
        if not (len(proxy) == PROXY_LENGTHS[tag] and proxy.isascii() and proxy.isdigit()):
            raise BankError("invalid_qr", f"proxy (tag 29 {tag}) must be {PROXY_LENGTHS[tag]} digits")
        return PromptPayQR(proxy_type=PROXY_TYPES[tag], proxy_id=proxy, **common)
    raise BankError("invalid_qr", "no PromptPay account (tag 29 or 30)")


# Money.


def _baht(satang: int) -> str:
    return f"{satang // 100}.{satang % 100:02d}"


def _satang(value, name: str) -> int:
    if not isinstance(value, str) or not AMOUNT.fullmatch(value) or Decimal(value) <= 0:
        raise BankError("invalid_parameter", f'{name} must be a baht amount as a string, like "107.00"')
    return int(Decimal(value) * 100)


# The bank.


@dataclass
class Transaction:
    transaction_id: str
    paid_at: datetime  # UTC
    amount_satang: int
    reference_1: str
    reference_2: str
    payer_name: str
    channel: str
    body: bytes | None = None  # the notification, fixed once; None for a credit that never notifies
    notification: str = "none"  # none, held, queued, delivered, failed
    attempts: list = field(default_factory=list)

    def public(self) -> dict:
        data = json.loads(self.body) if self.body else {
            "transactionId": self.transaction_id, "amount": _baht(self.amount_satang),
            "transactionDateandTime": self.paid_at.astimezone(BANGKOK).isoformat(timespec="milliseconds"),
            "billPaymentRef1": self.reference_1, "billPaymentRef2": self.reference_2,
            "payerName": self.payer_name, "currencyCode": "764", "channelCode": self.channel,
        }  # fmt: skip
        return {**data, "notificationStatus": self.notification, "deliveryAttempts": list(self.attempts)}


class BankSandbox:
    """The bank's API and the buyer's payment page, as one WSGI app."""

    def __init__(self, *, secret: bytes, callback_url: str, fee_bp: int = 0,
                 retry_delays: tuple[float, ...] = (2, 4, 8), timeout_s: float = 10,
                 clock=time.time):  # fmt: skip
        if urlsplit(callback_url).scheme not in ("http", "https"):
            raise ValueError("callback_url must be an http(s) URL")
        if not 0 <= fee_bp <= 10_000:
            raise ValueError("fee_bp must be between 0 and 10000 basis points")
        self.secret = secret
        self.callback_url = callback_url
        self.fee_bp = fee_bp
        self.retry_delays = tuple(retry_delays)
        self.timeout_s = timeout_s
        self.clock = clock
        self.lock = threading.Lock()
        self.transactions: dict[str, Transaction] = {}
        self._stopping = threading.Event()

    def close(self) -> None:
        """Stops pending retries (their deliveries are marked failed)."""
        self._stopping.set()

    # Operations (also usable directly by tests and the demo).

    def _new_id(self, now: datetime) -> str:
        while True:
            suffix = "".join(secrets.choice(ID_ALPHABET) for _ in range(15))
            candidate = f"{now.astimezone(BANGKOK):%Y%m%d}{suffix}"
            if candidate not in self.transactions:
                return candidate

    def pay(self, qr_payload: str, *, amount: str | None = None, payer_name: str = "",
            deliver: bool = True) -> Transaction:  # fmt: skip
        qr = parse_qr(qr_payload)
        if qr.amount is None and amount is None:
            raise BankError("amount_required")
        satang = int(qr.amount * 100) if qr.amount is not None else _satang(amount, "amount")
        if qr.amount is not None and amount is not None and _satang(amount, "amount") != satang:
            raise BankError("amount_mismatch", f"the QR asks for {qr.amount}, not {amount}")
        payer_name = (payer_name or "").strip()[:100] or "ผู้ซื้อทดสอบ"
        now = datetime.fromtimestamp(self.clock(), UTC)
        with self.lock:
            transaction_id = self._new_id(now)
            notification = {
                "eventId": f"evt_{secrets.token_hex(12)}",
                "transactionType": "Domestic Transfer",
                "payeeProxyId": qr.proxy_id,
                "payeeProxyType": qr.proxy_type,
                "payeeAccountNumber": PAYEE_ACCOUNT,
                "payeeName": qr.payee_name,
                "payerProxyId": "",
                "payerProxyType": "ACCOUNT",
                "payerAccountNumber": PAYER_ACCOUNT,
                "payerName": payer_name,
                "sendingBankCode": BANK_CODE,
                "receivingBankCode": BANK_CODE,
                "amount": _baht(satang),
                "transactionId": transaction_id,
                "transactionDateandTime": now.astimezone(BANGKOK).isoformat(timespec="milliseconds"),
                "billPaymentRef1": qr.reference_1,
                "billPaymentRef2": qr.reference_2,
                "billPaymentRef3": qr.reference_3,
                "currencyCode": "764",
                "channelCode": "PMH",
            }
            transaction = Transaction(
                transaction_id=transaction_id, paid_at=now, amount_satang=satang, reference_1=qr.reference_1,
                reference_2=qr.reference_2, payer_name=payer_name, channel="PromptPay QR",
                body=json.dumps(notification, ensure_ascii=False).encode(),
                notification="queued" if deliver else "held",
            )  # fmt: skip
            self.transactions[transaction_id] = transaction
        if deliver:
            self._send_in_background([transaction_id])
        return transaction

    def credit(self, *, amount: str, reference_1: str = "", reference_2: str = "", payer_name: str = "",
               channel: str = "Transfer", paid_at: datetime | None = None) -> Transaction:  # fmt: skip
        """A credit to the account that sends no notification (a transfer made some other way)."""
        satang = _satang(amount, "amount")
        now = paid_at.astimezone(UTC) if paid_at else datetime.fromtimestamp(self.clock(), UTC)
        with self.lock:
            transaction = Transaction(
                transaction_id=self._new_id(now), paid_at=now, amount_satang=satang, reference_1=reference_1,
                reference_2=reference_2, payer_name=payer_name, channel=channel,
            )  # fmt: skip
            self.transactions[transaction.transaction_id] = transaction
        return transaction

    def send(self, transaction_ids: list[str]) -> None:
        """Sends (or sends again) these transactions' notifications, one after another, in order."""
        with self.lock:
            unknown = [t for t in transaction_ids if t not in self.transactions]
            if unknown:
                raise BankError("not_found", ", ".join(unknown))
            silent = [t for t in transaction_ids if self.transactions[t].body is None]
            if silent:
                raise BankError("invalid_parameter", f"no notification for {', '.join(silent)}")
            for transaction_id in transaction_ids:
                self.transactions[transaction_id].notification = "queued"
        self._send_in_background(list(transaction_ids))

    def _send_in_background(self, transaction_ids: list[str]) -> None:
        def run():
            for transaction_id in transaction_ids:
                self._deliver(transaction_id)

        threading.Thread(target=run, name="bank-sandbox-notify", daemon=True).start()

    def _deliver(self, transaction_id: str) -> None:
        with self.lock:
            body = self.transactions[transaction_id].body
        for attempt, delay in enumerate((0, *self.retry_delays), start=1):
            if delay and self._stopping.wait(delay):
                break
            status, error = self._post(body)
            with self.lock:
                transaction = self.transactions[transaction_id]
                transaction.attempts.append(
                    {"attempt": attempt, "httpStatus": status, "error": error,
                     "at": datetime.fromtimestamp(self.clock(), UTC).isoformat(timespec="milliseconds")}
                )  # fmt: skip
                if status is not None and 200 <= status < 300:
                    transaction.notification = "delivered"
                    return
        with self.lock:
            self.transactions[transaction_id].notification = "failed"

    def _post(self, body: bytes) -> tuple[int | None, str | None]:
        return signatures.post_signed(
            self.callback_url, body, secret=self.secret, header=SIGNATURE_HEADER, timestamp=int(self.clock()),
            timeout_s=self.timeout_s, user_agent="bank-sandbox/1.0",
        )  # fmt: skip

    def statement(self, day: date) -> bytes:
        """The day's credits (by Bangkok date) as the bank's CSV statement file, UTF-8 with a BOM."""
        with self.lock:
            lines = sorted(
                (t for t in self.transactions.values() if t.paid_at.astimezone(BANGKOK).date() == day),
                key=lambda t: t.paid_at,
            )
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS + (["fee"] if self.fee_bp else []))
        for t in lines:
            row = [t.transaction_id, f"{t.paid_at.astimezone(BANGKOK):%Y-%m-%d %H:%M:%S}",
                   _baht(t.amount_satang), t.reference_1, t.reference_2, t.payer_name, t.channel]  # fmt: skip
            if self.fee_bp:
                row.append(_baht((t.amount_satang * self.fee_bp + 5_000) // 10_000))  # rounded half up
            writer.writerow(row)
        return out.getvalue().encode("utf-8-sig")

    # HTTP.

    def __call__(self, environ, start_response):
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        try:
            if length > MAX_BODY:
                raise BankError("too_large")
            raw = environ["wsgi.input"].read(length) if length > 0 else b""
            if path == "/bank.css":
                return _respond(start_response, "200 OK", "text/css; charset=utf-8", STYLE.encode())
            if path == "/pay" or path.startswith("/pay/"):
                return self._page(method, path, query, raw, start_response)
            status, data, content_type = self._api(method, path, query, raw)
        except BankError as error:
            status, data, content_type = error.http_status, error.body, "application/json"
        if content_type == "application/json":
            data = json.dumps(data, ensure_ascii=False).encode()
            content_type = "application/json; charset=utf-8"
        return _respond(start_response, _status_line(status), content_type, data)

    def _api(self, method: str, path: str, query: dict, raw: bytes):
        routes = [
            ("POST", re.compile(r"/v1/payments"), self._api_pay),
            ("POST", re.compile(r"/v1/credits"), self._api_credit),
            ("POST", re.compile(r"/v1/notifications/deliver"), self._api_deliver),
            ("POST", re.compile(r"/v1/notifications/(?P<tid>[^/]+)/resend"), self._api_resend),
            ("GET", re.compile(r"/v1/transactions/(?P<tid>[^/]+)"), self._api_transaction),
            ("GET", re.compile(r"/v1/statements"), self._api_statement),
        ]
        allowed = False
        for route_method, pattern, handler in routes:
            match = pattern.fullmatch(path)
            if match:
                allowed = True
                if route_method == method:
                    return handler(query=query, raw=raw, **match.groupdict())
        raise BankError("method" if allowed else "no_route")

    @staticmethod
    def _json(raw: bytes) -> dict:
        try:
            data = json.loads(raw or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise BankError("invalid_parameter", "the body must be JSON") from None
        if not isinstance(data, dict):
            raise BankError("invalid_parameter", "the body must be a JSON object")
        return data

    @staticmethod
    def _ok(data, status: int = 200):
        return status, {"status": {"code": 1000, "description": "Success"}, "data": data}, "application/json"

    def _api_pay(self, *, raw: bytes, **_):
        data = self._json(raw)
        payload, amount, payer = data.get("qrPayload"), data.get("amount"), data.get("payerName", "")
        deliver = data.get("deliver", True)
        if not isinstance(payload, str) or not payload:
            raise BankError("invalid_parameter", "qrPayload is required")
        if not isinstance(payer, str) or not isinstance(deliver, bool):
            raise BankError("invalid_parameter", "payerName must be a string and deliver a boolean")
        transaction = self.pay(payload, amount=amount, payer_name=payer, deliver=deliver)
        return self._ok(self._public(transaction.transaction_id))

    def _api_credit(self, *, raw: bytes, **_):
        data = self._json(raw)
        texts = {name: data.get(name, "") for name in ("billPaymentRef1", "billPaymentRef2", "payerName")}
        if any(not isinstance(value, str) for value in texts.values()):
            raise BankError("invalid_parameter", "billPaymentRef1, billPaymentRef2 and payerName are strings")
        paid_at = None
        if data.get("transactionDateandTime"):
            try:
                paid_at = datetime.fromisoformat(str(data["transactionDateandTime"]))
            except ValueError:
                raise BankError("invalid_parameter", "transactionDateandTime must be ISO 8601") from None
            paid_at = paid_at if paid_at.tzinfo else paid_at.replace(tzinfo=BANGKOK)
        transaction = self.credit(
            amount=data.get("amount"), reference_1=texts["billPaymentRef1"],
            reference_2=texts["billPaymentRef2"], payer_name=texts["payerName"],
            channel=str(data.get("channel") or "Transfer"), paid_at=paid_at,
        )  # fmt: skip
        return self._ok(self._public(transaction.transaction_id))

    def _api_deliver(self, *, raw: bytes, **_):
        ids = self._json(raw).get("transactionIds")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise BankError("invalid_parameter", "transactionIds must be a non-empty list of strings")
        self.send(ids)
        return self._ok({"transactionIds": ids}, 202)

    def _api_resend(self, *, tid: str, **_):
        self.send([tid])
        return self._ok({"transactionIds": [tid]}, 202)

    def _api_transaction(self, *, tid: str, **_):
        return self._ok(self._public(tid))

    def _api_statement(self, *, query: dict, **_):
        try:
            day = date.fromisoformat(query.get("date", ""))
        except ValueError:
            raise BankError("invalid_parameter", "date must be YYYY-MM-DD") from None
        return 200, self.statement(day), "text/csv; charset=utf-8"

    def _public(self, transaction_id: str) -> dict:
        with self.lock:
            transaction = self.transactions.get(transaction_id)
            if transaction is None:
                raise BankError("not_found", transaction_id)
            return transaction.public()

    # The buyer's page.

    def _page(self, method: str, path: str, query: dict, raw: bytes, start_response):
        form = {}
        if method == "POST":
            form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        if path == "/pay" and method == "GET":
            return self._pay_form(query.get("qr", ""), query.get("return", ""), start_response)
        if path == "/pay" and method == "POST":
            qr, back = form.get("qr", ""), form.get("return", "")
            try:
                amount = form.get("amount") or None
                transaction = self.pay(qr, amount=amount, payer_name=form.get("payerName", ""))
            except BankError as error:
                return self._pay_form(qr, back, start_response, error=error, amount=form.get("amount", ""))
            location = f"/pay/receipt/{quote(transaction.transaction_id)}"
            if back:
                location += "?" + urlencode({"return": back})
            start_response("303 See Other", [("Location", location), *SECURITY_HEADERS])
            return [b""]
        match = re.fullmatch(r"/pay/receipt/([A-Za-z0-9]+)", path)
        if match and method == "GET":
            with self.lock:
                transaction = self.transactions.get(match.group(1))
            if transaction is None:
                body = _page_html("ไม่พบรายการ", '<p role="alert">ไม่พบรายการชำระเงินนี้</p>')
                return _respond(start_response, "404 Not Found", "text/html; charset=utf-8", body)
            return self._receipt(transaction, query.get("return", ""), start_response)
        return _respond(start_response, "405 Method Not Allowed", "text/plain; charset=utf-8", b"")

    def _pay_form(self, payload: str, back: str, start_response, *, error: BankError | None = None,
                  amount: str = ""):  # fmt: skip
        e = html.escape
        try:
            qr = parse_qr(payload)
        except BankError as bad:
            message = "คิวอาร์โค้ดนี้ไม่ถูกต้อง ไม่สามารถชำระเงินได้"
            details = f'<p role="alert">{message}</p><p class="detail">{e(bad.description)}</p>'
            return _respond(start_response, "400 Bad Request", "text/html; charset=utf-8",
                            _page_html("ชำระเงินไม่ได้", details))  # fmt: skip
        rows = [("ผู้รับเงิน", qr.payee_name)] if qr.payee_name else []
        rows.append((PROXY_LABELS[qr.proxy_type], _shown_proxy(qr)))
        if qr.reference_1:
            rows.append(("เลขที่อ้างอิง 1", qr.reference_1))
        if qr.reference_2:
            rows.append(("เลขที่อ้างอิง 2", qr.reference_2))
        if qr.amount is not None:
            rows.append(("จำนวนเงิน", f"{qr.amount:,.2f} บาท"))
        listing = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in rows)
        alert = ""
        if error is not None:
            alert = f'<p role="alert" id="pay-error">{e(PAGE_ERRORS.get(error.code, error.description))}</p>'
        amount_field = ""
        if qr.amount is None:
            described = ' aria-describedby="pay-error" aria-invalid="true"' if error else ""
            amount_field = (
                '<p><label for="amount">จำนวนเงิน (บาท)</label>'
                f'<input id="amount" name="amount" inputmode="decimal" required autocomplete="off" '
                f'pattern="[0-9]+(\\.[0-9]{{1,2}})?" value="{e(amount)}"{described}></p>'
            )
        body = (
            f"{alert}<dl>{listing}</dl>"
            '<form method="post" action="/pay">'
            f'<input type="hidden" name="qr" value="{e(payload)}">'
            f'<input type="hidden" name="return" value="{e(back)}">'
            f"{amount_field}"
            '<p><label for="payer">ชื่อผู้โอน</label>'
            '<input id="payer" name="payerName" value="ผู้ซื้อทดสอบ" autocomplete="name"></p>'
            '<p><button type="submit">ชำระเงิน</button></p></form>'
        )
        status = "400 Bad Request" if error else "200 OK"
        page = _page_html("ยืนยันการชำระเงิน", body)
        return _respond(start_response, status, "text/html; charset=utf-8", page)

    def _receipt(self, transaction: Transaction, back: str, start_response):
        e = html.escape
        when = transaction.paid_at.astimezone(BANGKOK)
        rows = [("เลขที่รายการ", transaction.transaction_id),
                ("จำนวนเงิน", f"{Decimal(transaction.amount_satang) / 100:,.2f} บาท"),
                ("วันเวลา", f"{when.day}/{when.month}/{when.year + 543} {when:%H:%M:%S} น.")]  # fmt: skip
        if transaction.reference_1:
            rows.append(("เลขที่อ้างอิง 1", transaction.reference_1))
        listing = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in rows)
        link = ""
        if urlsplit(back).scheme in ("http", "https"):
            link = f'<p><a class="button" href="{e(back)}">กลับไปที่ร้านค้า</a></p>'
        body = f'<p role="status" class="success">✓ โอนเงินเข้าบัญชีผู้รับเรียบร้อยแล้ว</p><dl>{listing}</dl>{link}'
        page = _page_html("ชำระเงินสำเร็จ", body)
        return _respond(start_response, "200 OK", "text/html; charset=utf-8", page)


PROXY_LABELS = {
    "BILLERID": "รหัสผู้ให้บริการ (Biller ID)",
    "MSISDN": "หมายเลขโทรศัพท์พร้อมเพย์",
    "NATID": "เลขประจำตัวผู้เสียภาษี/บัตรประชาชน",
    "EWALLETID": "หมายเลข e-Wallet",
}
PAGE_ERRORS = {
    4001: "กรุณากรอกจำนวนเงินเป็นตัวเลข ทศนิยมไม่เกิน 2 ตำแหน่ง",
    4103: "กรุณากรอกจำนวนเงินที่ต้องการชำระ",
    4104: "จำนวนเงินไม่ตรงกับคิวอาร์โค้ด",
}
SECURITY_HEADERS = [
    ("Content-Security-Policy", "default-src 'none'; style-src 'self'; form-action 'self'; "
                                "base-uri 'none'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
]  # fmt: skip
STYLE = """
body { font-family: "Sarabun", "Noto Sans Thai", sans-serif; margin: 0; background: #f4f1f8; color: #1d1b20; }
header { background: #4e2a84; color: #fff; padding: 1rem 1.5rem; font-size: 1.25rem; font-weight: bold; }
main { max-width: 28rem; margin: 1.5rem auto; background: #fff; padding: 1.5rem; border-radius: .75rem; }
h1 { font-size: 1.4rem; margin-top: 0; }
dl { display: grid; grid-template-columns: auto 1fr; gap: .5rem 1rem; }
dt { color: #555; } dd { margin: 0; font-weight: bold; overflow-wrap: anywhere; }
label { display: block; margin-bottom: .25rem; }
input { font: inherit; padding: .6rem; width: 100%; box-sizing: border-box; border: 1px solid #777;
  border-radius: .4rem; }
button, .button { display: inline-block; font: inherit; font-weight: bold; padding: .75rem 2rem; border: 0;
  border-radius: .5rem; background: #4e2a84; color: #fff; text-decoration: none; cursor: pointer; }
button:focus-visible, .button:focus-visible, input:focus-visible {
  outline: 3px solid #f2a900; outline-offset: 2px; }
[role=alert] { color: #a4001d; font-weight: bold; }
.success { color: #0b6b2f; font-weight: bold; }
.detail { color: #555; font-size: .9rem; }
"""


def _shown_proxy(qr: PromptPayQR) -> str:
    """A mobile number as people write it (0066812345678 -> 081-234-5678); other IDs as they are."""
    if qr.proxy_type == "MSISDN" and qr.proxy_id.startswith("0066"):
        local = "0" + qr.proxy_id[4:]
        return f"{local[:3]}-{local[3:6]}-{local[6:]}"
    return qr.proxy_id


def _page_html(title: str, body: str) -> bytes:
    return (
        '<!doctype html><html lang="th"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{html.escape(title)} · ธนาคารทดสอบ</title><link rel="stylesheet" href="/bank.css"></head>'
        "<body><header>ธนาคารทดสอบ (แซนด์บ็อกซ์)</header>"
        f"<main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    ).encode()


def _status_line(status: int) -> str:
    reasons = {200: "OK", 202: "Accepted", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
               413: "Content Too Large"}  # fmt: skip
    return f"{status} {reasons.get(status, 'Error')}"


def _respond(start_response, status: str, content_type: str, body: bytes):
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), *SECURITY_HEADERS]
    start_response(status, headers)
    return [body]


def make_app(*, secret: bytes, callback_url: str, fee_bp: int = 0, **options) -> BankSandbox:
    """The bank sandbox as a WSGI app; `options` are BankSandbox's (retry_delays, timeout_s, clock)."""
    return BankSandbox(secret=secret, callback_url=callback_url, fee_bp=fee_bp, **options)


def make_demo_app() -> BankSandbox:
    """The sandbox `make demo` runs, configured by the same environment as Talat's settings:
    TALAT_BANK_SECRET (or TALAT_BANK_SECRET_FILE), TALAT_BANK_FEE_BP, and TALAT_BANK_CALLBACK_URL
    (Talat's notification endpoint); unset, the demo defaults."""
    secret = os.environ.get("TALAT_BANK_SECRET", "")
    if not secret and os.environ.get("TALAT_BANK_SECRET_FILE"):
        with open(os.environ["TALAT_BANK_SECRET_FILE"], encoding="utf-8") as file:
            secret = file.read().strip()
    callback_url = os.environ.get("TALAT_BANK_CALLBACK_URL") or DEMO_CALLBACK_URL
    fee_bp = int(os.environ.get("TALAT_BANK_FEE_BP") or 0)
    return make_app(secret=secret.encode() or DEMO_SECRET, callback_url=callback_url, fee_bp=fee_bp)
