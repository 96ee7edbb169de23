"""The bank sandbox over real HTTP on loopback: it pays PromptPay QR codes, refuses bad ones as a bank
would, and signs the payment notifications it sends to a stand-in for Talat's callback endpoint,
which Talat's `verify` accepts or refuses."""

import json
import re
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlencode

import pytest

from talat.channels.sandboxes.server import Running
from talat.payments.notifications import BadNotification, sign, verify
from talat.payments.sandboxes.bank import make_app
from talat.payments.statements import parse_statement

SECRET = b"test-bank-webhook-secret"
BILLER_ID = "099400015880701"
MOBILE = "0066812345678"
BANGKOK = timezone(timedelta(hours=7))
FAST_RETRIES = (0.05, 0.1, 0.2)


# Building QR payloads from TLVs, independently of Talat's generator.


def crc16(data: bytes) -> str:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return f"{crc:04X}"


def tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def qr(*fields: tuple[str, str], crc: str | None = None) -> str:
    body = "".join(tlv(tag, value) for tag, value in fields) + "6304"
    return body + (crc or crc16(body.encode()))


def bill_payment(ref1: str, ref2: str = "", amount: str | None = "107.00", currency: str = "764") -> str:
    account = tlv("00", "A000000677010112") + tlv("01", BILLER_ID) + tlv("02", ref1)
    account += tlv("03", ref2) if ref2 else ""
    fields = [("00", "01"), ("01", "12" if amount else "11"), ("30", account), ("58", "TH"), ("53", currency)]
    return qr(*fields, *([("54", amount)] if amount else []))


def credit_transfer(amount: str | None = None) -> str:
    account = tlv("00", "A000000677010111") + tlv("01", MOBILE)
    fields = [("00", "01"), ("01", "12" if amount else "11"), ("29", account), ("58", "TH"), ("53", "764")]
    return qr(*fields, *([("54", amount)] if amount else []))


def test_the_helper_computes_the_standard_crc():
    assert crc16(b"123456789") == "29B1"  # the CRC-16/CCITT-FALSE check value


# A stand-in for Talat's callback endpoint.


class Receiver:
    """Records every POST it gets; answers the statuses in `answers` first, then 200."""

    def __init__(self, answers=()):
        self.received: list[dict] = []
        self.answers = list(answers)
        self.condition = threading.Condition()

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        with self.condition:
            self.received.append(
                {"body": body, "signature": environ.get("HTTP_X_BANK_SIGNATURE"),
                 "content_type": environ.get("CONTENT_TYPE"), "at": time.time()}
            )  # fmt: skip
            status = self.answers.pop(0) if self.answers else 200
            self.condition.notify_all()
        answer = json.dumps({"resCode": "00", "resDesc": "success"}).encode()
        start_response(f"{status} X", [("Content-Type", "application/json")])
        return [answer]

    def wait_for(self, count: int, timeout: float = 5) -> list[dict]:
        with self.condition:
            assert self.condition.wait_for(lambda: len(self.received) >= count, timeout), (
                f"expected {count} notifications, got {len(self.received)}"
            )
            return list(self.received)


@pytest.fixture(scope="module")
def receiver_server():
    app = Receiver()
    with Running(app) as running:
        app.url = running.url + "/payments/bank/notify"
        yield app


@pytest.fixture
def receiver(receiver_server):
    """The module's receiver, emptied for each test (one server: starting one costs a second)."""
    with receiver_server.condition:
        receiver_server.received.clear()
        receiver_server.answers.clear()
    return receiver_server


def start_bank(receiver_url: str, **options):
    sandbox = make_app(secret=SECRET, callback_url=receiver_url, retry_delays=FAST_RETRIES, **options)
    running = Running(sandbox).__enter__()
    return sandbox, running


@pytest.fixture(scope="module")
def bank(receiver_server):
    """One bank for the module; tests that read a statement whole start their own."""
    sandbox, running = start_bank(receiver_server.url)
    yield running
    sandbox.close()
    running.stop()


def call(base: str, method: str, path: str, body=None) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def pay(bank, payload: str, **fields) -> tuple[int, dict]:
    return call(
        bank.url, "POST", "/v1/payments", {"qrPayload": payload, "payerName": "สมหญิง รักไทย", **fields}
    )


def fetch(url: str, form: dict | None = None):
    data = urlencode(form).encode() if form is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=5) as response:
            return response.status, response.geturl(), response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.url, error.headers, error.read().decode()


# Paying and being notified.


def test_paying_a_dynamic_qr_sends_a_signed_notification_that_verify_accepts(bank, receiver):
    status, answer = pay(bank, bill_payment("TL000123", "SHOP7"))

    assert status == 200
    assert answer["status"] == {"code": 1000, "description": "Success"}
    transaction = answer["data"]
    assert re.fullmatch(r"\d{8}[A-Za-z0-9]{15}", transaction["transactionId"])
    [delivery] = receiver.wait_for(1)
    assert delivery["content_type"].startswith("application/json")
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", delivery["signature"])

    notification = verify(delivery["body"], header=delivery["signature"], secret=SECRET)

    assert notification.transaction_id == transaction["transactionId"]
    assert notification.event_id.startswith("evt_")
    assert notification.amount_satang == 10700
    assert notification.currency == "THB"
    assert (notification.reference_1, notification.reference_2) == ("TL000123", "SHOP7")
    assert (notification.proxy_type, notification.proxy_id) == ("BILLERID", BILLER_ID)
    assert notification.payer_name == "สมหญิง รักไทย"
    assert notification.paid_at.tzinfo == UTC
    assert abs(notification.paid_at - datetime.now(UTC)) < timedelta(seconds=10)
    body = json.loads(delivery["body"])
    assert body["amount"] == "107.00"
    assert body["currencyCode"] == "764"
    assert body["transactionDateandTime"].endswith("+07:00")
    assert {"sendingBankCode", "receivingBankCode", "channelCode", "transactionType"} <= body.keys()
    deadline = time.time() + 5
    while (
        call(bank.url, "GET", f"/v1/transactions/{notification.transaction_id}")[1]["data"][
            "notificationStatus"
        ]
        != "delivered"
    ):
        assert time.time() < deadline, "the bank never recorded the delivery"
        time.sleep(0.02)


def test_the_bank_pays_a_bill_payment_qr_as_a_bank_publishes_it(bank, receiver):
    # A bank's own documented sample of a tag 30 QR: with tags 52, 60 and 62 (ref 3 in 62.07) too.
    sample = (
        "00020101021230670016A00000067701011201151234567890123450210REFERENCE10310REFERENCE2520470115303764"
        "54041.005802TH6007BANGKOK62070703SCB6304CE18"
    )

    status, _ = pay(bank, sample)

    assert status == 200
    body = json.loads(receiver.wait_for(1)[0]["body"])
    assert (body["payeeProxyId"], body["billPaymentRef1"], body["billPaymentRef2"]) == (
        "123456789012345", "REFERENCE1", "REFERENCE2"
    )  # fmt: skip
    assert (body["billPaymentRef3"], body["amount"]) == ("SCB", "1.00")


def test_a_tampered_body_or_another_secret_is_refused(bank, receiver):
    pay(bank, bill_payment("TL000124"))
    [delivery] = receiver.wait_for(1)
    tampered = delivery["body"].replace(b'"107.00"', b'"1.00"')
    assert tampered != delivery["body"]

    with pytest.raises(BadNotification) as tampered_error:
        verify(tampered, header=delivery["signature"], secret=SECRET)
    with pytest.raises(BadNotification) as secret_error:
        verify(delivery["body"], header=delivery["signature"], secret=b"someone-else")
    with pytest.raises(BadNotification) as missing:
        verify(delivery["body"], header="", secret=SECRET)
    with pytest.raises(BadNotification) as garbled:
        verify(delivery["body"], header="t=soon,v1=nothex", secret=SECRET)

    assert tampered_error.value.code == secret_error.value.code == "bad_signature"
    assert missing.value.code == garbled.value.code == "bad_signature"


def test_a_notification_signed_long_ago_or_in_the_future_is_stale(receiver):
    # A bank whose clock runs ten minutes slow signs every notification ten minutes in the past.
    sandbox, running = start_bank(receiver.url, clock=lambda: time.time() - 600)
    try:
        pay(running, bill_payment("TL000125"))
        [delivery] = receiver.wait_for(1)
    finally:
        sandbox.close()
        running.stop()

    with pytest.raises(BadNotification) as slow:
        verify(delivery["body"], header=delivery["signature"], secret=SECRET)
    signed_at = int(delivery["signature"].split(",")[0].removeprefix("t="))
    with pytest.raises(BadNotification) as future:
        verify(delivery["body"], header=delivery["signature"], secret=SECRET, now=signed_at - 301)
    accepted = verify(delivery["body"], header=delivery["signature"], secret=SECRET, now=signed_at + 299)

    assert slow.value.code == future.value.code == "stale"
    assert accepted.reference_1 == "TL000125"


GOOD = {
    "eventId": "evt_1", "transactionId": "20250105abcdefghijklmno", "amount": "107.00",
    "currencyCode": "764", "payeeProxyType": "BILLERID", "payeeProxyId": BILLER_ID,
    "transactionDateandTime": "2025-01-05T14:03:22+07:00", "billPaymentRef1": "TL000190", "payerName": "มานี",
}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"amount": "1.005"}, "1.005"),
        ({"amount": "1e3"}, "1e3"),
        ({"amount": "-1.00"}, "-1.00"),
        ({"amount": "0.00"}, "greater than zero"),
        ({"amount": True}, "amount"),
        ({"amount": None}, "amount"),
        ({"transactionId": ""}, "transactionId"),
        ({"currencyCode": "840"}, "840"),
        ({"transactionDateandTime": "yesterday"}, "yesterday"),
        ({"billPaymentRef1": 123}, "billPaymentRef1"),
    ],
)
def test_a_correctly_signed_but_malformed_notification_is_refused(change, detail):
    body = json.dumps({**GOOD, **change}).encode()
    now = int(time.time())

    with pytest.raises(BadNotification) as refused:
        verify(body, header=sign(body, secret=SECRET, timestamp=now), secret=SECRET)

    assert refused.value.code == "malformed"
    assert detail in str(refused.value)


def test_amounts_are_read_exactly_and_times_without_an_offset_are_bangkok_time():
    now = int(time.time())
    for amount, satang in [("107.1", 10710), ("0.29", 29), (100, 10000), ("9999999999.99", 999999999999)]:
        body = json.dumps({**GOOD, "amount": amount}).encode()
        assert (
            verify(body, header=sign(body, secret=SECRET, timestamp=now), secret=SECRET).amount_satang
            == satang
        )
    number = json.dumps(GOOD).replace('"107.00"', "0.29").encode()  # a JSON number, not a float
    assert (
        verify(number, header=sign(number, secret=SECRET, timestamp=now), secret=SECRET).amount_satang == 29
    )
    naive = json.dumps({**GOOD, "transactionDateandTime": "2025-01-05T14:03:22"}).encode()
    paid_at = verify(naive, header=sign(naive, secret=SECRET, timestamp=now), secret=SECRET).paid_at
    assert paid_at == datetime(2025, 1, 5, 7, 3, 22, tzinfo=UTC)
    not_json = b"<xml/>"
    with pytest.raises(BadNotification) as refused:
        verify(not_json, header=sign(not_json, secret=SECRET, timestamp=now), secret=SECRET)
    assert refused.value.code == "malformed"


def test_a_signature_header_may_list_a_second_secrets_signature_during_rotation():
    body = json.dumps(GOOD).encode()
    now = int(time.time())
    old, new = sign(body, secret=b"old-secret", timestamp=now), sign(body, secret=SECRET, timestamp=now)

    notification = verify(body, header=f"{old},{new.split(',')[1]}", secret=SECRET)

    assert notification.reference_1 == "TL000190"
    with pytest.raises(BadNotification):
        verify(body, header=old, secret=SECRET)


def test_a_static_qr_needs_the_amount_the_buyer_types(bank, receiver):
    static = credit_transfer()

    refused_status, refused = pay(bank, static)
    status, answer = pay(bank, static, amount="50.25")

    assert refused_status == 400
    assert refused["status"]["code"] == 4103
    assert status == 200
    [delivery] = receiver.wait_for(1)
    notification = verify(delivery["body"], header=delivery["signature"], secret=SECRET)
    assert notification.transaction_id == answer["data"]["transactionId"]
    assert notification.amount_satang == 5025
    assert (notification.proxy_type, notification.proxy_id) == ("MSISDN", MOBILE)
    assert notification.reference_1 == ""


def test_the_bank_refuses_another_amount_than_a_dynamic_qrs(bank, receiver):
    status, answer = pay(bank, bill_payment("TL000126", amount="107.00"), amount="100.00")
    same_status, _ = pay(bank, bill_payment("TL000127", amount="107.00"), amount="107")

    assert status == 400
    assert answer["status"]["code"] == 4104
    assert "107" in answer["status"]["description"]
    assert same_status == 200
    [delivery] = receiver.wait_for(1)
    assert json.loads(delivery["body"])["billPaymentRef1"] == "TL000127"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (bill_payment("TL000128")[:-4] + "0000", 4102),  # the CRC does not match
        (bill_payment("TL000128").replace("TL000128", "TL000129"), 4102),  # altered after printing
        (qr(("00", "01"), ("01", "12"), ("30", "0016A00000067701011201"), ("53", "764")), 4101),  # cut TLV
        (bill_payment("TL000128", currency="840"), 4105),  # US dollars
        (bill_payment("tl-000128"), 4101),  # references are A-Z and 0-9
        (qr(("00", "01"), ("01", "11"), ("58", "TH"), ("53", "764")), 4101),  # no PromptPay account
        ("not a QR code", 4101),
    ],
)
def test_the_bank_refuses_a_bad_qr_payload(bank, receiver, payload, code):
    status, answer = pay(bank, payload, amount="10.00")

    assert status == 400
    assert answer["status"]["code"] == code
    assert answer["status"]["description"]
    assert "data" not in answer


def test_a_refused_payment_pays_nothing_and_notifies_no_one(bank, receiver):
    pay(bank, bill_payment("TL000130")[:-4] + "0000")
    pay(bank, bill_payment("TL000131"), amount="1.00")
    pay(bank, bill_payment("TL000132"))  # the only good one

    [delivery] = receiver.wait_for(1)
    time.sleep(0.2)  # room for any wrongly sent notification to arrive

    assert len(receiver.received) == 1
    assert json.loads(delivery["body"])["billPaymentRef1"] == "TL000132"
    day = json.loads(delivery["body"])["transactionDateandTime"][:10]
    with urllib.request.urlopen(f"{bank.url}/v1/statements?date={day}", timeout=5) as response:
        references = [line.reference_1 for line in parse_statement(response.read())]
    assert "TL000132" in references
    assert "TL000130" not in references and "TL000131" not in references


# Duplicates, order and retries.


def test_resend_sends_the_identical_body_and_event_id(bank, receiver):
    _, answer = pay(bank, bill_payment("TL000140"))
    transaction_id = answer["data"]["transactionId"]
    first = receiver.wait_for(1)[0]

    status, resent = call(bank.url, "POST", f"/v1/notifications/{transaction_id}/resend")
    second = receiver.wait_for(2)[1]

    assert status == 202
    assert resent["data"] == {"transactionIds": [transaction_id]}
    assert second["body"] == first["body"]
    again = verify(second["body"], header=second["signature"], secret=SECRET)
    assert again.event_id == verify(first["body"], header=first["signature"], secret=SECRET).event_id
    assert call(bank.url, "POST", "/v1/notifications/20990101NOSUCHTRANSACTN/resend", {})[0] == 404


def test_held_notifications_are_delivered_in_the_order_asked(bank, receiver):
    ids = []
    for ref in ("TL000150", "TL000151", "TL000152"):
        _, answer = pay(bank, bill_payment(ref), deliver=False)
        assert answer["data"]["notificationStatus"] == "held"
        ids.append(answer["data"]["transactionId"])
    time.sleep(0.2)
    assert receiver.received == []

    status, _ = call(
        bank.url, "POST", "/v1/notifications/deliver", {"transactionIds": [ids[2], ids[0], ids[1]]}
    )
    deliveries = receiver.wait_for(3)

    assert status == 202
    assert [json.loads(d["body"])["transactionId"] for d in deliveries] == [ids[2], ids[0], ids[1]]
    assert [json.loads(d["body"])["billPaymentRef1"] for d in deliveries] == [
        "TL000152",
        "TL000150",
        "TL000151",
    ]
    unknown_status, unknown = call(
        bank.url, "POST", "/v1/notifications/deliver", {"transactionIds": ["nope"]}
    )
    assert (unknown_status, unknown["status"]["code"]) == (404, 4004)


def test_the_bank_retries_with_back_off_until_the_merchant_answers_2xx(bank, receiver):
    receiver.answers = [500, 503]

    _, answer = pay(bank, bill_payment("TL000160"))
    deliveries = receiver.wait_for(3)

    assert len({d["body"] for d in deliveries}) == 1
    gaps = [later["at"] - earlier["at"] for earlier, later in zip(deliveries, deliveries[1:], strict=False)]
    assert gaps[0] >= FAST_RETRIES[0] * 0.9 and gaps[1] >= FAST_RETRIES[1] * 0.9
    deadline = time.time() + 5
    while True:
        data = call(bank.url, "GET", f"/v1/transactions/{answer['data']['transactionId']}")[1]["data"]
        if data["notificationStatus"] == "delivered" or time.time() > deadline:
            break
        time.sleep(0.02)
    assert data["notificationStatus"] == "delivered"
    assert [a["httpStatus"] for a in data["deliveryAttempts"]] == [500, 503, 200]


def test_an_unreachable_merchant_is_retried_a_few_times_then_marked_failed(receiver):
    with Running(Receiver()) as gone:
        url = gone.url + "/notify"
    sandbox, running = start_bank(url)  # nothing listens there any more
    try:
        _, answer = pay(running, bill_payment("TL000161"))
        deadline = time.time() + 5
        while sandbox.transactions[answer["data"]["transactionId"]].notification != "failed":
            assert time.time() < deadline, "the bank never gave up"
            time.sleep(0.02)
        attempts = call(running.url, "GET", f"/v1/transactions/{answer['data']['transactionId']}")[1]["data"][
            "deliveryAttempts"
        ]
    finally:
        sandbox.close()
        running.stop()

    assert len(attempts) == 1 + len(FAST_RETRIES)
    assert all(a["httpStatus"] is None and a["error"] for a in attempts)


# The statement.


def test_the_statement_lists_the_days_payments_and_a_credit_that_never_notified(receiver):
    sandbox, running = start_bank(receiver.url, fee_bp=50)
    try:
        _, first = pay(running, bill_payment("TL000170", "SHOP1"))
        _, second = pay(running, credit_transfer(), amount="1234.50")
        credit_status, credit = call(
            running.url, "POST", "/v1/credits",
            {"amount": "250.00", "billPaymentRef1": "TL000999", "payerName": "บริษัท ตัวอย่าง, จำกัด"},
        )  # fmt: skip
        day = datetime.fromisoformat(first["data"]["transactionDateandTime"]).date().isoformat()
        with urllib.request.urlopen(f"{running.url}/v1/statements?date={day}", timeout=5) as response:
            content_type, data = response.headers["Content-Type"], response.read()
        with urllib.request.urlopen(f"{running.url}/v1/statements?date=2001-01-01", timeout=5) as response:
            empty = response.read()
        bad_date = call(running.url, "GET", "/v1/statements?date=yesterday")
    finally:
        sandbox.close()
        running.stop()
    receiver.wait_for(2)

    assert credit_status == 200
    assert content_type.startswith("text/csv")
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, as spreadsheets like it
    header = data.decode("utf-8-sig").splitlines()[0]
    assert header == "transaction_id,value_datetime,amount,ref1,ref2,payer_name,channel,fee"
    lines = {line.transaction_id: line for line in parse_statement(data)}
    assert set(lines) == {first["data"]["transactionId"], second["data"]["transactionId"],
                          credit["data"]["transactionId"]}  # fmt: skip
    paid = lines[first["data"]["transactionId"]]
    assert (paid.amount_satang, paid.fee_satang) == (10700, 54)  # 0.5 % of 107.00, rounded half up
    assert (paid.reference_1, paid.reference_2, paid.payer_name) == ("TL000170", "SHOP1", "สมหญิง รักไทย")
    assert paid.paid_at == datetime.fromisoformat(first["data"]["transactionDateandTime"]).replace(
        microsecond=0
    )
    assert lines[second["data"]["transactionId"]].amount_satang == 123450
    extra = lines[credit["data"]["transactionId"]]
    assert (extra.amount_satang, extra.fee_satang, extra.reference_1) == (25000, 125, "TL000999")
    assert extra.payer_name == "บริษัท ตัวอย่าง, จำกัด"
    assert parse_statement(empty) == []
    assert bad_date[0] == 400 and bad_date[1]["status"]["code"] == 4001
    assert len(receiver.received) == 2  # the credit sent no notification


def test_a_statement_without_fees_has_no_fee_column(bank):
    _, answer = pay(bank, bill_payment("TL000171"), deliver=False)
    day = answer["data"]["transactionDateandTime"][:10]
    with urllib.request.urlopen(f"{bank.url}/v1/statements?date={day}", timeout=5) as response:
        data = response.read()

    assert "fee" not in data.decode("utf-8-sig").splitlines()[0].split(",")
    [line] = [
        line for line in parse_statement(data) if line.transaction_id == answer["data"]["transactionId"]
    ]
    assert (line.reference_1, line.amount_satang, line.fee_satang) == ("TL000171", 10700, 0)


# The buyer's page.


def test_a_buyer_pays_on_the_page_and_is_sent_back_to_the_shop(bank, receiver):
    payload = bill_payment("TL000180")
    back = "http://127.0.0.1:8000/orders/TL000180/"

    status, _, headers, page = fetch(f"{bank.url}/pay?" + urlencode({"qr": payload, "return": back}))

    assert status == 200
    assert '<html lang="th">' in page
    assert BILLER_ID in page and "TL000180" in page and "107.00 บาท" in page
    assert '<button type="submit">ชำระเงิน</button>' in page
    assert "<script" not in page
    assert not re.search(r"<[^>]+\son[a-z]+=", page)  # no inline event handlers either
    assert "script-src" not in headers["Content-Security-Policy"]
    assert "default-src 'none'" in headers["Content-Security-Policy"]

    status, url, _, receipt = fetch(f"{bank.url}/pay", {"qr": payload, "return": back, "payerName": "มานี"})

    assert status == 200
    assert "/pay/receipt/" in url  # redirected after the POST, so a reload does not pay twice
    assert "ชำระเงินสำเร็จ" in receipt
    assert f'href="{back}"' in receipt
    [delivery] = receiver.wait_for(1)
    notification = verify(delivery["body"], header=delivery["signature"], secret=SECRET)
    assert (notification.reference_1, notification.amount_satang, notification.payer_name) == (
        "TL000180", 10700, "มานี"
    )  # fmt: skip
    assert notification.transaction_id in receipt


def test_the_page_asks_for_the_amount_of_a_static_qr_and_refuses_bad_codes(bank, receiver):
    payload = credit_transfer()

    _, _, _, page = fetch(f"{bank.url}/pay?" + urlencode({"qr": payload}))
    status, _, _, again = fetch(f"{bank.url}/pay", {"qr": payload, "amount": "", "payerName": "มานี"})
    paid_status, _, _, receipt = fetch(
        f"{bank.url}/pay", {"qr": payload, "amount": "75.50", "return": "javascript:alert(1)"}
    )
    bad_status, _, _, bad = fetch(f"{bank.url}/pay?" + urlencode({"qr": payload[:-4] + "FFFF"}))

    assert '<label for="amount">จำนวนเงิน (บาท)</label>' in page
    assert status == 400 and 'role="alert"' in again and "กรุณากรอกจำนวนเงิน" in again
    assert paid_status == 200 and "ชำระเงินสำเร็จ" in receipt and "75.50 บาท" in receipt
    assert "javascript:" not in receipt  # only http(s) return links are offered
    assert bad_status == 400 and "คิวอาร์โค้ดนี้ไม่ถูกต้อง" in bad
    [delivery] = receiver.wait_for(1)
    assert json.loads(delivery["body"])["amount"] == "75.50"


# The signature itself.


def test_sign_is_hmac_sha256_of_timestamp_dot_body():
    import hashlib
    import hmac

    body = b'{"eventId": "evt_1"}'
    expected = hmac.new(SECRET, b"1700000000." + body, hashlib.sha256).hexdigest()

    assert sign(body, secret=SECRET, timestamp=1700000000) == f"t=1700000000,v1={expected}"
