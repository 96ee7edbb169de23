"""The national storefront as a shopper sees it: search with facets, product pages with structured
data, shop pages, the cart, and orders that hold stock."""

import json
import re

import pytest
from django.utils import timezone

from talat.catalog.models import Variant
from talat.orders.models import Order, OrderStatus
from tests.factories import ADDRESS, CHECKOUT, enterprise, product, verified_enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return verified_enterprise(name_th="วิสาหกิจชุมชนทุเรียนจันท์")


def test_search_page_in_three_languages(client, shop):
    product(shop, name_th="ทุเรียนอบแห้ง", name_en="Dried durian", name_zh="泰国榴莲干")
    product(shop, name_th="ผ้าไหมมัดหมี่", name_en="Mudmee silk", name_zh="泰国丝绸")
    page = client.get("/store/search/", {"q": "ทุเรียน อบแห้ง"}).content.decode()
    assert "ทุเรียนอบแห้ง" in page and "ผ้าไหมมัดหมี่" not in page and "พบ 1 รายการ" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/store/search/", {"q": "silk"}).content.decode()
    assert "Mudmee silk" in page and "Dried durian" not in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get("/store/search/", {"q": "泰国榴莲干"}).content.decode()
    assert "泰国榴莲干" in page and "泰国丝绸" not in page


def test_htmx_search_answers_the_results_fragment(client, shop):
    product(shop, name_th="กาแฟดอยช้าง")
    fragment = client.get("/store/search/", {"q": "กาแฟ"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="results"' in fragment and "<html" not in fragment and "กาแฟดอยช้าง" in fragment


def test_facet_links_filter_the_results(client, shop):
    product(shop, name_th="ข้าวหอมมะลิ", certifications=["organic"], price_satang=9_000)
    product(shop, name_th="ข้าวเหนียว", price_satang=60_000)
    page = client.get("/store/search/", {"q": "ข้าว", "cert": "organic"}).content.decode()
    assert "ข้าวหอมมะลิ" in page and "ข้าวเหนียว" not in page
    assert "เกษตรอินทรีย์" in page


def test_product_page_carries_schema_org_product(client, shop):
    item = product(shop, name_th="ทุเรียนอบแห้ง", price_satang=25_050, stock=4)
    page = client.get(f"/store/p/{item.uid}/").content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["@type"] == "Product" and data["name"] == "ทุเรียนอบแห้ง"
    assert data["offers"][0]["price"] == "250.50" and data["offers"][0]["priceCurrency"] == "THB"
    assert data["offers"][0]["availability"] == "https://schema.org/InStock"
    assert "฿250.50" in page


def test_products_of_unverified_shops_are_not_for_sale(client):
    item = product(enterprise(), name_th="สินค้ารอตรวจ")
    assert client.get(f"/store/p/{item.uid}/").status_code == 404
    assert "สินค้ารอตรวจ" not in client.get("/store/search/", {"q": "สินค้า"}).content.decode()


def test_shop_page_shows_its_products(client, shop):
    product(shop, name_th="ทุเรียนทอด")
    page = client.get(f"/store/shop/{shop.uid}/").content.decode()
    assert "วิสาหกิจชุมชนทุเรียนจันท์" in page and "ทุเรียนทอด" in page


def test_cart_to_order_holds_the_stock_and_refuses_more_than_there_is(client, shop):
    item = product(shop, name_th="ทุเรียนอบแห้ง", stock=2, price_satang=10_000)
    variant = Variant.objects.get(product=item)
    too_many = client.post("/store/cart/add/", {"variant": variant.pk, "quantity": 3}, follow=True)
    assert "สินค้ามีไม่พอ" in too_many.content.decode()
    client.post("/store/cart/add/", {"variant": variant.pk, "quantity": 2})
    cart = client.get("/store/cart/").content.decode()
    assert "฿200" in cart
    checkout = client.get("/store/checkout/").content.decode()
    assert "฿200" in checkout and "฿40" in checkout and "฿240" in checkout  # goods, delivery, total
    missing_name = client.post("/store/checkout/", {**CHECKOUT, "buyer_name": ""})
    assert missing_name.status_code == 422 and Order.objects.count() == 0
    wrong_postcode = client.post("/store/checkout/", {**CHECKOUT, "postal_code": "10200"})
    assert wrong_postcode.status_code == 422 and "22000" in wrong_postcode.content.decode()
    assert Order.objects.count() == 0
    placed = client.post("/store/checkout/", CHECKOUT, follow=True)
    assert "ชำระเงินด้วยพร้อมเพย์" in placed.content.decode()
    order = Order.objects.get()
    assert order.status == OrderStatus.AWAITING_PAYMENT and order.total_minor == 24_000
    assert order.shipping_minor == 4_000 and order.subdistrict_code == "220101"
    assert order.buyer_name == "สมชาย ใจดี" and order.buyer_phone == "+66812345678"
    variant.refresh_from_db()
    assert (variant.available, variant.reserved) == (0, 2)
    assert "สินค้าหมด" in client.get(f"/store/p/{item.uid}/").content.decode()


def test_the_seller_writes_the_story_their_shop_page_tells(client, shop):
    client.force_login(shop.owner)
    story = {"story_th": "สวนทุเรียนสามรุ่นที่จันทบุรี", "story_en": "Three generations", "story_zh": "三代榴莲园"}
    client.post("/store/my-shop/", story)
    assert "สวนทุเรียนสามรุ่นที่จันทบุรี" in client.get(f"/store/shop/{shop.uid}/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "三代榴莲园" in client.get(f"/store/shop/{shop.uid}/").content.decode()


def test_unpaid_orders_expire_and_give_their_stock_back(shop):
    from django.utils import timezone

    from talat.orders import services as orders
    from talat.storefront.cart import CartLine
    from talat.storefront.services import place_orders

    variant = Variant.objects.get(product=product(shop, stock=2))
    payment = place_orders(lines=[CartLine(variant, 2)], buyer_name="ผู้ซื้อที่ไม่จ่าย", address=ADDRESS)
    order = payment.orders.get()
    assert orders.expire_unpaid(older_than=order.placed_at) == []
    assert orders.expire_unpaid(older_than=timezone.now() + timezone.timedelta(seconds=1)) == [variant.pk]
    order.refresh_from_db()
    variant.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and (variant.available, variant.reserved) == (2, 0)


def test_only_product_pictures_are_served(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "imports").mkdir()
    (tmp_path / "imports" / "list.csv").write_text("เลขประจำตัวผู้เสียภาษีของร้าน")
    for path in ("/media/products/%2e%2e/imports/list.csv", "/media/products/../imports/list.csv",
                 "/media/imports/list.csv"):  # fmt: skip
        response = client.get(path)
        assert response.status_code in (400, 404), path


def test_prices_without_a_yuan_list_price_show_the_bank_of_thailand_rate(client, shop, exchange_rates):
    from talat.ledger import rates

    item = product(shop, name_th="ผ้าไหมมัดหมี่", price_satang=50_000)
    page = client.get(f"/store/p/{item.uid}/").content.decode()
    expected = rates.convert(50_000, "CNY", on=timezone.localdate())
    assert f"≈ ¥{expected / 100:,.2f}" in page and "อัตราอ้างอิงธนาคารแห่งประเทศไทย" in page


def test_a_buyer_in_china_sees_import_taxes_and_goods_off_the_list_are_refused(client, shop, exchange_rates):
    durian = Variant.objects.get(product=product(shop, name_th="ทุเรียนอบแห้ง", price_satang=50_000))
    bamboo = Variant.objects.get(product=product(shop, name_th="ไม้ไผ่จักสาน", hs_code="14011000"))
    shenzhen = "广东省深圳市南山区科技园路 88 号"
    abroad = {**CHECKOUT, "buyer_country": "CN", "shipping_method": "cross_border", "postal_code": "518057",
              "buyer_phone": "+8613800138000", "address_line": shenzhen}  # fmt: skip
    client.post("/store/cart/add/", {"variant": durian.pk, "quantity": 1})
    shown = client.get("/store/checkout/landed-cost/", {"buyer_country": "CN"}).content.decode()
    assert "ภาษีมูลค่าเพิ่ม" in shown and "CNY" in shown and "รวมภาษี" in shown
    client.post("/store/cart/add/", {"variant": bamboo.pk, "quantity": 1})
    refused = client.post("/store/checkout/", abroad)
    assert refused.status_code == 422 and "ไม้ไผ่" in refused.content.decode()
    assert not Order.objects.exists()
    client.post("/store/cart/", {f"qty-{bamboo.pk}": 0})
    placed = client.post("/store/checkout/", abroad)
    assert placed.status_code == 302 and Order.objects.get().buyer_country == "CN"
