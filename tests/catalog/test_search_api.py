"""GET /api/v1/catalog/search: the storefront search as JSON."""

import pytest

from tests.factories import enterprise, product, verified_enterprise

pytestmark = pytest.mark.django_db


def test_search_answers_products_with_names_enterprise_province_price_and_score(client):
    shop = verified_enterprise(name_th="ร้านทุเรียน")
    item = product(
        shop, name_th="ทุเรียนอบแห้ง", name_en="Dried durian", name_zh="泰国榴莲干", price_satang=25_000
    )
    product(enterprise(), name_th="ทุเรียนของร้านที่ยังไม่ผ่านการตรวจสอบ")
    body = client.get("/api/v1/catalog/search", {"q": "ทุเรียน อบแห้ง"}).json()
    assert body["count"] == 1 and body["count_exact"] and body["page"] == 1 and body["pages"] == 1
    hit = body["items"][0]
    assert hit["id"] == item.pk and hit["name"] == "ทุเรียนอบแห้ง" and hit["name_zh"] == "泰国榴莲干"
    assert hit["enterprise"] == {"id": shop.pk, "name": "ร้านทุเรียน"}
    assert hit["province_code"] == "22" and hit["province"] == "จันทบุรี"
    assert hit["price_satang"] == 25_000 and hit["currency"] == "THB" and hit["score"] > 0
    english = client.get("/api/v1/catalog/search", {"q": "泰国榴莲干", "lang": "en"}).json()
    assert english["items"][0]["name"] == "Dried durian" and english["items"][0]["province"] == "Chanthaburi"
    chinese = client.get("/api/v1/catalog/search", {"q": "durian", "lang": "zh"}).json()
    assert chinese["items"][0]["name"] == "泰国榴莲干"


def test_paging_and_bad_parameters(client):
    shop = verified_enterprise()
    for n in range(3):
        product(shop, name_th=f"สบู่สมุนไพร {n}")
    body = client.get("/api/v1/catalog/search", {"q": "สบู่", "page_size": 2, "page": 2}).json()
    assert body["count"] == 3 and body["pages"] == 2 and len(body["items"]) == 1
    bad = client.get("/api/v1/catalog/search", {"q": "สบู่", "lang": "fr"})
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_request"
    assert client.get("/api/v1/catalog/search", {"page_size": 1000}).status_code == 422
