"""Product search: the index (`index_products`) and the query (`search`).

PostgreSQL: a generated tsvector over the segmented words (names weighted above the rest) with a
GIN index, prefix matching per word, ts_rank_cd ranking; when no product has every word, the
query relaxes to any word, then to trigram word similarity (misspellings). SQLite: an FTS5 table
with bm25 ranking and the same relaxation to any word. Only active products of verified
enterprises are ever returned. A query ranks at most CANDIDATES matches (and says when there were
more), so its cost stays flat however many products match.
"""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, Count, FloatField, Q, Value
from django.db.models.expressions import RawSQL

from talat.catalog.models import Product, ProductStatus, SearchEntry
from talat.catalog.search.words import joined, words
from talat.registry.models import VerificationStatus

MAX_TERMS = 12
CANDIDATES = 2_000  # matches ranked per query; a broader query says "more than 2,000"
# (code, lowest satang inclusive, highest satang exclusive or None)
PRICE_BANDS = [
    ("0-100", 0, 100_00),
    ("100-500", 100_00, 500_00),
    ("500-1000", 500_00, 1000_00),
    ("1000-", 1000_00, None),
]


def _band_q(code: str) -> Q:
    for band, low, high in PRICE_BANDS:
        if band == code:
            q = Q(min_price_satang__gte=low)
            return q & Q(min_price_satang__lt=high) if high is not None else q
    return Q(pk__in=[])


# ---------------------------------------------------------------- index


def entry_for(product: Product) -> SearchEntry:
    category, enterprise, province = product.category, product.enterprise, product.province
    prices = [v.price_satang for v in product.variants.all()]
    title = joined(product.name_th, product.name_en, product.name_zh)
    rest = joined(
        product.description_th, product.description_en, product.description_zh, product.brand,
        category.name_th, category.name_en, category.name_zh,
        province.name_th if province else "", province.name_en if province else "",
        enterprise.name_th, enterprise.name_en,
        " ".join(v.option_th + " " + v.option_en + " " + v.option_zh for v in product.variants.all()),
    )  # fmt: skip
    return SearchEntry(
        product_id=product.pk,
        enterprise_id=product.enterprise_id,
        title=title,
        tokens=f"{title} {rest}".strip(),
        active=product.status == ProductStatus.ACTIVE,
        category_id=product.category_id,
        province_code=product.province_code,
        min_price_satang=min(prices, default=0),
        certifications=" ".join(sorted(product.certifications)),
    )


def index_products(product_ids) -> int:
    """(Re)builds the search entries of these products; returns how many were written."""
    products = (
        Product.objects.filter(pk__in=list(product_ids))
        .select_related("enterprise", "category")
        .prefetch_related("variants")
    )
    entries = [entry_for(p) for p in products]
    SearchEntry.objects.bulk_create(
        entries,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["product"],
        update_fields=["enterprise", "title", "tokens", "active", "category", "province_code",
                       "min_price_satang", "certifications"],
    )  # fmt: skip
    return len(entries)


# ---------------------------------------------------------------- query


@dataclass
class Results:
    products: list[Product]
    count: int
    page: int
    pages: int
    page_size: int
    facets: dict = field(default_factory=dict)
    relaxed: bool = False  # no product had every word; these match some of them or look alike
    count_exact: bool = True  # False: more than `count` products match (only the first are ranked)


def _pg_query(terms: list[str], joiner: str) -> str:
    def lexeme(term: str) -> str:
        return "'" + term.replace("\\", "\\\\").replace("'", "''") + "':*"

    return f" {joiner} ".join(lexeme(t) for t in terms)


def _fts5_query(terms: list[str], joiner: str) -> str:
    return f" {joiner} ".join('"' + t.replace('"', '""') + '"*' for t in terms)


def _matching(terms: list[str], joiner: str):
    """(the condition a matching entry meets, its relevance score)."""
    if connection.vendor == "postgresql":
        tsquery = _pg_query(terms, "&" if joiner == "AND" else "|")
        return (
            RawSQL("catalog_searchentry.document @@ CAST(%s AS tsquery)", [tsquery], BooleanField()),
            RawSQL("ts_rank_cd(catalog_searchentry.document, CAST(%s AS tsquery))", [tsquery], FloatField()),
        )
    match = _fts5_query(terms, joiner)
    return (
        RawSQL(
            "catalog_searchentry.product_id IN"
            " (SELECT rowid FROM catalog_searchfts WHERE catalog_searchfts MATCH %s)",
            [match],
            BooleanField(),
        ),
        RawSQL(
            "(SELECT -bm25(catalog_searchfts, 4.0, 1.0) FROM catalog_searchfts"
            " WHERE catalog_searchfts MATCH %s AND rowid = catalog_searchentry.product_id)",
            [match],
            FloatField(),
        ),
    )


def _similar(text: str):
    """PostgreSQL only: entries with a word that looks like the query (pg_trgm)."""
    return (
        RawSQL("%s <%% catalog_searchentry.tokens", [text], BooleanField()),
        RawSQL("word_similarity(%s, catalog_searchentry.tokens)", [text], FloatField()),
    )


def _candidates(queryset, browse: bool) -> tuple[list[int], bool]:
    """At most CANDIDATES matching ids, and whether there were more. Ranking and facets then work
    on this bounded set, so a query matching half a million products costs what one matching
    two thousand does (the newest products when browsing without words)."""
    if browse:
        queryset = queryset.order_by("-product_id")
    ids = list(queryset.values_list("product_id", flat=True)[: CANDIDATES + 1])
    return ids[:CANDIDATES], len(ids) > CANDIDATES


def _facets(matched, filters: dict) -> dict:
    """Counts for each facet over the matches, with every other facet's filter applied."""

    def without(name):
        qs = matched
        for other, q in filters.items():
            if other != name and q is not None:
                qs = qs.filter(q)
        return qs

    categories = dict(
        without("category")
        .values_list("category__code")
        .annotate(n=Count("pk"))
        .values_list("category__code", "n")
    )
    provinces = dict(
        without("province")
        .values_list("province_code")
        .annotate(n=Count("pk"))
        .values_list("province_code", "n")
    )
    bands = without("price").aggregate(
        **{code: Count("pk", filter=_band_q(code)) for code, _l, _h in PRICE_BANDS}
    )
    certs = without("certification").aggregate(
        **{c: Count("pk", filter=Q(certifications__contains=c)) for c in ("fda", "gmp", "halal", "organic")}
    )
    return {"category": categories, "province": provinces, "price": bands, "certification": certs}


def search(
    q: str = "",
    *,
    category: str = "",
    province: str = "",
    price: str = "",
    certification: str = "",
    enterprise_id: int | None = None,
    page: int = 1,
    page_size: int = 20,
    with_facets: bool = True,
) -> Results:
    base = SearchEntry.objects.filter(active=True, enterprise__status=VerificationStatus.VERIFIED)
    if enterprise_id is not None:
        base = base.filter(enterprise_id=enterprise_id)
    terms = list(dict.fromkeys(words(q)))[:MAX_TERMS]
    relaxed = False
    if not terms:
        condition, score = None, Value(0.0, FloatField())
    else:
        condition, score = _matching(terms, "AND")
        if not base.filter(condition).exists():
            relaxed = True
            if len(terms) > 1:
                condition, score = _matching(terms, "OR")
            if connection.vendor == "postgresql" and not base.filter(condition).exists():
                condition, score = _similar(" ".join(terms))
    matched = base.filter(condition) if condition is not None else base
    filters = {
        "category": Q(category__code=category) if category else None,
        "province": Q(province_code=province) if province else None,
        "price": _band_q(price) if price else None,
        "certification": Q(certifications__contains=certification) if certification else None,
    }
    facets = {}
    if with_facets:
        ids, capped = _candidates(matched, browse=not terms)
        facets = _facets(SearchEntry.objects.filter(pk__in=ids) if capped else matched, filters)
    for q_filter in filters.values():
        if q_filter is not None:
            matched = matched.filter(q_filter)
    ids, capped = _candidates(matched, browse=not terms)
    count = len(ids)
    pages = max(1, -(-count // page_size))
    page = min(max(1, page), pages)
    start = (page - 1) * page_size
    ranked = list(
        SearchEntry.objects.filter(pk__in=ids)
        .annotate(score=score)
        .order_by("-score", "-product_id")
        .values_list("product_id", "score")[start : start + page_size]
    )
    by_id = (
        Product.objects.select_related("enterprise", "category")
        .prefetch_related("variants", "images")
        .in_bulk([pid for pid, _score in ranked])
    )
    products = []
    for pid, score in ranked:
        product = by_id[pid]
        product.score = round(float(score or 0), 6)
        products.append(product)
    return Results(products, count, page, pages, page_size, facets, relaxed, count_exact=not capped)
