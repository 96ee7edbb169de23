"""Talat's logistics connectors against the partner sandboxes, over real HTTP on loopback: what the
partner receives (only what the border released, correctly signed), what the caller gets back, and
that tracking by call and by webhook tell the same story."""

import json
import threading
from contextlib import ExitStack
from datetime import UTC, datetime

import pytest

from talat.catalog.models import Variant
from talat.channels.sandboxes.server import Running
from talat.governance import border
from talat.logistics.connectors import cainiao, thaipost
from talat.logistics.connectors.base import AuthenticationFailed, LogisticsError, TrackingCode
from talat.logistics.connectors.cainiao import CainiaoConnector
from talat.logistics.connectors.thaipost import ThaiPostConnector
from talat.logistics.sandboxes import carrier as carrier_module
from talat.logistics.sandboxes import hub as hub_module
from talat.logistics.webhooks import verify
from talat.orders.models import Order, OrderLine
from talat.registry.models import Enterprise
from tests.factories import agreement, enterprise, partner

pytestmark = pytest.mark.django_db

PROVIDER, SECRET = "TALAT_TEST", "hub-test-secret"
API_KEY = "carrier-test-key"
HOOK_SECRET = b"logistics-hook-test-secret"
FIELDS = [
    "orders.Order.buyer_name",
    "orders.Order.buyer_phone",
    "orders.Order.address_line",
    "orders.Order.postal_code",
    "orders.Order.subdistrict_code",
    "orders.Order.district_code",
    "orders.Order.province_code",
    "orders.Order.buyer_country",
    "orders.Order.channel_order_number",
    "orders.Order.currency",
    "orders.OrderLine.sku",
    "orders.OrderLine.name",
    "orders.OrderLine.quantity",
    "orders.OrderLine.unit_price_minor",
    "catalog.Variant.sku",
    "catalog.Variant.weight_g",
    "registry.Enterprise.name_en",
    "registry.Enterprise.name_th",
    "registry.Enterprise.phone",
    "registry.Enterprise.address_line",
    "registry.Enterprise.district_code",
    "registry.Enterprise.province_code",
    "registry.Enterprise.postal_code",
]
CROSS_BORDER = {
    "buyer_name": "王芳",
    "buyer_phone": "+86 138 0013 8000",
    "buyer_email": "wang.fang@example.cn",  # not in the agreement: must never reach the partner
    "address_line": "深圳市南山区科技园 1 号",
    "postal_code": "518057",
    "buyer_country": "CN",
    "channel_order_number": "TM-20250105-0001",
    "currency": "THB",
}
DOMESTIC = {
    "buyer_name": "สมหญิง รักไทย",
    "buyer_phone": "0812345678",
    "buyer_email": "somying@example.th",
    "address_line": "99/1 ถนนสุขุมวิท",
    "subdistrict_code": "103301",
    "district_code": "1033",
    "province_code": "10",
    "postal_code": "10110",
    "buyer_country": "TH",
    "channel_order_number": "TL-0001",
}
LINE = {"sku": "DURIAN-250", "name": "Freeze-dried durian 250 g", "quantity": 2, "unit_price_minor": 25_000}
VARIANT = {"sku": "DURIAN-250", "weight_g": 300}


class Receiver:
    """Talat's webhook endpoint stand-in: keeps every push it is sent."""

    def __init__(self):
        self.received: list[dict] = []
        self.condition = threading.Condition()

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        with self.condition:
            self.received.append({"body": body, "signature": environ.get("HTTP_X_TALAT_SIGNATURE")})
            self.condition.notify_all()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]

    def events(self, count: int, timeout: float = 5) -> list:
        with self.condition:
            assert self.condition.wait_for(lambda: len(self.received) >= count, timeout)
            pushes = list(self.received)
        return [
            event for p in pushes for event in verify(p["body"], header=p["signature"], secret=HOOK_SECRET)
        ]


@pytest.fixture
def servers():
    with ExitStack() as stack:
        receiver = Receiver()
        receiver.url = stack.enter_context(Running(receiver)).url + "/notify"
        hub = hub_module.make_app(
            providers={PROVIDER: SECRET},
            webhook_url=receiver.url,
            webhook_secret=HOOK_SECRET,
            retry_delays=(0.05,),
        )
        carrier = carrier_module.make_app(
            api_keys=(API_KEY,), webhook_url=receiver.url, webhook_secret=HOOK_SECRET, retry_delays=(0.05,)
        )
        hub.url = stack.enter_context(Running(hub)).url
        carrier.url = stack.enter_context(Running(carrier)).url
        yield hub, carrier, receiver
        hub.close()
        carrier.close()


@pytest.fixture
def shop():
    return enterprise()


@pytest.fixture
def eec():
    found = partner()  # Cainiao, China
    agreement(recipient=found, purpose="logistics", fields=FIELDS, consent_required=False)
    return found


@pytest.fixture
def post():
    found = partner("thailandpost", "Thailand Post", "ไปรษณีย์ไทย", "TH")
    agreement(recipient=found, purpose="logistics", fields=FIELDS, consent_required=False)
    return found


def released(recipient, shop, consignment, *, lines=(LINE,), variants=(VARIANT,)):
    def release(payload, source):
        return border.release(payload, source=source, recipient=recipient, purpose="logistics", subject=shop)

    sender = {
        "name_en": shop.name_en,
        "name_th": shop.name_th,
        "phone": shop.phone,
        "address_line": shop.address_line,
        "district_code": shop.district_code,
        "province_code": shop.province_code,
        "postal_code": shop.postal_code,
    }
    items = [release(line, OrderLine) for line in lines] + [release(v, Variant) for v in variants]
    return release(consignment, Order), items, release(sender, Enterprise)


def hub_connector(eec, hub, **options):
    settings = {"provider_id": PROVIDER, "secret": SECRET, **options}
    return CainiaoConnector(partner=eec, base_url=hub.url, **settings)


def post_connector(post, carrier, api_key=API_KEY):
    return ThaiPostConnector(partner=post, base_url=carrier.url, api_key=api_key)


# The cross-border hub.


def test_the_hub_receives_only_what_the_border_released(servers, eec, shop):
    hub, _carrier, _receiver = servers
    consignment, items, sender = released(eec, shop, CROSS_BORDER)
    booking = hub_connector(eec, hub).create_shipment(
        consignment, idempotency_key="ship-1", items=items, sender=sender
    )
    [request] = hub.requests
    message = request["message"]
    assert request["msg_type"] == CainiaoConnector.ORDER_CREATE and request["provider"] == PROVIDER
    assert message["outOrderId"] == "ship-1"
    assert message["receiverParam"] == {
        "name": "王芳",
        "mobilePhone": "+86 138 0013 8000",
        "address": {"country": "CN", "detailAddress": "深圳市南山区科技园 1 号", "zipCode": "518057"},
    }
    assert "wang.fang@example.cn" not in json.dumps(message, ensure_ascii=False)
    [package] = message["packageParams"]
    assert package["weight"] == 600  # two 300 g units: the line and its variant, merged by SKU
    assert package["price"] == "500.00" and package["currency"] == "THB"
    assert package["itemParams"] == [
        {
            "itemId": "DURIAN-250",
            "englishName": "Freeze-dried durian 250 g",
            "quantity": 2,
            "unitPrice": "250.00",
            "currency": "THB",
            "weight": 300,
        }
    ]
    assert message["senderParam"]["address"] == {
        "country": "TH",
        "province": "Chiang Mai",
        "city": "Mueang Chiang Mai",
        "detailAddress": "12 ถนนราชวิถี",
        "zipCode": "50200",
    }
    assert message["tradeOrderParam"] == {"tradeOrderId": "TM-20250105-0001"}
    parcel = hub.parcels[booking.tracking_number]
    assert (booking.partner_reference, parcel.reference) == (parcel.partner_reference, "ship-1")
    assert booking.label_reference.endswith(f"{booking.tracking_number}.pdf")


def test_booking_again_with_the_same_key_books_nothing_new(servers, eec, shop):
    hub, _carrier, _receiver = servers
    consignment, items, sender = released(eec, shop, CROSS_BORDER)
    connector = hub_connector(eec, hub)
    first = connector.create_shipment(consignment, idempotency_key="ship-2", items=items, sender=sender)
    again = connector.create_shipment(consignment, idempotency_key="ship-2", items=items, sender=sender)
    assert first == again and len(hub.parcels) == 1


def test_a_wrong_secret_or_provider_is_refused_as_a_configuration_fault(servers, eec, shop):
    hub, _carrier, _receiver = servers
    consignment, items, sender = released(eec, shop, CROSS_BORDER)
    for options, code in (({"secret": "not-the-secret"}, "S02"), ({"provider_id": "NOBODY"}, "S01")):
        with pytest.raises(AuthenticationFailed) as refused:
            hub_connector(eec, hub, **options).create_shipment(
                consignment, idempotency_key="k", items=items, sender=sender
            )
        assert refused.value.code == code and not refused.value.retryable
    assert hub.parcels == {}


def test_what_the_hub_refuses_is_reported_with_its_reasons(servers, eec, shop):
    hub, _carrier, _receiver = servers
    consignment, items, sender = released(eec, shop, CROSS_BORDER, variants=())  # no weight released
    with pytest.raises(LogisticsError) as refused:
        hub_connector(eec, hub).create_shipment(consignment, idempotency_key="k", items=items, sender=sender)
    assert refused.value.code == "PARAM_ERROR" and "packageParams.weight" in refused.value.message


def test_a_payload_that_did_not_pass_the_border_is_never_sent(servers, eec):
    hub, _carrier, _receiver = servers
    with pytest.raises(TypeError, match="released by the border"):
        hub_connector(eec, hub).create_shipment(CROSS_BORDER, idempotency_key="k")
    assert hub.requests == []


def test_tracking_by_call_tells_what_the_webhooks_told(servers, eec, shop):
    hub, _carrier, receiver = servers
    consignment, items, sender = released(eec, shop, CROSS_BORDER)
    connector = hub_connector(eec, hub, solution_code="EEC_ROAD_R3A")
    booking = connector.create_shipment(consignment, idempotency_key="ship-3", items=items, sender=sender)
    for _ in range(8):
        hub.advance(booking.tracking_number)
    pushed = receiver.events(8)
    tracked = connector.track(booking.tracking_number)
    assert tracked == sorted(pushed, key=lambda e: e.occurred_at)
    assert [e.code for e in tracked] == [c.value for c in TrackingCode if c != TrackingCode.EXCEPTION]
    assert tracked[4].location == "Kunming, Yunnan, CN"
    assert all(e.occurred_at.tzinfo == UTC for e in tracked)


def test_pickup_and_cancel(servers, eec, shop):
    hub, _carrier, _receiver = servers
    consignment, items, sender = released(eec, shop, CROSS_BORDER)
    connector = hub_connector(eec, hub)
    first = connector.create_shipment(consignment, idempotency_key="a", items=items, sender=sender)
    second = connector.create_shipment(consignment, idempotency_key="b", items=items, sender=sender)
    pickup = connector.request_pickup(
        [first.tracking_number, second.tracking_number], idempotency_key="p1", sender=sender
    )
    assert pickup.reference.startswith("PK") and pickup.window_end > pickup.window_start > datetime.now(UTC)
    assert pickup.window_start.astimezone(thaipost.BANGKOK).hour == 9
    connector.cancel(first.tracking_number, idempotency_key="c1")
    connector.cancel(first.tracking_number, idempotency_key="c1")
    assert hub.parcels[first.tracking_number].cancelled
    hub.advance(second.tracking_number, deliver=False)
    with pytest.raises(LogisticsError) as refused:
        connector.cancel(second.tracking_number, idempotency_key="c2")
    assert refused.value.code == "ORDER_CANNOT_CANCEL"
    with pytest.raises(LogisticsError) as unknown:
        connector.track("CNTH999999999999")
    assert unknown.value.code == "MAIL_NO_NOT_EXIST"


# The domestic carrier.


def test_the_carrier_books_a_valid_ems_barcode_from_released_data(servers, post, shop):
    _hub, carrier, _receiver = servers
    consignment, items, sender = released(post, shop, DOMESTIC)
    booking = post_connector(post, carrier).create_shipment(
        consignment, idempotency_key="d-1", items=items, sender=sender
    )
    assert thaipost.is_valid_s10(booking.tracking_number) and booking.tracking_number.startswith("EF")
    [token_call, book] = carrier.requests
    assert token_call["path"] == ThaiPostConnector.TOKEN_PATH
    assert book["body"]["receiver"] == {
        "name": "สมหญิง รักไทย",
        "phone": "0812345678",
        "address": "99/1 ถนนสุขุมวิท",
        "subdistrict": "คลองเตย",
        "district": "เขตคลองเตย",
        "province": "กรุงเทพมหานคร",
        "postcode": "10110",
    }
    assert book["body"]["weight"] == 600 and book["body"]["reference"] == "d-1"
    assert book["body"]["sender"]["province"] == "เชียงใหม่"
    assert "somying@example.th" not in json.dumps(book["body"], ensure_ascii=False)


def test_a_wrong_api_key_is_refused(servers, post, shop):
    _hub, carrier, _receiver = servers
    consignment, items, sender = released(post, shop, DOMESTIC)
    with pytest.raises(AuthenticationFailed) as refused:
        post_connector(post, carrier, api_key="wrong").create_shipment(
            consignment, idempotency_key="d-2", items=items, sender=sender
        )
    assert refused.value.message == "Invalid token."
    assert carrier.parcels == {}


def test_an_expired_token_is_renewed_without_the_caller_noticing(servers, post, shop):
    _hub, carrier, _receiver = servers
    connector = post_connector(post, carrier)
    consignment, items, sender = released(post, shop, DOMESTIC)
    booking = connector.create_shipment(consignment, idempotency_key="d-3", items=items, sender=sender)
    carrier.expire_tokens()
    assert connector.track(booking.tracking_number) == []
    assert [r["path"] for r in carrier.requests].count(ThaiPostConnector.TOKEN_PATH) == 2


def test_domestic_tracking_by_call_and_by_webhook_agree(servers, post, shop):
    _hub, carrier, receiver = servers
    connector = post_connector(post, carrier)
    consignment, items, sender = released(post, shop, DOMESTIC)
    booking = connector.create_shipment(consignment, idempotency_key="d-4", items=items, sender=sender)
    for _ in range(3):
        carrier.advance(booking.tracking_number)
    carrier.fail(booking.tracking_number, reason="ไม่มีผู้รับ")
    carrier.advance(booking.tracking_number)
    pushed = receiver.events(5)
    tracked = connector.track(booking.tracking_number)
    assert {e.event_id: e for e in tracked} == {e.event_id: e for e in pushed}
    assert [e.code for e in pushed] == ["picked_up", "at_hub", "out_for_delivery", "exception", "delivered"]
    pickup = connector.request_pickup([booking.tracking_number], idempotency_key="pu-1", sender=sender)
    assert pickup.window_start.astimezone(thaipost.BANGKOK).hour == 13


# The partners' status codes, as Talat's.


@pytest.mark.parametrize(
    ("action_code", "code"),
    [
        ("PU_PICKUP_SUCCESS", "picked_up"),
        ("SC_INBOUND_SUCCESS", "at_hub"),
        ("CC_EX_SUCCESS", "export_cleared"),
        ("LH_HO_AIRLINE", "departed"),
        ("LH_DEPART", "departed"),
        ("LH_ARRIVE", "arrived"),
        ("CC_IM_SUCCESS", "import_cleared"),
        ("GTMS_DO_DEPART", "out_for_delivery"),
        ("GTMS_SIGNED", "delivered"),
        ("CC_IM_FAILURE", "exception"),
        ("GTMS_SOMETHING_FAILED", "exception"),
        ("GWMS_ACCEPT", None),
    ],
)
def test_cainiao_action_codes(action_code, code):
    assert cainiao.talat_code(action_code) == code


@pytest.mark.parametrize(
    ("status", "code"),
    [
        ("101", None),
        ("103", "picked_up"),
        ("201", "at_hub"),
        ("205", "arrived"),
        ("208", "departed"),
        ("301", "out_for_delivery"),
        ("302", "out_for_delivery"),
        ("401", "exception"),
        ("203", "exception"),
        ("501", "delivered"),
        ("901", None),
    ],
)
def test_thailand_post_status_codes(status, code):
    assert thaipost.talat_code(status) == code


def test_partner_times_become_utc():
    assert cainiao.trace_time("2025-01-06 09:15:00", "GMT+8") == datetime(2025, 1, 6, 1, 15, tzinfo=UTC)
    assert cainiao.trace_time("2025-01-06 09:15:00", "Asia/Bangkok") == datetime(
        2025, 1, 6, 2, 15, tzinfo=UTC
    )
    assert thaipost.status_time("19/07/2562 18:12:26+07:00") == datetime(2019, 7, 19, 11, 12, 26, tzinfo=UTC)
    assert thaipost.status_time("19/07/2019 18:12:26+07:00") == datetime(2019, 7, 19, 11, 12, 26, tzinfo=UTC)
