"""What the payment tests share with the bank: its webhook secret, a notification body as the bank
writes it, and posting that body to Talat signed."""

import json
import time
from datetime import UTC, datetime

from talat.payments.notifications import sign

SECRET = b"bank-test-secret"


def notification_body(
    *, reference: str, amount_satang: int, transaction_id: str = "T1", event_id=None
) -> bytes:
    return json.dumps(
        {
            "eventId": event_id or f"evt-{transaction_id}",
            "transactionId": transaction_id,
            "amount": f"{amount_satang // 100}.{amount_satang % 100:02d}",
            "currencyCode": "764",
            "payeeProxyType": "BILLERID",
            "payeeProxyId": "099400015880701",
            "payerName": "นายผู้จ่าย",
            "transactionDateandTime": datetime.now(UTC).isoformat(),
            "billPaymentRef1": reference,
            "billPaymentRef2": "",
        }
    ).encode()


def post_notification(client, body: bytes, *, secret: bytes = SECRET, at=None):
    header = sign(body, secret=secret, timestamp=int(at or time.time()))
    return client.post(
        "/payments/bank/notify", body, content_type="application/json", HTTP_X_BANK_SIGNATURE=header
    )
