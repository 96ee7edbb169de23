"""The domestic carrier, answering as Thailand Post's API does: the slice Talat's connector
(`talat.logistics.connectors.thaipost`) uses. A WSGI app for tests (`Running(make_app(...))`) and
`make demo` (`python -m talat.logistics.sandboxes carrier --port N`).

- `POST /post/api/v1/authenticate/token` with `Authorization: Token <API key>`: `{"expire": "YYYY-MM-DD
  HH:MM:SS+07:00", "token"}`;
- `POST /post/api/v1/track` with `Authorization: Token <token>` and `{"status": "all", "language":
  "TH"|"EN", "barcode": [...]}` (at most 100): `{"response": {"items": {barcode: [status, ...]},
  "track_count": {...}}, "message": "successful", "status": true}`; unknown barcodes have no status;
- `POST /post/api/v1/shipments` (booking: `reference`, `service` EMS or REGISTERED, `receiver`
  {name, phone, address, subdistrict, district, province, postcode}, `sender`, `weight` grams,
  `items`): `{"status": true, "message": "successful", "response": {"barcode", "reference", "label"}}`;
  the same `reference` answers the same barcode; barcodes are UPU S10 ("EF" + 8 digits + check
  digit + "TH" for EMS, "RB..TH" for registered mail);
- `POST /post/api/v1/pickups` `{"reference", "barcode": [...], "pickup_date"?}`;
- `POST /post/api/v1/shipments/cancel` `{"barcode"}` (before acceptance only).

Refusals: HTTP 401 `{"detail": "Invalid token."}` or `{"detail": "Authentication credentials were
not provided."}`; HTTP 400/404 `{"status": false, "message": ...}`.

Journey: 103 accepted (the sender's post office) -> 201 in transit (mail centre) -> 301 out for
delivery (the receiver's post office) -> 501 delivered; failures are 401 (delivery unsuccessful).
Dates are "dd/mm/yyyy HH:MM:SS+07:00", Buddhist-era years in Thai. Each scan is pushed to Talat as
Thailand Post's hook body `{"items": [status], "track_datetime"}`, in Thai, each status with its
`event_id`, signed with `X-Talat-Signature` (see the package docstring).
"""

import json
import os
import secrets
from datetime import UTC, datetime, timedelta, timezone

from talat.logistics.sandboxes import EventSandbox, Parcel, json_bytes

BANGKOK = timezone(timedelta(hours=7))
DEMO_API_KEY = "carrier-sandbox-demo-api-key"
DEMO_WEBHOOK_SECRET = b"carrier-sandbox-webhook-demo-secret"
DEMO_WEBHOOK_URL = "http://127.0.0.1:8000/logistics/carrier/notify"
ROUTE = ["103", "201", "301", "501"]
DESCRIPTIONS = {
    "103": ("รับฝาก", "Accept"),
    "201": ("อยู่ระหว่างการขนส่ง", "In transit"),
    "301": ("อยู่ระหว่างการนำจ่าย", "On delivery"),
    "401": ("นำจ่ายไม่สำเร็จ", "Delivery unsuccessful"),
    "501": ("นำจ่ายสำเร็จ", "Delivery successful"),
}
MAIL_CENTRE = "ศูนย์ไปรษณีย์หลักสี่"
SERVICES = {"EMS": "EF", "REGISTERED": "RB"}
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
MAX_WEIGHT_G = 30_000


def s10(prefix: str, serial: int) -> str:
    digits = f"{serial:08d}"
    check = 11 - sum(int(d) * w for d, w in zip(digits, S10_WEIGHTS, strict=True)) % 11
    return f"{prefix}{digits}{ {10: 0, 11: 5}.get(check, check) }TH"


def thai_date(moment: int, language: str = "TH", seconds: bool = True) -> str:
    local = datetime.fromtimestamp(moment, UTC).astimezone(BANGKOK)
    year = local.year + 543 if language == "TH" else local.year
    clock = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
    return f"{local:%d/%m}/{year} {clock}+07:00"


class CarrierSandbox(EventSandbox):
    name = "carrier"

    def __init__(
        self, *, api_keys: tuple[str, ...] = (DEMO_API_KEY,), token_lifetime_s: int = 30 * 86400, **options
    ):
        super().__init__(**options)
        self.api_keys = set(api_keys)
        self.token_lifetime_s = token_lifetime_s
        self.requests: list[dict] = []  # every API call: {"path", "body"}
        self._tokens: dict[str, float] = {}  # token -> expiry
        self._references: dict[str, str] = {}  # booking reference -> barcode
        self._pickups: dict[str, dict] = {}
        self._serial = secrets.randbelow(90_000_000) + 10_000_000

    def expire_tokens(self) -> None:
        with self.lock:
            self._tokens = dict.fromkeys(self._tokens, 0.0)

    # The partner's side of scans and pushes.

    def scan(self, parcel: Parcel, status: str, *, reason: str = "") -> dict:
        sender, receiver = parcel.request.get("sender") or {}, parcel.request.get("receiver") or {}
        if status == "103":
            place = sender.get("district") or sender.get("province") or "ที่ทำการไปรษณีย์ต้นทาง"
            location, postcode = f"ปณ.{place}", sender.get("postcode", "")
        elif status == "201":
            location, postcode = MAIL_CENTRE, ""
        else:
            place = receiver.get("district") or receiver.get("province") or "ปลายทาง"
            location, postcode = f"ปณ.{place}", receiver.get("postcode", "")
        moment = self.scan_time(parcel)
        event_id = f"evt_{secrets.token_hex(12)}"
        record = {
            "__event_id": event_id,
            "__moment": moment,
            "__reason": reason,
            "event_id": event_id,
            "barcode": parcel.tracking_number,
            "status": status,
            "location": location,
            "postcode": postcode,
            "delivery_status": "",
            "delivery_description": "",
            "delivery_datetime": "",
            "receiver_name": "",
            "signature": "",
        }
        if status == "501":
            record.update(delivery_status="S", receiver_name=str(receiver.get("name", "")))
        if status == "401":
            record.update(delivery_status="F")
        return record

    def exception_status(self, parcel: Parcel) -> str:
        return "401"

    def render(self, record: dict, language: str = "TH") -> dict:
        """A scan record as the API answers it, in `language`."""
        status, moment = record["status"], record["__moment"]
        thai, english = DESCRIPTIONS.get(status, (status, status))
        rendered = {k: v for k, v in record.items() if not k.startswith("__")}
        rendered["status_description"] = thai if language == "TH" else english
        rendered["status_date"] = thai_date(moment, language)
        if status == "501":
            rendered["delivery_description"] = "ผู้รับได้รับเรียบร้อยแล้ว" if language == "TH" else "Delivered"
            rendered["delivery_datetime"] = thai_date(moment, language)
        if status == "401":
            reason = record["__reason"] or ("ไม่มีผู้รับ" if language == "TH" else "Nobody at the address")
            rendered["delivery_description"] = reason
        return rendered

    def push_body(self, parcel: Parcel, record: dict) -> bytes:
        return json_bytes(
            {"items": [self.render(record)], "track_datetime": thai_date(record["__moment"], seconds=False)}
        )

    # The API.

    def partner(self, method: str, path: str, environ, raw: bytes):
        routes = {
            "/post/api/v1/authenticate/token": self._token,
            "/post/api/v1/track": self._track,
            "/post/api/v1/shipments": self._book,
            "/post/api/v1/pickups": self._pickup,
            "/post/api/v1/shipments/cancel": self._cancel,
        }
        handler = routes.get(path)
        if handler is None:
            return 404, json_bytes({"detail": "Not found."}), "application/json"
        if method != "POST":
            return 405, json_bytes({"detail": f'Method "{method}" not allowed.'}), "application/json"
        scheme, _, credential = (environ.get("HTTP_AUTHORIZATION") or "").partition(" ")
        if scheme != "Token" or not credential.strip():
            return (
                401,
                json_bytes({"detail": "Authentication credentials were not provided."}),
                "application/json",
            )
        credential = credential.strip()
        with self.lock:
            if handler == self._token:
                valid = credential in self.api_keys
            else:
                valid = self._tokens.get(credential, 0.0) > self.clock()
        if not valid:
            return 401, json_bytes({"detail": "Invalid token."}), "application/json"
        try:
            body = json.loads(raw or b"{}")
        except (ValueError, UnicodeDecodeError):
            return 400, json_bytes({"status": False, "message": "JSON parse error"}), "application/json"
        if not isinstance(body, dict):
            return (
                400,
                json_bytes({"status": False, "message": "the body must be a JSON object"}),
                "application/json",
            )
        with self.lock:
            self.requests.append({"path": path, "body": body})
            status, answer = handler(body)
        return status, json_bytes(answer), "application/json"

    def _token(self, body: dict):
        token = secrets.token_urlsafe(48)
        expires = self.clock() + self.token_lifetime_s
        self._tokens[token] = expires
        stamp = datetime.fromtimestamp(int(expires), UTC).astimezone(BANGKOK)
        return 200, {"expire": stamp.strftime("%Y-%m-%d %H:%M:%S+07:00"), "token": token}

    @staticmethod
    def _refuse(message: str, status: int = 400):
        return status, {"status": False, "message": message}

    def _track(self, body: dict):
        barcodes, language = body.get("barcode"), str(body.get("language") or "TH").upper()
        if not isinstance(barcodes, list) or not barcodes or not all(isinstance(b, str) for b in barcodes):
            return self._refuse("barcode must be a list of barcodes")
        if len(barcodes) > 100:
            return self._refuse("at most 100 barcodes a request")
        wanted = str(body.get("status") or "all")
        items = {}
        for barcode in barcodes:
            parcel = self.parcels.get(barcode)
            records = parcel.scans if parcel else []
            items[barcode] = [self.render(r, language) for r in records if wanted in ("all", r["status"])]
        count = {
            "track_date": thai_date(self.now(), language).split(" ")[0],
            "count_number": len(barcodes),
            "track_count_limit": 1500,
        }
        return 200, {
            "response": {"items": items, "track_count": count},
            "message": "successful",
            "status": True,
        }

    def _book(self, body: dict):
        reference = body.get("reference")
        if not isinstance(reference, str) or not reference:
            return self._refuse("reference is required")
        if reference in self._references:
            return 200, self._booked(self.parcels[self._references[reference]])
        problems = _booking_problems(body)
        if problems:
            return self._refuse("; ".join(problems))
        self._serial = self._serial + 1 if self._serial < 99_999_999 else 10_000_000
        barcode = s10(SERVICES[body.get("service") or "EMS"], self._serial)
        parcel = Parcel(
            tracking_number=barcode,
            reference=reference,
            partner_reference=reference,
            created_at=self.clock(),
            request=body,
            route=list(ROUTE),
            route_name="domestic",
        )
        self.parcels[barcode] = parcel
        self._references[reference] = barcode
        return 200, self._booked(parcel)

    @staticmethod
    def _booked(parcel: Parcel) -> dict:
        return {
            "status": True,
            "message": "successful",
            "response": {
                "barcode": parcel.tracking_number,
                "reference": parcel.reference,
                "label": f"/post/api/v1/labels/{parcel.tracking_number}.pdf",
            },
        }

    def _pickup(self, body: dict):
        reference, barcodes = body.get("reference"), body.get("barcode")
        if not isinstance(reference, str) or not reference or not isinstance(barcodes, list) or not barcodes:
            return self._refuse("reference and barcode are required")
        if reference in self._pickups:
            return 200, self._pickups[reference]
        for barcode in barcodes:
            parcel = self.parcels.get(barcode) if isinstance(barcode, str) else None
            if parcel is None:
                return self._refuse(f"barcode {barcode} not found", 404)
            if parcel.cancelled:
                return self._refuse(f"barcode {barcode} was cancelled")
        day = datetime.fromtimestamp(self.now(), UTC).astimezone(BANGKOK).date() + timedelta(days=1)
        if body.get("pickup_date"):
            try:
                day = max(day, datetime.strptime(str(body["pickup_date"]), "%d/%m/%Y").date())
            except ValueError:
                return self._refuse("pickup_date must be dd/mm/yyyy")
        be = f"{day:%d/%m}/{day.year + 543}"
        answer = {
            "status": True,
            "message": "successful",
            "response": {
                "pickup_id": f"PU{secrets.randbelow(10**10):010d}",
                "barcode": barcodes,
                "window_start": f"{be} 13:00:00+07:00",
                "window_end": f"{be} 17:00:00+07:00",
            },
        }
        self._pickups[reference] = answer
        return 200, answer

    def _cancel(self, body: dict):
        barcode = body.get("barcode")
        parcel = self.parcels.get(barcode) if isinstance(barcode, str) else None
        if parcel is None:
            return self._refuse(f"barcode {barcode} not found", 404)
        if parcel.scans and not parcel.cancelled:
            return self._refuse(f"barcode {barcode} was already accepted and cannot be cancelled")
        parcel.cancelled = True
        return 200, {
            "status": True,
            "message": "successful",
            "response": {"barcode": barcode, "cancelled": True},
        }


def _booking_problems(body: dict) -> list[str]:
    problems = []
    if (body.get("service") or "EMS") not in SERVICES:
        problems.append(f"service must be one of {', '.join(SERVICES)}")
    receiver = body.get("receiver") if isinstance(body.get("receiver"), dict) else {}
    for name in ("name", "phone", "address", "province", "postcode"):
        if not isinstance(receiver.get(name), str) or not receiver[name].strip():
            problems.append(f"receiver.{name} is required")
    postcode = receiver.get("postcode")
    if isinstance(postcode, str) and postcode and not (len(postcode) == 5 and postcode.isdigit()):
        problems.append("receiver.postcode must be 5 digits")
    weight = body.get("weight")
    if not isinstance(weight, int) or isinstance(weight, bool) or not 0 < weight <= MAX_WEIGHT_G:
        problems.append(f"weight must be grams, 1 to {MAX_WEIGHT_G}")
    return problems


def make_app(
    *, webhook_url: str, webhook_secret: bytes, api_keys: tuple[str, ...] = (DEMO_API_KEY,), **options
) -> CarrierSandbox:
    """The carrier sandbox; `options` are CarrierSandbox's and EventSandbox's (token_lifetime_s,
    retry_delays, timeout_s, clock, advance_every_s)."""
    return CarrierSandbox(
        api_keys=api_keys, webhook_url=webhook_url, webhook_secret=webhook_secret, **options
    )


def _secret(name: str) -> str:
    value = os.environ.get(name, "")
    if not value and os.environ.get(f"{name}_FILE"):
        with open(os.environ[f"{name}_FILE"], encoding="utf-8") as file:
            value = file.read().strip()
    return value


def make_demo_app() -> CarrierSandbox:
    """The sandbox `make demo` runs, configured by the same environment as Talat's settings:
    TALAT_CARRIER_API_KEY (or ..._FILE), TALAT_CARRIER_WEBHOOK_URL, TALAT_CARRIER_WEBHOOK_SECRET (or
    ..._FILE) and TALAT_CARRIER_ADVANCE_S (seconds between scans; 0 stops the journeys)."""
    api_key = _secret("TALAT_CARRIER_API_KEY") or DEMO_API_KEY
    webhook_secret = _secret("TALAT_CARRIER_WEBHOOK_SECRET").encode() or DEMO_WEBHOOK_SECRET
    every = float(os.environ.get("TALAT_CARRIER_ADVANCE_S") or 30)
    return make_app(
        api_keys=(api_key,),
        webhook_url=os.environ.get("TALAT_CARRIER_WEBHOOK_URL") or DEMO_WEBHOOK_URL,
        webhook_secret=webhook_secret,
        advance_every_s=every or None,
    )
