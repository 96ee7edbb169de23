"""Product search: the index (`index_products`) and the query (`search`).

PostgreSQL: a generated tsvector over the segmented words (names weighted above the rest) with a
GIN index, prefix matching per word, ts_rank_cd ranking; when no product has every word, the
query relaxes to any word, then to trigram word similarity (misspellings). SQLite: an FTS5 table
with bm25 ranking and the same relaxation to any word. Only active products of verified
enterprises are ever returned. A query ranks at most CANDIDATES matches (and says when there were
more), so its cost stays flat however many products match.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import BooleanField, FloatField, Q, Value
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


@dataclass(frozen=True)
class _Row:
    product_id: int
    category: str
    province: str
    price: int
    certifications: tuple[str, ...]
    score: float


def _fetch(queryset, score, *, browse: bool) -> tuple[list[_Row], bool]:
    """One statement: at most CANDIDATES matching entries with their facet columns and score, and
    whether more matched. Ranking, facets and paging then work on these rows in Python, so a query
    matching half a million products costs what one matching two thousand does (browsing without
    words takes the newest products)."""
    if browse:
        queryset = queryset.order_by("-product_id")
    columns = ("product_id", "category__code", "province_code", "min_price_satang", "certifications", "score")
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgresql:
            # The planner can misjudge how rare a word is and scan the whole table to find none;
            # the GIN index always answers these queries faster. Restored for the rest of any
            # transaction the caller holds.
            cursor.execute("SET LOCAL enable_seqscan = off")
        found = list(queryset.annotate(score=score).values_list(*columns)[: CANDIDATES + 1])
        if postgresql:
            cursor.execute("SET LOCAL enable_seqscan = on")
    rows = [
        _Row(pid, cat, prov, price, tuple(certs.split()), float(sc or 0))
        for pid, cat, prov, price, certs, sc in found
    ]
    return rows[:CANDIDATES], len(rows) > CANDIDATES


def _keeps(row: _Row, name: str, value: str) -> bool:
    if name == "category":
        return row.category == value
    if name == "province":
        return row.province == value
    if name == "certification":
        return value in row.certifications
    return any(code == value and low <= row.price and (high is None or row.price < high)
               for code, low, high in PRICE_BANDS)  # fmt: skip


def _facets(rows: list[_Row], chosen: dict) -> dict:
    """Counts for each facet over the rows, with every other chosen filter applied."""

    def others(name):
        return [r for r in rows if all(_keeps(r, other, v) for other, v in chosen.items() if other != name)]

    categories, provinces = (
        Counter(r.category for r in others("category")),
        Counter(r.province for r in others("province")),
    )
    priced, certified = others("price"), others("certification")
    return {
        "category": dict(categories),
        "province": dict(provinces),
        "price": {code: sum(_keeps(r, "price", code) for r in priced) for code, _low, _high in PRICE_BANDS},
        "certification": {
            c: sum(c in r.certifications for r in certified) for c in ("fda", "gmp", "halal", "organic")
        },
    }


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
        rows, capped = _fetch(base, score, browse=True)
    else:
        condition, score = _matching(terms, "AND")
        rows, capped = _fetch(base.filter(condition), score, browse=False)
        if not rows:
            relaxed = True
            if len(terms) > 1:
                condition, score = _matching(terms, "OR")
                rows, capped = _fetch(base.filter(condition), score, browse=False)
            if not rows and connection.vendor == "postgresql":
                condition, score = _similar(" ".join(terms))
                rows, capped = _fetch(base.filter(condition), score, browse=False)
    asked = {"category": category, "province": province, "price": price, "certification": certification}
    chosen = {name: value for name, value in asked.items() if value}
    facets = _facets(rows, chosen) if with_facets else {}
    if chosen and capped:  # the filters may keep matches beyond the first CANDIDATES: ask again
        filtered = base.filter(condition) if condition is not None else base
        for q_filter in (_filter_q(name, value) for name, value in chosen.items()):
            filtered = filtered.filter(q_filter)
        rows, capped = _fetch(filtered, score, browse=condition is None)
    else:
        rows = [r for r in rows if all(_keeps(r, name, value) for name, value in chosen.items())]
    rows.sort(key=lambda r: (-r.score, -r.product_id))
    count = len(rows)
    pages = max(1, -(-count // page_size))
    page = min(max(1, page), pages)
    start = (page - 1) * page_size
    shown = rows[start : start + page_size]
    by_id = (
        Product.objects.select_related("enterprise", "category")
        .prefetch_related("variants", "images")
        .in_bulk([r.product_id for r in shown])
    )
    products = []
    for row in shown:
        product = by_id[row.product_id]
        product.score = round(row.score, 6)
        products.append(product)
    return Results(products, count, page, pages, page_size, facets, relaxed, count_exact=not capped)


def _filter_q(name: str, value: str) -> Q:
    return {
        "category": lambda: Q(category__code=value),
        "province": lambda: Q(province_code=value),
        "price": lambda: _band_q(value),
        "certification": lambda: Q(certifications__contains=value),
    }[name]()
