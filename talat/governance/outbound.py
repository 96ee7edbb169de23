"""The one way bytes leave Talat for a partner: connectors post `Released` values through an
`Outbound` channel. Anything else (a dict, a model, a queryset) is refused before a byte is sent.

    channel = Outbound(recipient=partner, base_url=settings.LAZADA_URL)
    channel.post_json("/orders/ack", released)
"""

import json

import httpx

from talat.governance.border import Released, require_released


class WrongRecipient(Exception):
    pass


class Outbound:
    def __init__(self, *, recipient, base_url: str, timeout: float = 10.0, transport=None):
        self.recipient = recipient
        self.client = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)

    def _check(self, released: Released) -> Released:
        released = require_released(released)
        label = self.recipient.name_en or self.recipient.name_th
        if released.recipient != label:
            raise WrongRecipient(f"data released to {released.recipient} cannot be sent to {label}")
        return released

    def post_json(self, path: str, released: Released, *, headers: dict | None = None) -> httpx.Response:
        """POSTs the released fields as JSON; nothing else of Talat's goes in the body."""
        released = self._check(released)
        body = json.dumps(dict(released.data), ensure_ascii=False, default=str).encode()
        return self.client.post(
            path,
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-Talat-Disclosure": str(released.disclosure_id),
                **(headers or {}),
            },
        )

    def close(self) -> None:
        self.client.close()
