"""The logistics sandboxes over real HTTP on loopback, spoken to in each partner's own protocol
(built here independently of Talat's connectors): they refuse bad signatures and tokens as the
partners do, issue valid tracking numbers, and push signed tracking events to a stand-in for
Talat's webhook endpoint, which Talat's `verify` accepts or refuses."""

import base64
import hashlib
import json
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlencode

import pytest

from talat.channels.sandboxes.server import Running
from talat.logistics import webhooks
from talat.logistics.sandboxes import carrier as carrier_module
from talat.logistics.sandboxes import hub as hub_module
from talat.logistics.webhooks import BadWebhook, verify

PROVIDER, SECRET = "TALAT_TEST", "hub-test-secret"
API_KEY = "carrier-test-key"
HUB_HOOK_SECRET, CARRIER_HOOK_SECRET = b"hub-hook-test-secret", b"carrier-hook-test-secret"
FAST_RETRIES = (0.05, 0.1, 0.2)
BANGKOK = timezone(timedelta(hours=7))


class Receiver:
    """A stand-in for Talat's webhook endpoint: records every POST; answers `answers` first, then 200."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: list[int] = []
        self.condition = threading.Condition()

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        with self.condition:
            self.received.append(
                {
                    "body": body,
                    "signature": environ.get("HTTP_X_TALAT_SIGNATURE"),
                    "path": environ.get("PATH_INFO"),
                }
            )
            status = self.answers.pop(0) if self.answers else 200
            self.condition.notify_all()
        start_response(f"{status} X", [("Content-Type", "application/json")])
        return [b"{}"]

    def wait_for(self, count: int, timeout: float = 5) -> list[dict]:
        with self.condition:
            assert self.condition.wait_for(lambda: len(self.received) >= count, timeout), (
                f"expected {count} pushes, got {len(self.received)}"
            )
            return list(self.received)


@pytest.fixture(scope="module")
def receiver_server():
    app = Receiver()
    with Running(app) as running:
        app.url = running.url
        yield app


@pytest.fixture
def receiver(receiver_server):
    with receiver_server.condition:
        receiver_server.received.clear()
        receiver_server.answers.clear()
    return receiver_server


@pytest.fixture
def hub(receiver):
    sandbox = hub_module.make_app(
        providers={PROVIDER: SECRET},
        webhook_url=receiver.url + "/logistics/hub",
        webhook_secret=HUB_HOOK_SECRET,
        retry_delays=FAST_RETRIES,
    )
    with Running(sandbox) as running:
        yield sandbox, running.url
    sandbox.close()


@pytest.fixture
def carrier(receiver):
    sandbox = carrier_module.make_app(
        api_keys=(API_KEY,),
        webhook_url=receiver.url + "/logistics/carrier",
        webhook_secret=CARRIER_HOOK_SECRET,
        retry_delays=FAST_RETRIES,
    )
    with Running(sandbox) as running:
        yield sandbox, running.url
    sandbox.close()


def post(url: str, *, data: bytes = b"", headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=data, method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def get(url: str) -> tuple[int, dict]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, json.loads(response.read())


def control(base: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    return post(
        base + path, data=json.dumps(body or {}).encode(), headers={"Content-Type": "application/json"}
    )


# The hub: Cainiao's LINK gateway.


def digest(content: str, secret: str) -> str:
    return base64.b64encode(hashlib.md5((content + secret).encode()).digest()).decode()


def gateway(base: str, kind: str, message: dict, /, *, provider=PROVIDER, secret=SECRET, **overrides) -> dict:
    content = json.dumps(message, ensure_ascii=False)
    form = {
        "logistics_interface": content,
        "msg_type": kind,
        "logistic_provider_id": provider,
        "data_digest": digest(content, secret),
        **overrides,
    }
    form = {k: v for k, v in form.items() if v is not None}
    status, body = post(
        base + "/gateway/link.do",
        data=urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200  # the gateway answers HTTP 200 and says in the body
    return body


def order(out_order_id: str = "TALAT-0001", *, solution: str = "EEC_AIR_UTP", weight=850, **changes) -> dict:
    message = {
        "outOrderId": out_order_id,
        "solutionParam": {"solutionCode": solution},
        "packageParams": [
            {
                "weight": weight,
                "itemParams": [
                    {
                        "itemId": "DURIAN-250",
                        "englishName": "Freeze-dried durian 250 g",
                        "quantity": 2,
                        "unitPrice": "250.00",
                        "currency": "THB",
                    }
                ],
            }
        ],
        "receiverParam": {
            "name": "王芳",
            "mobilePhone": "+86 138 0013 8000",
            "address": {"country": "CN", "city": "Shenzhen", "detailAddress": "深圳市南山区科技园 1 号"},
        },
        "senderParam": {
            "name": "Test Co., Ltd.",
            "address": {
                "country": "TH",
                "province": "Chiang Mai",
                "city": "Mueang Chiang Mai",
                "detailAddress": "12 ถนนราชวิถี",
            },
        },
    }
    message.update(changes)
    return message


def book_hub(base: str, key: str = "TALAT-0001", **options) -> dict:
    answer = gateway(base, hub_module.MSG_ORDER_CREATE, order(key, **options))
    assert answer["success"] == "true", answer
    return answer["data"]


def test_the_helper_digest_is_cainiaos_published_example_form():
    # base64 of the raw 16-byte MD5, not of its hex text: 24 characters ending in "=="
    assert len(digest("{}", "k")) == 24 and digest("{}", "k").endswith("==")


def test_the_hub_books_a_parcel_signed_with_the_data_digest(hub):
    sandbox, base = hub
    booking = book_hub(base)
    assert booking["mailNo"].startswith("CNTH") and len(booking["mailNo"]) == 16
    assert booking["logisticsOrderCode"].startswith("LP")
    assert sandbox.parcels[booking["mailNo"]].request["receiverParam"]["name"] == "王芳"


def test_the_same_out_order_id_is_the_same_booking(hub):
    sandbox, base = hub
    first, again = book_hub(base, "TALAT-7"), book_hub(base, "TALAT-7")
    assert first == again
    assert len(sandbox.parcels) == 1


@pytest.mark.parametrize(
    ("overrides", "code", "message"),
    [
        ({"data_digest": "bm90IHRoZSBkaWdlc3Q="}, "S02", "data_digest check failed"),
        ({"data_digest": None}, "S12", "request param DataDigest can not be null"),
        ({"msg_type": None}, "S12", "request param api can not be null"),
        ({"logistic_provider_id": "SOMEONE_ELSE"}, "S01", "fromCode SOMEONE_ELSE is not authorized"),
        ({"to_code": "CNL_EU"}, "S23", "toCode CNL_EU is not authorized"),
        ({"msg_type": "NO_SUCH_API"}, "S05", "api NO_SUCH_API not found"),
    ],
)
def test_the_hub_refuses_what_the_gateway_refuses(hub, overrides, code, message):
    sandbox, base = hub
    answer = gateway(base, hub_module.MSG_ORDER_CREATE, order(), **overrides)
    assert answer == {"success": "false", "errorCode": code, "errorMsg": message, "needRetry": "false"}
    assert sandbox.parcels == {}


def test_a_digest_made_with_another_secret_is_refused(hub):
    sandbox, base = hub
    answer = gateway(base, hub_module.MSG_ORDER_CREATE, order(), secret="not-the-secret")
    assert answer["errorCode"] == "S02"
    assert sandbox.parcels == {}


def test_the_hub_names_each_missing_field(hub):
    _sandbox, base = hub
    message = order(weight=0, receiverParam={"name": "", "address": {"country": "US"}})
    answer = gateway(base, hub_module.MSG_ORDER_CREATE, message)
    assert answer["success"] == "false" and answer["errorCode"] == "PARAM_ERROR"
    for field in (
        "receiverParam.name",
        "receiverParam.mobilePhone",
        "receiverParam.address.detailAddress",
        "country must be CN",
        "packageParams.weight",
    ):
        assert field in answer["errorMsg"]


def test_a_cross_border_journey_by_air_is_pushed_signed_scan_by_scan(hub, receiver):
    sandbox, base = hub
    mail_no = book_hub(base)["mailNo"]
    for _ in range(8):
        status, answer = control(base, f"/v1/shipments/{mail_no}/advance")
        assert status == 200, answer
    pushes = receiver.wait_for(8)
    events = [verify(p["body"], header=p["signature"], secret=HUB_HOOK_SECRET)[0] for p in pushes]
    assert [e.code for e in events] == [
        "picked_up",
        "at_hub",
        "export_cleared",
        "departed",
        "arrived",
        "import_cleared",
        "out_for_delivery",
        "delivered",
    ]
    assert {p["path"] for p in pushes} == {"/logistics/hub"}
    assert all(e.tracking_number == mail_no for e in events)
    assert "Si Racha, Chon Buri" in events[1].location
    assert "(UTP)" in events[3].location and "Shenzhen" in events[4].location
    assert events[0].location == "Mueang Chiang Mai, Chiang Mai, TH"
    body = json.loads(pushes[4]["body"])
    assert body["partner_code"] == PROVIDER
    assert body["logistics_interface"]["traceDetail"]["timeZone"] == "GMT+8"  # scanned in China
    assert control(base, f"/v1/shipments/{mail_no}/advance")[0] == 409  # nothing after delivery


def test_the_road_route_runs_through_kunming(hub, receiver):
    _sandbox, base = hub
    mail_no = book_hub(base, "TALAT-R3A", solution="EEC_ROAD_R3A")["mailNo"]
    scans = [control(base, f"/v1/shipments/{mail_no}/advance")[1]["scan"] for _ in range(5)]
    assert "R3A" in scans[3]["standardDesc"] and scans[4]["location"] == "Kunming, Yunnan, CN"
    assert [s["actionCode"] for s in scans] == [
        "PU_PICKUP_SUCCESS",
        "SC_INBOUND_SUCCESS",
        "CC_EX_SUCCESS",
        "LH_DEPART",
        "LH_ARRIVE",
    ]


def test_the_hub_track_inquiry_lists_scans_newest_first(hub):
    sandbox, base = hub
    mail_no = book_hub(base)["mailNo"]
    sandbox.advance(mail_no, deliver=False)
    sandbox.advance(mail_no, deliver=False)
    answer = gateway(base, hub_module.MSG_TRACK, {"mailNo": mail_no})
    assert [n["actionCode"] for n in answer["data"]["detailList"]] == [
        "SC_INBOUND_SUCCESS",
        "PU_PICKUP_SUCCESS",
    ]
    unknown = gateway(base, hub_module.MSG_TRACK, {"mailNo": "CNTH000000000000"})
    assert unknown["errorCode"] == "MAIL_NO_NOT_EXIST"


def test_a_resent_push_is_the_same_event_with_a_fresh_signature(hub, receiver):
    _sandbox, base = hub
    mail_no = book_hub(base)["mailNo"]
    event_id = control(base, f"/v1/shipments/{mail_no}/advance")[1]["eventId"]
    receiver.wait_for(1)
    time.sleep(1.05)  # a later second, so a later signature timestamp
    assert control(base, f"/v1/events/{event_id}/resend")[0] == 202
    first, again = receiver.wait_for(2)
    assert first["body"] == again["body"] and first["signature"] != again["signature"]
    [one] = verify(first["body"], header=first["signature"], secret=HUB_HOOK_SECRET)
    [two] = verify(again["body"], header=again["signature"], secret=HUB_HOOK_SECRET)
    assert one.event_id == two.event_id == event_id and one == two


def test_held_pushes_can_arrive_out_of_order(hub, receiver):
    _sandbox, base = hub
    mail_no = book_hub(base)["mailNo"]
    first = control(base, f"/v1/shipments/{mail_no}/advance", {"deliver": False})[1]["eventId"]
    second = control(base, f"/v1/shipments/{mail_no}/advance", {"deliver": False})[1]["eventId"]
    time.sleep(0.2)
    assert receiver.received == []  # held
    assert control(base, "/v1/events/deliver", {"eventIds": [second, first]})[0] == 202
    pushes = receiver.wait_for(2)
    events = [verify(p["body"], header=p["signature"], secret=HUB_HOOK_SECRET)[0] for p in pushes]
    assert [e.event_id for e in events] == [second, first]
    assert [e.code for e in events] == ["at_hub", "picked_up"]
    assert events[0].occurred_at >= events[1].occurred_at  # what Talat orders them by


def test_an_exception_scan_fits_where_the_parcel_is(hub, receiver):
    _sandbox, base = hub
    mail_no = book_hub(base)["mailNo"]
    control(base, f"/v1/shipments/{mail_no}/advance")
    status, answer = control(base, f"/v1/shipments/{mail_no}/exception", {"reason": "invoice missing"})
    assert status == 200 and answer["scan"]["actionCode"] == "CC_EX_FAILURE"
    pushes = receiver.wait_for(2)
    [event] = verify(pushes[1]["body"], header=pushes[1]["signature"], secret=HUB_HOOK_SECRET)
    assert event.code == "exception" and event.description == "Held at export customs: invoice missing"


def test_a_push_refused_by_talat_is_retried(hub, receiver):
    sandbox, base = hub
    receiver.answers = [503, 500]
    mail_no = book_hub(base)["mailNo"]
    control(base, f"/v1/shipments/{mail_no}/advance")
    pushes = receiver.wait_for(3)
    assert pushes[0]["body"] == pushes[2]["body"]
    time.sleep(0.1)
    parcel = get(f"{base}/v1/shipments/{mail_no}")[1]
    assert [a["httpStatus"] for a in parcel["scans"][0]["attempts"]] == [503, 500, 200]
    assert parcel["scans"][0]["delivery"] == "delivered"


def test_a_picked_up_parcel_cannot_be_cancelled(hub):
    sandbox, base = hub
    waiting, moving = book_hub(base, "TALAT-A")["mailNo"], book_hub(base, "TALAT-B")["mailNo"]
    sandbox.advance(moving, deliver=False)
    assert gateway(base, hub_module.MSG_ORDER_CANCEL, {"mailNo": waiting})["success"] == "true"
    assert gateway(base, hub_module.MSG_ORDER_CANCEL, {"mailNo": waiting})["success"] == "true"  # again: fine
    refused = gateway(base, hub_module.MSG_ORDER_CANCEL, {"mailNo": moving})
    assert refused["errorCode"] == "ORDER_CANNOT_CANCEL"
    assert control(base, f"/v1/shipments/{waiting}/advance")[0] == 409


# The carrier: Thailand Post's API.


def s10_valid(number: str) -> bool:
    """The UPU S10 check, written from the standard: weights 8 6 4 2 3 5 9 7, 11 - sum mod 11,
    10 -> 0 and 11 -> 5."""
    digits = number[2:10]
    check = 11 - sum(int(d) * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True)) % 11
    check = {10: 0, 11: 5}.get(check, check)
    return len(number) == 13 and number[:2].isalpha() and number[-2:] == "TH" and int(number[10]) == check


def test_the_helper_knows_a_valid_s10_number():
    assert s10_valid("RR123456785TH") and not s10_valid("RR123456784TH")


def token(base: str, key: str = API_KEY) -> str:
    status, body = post(base + "/post/api/v1/authenticate/token", headers={"Authorization": f"Token {key}"})
    assert status == 200, body
    return body["token"]


def api(base: str, path: str, body: dict, bearer: str) -> tuple[int, dict]:
    return post(
        base + path,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Authorization": f"Token {bearer}", "Content-Type": "application/json"},
    )


BOOKING = {
    "service": "EMS",
    "receiver": {
        "name": "สมหญิง รักไทย",
        "phone": "0812345678",
        "address": "99/1 ถนนสุขุมวิท",
        "district": "คลองเตย",
        "province": "กรุงเทพมหานคร",
        "postcode": "10110",
    },
    "sender": {
        "name": "บริษัท ทดสอบ จำกัด",
        "phone": "0812345678",
        "address": "12 ถนนราชวิถี",
        "district": "เมืองเชียงใหม่",
        "province": "เชียงใหม่",
        "postcode": "50200",
    },
    "weight": 1200,
}


def book_carrier(base: str, reference: str = "TALAT-D1") -> str:
    status, body = api(base, "/post/api/v1/shipments", {"reference": reference, **BOOKING}, token(base))
    assert status == 200 and body["status"] is True, body
    return body["response"]["barcode"]


def test_the_carrier_issues_the_token_for_its_api_key_only(carrier):
    _sandbox, base = carrier
    status, body = post(base + "/post/api/v1/authenticate/token", headers={"Authorization": "Token wrong"})
    assert (status, body) == (401, {"detail": "Invalid token."})
    status, body = post(base + "/post/api/v1/authenticate/token")
    assert (status, body) == (401, {"detail": "Authentication credentials were not provided."})
    status, body = post(
        base + "/post/api/v1/authenticate/token", headers={"Authorization": f"Token {API_KEY}"}
    )
    expire = datetime.fromisoformat(body["expire"])
    assert status == 200 and expire.utcoffset() == timedelta(hours=7) and expire > datetime.now(UTC)


def test_the_api_key_is_not_a_token_and_expired_tokens_are_refused(carrier):
    sandbox, base = carrier
    track = {"status": "all", "language": "TH", "barcode": ["EF123456785TH"]}
    assert api(base, "/post/api/v1/track", track, API_KEY) == (401, {"detail": "Invalid token."})
    bearer = token(base)
    assert api(base, "/post/api/v1/track", track, bearer)[0] == 200
    sandbox.expire_tokens()
    assert api(base, "/post/api/v1/track", track, bearer) == (401, {"detail": "Invalid token."})


def test_a_booking_gets_an_ems_barcode_with_a_valid_check_digit(carrier):
    sandbox, base = carrier
    barcodes = {book_carrier(base, f"TALAT-D{n}") for n in range(12)}
    assert len(barcodes) == 12
    assert all(b.startswith("EF") and s10_valid(b) for b in barcodes)
    assert book_carrier(base, "TALAT-D3") in barcodes  # the same reference, the same barcode
    assert len(sandbox.parcels) == 12


def test_the_carrier_refuses_an_incomplete_booking(carrier):
    sandbox, base = carrier
    body = {"reference": "TALAT-X", **BOOKING, "receiver": {"name": "สมหญิง", "postcode": "1011"}, "weight": 0}
    status, answer = api(base, "/post/api/v1/shipments", body, token(base))
    assert status == 400 and answer["status"] is False
    for problem in (
        "receiver.phone is required",
        "receiver.postcode must be 5 digits",
        "weight must be grams",
    ):
        assert problem in answer["message"]
    assert sandbox.parcels == {}


def test_a_domestic_journey_is_pushed_as_thailand_post_hooks(carrier, receiver):
    sandbox, base = carrier
    barcode = book_carrier(base)
    for _ in range(4):
        assert control(base, f"/v1/shipments/{barcode}/advance")[0] == 200
    pushes = receiver.wait_for(4)
    assert {p["path"] for p in pushes} == {"/logistics/carrier"}
    events = [verify(p["body"], header=p["signature"], secret=CARRIER_HOOK_SECRET)[0] for p in pushes]
    assert [e.code for e in events] == ["picked_up", "at_hub", "out_for_delivery", "delivered"]
    assert [e.partner_status for e in events] == ["103", "201", "301", "501"]
    assert events[0].location == "ปณ.เมืองเชียงใหม่ 50200" and events[3].location == "ปณ.คลองเตย 10110"
    item = json.loads(pushes[3]["body"])["items"][0]
    assert item["status_description"] == "นำจ่ายสำเร็จ" and item["receiver_name"] == "สมหญิง รักไทย"
    year = int(item["status_date"].split(" ")[0].split("/")[2])
    assert year == datetime.now(BANGKOK).year + 543  # Buddhist era, as Thailand Post writes it in Thai
    assert events[3].occurred_at.year == datetime.now(UTC).year


def test_the_carrier_tracks_in_thai_and_english(carrier):
    sandbox, base = carrier
    barcode = book_carrier(base)
    sandbox.advance(barcode, deliver=False)
    bearer = token(base)
    thai = api(base, "/post/api/v1/track", {"status": "all", "language": "TH", "barcode": [barcode]}, bearer)[
        1
    ]
    english = api(
        base, "/post/api/v1/track", {"status": "all", "language": "EN", "barcode": [barcode]}, bearer
    )[1]
    [th], [en] = thai["response"]["items"][barcode], english["response"]["items"][barcode]
    assert (th["status"], th["status_description"], en["status_description"]) == ("103", "รับฝาก", "Accept")
    assert int(th["status_date"][6:10]) - int(en["status_date"][6:10]) == 543
    assert thai["message"] == "successful" and thai["status"] is True


def test_a_failed_delivery_is_an_exception_and_the_parcel_goes_on(carrier, receiver):
    sandbox, base = carrier
    barcode = book_carrier(base)
    for _ in range(3):
        sandbox.advance(barcode)
    sandbox.fail(barcode, reason="ไม่มีผู้รับ รอรับที่ที่ทำการ")
    sandbox.advance(barcode)
    pushes = receiver.wait_for(5)
    events = [verify(p["body"], header=p["signature"], secret=CARRIER_HOOK_SECRET)[0] for p in pushes]
    assert [e.partner_status for e in events] == ["103", "201", "301", "401", "501"]
    assert events[3].code == "exception"
    assert events[3].description == "นำจ่ายไม่สำเร็จ (ไม่มีผู้รับ รอรับที่ที่ทำการ)"


def test_an_accepted_parcel_cannot_be_cancelled(carrier):
    sandbox, base = carrier
    bearer = token(base)
    waiting, moving = book_carrier(base, "R1"), book_carrier(base, "R2")
    sandbox.advance(moving, deliver=False)
    assert api(base, "/post/api/v1/shipments/cancel", {"barcode": waiting}, bearer)[0] == 200
    status, answer = api(base, "/post/api/v1/shipments/cancel", {"barcode": moving}, bearer)
    assert status == 400 and "cannot be cancelled" in answer["message"]
    assert api(base, "/post/api/v1/shipments/cancel", {"barcode": "EF000000000TH"}, bearer)[0] == 404


def test_the_generator_moves_parcels_over_time(carrier, receiver):
    sandbox, base = carrier
    barcode = book_carrier(base)
    sandbox.start_generator(0.05)
    pushes = receiver.wait_for(4)
    sandbox.stop_generator()
    codes = [verify(p["body"], header=p["signature"], secret=CARRIER_HOOK_SECRET)[0].code for p in pushes]
    assert codes == ["picked_up", "at_hub", "out_for_delivery", "delivered"]
    assert sandbox.parcels[barcode].done


# Talat's side of the signature.


def signed(body: bytes, secret: bytes, at: float) -> str:
    return webhooks.sign(body, secret=secret, timestamp=int(at))


def hook_body() -> bytes:
    record = {
        "event_id": "evt_1",
        "barcode": "EF123456785TH",
        "status": "501",
        "status_description": "นำจ่ายสำเร็จ",
        "status_date": "05/01/2568 14:30:00+07:00",
        "location": "ปณ.คลองเตย",
        "postcode": "10110",
    }
    return json.dumps({"items": [record], "track_datetime": "05/01/2568 14:31+07:00"}).encode()


def test_verify_reads_a_thailand_post_hook():
    body = hook_body()
    [event] = verify(body, header=signed(body, CARRIER_HOOK_SECRET, time.time()), secret=CARRIER_HOOK_SECRET)
    assert (event.event_id, event.code, event.tracking_number) == ("evt_1", "delivered", "EF123456785TH")
    assert event.occurred_at == datetime(2025, 1, 5, 7, 30, tzinfo=UTC)  # 2568 BE, 14:30 in Bangkok


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "bad_signature"),
        ("t=abc,v1=00", "bad_signature"),
        ("v1=" + "0" * 64, "bad_signature"),
        ("t=1,v1=" + "0" * 64, "bad_signature"),
    ],
)
def test_verify_refuses_missing_or_garbled_signatures(header, code):
    with pytest.raises(BadWebhook) as refused:
        verify(hook_body(), header=header, secret=CARRIER_HOOK_SECRET)
    assert refused.value.code == code


def test_verify_refuses_another_secret_a_changed_body_and_a_stale_timestamp():
    body, now = hook_body(), time.time()
    with pytest.raises(BadWebhook, match="does not match"):
        verify(body, header=signed(body, b"another-secret", now), secret=CARRIER_HOOK_SECRET)
    with pytest.raises(BadWebhook, match="does not match"):
        verify(
            body.replace(b"501", b"401"),
            header=signed(body, CARRIER_HOOK_SECRET, now),
            secret=CARRIER_HOOK_SECRET,
        )
    with pytest.raises(BadWebhook) as stale:
        verify(body, header=signed(body, CARRIER_HOOK_SECRET, now - 301), secret=CARRIER_HOOK_SECRET, now=now)
    assert stale.value.code == "stale"
    assert verify(
        body, header=signed(body, CARRIER_HOOK_SECRET, now - 299), secret=CARRIER_HOOK_SECRET, now=now
    )


def test_verify_accepts_any_listed_signature_while_a_secret_rotates():
    body, now = hook_body(), int(time.time())
    old = signed(body, b"old-secret", now).split(",")[1]
    header = f"{signed(body, CARRIER_HOOK_SECRET, now)},{old}"
    assert verify(body, header=header, secret=b"old-secret")[0].event_id == "evt_1"
    assert verify(body, header=header, secret=CARRIER_HOOK_SECRET)[0].event_id == "evt_1"


def test_verify_refuses_a_body_it_cannot_read():
    for body in (b"not json", b"[]", b'{"something": "else"}', b'{"items": [{"barcode": "EF1"}]}'):
        with pytest.raises(BadWebhook) as refused:
            verify(body, header=signed(body, CARRIER_HOOK_SECRET, time.time()), secret=CARRIER_HOOK_SECRET)
        assert refused.value.code == "malformed"


def test_a_cainiao_push_sent_as_form_text_is_read_too():
    message = {
        "mailNo": "CNTH000000000001",
        "traceDetail": {
            "actionCode": "CC_IM_SUCCESS",
            "time": "2025-01-06 09:15:00",
            "timeZone": "GMT+8",
            "standardDesc": "Import cleared",
        },
    }
    body = json.dumps({"logistics_interface": json.dumps(message)}).encode()
    [event] = webhooks.parse(body)
    assert event.code == "import_cleared" and event.occurred_at == datetime(2025, 1, 6, 1, 15, tzinfo=UTC)
    assert event.event_id.startswith("evt_") and webhooks.parse(body)[0].event_id == event.event_id


# make demo.


def test_the_demo_apps_read_talats_environment(monkeypatch, tmp_path):
    secret_file = tmp_path / "hook-secret"
    secret_file.write_text("from-a-file\n")
    monkeypatch.setenv("TALAT_HUB_WEBHOOK_URL", "http://127.0.0.1:9/hub")
    monkeypatch.setenv("TALAT_HUB_WEBHOOK_SECRET_FILE", str(secret_file))
    monkeypatch.setenv("TALAT_HUB_PROVIDER_ID", "EEC_PROD")
    monkeypatch.setenv("TALAT_HUB_ADVANCE_S", "0")
    monkeypatch.setenv("TALAT_CARRIER_API_KEY", "key-from-env")
    monkeypatch.setenv("TALAT_CARRIER_ADVANCE_S", "0")
    hub_app, carrier_app = hub_module.make_demo_app(), carrier_module.make_demo_app()
    try:
        assert hub_app.webhook_url == "http://127.0.0.1:9/hub" and hub_app.webhook_secret == b"from-a-file"
        assert hub_app.providers == {"EEC_PROD": hub_module.DEMO_SECRET} and hub_app._generator is None
        assert carrier_app.api_keys == {"key-from-env"}
        assert carrier_app.webhook_url == carrier_module.DEMO_WEBHOOK_URL
    finally:
        hub_app.close()
        carrier_app.close()
