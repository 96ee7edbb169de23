"""The Lazada connector against the Lazada sandbox, over real HTTP on loopback: what the partner
receives, and what the caller sees."""

import dataclasses
import json
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from talat.catalog.models import Product, ProductImage, Variant
from talat.channels.connectors import lazada as connector_module
from talat.channels.connectors.base import (
    ChannelError,
    Credentials,
    ListingState,
    PartnerOrderLine,
    RateLimited,
    SignatureRejected,
    TemporaryFailure,
    TokenExpired,
)
from talat.channels.connectors.lazada import LazadaConnector
from talat.channels.sandboxes import lazada as sandbox_module
from talat.channels.sandboxes.lazada import LazadaSandbox
from talat.channels.sandboxes.server import Running
from talat.governance import border
from talat.orders.models import Order
from tests.factories import agreement, enterprise, partner

pytestmark = pytest.mark.django_db

APP_KEY, APP_SECRET = "100123", "sandbox-secret"
LISTING_FIELDS = [
    "catalog.Product.name_th",
    "catalog.Product.name_en",
    "catalog.Product.description_en",
    "catalog.Product.brand",
    "catalog.Product.category",
    "catalog.Variant.sku",
    "catalog.Variant.price_satang",
    "catalog.Variant.available",
    "catalog.Variant.weight_g",
    "catalog.Variant.length_mm",
    "catalog.Variant.width_mm",
    "catalog.Variant.height_mm",
    "catalog.ProductImage.image",
]
PRODUCT = {
    "name_th": "ข้าวหอมมะลิอินทรีย์ 1 กก.",
    "name_en": "Organic Hom Mali rice 1 kg",
    "description_th": "สูตรลับของบ้านนา ห้ามเผยแพร่",
    "description_en": "Jasmine rice from Thung Kula Rong Hai.",
    "brand": "บ้านนา",
    "category": "rice",
}
VARIANT = {
    "sku": "RICE-1KG",
    "price_satang": 12814,
    "available": 40,
    "weight_g": 1050,
    "length_mm": 250,
    "width_mm": 150,
    "height_mm": 60,
}
IMAGE = {"image": "https://cdn.example.th/media/products/rice.jpg"}


class Clock:
    """The sandbox's clock: starts now, moves only when a test moves it."""

    def __init__(self):
        self.now = time.time()

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def lazada():
    return partner("lazada", "Lazada", "ลาซาด้า", "TH")


@pytest.fixture
def shop():
    return enterprise()


@pytest.fixture
def start(lazada, clock):
    """start(**sandbox options) -> (sandbox, connector holding a token from Lazada's code exchange)."""
    with ExitStack() as stack:

        def start(**options):
            sandbox = LazadaSandbox(APP_KEY, APP_SECRET, clock=clock, **options)
            url = stack.enter_context(Running(sandbox)).url + "/rest"
            connector = LazadaConnector(
                partner=lazada, base_url=url, credentials=Credentials(APP_KEY, APP_SECRET), min_interval=0
            )
            connector.create_token(sandbox.authorize())
            return sandbox, connector

        yield start


def listing(lazada, shop, fields=LISTING_FIELDS):
    """Releases a product, its variant and its image to Lazada for listing."""
    agreement(recipient=lazada, purpose="listing", fields=fields, consent_required=False)

    def release(payload, source):
        return border.release(payload, source=source, recipient=lazada, purpose="listing", subject=shop)

    return {
        "product": release(PRODUCT, Product),
        "variants": [release(VARIANT, Variant)],
        "images": [release(IMAGE, ProductImage)],
    }


def sent(sandbox, path):
    return [request["params"] for request in sandbox.requests if request["path"] == path]


def test_signature_matches_the_documented_vectors():
    # Lazada's own example (Signature algorithm / HTTP request sample): secret "helloworld".
    documented = {
        "app_key": "123456",
        "access_token": "test",
        "timestamp": "1517820392000",
        "sign_method": "sha256",
        "order_id": "1234",
    }
    expected = "4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A"
    assert connector_module.sign("helloworld", "/order/get", documented) == expected
    # Computed by hand over "/product/price_quantity/updateaccess_tokenTHtoken-1app_key100123payload{...}
    # sign_methodsha256timestamp1751356800000" (UTF-8), HMAC-SHA256 keyed "sandbox-secret".
    params = {
        "timestamp": "1751356800000",
        "sign_method": "sha256",
        "app_key": "100123",
        "access_token": "THtoken-1",
        "sign": "ignored",
        "payload": '{"Request":{"Product":{"Skus":{"Sku":[{"SellerSku":"ข้าว-1","Price":"129.33"}]}}}}',
    }
    expected = "CC384527B23991FF1D400DB2CB8ACD33570D225F9EB5CF6096AD8075905F55E4"
    assert connector_module.sign("sandbox-secret", "/product/price_quantity/update", params) == expected
    assert sandbox_module.sign("sandbox-secret", "/product/price_quantity/update", params) == expected


def test_what_reaches_lazada_is_signed_with_the_common_parameters(start, lazada, shop):
    sandbox, connector = start()
    connector.pull_orders(since=datetime.now(UTC))
    params = sent(sandbox, "/orders/get")[0]
    assert params["app_key"] == APP_KEY
    assert params["sign_method"] == "sha256"
    assert params["access_token"] == connector.credentials.access_token
    assert abs(int(params["timestamp"]) - time.time() * 1000) < 60_000
    assert params["sign"] == connector_module.sign(APP_SECRET, "/orders/get", params)


def test_a_wrong_secret_is_refused_and_lazada_keeps_nothing(lazada, shop, clock):
    sandbox = LazadaSandbox(APP_KEY, APP_SECRET, clock=clock)
    with Running(sandbox) as running:
        url = running.url + "/rest"
        good = LazadaConnector(partner=lazada, base_url=url, credentials=Credentials(APP_KEY, APP_SECRET))
        wrong = dataclasses.replace(good.create_token(sandbox.authorize()), app_secret="not-the-secret")
        connector = LazadaConnector(partner=lazada, base_url=url, credentials=wrong)
        with pytest.raises(SignatureRejected) as refused:
            connector.publish(**listing(lazada, shop), idempotency_key="k1")
    assert refused.value.code == "IncompleteSignature" and not refused.value.retryable
    assert sandbox.requests[-1]["path"] == "/product/create"  # it reached Lazada, which refused it
    assert sandbox.items == {} and sandbox.skus == {}


def test_a_gateway_refusal_is_raised_not_taken_for_lazadas_verdict_on_the_listing(lazada, shop, clock):
    sandbox = LazadaSandbox(APP_KEY, APP_SECRET, clock=clock)
    with Running(sandbox) as running:
        stranger = Credentials("not-our-app", APP_SECRET, access_token="t")
        connector = LazadaConnector(partner=lazada, base_url=running.url + "/rest", credentials=stranger)
        with pytest.raises(ChannelError) as refused:
            connector.publish(**listing(lazada, shop), idempotency_key="k1")
    assert (refused.value.code, refused.value.message) == (
        "InvalidAppKey",
        "The specified app key is invalid",
    )
    assert sandbox.items == {}


def test_an_expired_token_raises_and_a_refresh_fixes_it(start, clock):
    sandbox, connector = start()
    old = connector.credentials
    sandbox.expire_tokens()
    with pytest.raises(TokenExpired):
        connector.pull_orders(since=datetime.now(UTC))
    renewed = connector.refresh_token()
    assert renewed.access_token != old.access_token and renewed.refresh_token != old.refresh_token
    assert renewed.expires_at.tzinfo == UTC
    assert timedelta(days=7, seconds=-10) < renewed.expires_at - datetime.now(UTC) <= timedelta(days=7)
    refresh = sent(sandbox, "/auth/token/refresh")[0]
    assert refresh["refresh_token"] == old.refresh_token and "access_token" not in refresh
    assert connector.pull_orders(since=datetime.now(UTC)) == []


def test_publish_is_pending_until_lazada_reviews_it_then_live(start, lazada, shop, clock):
    sandbox, connector = start(review_seconds=60)
    result = connector.publish(**listing(lazada, shop), idempotency_key="k1")
    assert result.state == ListingState.PENDING and result.partner_item_id
    assert connector.listing_status(result.partner_item_id).state == ListingState.PENDING
    clock.now += 61
    assert connector.listing_status(result.partner_item_id).state == ListingState.LIVE
    product = json.loads(sent(sandbox, "/product/create")[0]["payload"])["Request"]["Product"]
    assert product["PrimaryCategory"] == connector_module.CATEGORY_IDS["rice"]
    assert product["Attributes"] == {
        "name": PRODUCT["name_th"],
        "description": PRODUCT["description_en"],
        "brand": PRODUCT["brand"],
    }
    assert product["Skus"]["Sku"] == [
        {
            "SellerSku": "RICE-1KG",
            "price": "128.14",
            "quantity": "40",
            "package_weight": "1.05",
            "package_length": "25",
            "package_width": "15",
            "package_height": "6",
        }
    ]
    assert product["Images"] == {"Image": [IMAGE["image"]]}


def test_a_listing_lacking_a_required_field_is_rejected_with_lazadas_reason(start, lazada, shop):
    sandbox, connector = start()
    without_weight = [field for field in LISTING_FIELDS if field != "catalog.Variant.weight_g"]
    result = connector.publish(**listing(lazada, shop, fields=without_weight), idempotency_key="k1")
    assert result.state == ListingState.REJECTED and result.partner_item_id == ""
    assert result.reason == "Product validation failed: package_weight of RICE-1KG is mandatory"
    assert "package_weight" not in sent(sandbox, "/product/create")[0]["payload"]
    assert sandbox.items == {}


def test_publishing_twice_lists_the_product_once(start, lazada, shop):
    sandbox, connector = start()
    released = listing(lazada, shop)
    first = connector.publish(**released, idempotency_key="k1")
    again = connector.publish(**released, idempotency_key="k1")
    assert again.partner_item_id == first.partner_item_id and again.state == ListingState.LIVE
    assert (
        len(sent(sandbox, "/product/create")) == 2
    )  # Lazada answered 4135 (SellerSku exists), so we looked:
    assert [params["seller_sku"] for params in sent(sandbox, "/product/item/get")] == ["RICE-1KG"]
    assert len(sandbox.items) == 1 and list(sandbox.skus) == ["RICE-1KG"]


def test_price_and_stock_updates_reach_lazada(start, lazada, shop):
    sandbox, connector = start()
    connector.publish(**listing(lazada, shop), idempotency_key="k1")
    change = {"sku": "RICE-1KG", "price_satang": 11900, "available": 7}
    variant = border.release(change, source=Variant, recipient=lazada, purpose="listing", subject=shop)
    connector.update_price_stock(variants=[variant], idempotency_key="k2")
    payload = json.loads(sent(sandbox, "/product/price_quantity/update")[0]["payload"])
    assert payload == {
        "Request": {
            "Product": {"Skus": {"Sku": [{"SellerSku": "RICE-1KG", "Price": "119.00", "Quantity": "7"}]}}
        }
    }
    stored = sandbox.skus["RICE-1KG"]
    assert (stored["price"], stored["quantity"]) == (Decimal("119.00"), 7)


def test_orders_come_back_paged_with_exact_satang(start, lazada, shop, clock):
    sandbox, connector = start()
    connector.publish(**listing(lazada, shop), idempotency_key="k1")
    since = datetime.fromtimestamp(clock.now, UTC) - timedelta(minutes=1)
    numbers = [sandbox.place_order("RICE-1KG", 3, buyer_name="นภา ใจงาม")]
    numbers += [sandbox.place_order("RICE-1KG", 1, buyer_name="Tan Wei Ming", country="SG") for _ in range(4)]
    with pytest.raises(ValueError, match="in stock"):
        sandbox.place_order("RICE-1KG", 34)  # 40 - 7 left
    connector.page_size = 2
    orders = connector.pull_orders(since=since)
    assert [order.order_number for order in orders] == numbers
    assert [params["offset"] for params in sent(sandbox, "/orders/get")] == ["0", "2", "4"]
    first, last = orders[0], orders[-1]
    shop_sku = sandbox.skus["RICE-1KG"]["ShopSku"]
    assert first.lines == [PartnerOrderLine("RICE-1KG", 3, 12814, "THB", shop_sku)]  # float would say 12813
    assert (first.buyer_name, first.buyer_country, first.status) == ("นภา ใจงาม", "TH", "pending")
    assert (last.buyer_name, last.buyer_country) == ("Tan Wei Ming", "SG")
    assert first.ordered_at == datetime.fromtimestamp(int(clock.now), UTC)
    assert first.ordered_at.tzinfo == UTC


def test_lazadas_rate_limit_yields_rate_limited(start, clock):
    sandbox, connector = start(rate_limit_per_second=1)  # the token exchange took this second's call
    with pytest.raises(RateLimited) as limited:
        connector.pull_orders(since=datetime.now(UTC))
    assert limited.value.code == "ApiCallLimit" and limited.value.retry_after == 1.0
    clock.now += 1
    assert connector.pull_orders(since=datetime.now(UTC)) == []


def test_the_connector_spaces_its_own_calls(start):
    sandbox, connector = start()
    connector.min_interval = 0.2
    connector.pull_orders(since=datetime.now(UTC))
    connector.pull_orders(since=datetime.now(UTC))
    first, second = (int(params["timestamp"]) for params in sent(sandbox, "/orders/get"))
    assert second - first >= 200


def test_network_trouble_is_a_temporary_failure(lazada):
    connector = LazadaConnector(
        partner=lazada,
        base_url="http://127.0.0.1:9/rest",
        min_interval=0,
        credentials=Credentials(APP_KEY, APP_SECRET, access_token="t"),
    )
    with pytest.raises(TemporaryFailure) as failed:
        connector.listing_status("1")
    assert failed.value.retryable


def test_a_field_the_agreement_does_not_release_never_reaches_lazada(start, lazada, shop):
    sandbox, connector = start()
    connector.publish(**listing(lazada, shop), idempotency_key="k1")
    everything = json.dumps(sandbox.requests, ensure_ascii=False)
    assert PRODUCT["name_th"] in everything and PRODUCT["description_en"] in everything
    assert PRODUCT["description_th"] not in everything


def test_mark_shipped_sends_the_released_tracking_number_once(start, lazada, shop):
    sandbox, connector = start()
    connector.publish(**listing(lazada, shop), idempotency_key="k1")
    number = sandbox.place_order("RICE-1KG", 2)
    connector.acknowledge(number)
    assert sandbox.requests[-1]["path"] == "/product/create"  # Lazada has no acknowledge: nothing sent
    agreement(
        recipient=lazada,
        purpose="order_fulfilment",
        consent_required=False,
        fields=["orders.Order.carrier", "orders.Order.tracking_number"],
    )
    shipment = border.release(
        {"carrier": "Kerry Express", "tracking_number": "KEX123456789TH"},
        source=Order,
        recipient=lazada,
        purpose="order_fulfilment",
        subject=shop,
    )
    connector.mark_shipped(number, shipment=shipment, idempotency_key="k2")
    connector.mark_shipped(number, shipment=shipment, idempotency_key="k2")
    items = sandbox.orders[0]["items"]
    assert {(i["status"], i["shipment_provider"], i["tracking_code"]) for i in items} == {
        ("ready_to_ship", "Kerry Express", "KEX123456789TH")
    }
    assert len(sent(sandbox, "/order/pack")) == 1 and len(sent(sandbox, "/order/rts")) == 1
    rts = sent(sandbox, "/order/rts")[0]
    assert json.loads(rts["order_item_ids"]) == [i["order_item_id"] for i in items]


def test_the_order_generator_sells_live_stock_that_pull_orders_brings_back(start, lazada, shop, clock):
    sandbox, connector = start()
    connector.publish(**listing(lazada, shop), idempotency_key="k1")
    since = datetime.fromtimestamp(clock.now, UTC) - timedelta(minutes=1)
    sandbox.start_generator(0.01)
    deadline = time.monotonic() + 10
    while len(sandbox.orders) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    sandbox.stop_generator()
    orders = connector.pull_orders(since=since)
    assert len(orders) >= 3
    assert {(line.seller_sku, line.quantity, line.unit_price_minor) for o in orders for line in o.lines} == {
        ("RICE-1KG", 1, 12814)
    }
    assert all(o.buyer_country in {"TH", "SG", "MY"} for o in orders)


def test_the_demo_sandbox_has_fixed_keys_and_five_seconds_of_review():
    demo = sandbox_module.make_demo_app()
    demo.stop_generator()
    assert demo.apps == {"lazada-demo-app": "lazada-demo-secret"} and demo.review_seconds == 5
