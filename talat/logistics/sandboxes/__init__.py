"""Sandboxes of the logistics partners: the cross-border hub (`hub`, Cainiao's LINK gateway) and the
domestic carrier (`carrier`, Thailand Post's API). WSGI apps for tests (`Running(app)` from
`talat.channels.sandboxes.server`) and for `make demo` (`python -m talat.logistics.sandboxes hub|carrier
--port N`). Standard library only, plus Talat's webhook signature; state in memory behind one lock.

This module holds what both share: parcels, their scans, and the pushes to Talat. Each new scan is
POSTed to the configured Talat webhook URL (one scan a push, in the partner's own body format),
signed `X-Talat-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>` (see
`talat.logistics.webhooks`), and retried with back-off on a non-2xx answer or a connection error.
A push's body is fixed when the scan happens, so a re-sent push repeats its event id.

Test controls (not part of any partner's protocol), JSON in and out, errors `{"error", "detail"}`:

- `POST /v1/shipments/{tracking number}/advance` `{"deliver": true}`: the parcel's next scan on its
  route; `"deliver": false` holds the push instead (409 when the route is done or it was cancelled);
- `POST /v1/shipments/{n}/exception` `{"reason": "...", "code": optional partner code, "deliver"}`:
  a failure scan (customs hold, failed delivery, ...) without moving the parcel on;
- `POST /v1/events/{event id}/resend`: the same push again (same body, same event id);
- `POST /v1/events/deliver` `{"eventIds": [...]}`: sends held pushes in that order (out of order,
  if the caller likes);
- `GET /v1/shipments/{n}`: the parcel, its scans and each push's delivery attempts.

With `advance_every_s` (or `start_generator`), every open parcel moves one scan on at that interval.
"""

import contextlib
import json
import queue
import re
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from talat.core import signatures
from talat.logistics.webhooks import SIGNATURE_HEADER

MAX_BODY = 256 * 1024


class ControlError(Exception):
    def __init__(self, status: int, code: str, detail: str = ""):
        super().__init__(detail or code)
        self.status = status
        self.code = code
        self.detail = detail


@dataclass
class Push:
    event_id: str
    tracking_number: str
    body: bytes
    delivery: str = "held"  # held, queued, delivered, failed
    attempts: list = field(default_factory=list)


@dataclass
class Parcel:
    tracking_number: str
    reference: str  # the caller's idempotency key
    partner_reference: str
    created_at: float
    request: dict  # the booking as the partner received it
    route: list  # the partner status codes of the normal journey, in order
    route_name: str = ""
    last_scan_at: int = 0
    step: int = 0  # how many of the route's scans happened
    cancelled: bool = False
    scans: list = field(default_factory=list)  # the partner's scan records, oldest first

    @property
    def done(self) -> bool:
        return self.cancelled or self.step >= len(self.route)


STATUS_TEXT = {
    200: "OK",
    202: "Accepted",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
}


def respond(start_response, status: int, body: bytes, content_type: str = "application/json; charset=utf-8"):
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
    ]
    start_response(f"{status} {STATUS_TEXT.get(status, 'Error')}", headers)
    return [body]


def json_bytes(data) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


class EventSandbox(ABC):
    """A logistics partner's parcels and their pushes; subclasses speak the partner's protocol."""

    name = "sandbox"

    def __init__(
        self,
        *,
        webhook_url: str,
        webhook_secret: bytes,
        retry_delays: tuple[float, ...] = (2, 4, 8),
        timeout_s: float = 10,
        clock=time.time,
        advance_every_s: float | None = None,
    ):
        if urlsplit(webhook_url).scheme not in ("http", "https"):
            raise ValueError("webhook_url must be an http(s) URL")
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.retry_delays = tuple(retry_delays)
        self.timeout_s = timeout_s
        self.clock = clock
        self.lock = threading.RLock()
        self.parcels: dict[str, Parcel] = {}
        self.pushes: dict[str, Push] = {}
        self._stopping = threading.Event()
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._generator: threading.Event | None = None
        if advance_every_s:
            self.start_generator(advance_every_s)

    # What a partner implements.

    @abstractmethod
    def scan(self, parcel: Parcel, status: str, *, reason: str = "") -> dict:
        """The partner's scan record for `status` now (it carries its event id)."""

    @abstractmethod
    def push_body(self, parcel: Parcel, record: dict) -> bytes:
        """The webhook body the partner pushes for one scan record."""

    @abstractmethod
    def exception_status(self, parcel: Parcel) -> str:
        """The partner's failure code fitting where the parcel is."""

    @abstractmethod
    def partner(self, method: str, path: str, environ, raw: bytes) -> tuple[int, bytes, str]:
        """Answers one request of the partner's own protocol: (HTTP status, body, content type)."""

    # Operations (also usable directly by tests and the demo).

    def now(self) -> int:
        """The partner's clock, to the second, as its scans are stamped."""
        return int(self.clock())

    def scan_time(self, parcel: Parcel) -> int:
        """When a new scan of `parcel` happens: now, but always after its previous scan, so that a
        parcel's scans never share a second (Talat orders them by time)."""
        parcel.last_scan_at = max(self.now(), parcel.last_scan_at + 1)
        return parcel.last_scan_at

    def _parcel(self, tracking_number: str) -> Parcel:
        parcel = self.parcels.get(tracking_number)
        if parcel is None:
            raise ControlError(404, "not_found", f"no parcel {tracking_number}")
        return parcel

    def _record_scan(self, parcel: Parcel, record: dict, deliver: bool) -> dict:
        parcel.scans.append(record)
        push = Push(
            event_id=record["__event_id"],
            tracking_number=parcel.tracking_number,
            body=self.push_body(parcel, record),
            delivery="queued" if deliver else "held",
        )
        self.pushes[push.event_id] = push
        return record

    def advance(self, tracking_number: str, *, deliver: bool = True) -> dict:
        """The parcel's next scan on its route, pushed to Talat unless `deliver` is false."""
        with self.lock:
            parcel = self._parcel(tracking_number)
            if parcel.done:
                raise ControlError(409, "finished", f"{tracking_number} has no further scan")
            record = self.scan(parcel, parcel.route[parcel.step])
            parcel.step += 1
            self._record_scan(parcel, record, deliver)
        if deliver:
            self._send_in_background([record["__event_id"]])
        return record

    def fail(
        self, tracking_number: str, *, reason: str = "", code: str | None = None, deliver: bool = True
    ) -> dict:
        """A failure scan where the parcel is; the route goes on with the next `advance`."""
        with self.lock:
            parcel = self._parcel(tracking_number)
            if parcel.done:
                raise ControlError(409, "finished", f"{tracking_number} has no further scan")
            record = self.scan(parcel, code or self.exception_status(parcel), reason=reason)
            self._record_scan(parcel, record, deliver)
        if deliver:
            self._send_in_background([record["__event_id"]])
        return record

    def send(self, event_ids: list[str]) -> None:
        """Sends (or sends again) these pushes, one after another, in this order."""
        with self.lock:
            unknown = [e for e in event_ids if e not in self.pushes]
            if unknown:
                raise ControlError(404, "not_found", "no event " + ", ".join(unknown))
            for event_id in event_ids:
                self.pushes[event_id].delivery = "queued"
        self._send_in_background(list(event_ids))

    def start_generator(self, every_s: float) -> None:
        """Moves every open parcel one scan on every `every_s` seconds (the demo's journeys)."""
        self.stop_generator()
        stop = self._generator = threading.Event()

        def run():
            while not stop.wait(every_s):
                with self.lock:
                    open_parcels = [p.tracking_number for p in self.parcels.values() if not p.done and p.step]
                    fresh = [p.tracking_number for p in self.parcels.values() if not p.done and not p.step]
                for number in open_parcels + fresh:
                    with contextlib.suppress(ControlError):
                        self.advance(number)

        threading.Thread(target=run, name=f"{self.name}-generator", daemon=True).start()

    def stop_generator(self) -> None:
        if self._generator is not None:
            self._generator.set()
            self._generator = None

    def close(self) -> None:
        """Stops the generator and pending retries."""
        self.stop_generator()
        self._stopping.set()
        self._queue.put(None)

    # Pushes.

    def _send_in_background(self, event_ids: list[str]) -> None:
        """Queues pushes for the one delivery worker: they leave in the order they were queued (a
        push being retried holds back the ones behind it, as a partner's queue does)."""
        with self.lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name=f"{self.name}-push", daemon=True)
                self._worker.start()
        for event_id in event_ids:
            self._queue.put(event_id)

    def _work(self) -> None:
        while not self._stopping.is_set():
            event_id = self._queue.get()
            if event_id is None:
                return
            self._deliver(event_id)

    def _deliver(self, event_id: str) -> None:
        with self.lock:
            body = self.pushes[event_id].body
        for attempt, delay in enumerate((0, *self.retry_delays), start=1):
            if delay and self._stopping.wait(delay):
                break
            status, error = self._post(body)
            with self.lock:
                push = self.pushes[event_id]
                push.attempts.append(
                    {
                        "attempt": attempt,
                        "httpStatus": status,
                        "error": error,
                        "at": datetime.fromtimestamp(self.clock(), UTC).isoformat(),
                    }
                )
                if status is not None and 200 <= status < 300:
                    push.delivery = "delivered"
                    return
        with self.lock:
            self.pushes[event_id].delivery = "failed"

    def _post(self, body: bytes) -> tuple[int | None, str | None]:
        return signatures.post_signed(
            self.webhook_url, body, secret=self.webhook_secret, header=SIGNATURE_HEADER,
            timestamp=int(self.clock()), timeout_s=self.timeout_s, user_agent=f"{self.name}-sandbox/1.0",
        )  # fmt: skip

    # HTTP.

    def __call__(self, environ, start_response):
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY:
            return respond(
                start_response, 413, json_bytes({"error": "too_large", "detail": "body too large"})
            )
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        if path.startswith("/v1/"):
            try:
                status, data = self._control(method, path, raw)
            except ControlError as error:
                status, data = error.status, {"error": error.code, "detail": error.detail}
            return respond(start_response, status, json_bytes(data))
        status, body, content_type = self.partner(method, path, environ, raw)
        return respond(start_response, status, body, content_type)

    def _control(self, method: str, path: str, raw: bytes) -> tuple[int, dict]:
        routes = [
            ("POST", re.compile(r"/v1/shipments/(?P<n>[^/]+)/advance"), self._api_advance),
            ("POST", re.compile(r"/v1/shipments/(?P<n>[^/]+)/exception"), self._api_exception),
            ("GET", re.compile(r"/v1/shipments/(?P<n>[^/]+)"), self._api_parcel),
            ("POST", re.compile(r"/v1/events/deliver"), self._api_deliver),
            ("POST", re.compile(r"/v1/events/(?P<e>[^/]+)/resend"), self._api_resend),
        ]
        allowed = False
        for route_method, pattern, handler in routes:
            match = pattern.fullmatch(path)
            if match:
                allowed = True
                if method == route_method:
                    return handler(self._json(raw), **match.groupdict())
        raise ControlError(405 if allowed else 404, "method" if allowed else "no_route", path)

    @staticmethod
    def _json(raw: bytes) -> dict:
        try:
            data = json.loads(raw or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise ControlError(400, "invalid_parameter", "the body must be JSON") from None
        if not isinstance(data, dict):
            raise ControlError(400, "invalid_parameter", "the body must be a JSON object")
        return data

    @staticmethod
    def _deliver_flag(data: dict) -> bool:
        deliver = data.get("deliver", True)
        if not isinstance(deliver, bool):
            raise ControlError(400, "invalid_parameter", "deliver must be true or false")
        return deliver

    def _public_scan(self, record: dict) -> dict:
        return {key: value for key, value in record.items() if not key.startswith("__")}

    def _api_advance(self, data: dict, *, n: str):
        record = self.advance(n, deliver=self._deliver_flag(data))
        return 200, {"eventId": record["__event_id"], "scan": self._public_scan(record)}

    def _api_exception(self, data: dict, *, n: str):
        reason, code = data.get("reason", ""), data.get("code")
        if not isinstance(reason, str) or not (code is None or isinstance(code, str)):
            raise ControlError(400, "invalid_parameter", "reason and code must be strings")
        record = self.fail(n, reason=reason, code=code, deliver=self._deliver_flag(data))
        return 200, {"eventId": record["__event_id"], "scan": self._public_scan(record)}

    def _api_parcel(self, data: dict, *, n: str):
        with self.lock:
            parcel = self._parcel(n)
            scans = [
                {
                    "eventId": r["__event_id"],
                    "scan": self._public_scan(r),
                    "delivery": self.pushes[r["__event_id"]].delivery,
                    "attempts": list(self.pushes[r["__event_id"]].attempts),
                }
                for r in parcel.scans
            ]
            return 200, {
                "trackingNumber": parcel.tracking_number,
                "reference": parcel.reference,
                "partnerReference": parcel.partner_reference,
                "cancelled": parcel.cancelled,
                "route": list(parcel.route),
                "step": parcel.step,
                "scans": scans,
            }

    def _api_deliver(self, data: dict):
        ids = data.get("eventIds")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise ControlError(400, "invalid_parameter", "eventIds must be a non-empty list of strings")
        self.send(ids)
        return 202, {"eventIds": ids}

    def _api_resend(self, data: dict, *, e: str):
        self.send([e])
        return 202, {"eventIds": [e]}
