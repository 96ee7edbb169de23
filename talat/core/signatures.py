"""Signed webhooks, the one scheme Talat's partners (the bank, the logistics partners, Customs)
sign their notifications with:

    <Header>: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}." + raw body bytes)>

Several v1= values may be listed while a sender rotates its secret; any one matching is enough.
Plain Python (no Django), so partner sandboxes can sign with the same code."""

import hashlib
import hmac
import re
import time

HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


class BadSignature(ValueError):
    """`code`: "bad_signature" (missing, garbled or not matching) or "stale" (a replay, or a clock
    too far off)."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _digest(body: bytes, secret: bytes, timestamp: int) -> str:
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(body: bytes, *, secret: bytes, timestamp: int) -> str:
    """The header value for `body` sent at `timestamp`."""
    return f"t={int(timestamp)},v1={_digest(body, secret, int(timestamp))}"


def _parse(header: str | None, name: str) -> tuple[int, list[str]]:
    if not header:
        raise BadSignature("bad_signature", f"missing {name} header")
    timestamp, signatures = None, []
    for part in header.split(","):
        key, separator, value = part.strip().partition("=")
        if not separator:
            raise BadSignature("bad_signature", f"garbled {name} header")
        if key == "t" and value.isascii() and value.isdigit() and timestamp is None:
            timestamp = int(value)
        elif key == "v1" and HEX_DIGEST.fullmatch(value):
            signatures.append(value)
        elif key in ("t", "v1"):
            raise BadSignature("bad_signature", f"garbled {name} header")
        # Other schemes (v0, v2, ...) are ignored, as a receiver that does not know them should.
    if timestamp is None or not signatures:
        raise BadSignature("bad_signature", f"garbled {name} header")
    return timestamp, signatures


def check(body: bytes, *, header: str | None, secret: bytes, now: float | None = None, tolerance_s: int = 300,
          name: str = "signature") -> int:  # fmt: skip
    """Returns the signed timestamp when `header` signs `body` with `secret` within `tolerance_s`
    seconds of `now`; otherwise raises BadSignature. Compares with every listed signature, in
    constant time."""
    timestamp, signatures = _parse(header, name)
    expected = _digest(body, secret, timestamp)
    matched = False
    for candidate in signatures:  # no early exit
        matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise BadSignature("bad_signature", "signature does not match")
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance_s:
        raise BadSignature("stale", f"signed {int(now - timestamp)} s from now, beyond {tolerance_s} s")
    return timestamp


def post_signed(url: str, body: bytes, *, secret: bytes, header: str, timestamp: int, timeout_s: float,
                user_agent: str = "talat-sandbox/1.0") -> tuple[int | None, str | None]:  # fmt: skip
    """POSTs a JSON `body` signed in `header` (what a partner sandbox does to notify Talat);
    returns (HTTP status, None) or (None, the network error)."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(  # noqa: S310 - callers check the URL is http(s)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            header: sign(body, secret=secret, timestamp=timestamp),
            "User-Agent": user_agent,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, None
    except OSError as error:  # refused, reset, timed out
        return None, str(getattr(error, "reason", error))
