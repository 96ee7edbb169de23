"""Talat's connector to the customs declaration service (Thai Customs' e-Export, or the loopback
sandbox in talat.customs.sandboxes.customs): submit an export declaration, read its state.

    connector = CustomsConnector(settings.TALAT_CUSTOMS_URL, client_id, secret, recipient=customs_agency)
    submission = connector.submit(released, idempotency_key=f"manifest:{manifest.uid}:1")
    submission.status            # "submitted", "accepted", "rejected" or "released"
    submission.declaration_number, submission.reason   # reason: Customs' words, Thai first

What is sent. Only a `Released` value from `governance.border.release` to the Customs agency for
`Purpose.CUSTOMS_CLEARANCE`: its data is the message of `declarations.to_message`, either as the whole
of `released.data` or under the key "declaration" (a JSON model field that holds the message). Anything
else is refused before a byte leaves.

Request signing (every call). Headers:

    X-Client-Id: <client id>
    X-Timestamp: <unix seconds>
    X-Signature: v1=<hex HMAC-SHA256(secret, METHOD + "\\n" + PATH?QUERY + "\\n" + TIMESTAMP + "\\n" + body)>
    Idempotency-Key: <key>                          (on a submission)

The service refuses an unknown client, a bad signature, or a timestamp more than five minutes from
its clock. A repeated Idempotency-Key with the same body gets the first answer again; with another
body, a conflict.

State-change notifications (service -> Talat, optional) are JSON POSTs signed like the bank's:

    X-Customs-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>

`verify_event` checks one. This module's signing helpers use the standard library only, so the
sandbox shares them without loading Django.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from talat.core import signatures

if TYPE_CHECKING:  # the border needs Django; the sandbox imports only the signing helpers
    from talat.governance.border import Released

CLIENT_HEADER = "X-Client-Id"
TIMESTAMP_HEADER = "X-Timestamp"
SIGNATURE_HEADER = "X-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
EVENT_SIGNATURE_HEADER = "X-Customs-Signature"
TOLERANCE_S = 300
STATES = ("submitted", "accepted", "rejected", "released")


# Signatures.


def request_signature(secret: bytes, method: str, path: str, timestamp: int | str, body: bytes) -> str:
    """The X-Signature value for one request: "v1=<hex>"."""
    signed = f"{method.upper()}\n{path}\n{timestamp}\n".encode() + body
    return "v1=" + hmac.new(secret, signed, hashlib.sha256).hexdigest()


def signed_headers(client_id: str, secret: bytes, method: str, path: str, body: bytes, now: float) -> dict:
    timestamp = int(now)
    return {
        CLIENT_HEADER: client_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: request_signature(secret, method, path, timestamp, body),
    }


class BadSignature(ValueError):
    """A request or notification that must not be acted on; `code` is "unknown_client",
    "bad_signature", "stale" or "malformed"."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


def check_request(
    secret: bytes, method: str, path: str, timestamp: str, signature: str, body: bytes, *, now: float,
    tolerance_s: int = TOLERANCE_S,
) -> None:  # fmt: skip
    """Raises BadSignature unless `signature` signs this request and `timestamp` is fresh."""
    if not (timestamp or "").isdigit():
        raise BadSignature("malformed", "X-Timestamp must be unix seconds")
    if abs(now - int(timestamp)) > tolerance_s:
        raise BadSignature("stale", "X-Timestamp is too far from the service's clock")
    expected = request_signature(secret, method, path, timestamp, body)
    if not hmac.compare_digest(expected.encode(), (signature or "").encode()):
        raise BadSignature("bad_signature", "X-Signature does not match the request")


def sign_event(secret: bytes, body: bytes, timestamp: int) -> str:
    """The X-Customs-Signature value for a notification body."""
    return signatures.sign(body, secret=secret, timestamp=timestamp)


def verify_event(body: bytes, header: str, secret: bytes, *, now: float | None = None,
                 tolerance_s: int = TOLERANCE_S) -> dict:  # fmt: skip
    """The notification's JSON when `header` signs `body` with `secret` within the tolerance; else
    BadSignature. Several v1= values (a secret being rotated) are accepted if any one matches."""
    try:
        signatures.check(body, header=header, secret=secret, now=now, tolerance_s=tolerance_s,
                         name=EVENT_SIGNATURE_HEADER)  # fmt: skip
    except signatures.BadSignature as error:
        raise BadSignature(error.code, error.detail) from None
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadSignature("malformed", "the notification is not JSON") from None
    if not isinstance(data, dict) or data.get("status") not in STATES:
        raise BadSignature("malformed", "the notification has no known status")
    return data


# The connector.


class CustomsError(Exception):
    """Customs refused or failed a call (not a rejected declaration: that is a Submission).
    `retryable` says whether trying again may help."""

    retryable = False

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class TemporaryFailure(CustomsError):
    """Network trouble or a 5xx: try again later with the same idempotency key."""

    retryable = True


class SignatureRejected(CustomsError):
    """Customs says our client id, signature or clock is wrong: a configuration fault, not worth a retry."""


@dataclass(frozen=True)
class CustomsProblem:
    code: str  # Customs' error code, e.g. "E101"
    field: str  # the message field in error, e.g. "declarationControl.companyTaxNumber"
    message_th: str
    message_en: str


@dataclass(frozen=True)
class Submission:
    declaration_number: str  # "" while Customs has given none (a rejected declaration)
    status: str  # one of STATES
    reason: str = ""  # Customs' reason in Thai (all of them, joined) when rejected
    reason_en: str = ""
    problems: tuple[CustomsProblem, ...] = ()
    reference: str = ""  # Talat's reference number, as Customs echoes it

    @property
    def code(self) -> str:
        """The first Customs error code, "" when there is none."""
        return self.problems[0].code if self.problems else ""


class CustomsConnector:
    def __init__(self, base_url: str, client_id: str, secret: bytes | str, transport=None, *,
                 recipient=None, timeout: float = 10.0, clock=time.time):  # fmt: skip
        self.client_id = client_id
        self.secret = secret.encode() if isinstance(secret, str) else secret
        self.recipient = recipient  # the registry Agency; when given, releases must name it
        self.clock = clock
        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)

    def close(self) -> None:
        self.http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _message(self, released: Released) -> dict:
        from talat.governance.border import require_released
        from talat.governance.models import Purpose

        released = require_released(released)
        if released.purpose != Purpose.CUSTOMS_CLEARANCE:
            raise TypeError(f"data released for {released.purpose!r} cannot be sent to Customs")
        if self.recipient is not None:
            label = self.recipient.name_en or self.recipient.name_th
            if released.recipient != label:
                raise TypeError(f"data released to {released.recipient} cannot be sent to {label}")
        data = released.data
        message = data["declaration"] if isinstance(data.get("declaration"), Mapping) else data
        if not isinstance(message.get("declarationControl"), Mapping):
            raise TypeError("the released data holds no export declaration message (declarations.to_message)")
        return dict(message)

    def _call(self, method: str, path: str, body: bytes = b"", headers: Mapping[str, str] | None = None):
        all_headers = {**signed_headers(self.client_id, self.secret, method, path, body, self.clock()),
                       **(headers or {})}  # fmt: skip
        if body:
            all_headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            response = self.http.request(method, path, content=body, headers=all_headers)
        except httpx.HTTPError as error:
            raise TemporaryFailure("network", str(error)) from error
        try:
            data = response.json()
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        code = str(data.get("responseCode") or response.status_code)
        detail = data.get("messageEnglish") or response.text[:200]
        if response.status_code >= 500:
            raise TemporaryFailure(code, detail)
        if response.status_code == 401:
            raise SignatureRejected(code, detail)
        if response.status_code in (200, 201, 202, 422) and "status" in data:
            return _submission(data)
        raise CustomsError(code, detail)

    def submit(self, released: Released, *, idempotency_key: str) -> Submission:
        """Sends the released declaration. Accepted or rejected (with Customs' reasons) comes back as a
        Submission; protocol faults raise CustomsError (TemporaryFailure is worth a retry with the
        same idempotency key, which never makes a second declaration)."""
        if not idempotency_key:
            raise ValueError("an idempotency key is required")
        message = self._message(released)
        body = json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=str).encode()
        headers = {IDEMPOTENCY_HEADER: idempotency_key, "X-Talat-Disclosure": str(released.disclosure_id)}
        return self._call("POST", "/v1/declarations", body, headers)

    def status(self, declaration_number: str) -> Submission:
        """The declaration's state at Customs now."""
        if not declaration_number or not declaration_number.isalnum():
            raise ValueError("a declaration number is letters and digits")
        return self._call("GET", f"/v1/declarations/{declaration_number}")


def _submission(data: Mapping) -> Submission:
    problems = tuple(
        CustomsProblem(
            code=str(item.get("code", "")),
            field=str(item.get("field", "")),
            message_th=str(item.get("messageThai", "")),
            message_en=str(item.get("messageEnglish", "")),
        )
        for item in data.get("errors") or ()
    )
    status = data.get("status")
    if status not in STATES:
        raise CustomsError("malformed", f"unknown declaration status {status!r}")
    return Submission(
        declaration_number=str(data.get("declarationNumber") or ""),
        status=status,
        reason="; ".join(p.message_th for p in problems),
        reason_en="; ".join(p.message_en for p in problems),
        problems=problems,
        reference=str(data.get("referenceNumber") or ""),
    )
