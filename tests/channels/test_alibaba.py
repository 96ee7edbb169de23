"""Tmall Global and Alibaba.com connectors against the Alibaba open platform sandbox, over real HTTP
on loopback: what the partner receives, and what the caller sees."""

import hashlib
import hmac
import json
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from talat.catalog.models import Product, ProductImage, Variant
from talat.channels.connectors.alibaba import AlibabaComConnector, TmallGlobalConnector, top_sign
from talat.channels.connectors.base import (
    ChannelError,
    Credentials,
    ListingState,
    RateLimited,
    SignatureRejected,
    TemporaryFailure,
    TokenExpired,
)
from talat.channels.sandboxes.alibaba import AlibabaSandbox
from talat.channels.sandboxes.server import Running
from talat.governance import border
from talat.orders.models import Order
from tests.factories import agreement, enterprise, partner

pytestmark = pytest.mark.django_db

APP_KEY, APP_SECRET = "23456789", "sandbox-secret"
THB_PER_USD = Decimal("36.50")
LISTING_FIELDS = [
    "catalog.Product.name_th",
    "catalog.Product.name_en",
    "catalog.Product.name_zh",
    "catalog.Product.description_en",
    "catalog.Product.description_zh",
    "catalog.Variant.sku",
    "catalog.Variant.price_satang",
    "catalog.Variant.cny_price_fen",
    "catalog.Variant.available",
    "catalog.Variant.weight_g",
    "catalog.ProductImage.image",
]
PRODUCT = {
    "name_th": "ทุเรียนหมอนทองฟรีซดราย",
    "name_en": "Freeze-dried Monthong durian",
    "name_zh": "泰国冻干金枕榴莲",
    "description_th": "สูตรลับของสวนลุงชม ห้ามเผยแพร่",
    "description_en": "Crunchy durian from Chanthaburi.",
    "description_zh": "来自尖竹汶府的酥脆榴莲干。",
}
VARIANTS = [
    {"sku": "DUR-100", "price_satang": 25900, "cny_price_fen": 5990, "available": 40, "weight_g": 120,
     "barcode": "8850000000017"},
    {"sku": "DUR-250", "price_satang": 55000, "cny_price_fen": 12350, "available": 15, "weight_g": 280,
     "barcode": "8850000000024"},
]  # fmt: skip
IMAGE = {"image": "https://cdn.example.th/media/products/durian.jpg"}
MARKETS = {
    "tmall-global": ("Tmall Global", "ทีมอลล์ โกลบอล", TmallGlobalConnector, {}),
    "alibaba": ("Alibaba.com", "อาลีบาบา ดอทคอม", AlibabaComConnector, {"thb_per_usd": THB_PER_USD}),
}
# What each marketplace charges per SKU, in its currency's minor units: CNY fen as released; USD cents
# from THB satang at 36.50 baht per dollar, half up (25900 / 36.50 = 709.59; 55000 / 36.50 = 1506.85).
PRICES = {"tmall-global": ("CNY", [5990, 12350]), "alibaba": ("USD", [710, 1507])}


class Clock:
    """Shared by the sandbox and the connector: starts now, moves only when a test moves it."""

    def __init__(self):
        self.now = time.time()

    def __call__(self):
        return self.now


@pytest.fixture(autouse=True)
def _quick_passwords(settings):
    """The factories make officers with passwords; hashing them slowly proves nothing here."""


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def shop():
    return enterprise()


@pytest.fixture
def start(clock):
    """start(marketplace, **sandbox options) -> (sandbox, connector holding a token), with agreements."""
    with ExitStack() as stack:

        def start(marketplace, connector_options=None, **options):
            name_en, name_th, connector_class, extra = MARKETS[marketplace]
            seller = partner(marketplace, name_en, name_th, "CN")
            agreement(recipient=seller, purpose="listing", fields=LISTING_FIELDS, consent_required=False)
            agreement(recipient=seller, purpose="order_fulfilment", consent_required=False,
                      fields=["orders.Order.carrier", "orders.Order.tracking_number"])  # fmt: skip
            sandbox = AlibabaSandbox(APP_KEY, APP_SECRET, marketplace=marketplace, clock=clock, **options)
            url = stack.enter_context(Running(sandbox)).url
            settings = {"clock": clock, "min_interval": 0, **extra, **(connector_options or {})}
            credentials = Credentials(APP_KEY, APP_SECRET)
            connector = connector_class(partner=seller, base_url=url, credentials=credentials, **settings)
            connector.create_token(sandbox.authorize())
            return sandbox, connector

        yield start


def listing(connector, shop, product=PRODUCT, variants=VARIANTS):
    """Releases a product, its variants and its image to the connector's partner for listing."""
    seller = connector.channel.recipient

    def release(payload, source):
        return border.release(payload, source=source, recipient=seller, purpose="listing", subject=shop)

    return {"product": release(product, Product), "variants": [release(v, Variant) for v in variants],
            "images": [release(IMAGE, ProductImage)]}  # fmt: skip


def shipment(connector, shop, carrier="SF", tracking="SF1402238510123"):
    payload = {"carrier": carrier, "tracking_number": tracking}
    return border.release(payload, source=Order, recipient=connector.channel.recipient,
                          purpose="order_fulfilment", subject=shop)  # fmt: skip


def sent(sandbox, method):
    return [params for params in sandbox.requests if params.get("method") == method]


def by_hand(params, secret, sign_method):
    """The documented algorithm, written out again here: sort by name, join name+value, digest."""
    joined = "".join(name + params[name] for name in sorted(params) if name != "sign" and params[name])
    if sign_method == "md5":
        return hashlib.md5((secret + joined + secret).encode()).hexdigest().upper()
    return hmac.new(secret.encode(), joined.encode(), hashlib.sha256).hexdigest().upper()


# Signing ------------------------------------------------------------------------------------------


def test_signature_matches_vectors_computed_by_hand():
    # The TOP documentation's example: foo=1, bar=2, foo_bar=3, foobar=4 joins to "bar2foo1foo_bar3foobar4".
    # Digests computed outside Python: `echo -n helloworldbar2foo1foo_bar3foobar4helloworld | md5sum` and
    # `echo -n bar2foo1foo_bar3foobar4 | openssl dgst -sha256 -hmac helloworld`.
    documented = {"foo": "1", "bar": "2", "foo_bar": "3", "foobar": "4"}
    assert top_sign(documented, "helloworld", "md5") == "5AAF1C690262A24768F5478B084C2C8A"
    assert top_sign(documented, "helloworld", "hmac-sha256") == (
        "339676BF36C50A8BD3D8F6B4A81B2F9AA614B05BFCFEBEFC169CB830D6B77D3B"
    )
    # `sign` itself and empty values are not signed.
    assert top_sign({**documented, "sign": "X", "partner_id": ""}, "helloworld", "md5") == (
        "5AAF1C690262A24768F5478B084C2C8A"
    )
    # A whole request: system parameters, a business parameter, UTF-8 Chinese text.
    request = {"method": "taobao.item.seller.get", "app_key": "12345678", "session": "test",
               "timestamp": "2016-01-01 12:00:00", "format": "json", "v": "2.0", "sign_method": "md5",
               "num_iid": "11223344", "fields": "num_iid,title,nick,price,num"}  # fmt: skip
    assert top_sign(request, "helloworld", "md5") == "66987CB115214E59E6EC978214934FB8"
    chinese = {"method": "taobao.item.add", "app_key": "12345678", "session": "test", "format": "json",
               "timestamp": "2016-01-01 12:00:00", "v": "2.0", "sign_method": "hmac-sha256",
               "title": "冻干榴莲"}  # fmt: skip
    assert top_sign(chinese, "helloworld", "hmac-sha256") == (
        "12547B3A5CD249B68ABEF1B562754892DF8D4A127E58C1F44051145BAE767FB2"
    )


@pytest.mark.parametrize("sign_method", ["md5", "hmac-sha256"])
def test_every_request_carries_the_system_parameters_and_a_signature_the_partner_can_redo(
    start, shop, clock, sign_method
):
    sandbox, connector = start("tmall-global", connector_options={"sign_method": sign_method})
    connector.publish(**listing(connector, shop), idempotency_key="pub-1")
    [request] = sent(sandbox, "taobao.item.add")
    assert request["app_key"] == APP_KEY
    assert request["session"] == connector.credentials.access_token
    assert (request["format"], request["v"], request["sign_method"]) == ("json", "2.0", sign_method)
    # yyyy-MM-dd HH:mm:ss in GMT+8
    expected = datetime.fromtimestamp(clock.now, UTC) + timedelta(hours=8)
    assert request["timestamp"] == expected.strftime("%Y-%m-%d %H:%M:%S")
    assert request["sign"] == by_hand(request, APP_SECRET, sign_method)


def test_a_wrong_secret_is_refused_as_a_bad_signature_and_nothing_is_kept(start, shop):
    sandbox, connector = start("tmall-global")
    connector.credentials.app_secret = "not-the-secret"
    with pytest.raises(SignatureRejected) as refused:
        connector.publish(**listing(connector, shop), idempotency_key="pub-1")
    assert (refused.value.code, refused.value.retryable) == ("25", False)
    assert sandbox.items == {}


def test_a_timestamp_off_by_more_than_ten_minutes_is_refused(start, shop, clock):
    sandbox, connector = start("alibaba")
    connector.clock = lambda: clock.now - 11 * 60
    with pytest.raises(ChannelError) as refused:
        connector.pull_orders(since=datetime.now(UTC))
    assert (refused.value.code, refused.value.message) == ("31", "时间戳与服务器相差超过10分钟")
    assert sent(sandbox, "alibaba.seller.order.list")  # the request arrived; the gateway refused it


def test_an_expired_session_is_refused_until_the_token_is_refreshed(start, shop):
    sandbox, connector = start("alibaba")
    published = connector.publish(**listing(connector, shop), idempotency_key="pub-1")
    first = connector.credentials
    sandbox.expire_tokens()
    with pytest.raises(TokenExpired) as refused:
        connector.listing_status(published.partner_item_id)
    assert (refused.value.code, refused.value.retryable) == ("27", True)

    renewed = connector.refresh_token()
    assert renewed.access_token != first.access_token and renewed.expires_at > datetime.now(UTC)
    assert connector.listing_status(published.partner_item_id).state == ListingState.LIVE
    [refresh] = sent(sandbox, "taobao.top.auth.token.refresh")
    assert refresh["refresh_token"] == first.refresh_token and "session" not in refresh
    # A refresh token works once.
    connector.credentials = first
    with pytest.raises(ChannelError, match="refresh_token"):
        connector.refresh_token()


# Listings ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("marketplace", ["tmall-global", "alibaba"])
def test_a_listing_is_pending_during_review_then_live(start, shop, clock, marketplace):
    sandbox, connector = start(marketplace, review_seconds=60)
    published = connector.publish(**listing(connector, shop), idempotency_key="pub-1")
    assert published.state == ListingState.PENDING and published.partner_item_id in sandbox.items
    assert connector.listing_status(published.partner_item_id).state == ListingState.PENDING
    clock.now += 61
    live = connector.listing_status(published.partner_item_id)
    assert (live.partner_item_id, live.state) == (published.partner_item_id, ListingState.LIVE)


def test_tmall_global_receives_the_chinese_title_and_yuan_prices(start, shop):
    sandbox, connector = start("tmall-global")
    connector.publish(**listing(connector, shop), idempotency_key="pub-1")
    [request] = sent(sandbox, "taobao.item.add")
    assert (request["title"], request["desc"]) == (PRODUCT["name_zh"], PRODUCT["description_zh"])
    assert (request["price"], request["sku_prices"]) == ("59.90", "59.90,123.50")
    assert (request["sku_outer_ids"], request["sku_quantities"]) == ("DUR-100,DUR-250", "40,15")
    assert request["num"] == "55"
    assert (request["outer_id"], request["pic_path"]) == ("pub-1", IMAGE["image"])
    [item] = sandbox.items.values()
    assert [(sku["code"], sku["price"], sku["quantity"]) for sku in item["skus"]] == [
        ("DUR-100", Decimal("59.90"), 40), ("DUR-250", Decimal("123.50"), 15)
    ]  # fmt: skip


def test_alibaba_receives_the_english_title_and_dollar_prices(start, shop):
    sandbox, connector = start("alibaba")
    connector.publish(**listing(connector, shop), idempotency_key="pub-1")
    [request] = sent(sandbox, "alibaba.icbu.product.add")
    assert (request["subject"], request["description"]) == (PRODUCT["name_en"], PRODUCT["description_en"])
    assert (request["language"], request["product_type"]) == ("ENGLISH", "wholesale")
    assert json.loads(request["wholesale_trade"]) == {
        "price": "7.10", "min_order_quantity": 1, "sale_type": "normal", "weight": "0.280"
    }  # fmt: skip
    assert json.loads(request["product_sku"]) == {"special_skus": [
        {"sku_code": "DUR-100", "price": "7.10", "inventory_dto_list": [{"current_inventory": 40}]},
        {"sku_code": "DUR-250", "price": "15.07", "inventory_dto_list": [{"current_inventory": 15}]},
    ]}  # fmt: skip
    assert json.loads(request["main_image"]) == {"images": [IMAGE["image"]]}
    assert json.loads(request["extra_context"]) == {"outer_id": "pub-1"}


@pytest.mark.parametrize(
    ("marketplace", "product", "variants", "reason"),
    [
        ("tmall-global", PRODUCT, [{**v, "cny_price_fen": None} for v in VARIANTS], "人民币售价"),
        ("tmall-global", {**PRODUCT, "name_zh": ""}, VARIANTS, "中文标题"),
        ("tmall-global", PRODUCT, [{**VARIANTS[0], "cny_price_fen": 0}], "必须大于0"),
        ("alibaba", {**PRODUCT, "name_en": ""}, VARIANTS, "subject"),
        ("alibaba", PRODUCT, [{**VARIANTS[0], "price_satang": 0}], "0.01"),
    ],
)
def test_an_item_the_partner_refuses_comes_back_rejected_with_its_reason(
    start, shop, marketplace, product, variants, reason
):
    sandbox, connector = start(marketplace)
    result = connector.publish(**listing(connector, shop, product, variants), idempotency_key="pub-1")
    assert (result.state, result.partner_item_id) == (ListingState.REJECTED, "")
    assert reason in result.reason
    assert sandbox.items == {}


@pytest.mark.parametrize("marketplace", ["tmall-global", "alibaba"])
def test_publishing_twice_with_the_same_key_makes_one_item(start, shop, marketplace):
    sandbox, connector = start(marketplace)
    first = connector.publish(**listing(connector, shop), idempotency_key="pub-1")
    again = connector.publish(**listing(connector, shop), idempotency_key="pub-1")
    assert again.partner_item_id == first.partner_item_id
    assert list(sandbox.items) == [first.partner_item_id]
    other = connector.publish(**listing(connector, shop), idempotency_key="pub-2")
    assert other.partner_item_id != first.partner_item_id and len(sandbox.items) == 2


@pytest.mark.parametrize("marketplace", ["tmall-global", "alibaba"])
def test_price_and_stock_updates_arrive(start, shop, marketplace):
    sandbox, publisher = start(marketplace)
    published = publisher.publish(**listing(connector=publisher, shop=shop), idempotency_key="pub-1")
    # A fresh connector (as a later job gets) knows nothing of the publish: it finds the SKUs itself.
    _name_en, _name_th, connector_class, extra = MARKETS[marketplace]
    url = str(publisher.channel.client.base_url)
    seller, credentials = publisher.channel.recipient, publisher.credentials
    connector = connector_class(
        partner=seller, base_url=url, credentials=credentials, min_interval=0, **extra
    )
    changed = [{**VARIANTS[0], "available": 7, "price_satang": 26900, "cny_price_fen": 6290}, VARIANTS[1]]
    connector.update_price_stock(variants=listing(connector, shop, variants=changed)["variants"],
                                 idempotency_key="sync-1")  # fmt: skip
    item = sandbox.items[published.partner_item_id]
    skus = {sku["code"]: (sku["price"], sku["quantity"]) for sku in item["skus"]}
    if marketplace == "tmall-global":
        assert skus == {"DUR-100": (Decimal("62.90"), 7), "DUR-250": (Decimal("123.50"), 15)}
        assert [r["quantity"] for r in sent(sandbox, "taobao.item.quantity.update")] == ["7", "15"]
    else:
        assert skus == {"DUR-100": (Decimal("7.37"), 7), "DUR-250": (Decimal("15.07"), 15)}  # 26900 / 36.50
        [update] = sent(sandbox, "alibaba.icbu.product.update.field")
        assert update["product_id"] == published.partner_item_id


# Orders ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("marketplace", ["tmall-global", "alibaba"])
def test_orders_come_back_paged_with_exact_minor_units(start, shop, clock, marketplace):
    sandbox, connector = start(marketplace)
    connector.publish(**listing(connector, shop), idempotency_key="pub-1")
    sandbox.place_order("DUR-100", 1, buyer_name="Old order")  # before `since`: not pulled
    clock.now += 3600
    since = datetime.fromtimestamp(clock.now - 60, UTC)
    wanted = [("DUR-100", 2), ("DUR-250", 1), ("DUR-100", 3), ("DUR-250", 4), ("pub-1", 1)]
    placed = [sandbox.place_order(sku, quantity, buyer_name="王芳", country="CN") for sku, quantity in wanted]
    with pytest.raises(ValueError, match="only 10 of DUR-250 left"):
        sandbox.place_order("DUR-250", 11)
    connector.page_size = 2

    orders = connector.pull_orders(since=since)

    currency, (small, large) = PRICES[marketplace]
    assert sorted(order.order_number for order in orders) == sorted(placed)
    lines = {order.order_number: order.lines[0] for order in orders}
    got = [
        (line.seller_sku, line.quantity, line.unit_price_minor, line.currency)
        for line in map(lines.get, placed)
    ]
    assert got == [
        ("DUR-100", 2, small, currency), ("DUR-250", 1, large, currency), ("DUR-100", 3, small, currency),
        ("DUR-250", 4, large, currency), ("DUR-100", 1, small, currency),
    ]  # fmt: skip
    assert all(isinstance(line.unit_price_minor, int) for line in lines.values())
    assert {(order.buyer_name, order.buyer_country, order.status) for order in orders} == {
        ("王芳", "CN", "WAIT_SELLER_SEND_GOODS")
    }
    # Tmall Global gives the time to the second in GMT+8; Alibaba.com in epoch milliseconds.
    placed_at = int(clock.now) if marketplace == "tmall-global" else int(clock.now * 1000) / 1000
    assert {order.ordered_at for order in orders} == {datetime.fromtimestamp(placed_at, UTC)}
    if marketplace == "tmall-global":
        assert [r["page_no"] for r in sent(sandbox, "taobao.trades.sold.get")] == ["1", "2", "3"]
    else:
        pages = [json.loads(r["param_trade_ecology_order_list_query"])["start_page"]
                 for r in sent(sandbox, "alibaba.seller.order.list")]  # fmt: skip
        assert pages == [0, 1, 2]


@pytest.mark.parametrize("marketplace", ["tmall-global", "alibaba"])
def test_the_shipment_reaches_the_partner(start, shop, marketplace):
    sandbox, connector = start(marketplace)
    connector.publish(**listing(connector, shop), idempotency_key="pub-1")
    number = sandbox.place_order("DUR-100", 2)
    connector.acknowledge(number)
    connector.mark_shipped(number, shipment=shipment(connector, shop), idempotency_key="ship-1")
    connector.mark_shipped(number, shipment=shipment(connector, shop), idempotency_key="ship-1")  # a retry
    assert sandbox.orders[number]["shipment"] == ("SF", "SF1402238510123")
    assert sandbox.orders[number]["status"] in ("WAIT_BUYER_CONFIRM_GOODS", "WAIT_BUYER_ACCEPT_GOODS")
    with pytest.raises(ChannelError, match="已用另一运单号发货"):
        other = shipment(connector, shop, tracking="SF999")
        connector.mark_shipped(number, shipment=other, idempotency_key="ship-2")
    with pytest.raises(ChannelError) as unknown:
        connector.acknowledge("4100999999999")
    assert unknown.value.code == "isv.trade-not-exist"
    if marketplace == "tmall-global":
        first = sent(sandbox, "taobao.logistics.offline.send")[0]
        assert (first["tid"], first["company_code"], first["out_sid"]) == (number, "SF", "SF1402238510123")
    else:
        first = json.loads(sent(sandbox, "alibaba.seller.order.shipping")[0]["shipping_request"])
        assert first == {"trade_id": number, "logistics_type": "EXPRESS", "service_provider": "SF",
                         "tracking_number": "SF1402238510123"}  # fmt: skip


# Limits and failures --------------------------------------------------------------------------------


def test_the_partners_rate_limit_is_reported_as_rate_limited(start, clock):
    sandbox, connector = start("tmall-global", rate_limit_per_second=3)  # the token exchange was call 1
    since = datetime.now(UTC)
    connector.pull_orders(since=since)
    connector.pull_orders(since=since)
    with pytest.raises(RateLimited) as limited:
        connector.pull_orders(since=since)
    assert (limited.value.code, limited.value.retry_after, limited.value.retryable) == ("7", 1.0, True)
    clock.now += 1.5
    assert connector.pull_orders(since=since) == []


def test_the_connector_keeps_its_minimum_interval_between_calls(start):
    sandbox, connector = start("alibaba", connector_options={"min_interval": 0.2})
    began = time.monotonic()
    for _ in range(3):
        connector.pull_orders(since=datetime.now(UTC))
    assert time.monotonic() - began >= 0.4
    assert len(sent(sandbox, "alibaba.seller.order.list")) == 3


def test_server_errors_and_network_trouble_are_temporary(start):
    sandbox, connector = start("tmall-global")
    bad_gateway = httpx.MockTransport(lambda request: httpx.Response(502))
    seller, credentials = connector.channel.recipient, connector.credentials
    failing = TmallGlobalConnector(partner=seller, base_url="http://tmall.invalid", credentials=credentials,
                                   min_interval=0, transport=bad_gateway)  # fmt: skip
    with pytest.raises(TemporaryFailure) as failed:
        failing.pull_orders(since=datetime.now(UTC))
    assert (failed.value.code, failed.value.retryable) == ("502", True)
    closed = TmallGlobalConnector(partner=connector.channel.recipient, base_url="http://127.0.0.1:9",
                                  credentials=connector.credentials, min_interval=0)  # fmt: skip
    with pytest.raises(TemporaryFailure) as unreachable:
        closed.pull_orders(since=datetime.now(UTC))
    assert unreachable.value.code == "network"


@pytest.mark.parametrize("marketplace", ["tmall-global", "alibaba"])
def test_an_unreleased_field_never_reaches_the_partner(start, shop, marketplace):
    sandbox, connector = start(marketplace)
    connector.publish(**listing(connector, shop), idempotency_key="pub-1")
    connector.update_price_stock(variants=listing(connector, shop)["variants"], idempotency_key="sync-1")
    everything = json.dumps(sandbox.requests, ensure_ascii=False)
    assert PRODUCT["name_en" if marketplace == "alibaba" else "name_zh"] in everything  # released, so sent
    for unreleased in (PRODUCT["description_th"], VARIANTS[0]["barcode"], VARIANTS[1]["barcode"]):
        assert unreleased not in everything


def test_the_consent_page_hands_back_a_one_time_code_for_the_token_exchange(start):
    sandbox, connector = start("tmall-global")
    url = str(connector.channel.client.base_url).rstrip("/")
    page = httpx.get(f"{url}/authorize", params={"client_id": APP_KEY, "redirect_uri": "https://talat.test/cb",
                                                 "state": "s-1"})  # fmt: skip
    assert page.status_code == 302
    location = httpx.URL(page.headers["location"])
    assert (location.host, location.params["state"]) == ("talat.test", "s-1")
    credentials = connector.create_token(location.params["code"])
    assert credentials.access_token and credentials.refresh_token
    with pytest.raises(ChannelError) as reused:
        connector.create_token(location.params["code"])
    assert reused.value.code == "isv.invalid-code"
    assert httpx.get(f"{url}/authorize", params={"client_id": "someone-else"}).status_code == 400


def test_the_demo_generator_orders_live_items_with_stock(start, shop, clock):
    sandbox, connector = start("alibaba")
    connector.publish(**listing(connector, shop), idempotency_key="pub-1")
    sandbox.start_generator(0.01)
    deadline = time.monotonic() + 5
    while len(sandbox.orders) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    sandbox.stop_generator()
    orders = connector.pull_orders(since=datetime.fromtimestamp(clock.now - 60, UTC))
    assert len(orders) >= 3
    assert {line.seller_sku for order in orders for line in order.lines} <= {"DUR-100", "DUR-250"}
    [item] = sandbox.items.values()
    ordered = sum(line.quantity for order in orders for line in order.lines)
    assert sum(sku["quantity"] for sku in item["skus"]) == 55 - ordered >= 0
