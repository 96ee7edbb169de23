"""A Thai Customs export-declaration sandbox: it receives e-Export declarations, checks them as the
Customs system does, answers accepted (with a declaration number) or rejected (with Customs-style
error codes and reasons in Thai and English), and later releases the goods. A WSGI app for tests
(`Running(make_app(...))`) and `make demo` (`python -m talat.customs.sandboxes customs --port 8607`).
State in memory behind one lock.

The API (JSON; the message format is `talat.customs.declarations.to_message`'s):

- `POST /v1/declarations` (signed; `Idempotency-Key` required): submits a declaration. Answers 201
  `{"status": "accepted", "declarationNumber", ...}` or 422 `{"status": "rejected", "errors": [...]}`;
  with a review delay (demo) 202 `{"status": "submitted", "declarationNumber"}` and the verdict later.
  The same key with the same body answers the first answer again; with another body, 409.
- `GET /v1/declarations/{number}` (signed): the declaration's state and history.
- `POST /v1/declarations/{number}/release` (a control for tests and the demo, as a customs officer's
  release at the port; unsigned): accepted -> released. In demo mode this happens by itself after
  `auto_release_s` seconds.

Every state change after the first answer is also POSTed to `callback_url`, when one is configured,
signed `X-Customs-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`, retried with
back-off on a non-2xx answer or a connection error.

Signed requests carry X-Client-Id, X-Timestamp and X-Signature (see talat.customs.connector). Protocol
refusals answer `{"responseCode": "S401", "messageThai", "messageEnglish"}` with a 4xx status.

Declaration numbers follow the shape of Thai Customs' 14-character numbers: "A", the four-digit
customs area code of the port of loading, the last two digits of the Buddhist-era year and a
seven-digit running number per port and year (A2622680000001). The checks use Talat's shipped
tariff table (talat/catalog/data), the ports and codes in talat.customs.declarations, python-stdnum
for the tax-ID check digit and pycountry for ISO 3166 and ISO 4217 codes.
"""

import contextlib
import hashlib
import json
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from urllib.parse import urlsplit

import pycountry
from stdnum.th import tin

from talat.catalog import tariff
from talat.core import signatures
from talat.customs.connector import (
    CLIENT_HEADER,
    EVENT_SIGNATURE_HEADER,
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    BadSignature,
    check_request,
)
from talat.customs.declarations import FTA_PRIVILEGES, PORTS, TRANSPORT_MODES, UNITS

BANGKOK = timezone(timedelta(hours=7))
DEMO_CLIENT_ID = "talat-demo"
DEMO_SECRET = b"customs-sandbox-demo-secret"  # Talat's settings default to the same
DEMO_CALLBACK_URL = "http://127.0.0.1:8000/customs/notify"
MAX_BODY = 8 * 1024 * 1024
NUMBER = re.compile(r"A[0-9]{13}")

# Protocol refusals: (HTTP status, code, Thai, English).
REFUSALS = {
    "unknown_client": (401, "S401", "ไม่รู้จักรหัสผู้ใช้ระบบ", "Unknown client id"),
    "bad_signature": (401, "S402", "ลายมือชื่ออิเล็กทรอนิกส์ไม่ถูกต้อง", "The request signature does not match"),
    "stale": (401, "S403", "เวลาของคำขอคลาดเคลื่อนเกินกำหนด", "The request timestamp is too far from now"),
    "malformed": (400, "S400", "รูปแบบคำขอไม่ถูกต้อง", "Malformed request"),
    "idempotency_required": (400, "S405", "ต้องระบุ Idempotency-Key", "Idempotency-Key is required"),
    "idempotency_conflict": (409, "S409", "Idempotency-Key นี้ใช้กับใบขนสินค้าฉบับอื่นแล้ว",
                             "This Idempotency-Key was used for another declaration"),
    "not_found": (404, "S404", "ไม่พบใบขนสินค้า", "Declaration not found"),
    "no_route": (404, "S404", "ไม่พบบริการนี้", "No such resource"),
    "method": (405, "S405", "ไม่รองรับวิธีเรียกนี้", "Method not allowed"),
    "too_large": (413, "S413", "ข้อมูลมีขนาดใหญ่เกินไป", "Request body too large"),
    "not_accepted": (409, "S410", "ใบขนสินค้ายังไม่ได้รับการตรวจรับ จึงตรวจปล่อยไม่ได้",
                     "Only an accepted declaration can be released"),
}  # fmt: skip

# Rejection reasons: code -> (Thai, English).
ERRORS = {
    "E001": ("โครงสร้างข้อมูลใบขนสินค้าไม่ครบถ้วน", "The declaration message is incomplete"),
    "E101": ("เลขประจำตัวผู้เสียภาษีอากรของผู้ส่งออกไม่ถูกต้อง", "Invalid exporter tax identification number"),
    "E102": ("เลขที่สาขาของผู้ส่งออกต้องเป็นตัวเลข 5 หลัก", "Exporter branch must be 5 digits"),
    "E103": ("ไม่ระบุชื่อหรือที่อยู่ผู้ส่งออก", "Exporter name or address missing"),
    "E104": ("รหัสประเทศปลายทางไม่ถูกต้อง", "Invalid destination country code"),
    "E105": ("รหัสท่าหรือที่บรรทุกไม่ถูกต้อง", "Invalid port of loading"),
    "E106": ("ลักษณะการขนส่งไม่ถูกต้องหรือไม่ตรงกับท่าที่บรรทุก", "Invalid mode of transport for the port"),
    "E107": ("วันที่ส่งออกหรือชื่อพาหนะไม่ถูกต้อง", "Invalid departure date or vessel/flight"),
    "E201": ("ไม่พบพิกัดศุลกากรในพิกัดอัตราศุลกากร", "Tariff code not found in the tariff"),
    "E202": ("รหัสสถิติต้องเป็นตัวเลข 3 หลัก", "Statistical code must be 3 digits"),
    "E203": ("ปริมาณหรือหน่วยของสินค้าไม่ถูกต้อง", "Invalid quantity or unit code"),
    "E204": ("น้ำหนักไม่ถูกต้อง น้ำหนักรวมต้องไม่น้อยกว่าน้ำหนักสุทธิ", "Invalid weight: gross below net"),
    "E205": ("ราคา FOB ต้องมากกว่าศูนย์", "FOB value must be positive"),
    "E206": ("รหัสสกุลเงินไม่ถูกต้อง", "Invalid currency code"),
    "E207": ("ขอใช้สิทธิพิเศษทางภาษีโดยไม่ระบุเลขที่หนังสือรับรองถิ่นกำเนิดสินค้า",
             "Preferential treatment claimed without a certificate of origin number"),
    "E208": ("รหัสสิทธิพิเศษทางภาษีไม่ถูกต้อง", "Unknown preferential treatment code"),
    "E209": ("ชื่อสินค้าภาษาไทยหรือภาษาอังกฤษไม่ครบ", "Goods description missing in Thai or English"),
    "E301": ("ยอดรวมน้ำหนักหรือราคาไม่ตรงกับรายการสินค้า", "Totals do not match the items"),
    "E302": ("ใบขนสินค้าไม่มีรายการสินค้า", "The declaration has no items"),
}  # fmt: skip


class Refusal(Exception):
    def __init__(self, kind: str):
        self.http_status, self.code, self.message_th, self.message_en = REFUSALS[kind]
        super().__init__(self.message_en)

    @property
    def body(self) -> dict:
        return {"responseCode": self.code, "messageThai": self.message_th, "messageEnglish": self.message_en}


def _error(code: str, field_name: str) -> dict:
    thai, english = ERRORS[code]
    return {"code": code, "field": field_name, "messageThai": thai, "messageEnglish": english}


def _digits(value, length: int) -> bool:
    return isinstance(value, str) and len(value) == length and value.isascii() and value.isdigit()


def _positive(value) -> bool:
    return type(value) is int and value > 0


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def check_message(message) -> list[dict]:
    """Every reason Customs rejects `message` for, as error dicts; [] when it is accepted."""
    if not isinstance(message, dict):
        return [_error("E001", "")]
    control, invoices, items = (message.get("declarationControl"), message.get("invoiceControl"),
                                message.get("invoiceDetail"))  # fmt: skip
    if not isinstance(control, dict) or not isinstance(invoices, list) or not isinstance(items, list):
        return [_error("E001", "")]
    errors = []
    c = "declarationControl."
    tax_number = control.get("companyTaxNumber")
    if not (_digits(tax_number, 13) and tin.is_valid(tax_number)):
        errors.append(_error("E101", c + "companyTaxNumber"))
    if not _digits(control.get("companyBranch"), 5):
        errors.append(_error("E102", c + "companyBranch"))
    for name in ("companyThaiName", "companyEnglishName", "companyAddress"):
        if not _text(control.get(name)):
            errors.append(_error("E103", c + name))
    destination = control.get("destinationCountry")
    if not (isinstance(destination, str) and re.fullmatch(r"[A-Z]{2}", destination) and destination != "TH"
            and pycountry.countries.get(alpha_2=destination)):  # fmt: skip
        errors.append(_error("E104", c + "destinationCountry"))
    port = PORTS.get(control.get("loadingPort"))
    if port is None or control.get("releasePort") not in PORTS:
        errors.append(_error("E105", c + "loadingPort"))
    mode = control.get("modeOfTransport")
    if mode not in TRANSPORT_MODES or (port is not None and mode not in port.modes):
        errors.append(_error("E106", c + "modeOfTransport"))
    try:
        date.fromisoformat(control.get("departureDate") or "")
    except (TypeError, ValueError):
        errors.append(_error("E107", c + "departureDate"))
    if not _text(control.get("vesselName")):
        errors.append(_error("E107", c + "vesselName"))
    if not items:
        errors.append(_error("E302", "invoiceDetail"))
    known = tariff.lines()
    net_total = gross_total = satang_total = 0
    for index, item in enumerate(items):
        where = f"invoiceDetail[{index}]."
        if not isinstance(item, dict):
            errors.append(_error("E001", where[:-1]))
            continue
        if item.get("tariffCode") not in known:
            errors.append(_error("E201", where + "tariffCode"))
        if not _digits(item.get("statisticalCode"), 3):
            errors.append(_error("E202", where + "statisticalCode"))
        if not (_text(item.get("descriptionThai")) and _text(item.get("descriptionEnglish"))):
            errors.append(_error("E209", where + "descriptionThai"))
        if not _positive(item.get("quantity")) or item.get("quantityUnitCode") not in UNITS:
            errors.append(_error("E203", where + "quantity"))
        net, gross = item.get("netWeightGram"), item.get("grossWeightGram")
        if not (_positive(net) and _positive(gross) and gross >= net):
            errors.append(_error("E204", where + "grossWeightGram"))
        else:
            net_total += net
            gross_total += gross
        if not (_positive(item.get("fobSatang")) and _positive(item.get("fobForeign"))):
            errors.append(_error("E205", where + "fobSatang"))
        else:
            satang_total += item["fobSatang"]
        currency = item.get("currencyCode")
        if not (isinstance(currency, str) and re.fullmatch(r"[A-Z]{3}", currency)
                and pycountry.currencies.get(alpha_3=currency)):  # fmt: skip
            errors.append(_error("E206", where + "currencyCode"))
        privilege = item.get("privilegeCode") or ""
        if privilege and privilege not in FTA_PRIVILEGES:
            errors.append(_error("E208", where + "privilegeCode"))
        if privilege and not _text(item.get("certificateNumber")):
            errors.append(_error("E207", where + "certificateNumber"))
    totals = tuple(control.get(name) for name in ("totalItems", "totalNetWeightGram", "totalGrossWeightGram",
                                                  "totalFobSatang"))  # fmt: skip
    if not errors and totals != (len(items), net_total, gross_total, satang_total):
        errors.append(_error("E301", c + "totalFobSatang"))
    return errors


@dataclass
class Record:
    number: str
    reference: str
    status: str  # submitted, accepted, rejected, released
    errors: list
    history: list = field(default_factory=list)  # [{"status", "at"}]
    deliveries: list = field(default_factory=list)  # [{"eventId", "status", "httpStatus"|"error", "at"}]

    def public(self) -> dict:
        return {
            "declarationNumber": self.number,
            "referenceNumber": self.reference,
            "status": self.status,
            "errors": list(self.errors),
            "history": list(self.history),
        }


class CustomsSandbox:
    """The declaration service as one WSGI app."""

    def __init__(self, *, client_id: str, secret: bytes, callback_url: str = "", review_s: float = 0,
                 auto_release_s: float = 0, retry_delays: tuple[float, ...] = (1, 2, 4),
                 timeout_s: float = 10, clock=time.time):  # fmt: skip
        if callback_url and urlsplit(callback_url).scheme not in ("http", "https"):
            raise ValueError("callback_url must be an http(s) URL")
        self.client_id = client_id
        self.secret = secret
        self.callback_url = callback_url
        self.review_s = review_s
        self.auto_release_s = auto_release_s
        self.retry_delays = tuple(retry_delays)
        self.timeout_s = timeout_s
        self.clock = clock
        self.lock = threading.Lock()
        self.records: dict[str, Record] = {}
        self.answers: dict[str, tuple[str, int, dict]] = {}  # idempotency key -> (body sha256, status, body)
        self.counters: dict[tuple[str, str], int] = {}
        self._stopping = threading.Event()

    def close(self) -> None:
        """Stops pending timers and retries."""
        self._stopping.set()

    # Operations.

    def _now(self) -> str:
        return datetime.fromtimestamp(self.clock(), UTC).astimezone(BANGKOK).isoformat(timespec="seconds")

    def _new_number(self, port: str) -> str:
        year = f"{(datetime.fromtimestamp(self.clock(), BANGKOK).year + 543) % 100:02d}"
        key = (port, year)
        self.counters[key] = self.counters.get(key, 0) + 1
        return f"A{port}{year}{self.counters[key]:07d}"

    def submit(self, message, *, idempotency_key: str, body_sha256: str) -> tuple[int, dict]:
        with self.lock:
            earlier = self.answers.get(idempotency_key)
            if earlier is not None:
                if earlier[0] != body_sha256:
                    raise Refusal("idempotency_conflict")
                return earlier[1], earlier[2]
        errors = check_message(message)
        control = message.get("declarationControl") if isinstance(message, dict) else None
        reference = str(control.get("referenceNumber", "")) if isinstance(control, dict) else ""
        port = control.get("loadingPort") if isinstance(control, dict) else None
        verdict = "rejected" if errors else "accepted"
        with self.lock:
            numbered = not errors or self.review_s
            number = self._new_number(port if port in PORTS else "0000") if numbered else ""
            if self.review_s:
                record = Record(number, reference, "submitted", [])
                record.history.append({"status": "submitted", "at": self._now()})
                http_status = 202
            else:
                record = Record(number, reference, verdict, errors)
                record.history.append({"status": verdict, "at": self._now()})
                http_status = 201 if verdict == "accepted" else 422
            if number:
                self.records[number] = record
            answer = record.public()
            self.answers[idempotency_key] = (body_sha256, http_status, answer)
        if self.review_s:
            self._later(self.review_s, self._decide, number, verdict, errors)
        elif verdict == "accepted" and self.auto_release_s:
            self._later(self.auto_release_s, self._auto_release, number)
        return http_status, answer

    def _later(self, delay: float, function, *args) -> None:
        def run():
            if not self._stopping.wait(delay):
                function(*args)

        threading.Thread(target=run, daemon=True).start()

    def _decide(self, number: str, verdict: str, errors: list) -> None:
        self._move(number, verdict, errors=errors)
        if verdict == "accepted" and self.auto_release_s:
            self._later(self.auto_release_s, self._auto_release, number)

    def _auto_release(self, number: str) -> None:
        with contextlib.suppress(Refusal):
            self.release(number)

    def release(self, number: str) -> dict:
        """The officer releases the goods: accepted -> released."""
        with self.lock:
            record = self.records.get(number)
            if record is None:
                raise Refusal("not_found")
            if record.status != "accepted":
                raise Refusal("not_accepted")
        return self._move(number, "released")

    def _move(self, number: str, status: str, *, errors: list | None = None) -> dict:
        with self.lock:
            record = self.records[number]
            record.status = status
            if errors is not None:
                record.errors = list(errors)
            record.history.append({"status": status, "at": self._now()})
            public = record.public()
        if self.callback_url:
            event = {"eventId": f"evt_{secrets.token_hex(12)}", **public}
            threading.Thread(target=self._deliver, args=(record, event), daemon=True).start()
        return public

    def _deliver(self, record: Record, event: dict) -> None:
        body = json.dumps(event, ensure_ascii=False).encode()
        for attempt, delay in enumerate((0, *self.retry_delays)):
            if delay and self._stopping.wait(delay):
                return
            outcome: dict = {"eventId": event["eventId"], "status": event["status"], "attempt": attempt + 1}
            status, error = signatures.post_signed(
                self.callback_url, body, secret=self.secret, header=EVENT_SIGNATURE_HEADER,
                timestamp=int(self.clock()), timeout_s=self.timeout_s, user_agent="customs-sandbox/1.0",
            )  # fmt: skip
            if status is not None:
                outcome["httpStatus"] = status
            else:
                outcome["error"] = error
            with self.lock:
                record.deliveries.append(outcome)
            if 200 <= outcome.get("httpStatus", 0) < 300:
                return

    def get(self, number: str) -> dict:
        with self.lock:
            record = self.records.get(number)
            if record is None:
                raise Refusal("not_found")
            return record.public()

    # HTTP.

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("PATH_INFO", "") or "/"
        query = environ.get("QUERY_STRING", "")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        try:
            if length > MAX_BODY:
                raise Refusal("too_large")
            raw = environ["wsgi.input"].read(length) if length else b""
            status, body = self._route(method, path, query, raw, environ)
        except Refusal as refusal:
            status, body = refusal.http_status, refusal.body
        data = json.dumps(body, ensure_ascii=False).encode()
        reasons = {200: "OK", 201: "Created", 202: "Accepted", 400: "Bad Request", 401: "Unauthorized",
                   404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 413: "Content Too Large",
                   422: "Unprocessable Content"}  # fmt: skip
        start_response(f"{status} {reasons.get(status, 'Error')}", [
            ("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"),
        ])  # fmt: skip
        return [data]

    def _authenticate(self, method: str, path: str, query: str, raw: bytes, environ) -> None:
        def header(name: str) -> str:
            return environ.get("HTTP_" + name.upper().replace("-", "_"), "")

        if not secrets.compare_digest(header(CLIENT_HEADER).encode(), self.client_id.encode()):
            raise Refusal("unknown_client")
        target = f"{path}?{query}" if query else path
        try:
            check_request(self.secret, method, target, header(TIMESTAMP_HEADER), header(SIGNATURE_HEADER),
                          raw, now=self.clock())  # fmt: skip
        except BadSignature as bad:
            raise Refusal(bad.code if bad.code in REFUSALS else "bad_signature") from None

    def _route(self, method: str, path: str, query: str, raw: bytes, environ):
        if path == "/v1/declarations":
            if method != "POST":
                raise Refusal("method")
            self._authenticate(method, path, query, raw, environ)
            key = environ.get("HTTP_" + IDEMPOTENCY_HEADER.upper().replace("-", "_"), "")
            if not key or len(key) > 200:
                raise Refusal("idempotency_required")
            try:
                message = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                raise Refusal("malformed") from None
            return self.submit(message, idempotency_key=key, body_sha256=hashlib.sha256(raw).hexdigest())
        match = re.fullmatch(r"/v1/declarations/([A-Za-z0-9]+)(/release)?", path)
        if match is None:
            raise Refusal("no_route")
        number, release = match.groups()
        if release:
            if method != "POST":
                raise Refusal("method")
            return 200, self.release(number)
        if method != "GET":
            raise Refusal("method")
        self._authenticate(method, path, query, raw, environ)
        return 200, self.get(number)


def make_app(*, client_id: str, secret: bytes, callback_url: str = "", **options) -> CustomsSandbox:
    """The customs sandbox as a WSGI app; `options` are CustomsSandbox's (review_s, auto_release_s,
    retry_delays, timeout_s, clock)."""
    return CustomsSandbox(client_id=client_id, secret=secret, callback_url=callback_url, **options)


def make_demo_app() -> CustomsSandbox:
    """The sandbox `make demo` runs, configured by the same environment as Talat's settings:
    TALAT_CUSTOMS_CLIENT_ID, TALAT_CUSTOMS_SECRET (or TALAT_CUSTOMS_SECRET_FILE),
    TALAT_CUSTOMS_CALLBACK_URL (Talat's notification endpoint), TALAT_CUSTOMS_REVIEW_S (seconds a
    declaration stays "submitted", default 2) and TALAT_CUSTOMS_AUTO_RELEASE_S (seconds from accepted
    to released, default 30); unset, the demo defaults."""
    secret = os.environ.get("TALAT_CUSTOMS_SECRET", "")
    if not secret and os.environ.get("TALAT_CUSTOMS_SECRET_FILE"):
        with open(os.environ["TALAT_CUSTOMS_SECRET_FILE"], encoding="utf-8") as file:
            secret = file.read().strip()
    return make_app(
        client_id=os.environ.get("TALAT_CUSTOMS_CLIENT_ID") or DEMO_CLIENT_ID,
        secret=secret.encode() or DEMO_SECRET,
        callback_url=os.environ.get("TALAT_CUSTOMS_CALLBACK_URL") or DEMO_CALLBACK_URL,
        review_s=float(os.environ.get("TALAT_CUSTOMS_REVIEW_S") or 2),
        auto_release_s=float(os.environ.get("TALAT_CUSTOMS_AUTO_RELEASE_S") or 30),
    )
