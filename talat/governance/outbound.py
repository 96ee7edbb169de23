"""The one way bytes leave Talat for a partner: connectors post `Released` values through an
`Outbound` channel. Anything else (a dict, a model, a queryset) is refused before a byte is sent.

    channel = Outbound(recipient=partner, base_url=settings.LAZADA_URL)
    channel.post_json("/orders/ack", released)
"""

import json
from collections.abc import Mapping, Sequence

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

    def send(
        self,
        method: str,
        path: str,
        *,
        released: Sequence[Released] = (),
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """A partner-protocol request (signed query or form parameters). Connectors build `params`
        and `data` from the released values' data and their own protocol keys (app key, timestamp,
        token, signature); every business value in the request must come from `released`, each of
        which is checked here to be border-issued for this recipient before a byte is sent."""
        for value in released:
            self._check(value)
        return self.client.request(method, path, params=params, data=data, headers=headers)

    def close(self) -> None:
        self.client.close()
