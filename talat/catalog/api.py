"""/api/v1/catalog/search: the storefront's search as JSON, open to anyone (public product data)."""

import geothai
from django.utils import translation
from ninja import Field, Query, Router, Schema

from talat.catalog.models import localized
from talat.catalog.search.engine import search

router = Router(tags=["catalog"])

LANGUAGES = {"th": "th", "en": "en", "zh": "zh-hans"}


class SearchIn(Schema):
    q: str = Field("", max_length=200, description="words in Thai, English or Chinese")
    lang: str = Field("th", pattern="^(th|en|zh)$", description="language of `name` and `province`")
    category: str = Field("", max_length=32)
    province: str = Field("", pattern=r"^(\d{2})?$")
    price: str = Field("", pattern=r"^(0-100|100-500|500-1000|1000-)?$")
    certification: str = Field("", pattern="^(fda|gmp|halal|organic)?$")
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=100)


class EnterpriseRef(Schema):
    id: int
    name: str


class ProductHit(Schema):
    id: int
    uid: str
    name: str
    name_th: str
    name_en: str
    name_zh: str
    enterprise: EnterpriseRef
    province_code: str
    province: str
    price_satang: int
    currency: str = "THB"
    score: float


class SearchOut(Schema):
    items: list[ProductHit]
    count: int = Field(description="matching products; a lower bound when `count_exact` is false")
    count_exact: bool
    page: int
    pages: int
    page_size: int
    relaxed: bool
    facets: dict


@router.get("/catalog/search", response=SearchOut, auth=None, summary="Search products")
def search_products(request, params: Query[SearchIn]):
    """Active products of verified enterprises; Thai text is segmented (ทุเรียน อบแห้ง finds
    ทุเรียนอบแห้ง), every word must match and the last one may be the start of a word (ข้าวหอ finds
    ข้าวหอมมะลิ), ranked by relevance. `relaxed` is true when no product had every word and the
    results match some of them or, on PostgreSQL, words that look alike (misspellings)."""
    with translation.override(LANGUAGES[params.lang]):
        results = search(
            params.q, category=params.category, province=params.province, price=params.price,
            certification=params.certification, page=params.page, page_size=params.page_size,
        )  # fmt: skip
        items = [
            {
                "id": p.pk, "uid": str(p.uid), "name": p.name, "name_th": p.name_th, "name_en": p.name_en,
                "name_zh": p.name_zh,
                "enterprise": {"id": p.enterprise_id, "name": p.enterprise.display_name},
                "province_code": p.province_code,
                "province": localized(geothai.province(p.province_code), "name") if p.province_code else "",
                "price_satang": p.price_satang,
                "score": p.score,
            }
            for p in results.products
        ]  # fmt: skip
    return {"items": items, "count": results.count, "count_exact": results.count_exact, "page": results.page,
            "pages": results.pages, "page_size": results.page_size, "relaxed": results.relaxed,
            "facets": results.facets}  # fmt: skip
