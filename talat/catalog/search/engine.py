"""Product search: the index (`index_products`) and the query (`search`).

Every word of a query must match, the last one as a prefix (the shopper may still be typing:
"ข้าวหอ" finds ข้าวหอมมะลิ). When no product has every word, the query is relaxed: misspelt words
are replaced by the nearest words of the catalog's vocabulary (PostgreSQL), then any word may
match. Only active products of verified enterprises are ever returned. A query ranks at most
CANDIDATES matches (and says when there were more), so its cost stays flat however many products
match; facets and paging work on those rows.

PostgreSQL: a tsvector over the segmented words and the facet keys, with a GIN index over all
entries and one per sixteenth of them (see `_candidates`); exact lexemes only: the last word's
completions come from the vocabulary table, because a prefix scan of the GIN index reads every
posting of every matching lexeme. Ranked by ts_rank over the names' own small tsvector. SQLite: an
FTS5 table (prefix queries) ranked by bm25 with the names weighted above the rest.
"""

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter

from django.db import connection, transaction
from django.utils import timezone

from talat.catalog.models import Product, ProductImage, ProductStatus, SearchEntry, SearchWord
from talat.catalog.search.words import joined, words
from talat.core.classification import DataClass, classification_of
from talat.registry.models import Enterprise, GoodsCategory, VerificationStatus

MAX_TERMS = 12
MAX_WORD = 100  # longer "words" are searchable but never completed or corrected to
COMPLETIONS = 32  # vocabulary words a query's last word may stand for, shortest first
CORRECTIONS = 3  # nearest vocabulary words tried for a word the catalog does not have
CANDIDATES = 1_000  # matches ranked per query; a broader query says "more than 1,000"
BUCKETS = 16  # PostgreSQL: partial GIN indexes by product_id % BUCKETS (migration 0005 makes them)
# (code, lowest satang inclusive, highest satang exclusive or None)
PRICE_BANDS = [
    ("0-100", 0, 100_00),
    ("100-500", 100_00, 500_00),
    ("500-1000", 500_00, 1000_00),
    ("1000-", 1000_00, None),
]


# ---------------------------------------------------------------- index


def _band(price: int) -> str:
    """The code of the price band a price in satang falls in."""
    for code, low, high in PRICE_BANDS:
        if price >= low and (high is None or price < high):
            return code
    return ""


def facet_keys(category: str, province: str, price_satang: int, certifications) -> str:
    """The facet values of an entry as keys ("category:fruit province:50 price:100-500
    certification:organic"). On PostgreSQL they are lexemes of the entry's tsvector, which no query
    word can equal (words never contain ":"). Changing PRICE_BANDS needs a re-index."""
    keys = [f"category:{category}", f"province:{province}", f"price:{_band(price_satang)}"]
    return " ".join(keys + [f"certification:{c}" for c in sorted(certifications)])


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
    price = min(prices, default=0)
    return SearchEntry(
        product_id=product.pk,
        enterprise_id=product.enterprise_id,
        title=title,
        tokens=f"{title} {rest}".strip(),
        active=product.status == ProductStatus.ACTIVE,
        category_id=product.category_id,
        province_code=product.province_code,
        min_price_satang=price,
        certifications=" ".join(sorted(product.certifications)),
        facets=facet_keys(category.code, product.province_code, price, product.certifications),
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
                       "min_price_satang", "certifications", "facets"],
    )  # fmt: skip
    vocabulary = {w for entry in entries for w in entry.tokens.split() if len(w) <= MAX_WORD}
    SearchWord.objects.bulk_create(
        [SearchWord(word=w) for w in vocabulary], batch_size=1000, ignore_conflicts=True
    )
    return len(entries)


# ---------------------------------------------------------------- query


@dataclass
class Results:
    # Each product also carries `score`, `price_satang` (its lowest price) and `cover` (its first
    # picture or None), so a page of results reads no variants.
    products: list[Product]
    count: int
    page: int
    pages: int
    page_size: int
    facets: dict = field(default_factory=dict)
    relaxed: bool = False  # no product had every word; these match some of them or look alike
    count_exact: bool = True  # False: more than `count` products match (only the first are ranked)


# A candidate row: (product id, category code, province code, price band, certifications, score,
# lowest price in satang)
Row = tuple[int, str, str, str, str, float, int]
_BAND_SQL = "CASE {} ELSE '{}' END".format(
    " ".join(f"WHEN e.min_price_satang < {high} THEN '{code}'" for code, _low, high in PRICE_BANDS[:-1]),
    PRICE_BANDS[-1][0],
)
_SELECT = (  # from constants only; values are parameters
    "SELECT e.product_id, e.category_id, e.province_code, " + _BAND_SQL + ", e.certifications, {score},"  # noqa: S608
    " e.min_price_satang"
    " FROM catalog_searchentry e{source} WHERE e.active"
    " AND EXISTS (SELECT 1 FROM registry_enterprise r WHERE r.id = e.enterprise_id AND r.status = %s)"
)


# The planner misjudges how many entries match several words (it multiplies their frequencies): it
# may scan the whole table to find none, or expect a handful of matches and join the enterprises by
# a nested loop or a merge join that sorts every match first. A hash join on the enterprises streams
# the matches and stops at the LIMIT; compiling the statement (JIT) costs more than running it; a
# broad word's bitmap needs more than the default work_mem to stay exact (a lossy one rechecks
# every row of its pages).
PLANNER_SETTINGS = (
    ("enable_seqscan", "off"), ("enable_nestloop", "off"), ("enable_mergejoin", "off"), ("jit", "off"),
    ("work_mem", "'64MB'"),
)  # fmt: skip


class _Filters:
    """The shopper's filters: as tests on candidate rows, and in a statement (facet keys on
    PostgreSQL, column conditions on SQLite)."""

    def __init__(self, chosen: dict):
        self.chosen = chosen
        tests = {
            "category": lambda row: row[1] == chosen["category"],
            "province": lambda row: row[2] == chosen["province"],
            "price": lambda row: row[3] == chosen["price"],
            "certification": lambda row: chosen["certification"] in row[4].split(),
        }
        self.tests = {name: tests[name] for name in chosen}

    def keeps(self, row: Row) -> bool:
        return all(test(row) for test in self.tests.values())

    def tsquery(self) -> str:
        return " & ".join(_lexemes([f"{name}:{value}"]) for name, value in self.chosen.items())

    def sql(self) -> tuple[str, list]:
        """SQLite: the filters as column conditions (PostgreSQL matches `tsquery` in the index)."""
        conditions, params = "", []
        for name, value in self.chosen.items():
            if name == "category":
                conditions += " AND e.category_id = (SELECT id FROM registry_goodscategory WHERE code = %s)"
                params.append(value)
            elif name == "province":
                conditions += " AND e.province_code = %s"
                params.append(value)
            elif name == "certification":
                conditions += " AND (' ' || e.certifications || ' ') LIKE %s"
                params.append(f"% {value} %")
            else:
                low, high = next(((lo, hi) for code, lo, hi in PRICE_BANDS if code == value), (0, 0))
                conditions += " AND e.min_price_satang >= %s AND e.min_price_satang < %s"
                params += [low, 2**63 - 1 if high is None else high]
        return conditions, params


def _facets(rows: list[Row], filters: _Filters) -> dict:
    """Counts for each facet over the rows, with every other chosen filter applied (so a shopper who
    picked a province still sees how many matches the other provinces have)."""
    failed = [[name for name, test in filters.tests.items() if not test(row)] for row in rows]

    def counts(name, column):
        return Counter(row[column] for row, fails in zip(rows, failed, strict=True) if fails in ([], [name]))

    bands, certified = counts("price", 3), Counter()
    for combination, n in counts("certification", 4).items():
        for certification in combination.split():
            certified[certification] += n
    return {
        "category": dict(counts("category", 1)),
        "province": dict(counts("province", 2)),
        "price": {code: bands[code] for code, _low, _high in PRICE_BANDS},
        "certification": {c: certified[c] for c in ("fda", "gmp", "halal", "organic")},
    }


@dataclass
class _Scope:
    """What every statement of one search shares: the filters, the shop (on its own page), and the
    category codes by id (a dozen rows, read on first use)."""

    filters: _Filters
    enterprise_id: int | None
    codes: dict = field(default_factory=dict)


@contextmanager
def _planner():
    """One transaction for a search's statements, on PostgreSQL with PLANNER_SETTINGS, which are
    reset afterwards for the rest of any transaction the caller holds."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("; ".join(f"SET LOCAL {name} = {value}" for name, value in PLANNER_SETTINGS))
        yield
        if connection.vendor == "postgresql":
            cursor.execute("; ".join(f"RESET {name}" for name, _value in PLANNER_SETTINGS))


def _candidates(match, scope: _Scope, *, filtered: bool, bucket_first: bool = True) -> tuple[list[Row], bool]:
    """The candidates of a query. On PostgreSQL, the matches in today's bucket first: the entries of
    each sixteenth of the catalogue (product id modulo BUCKETS) have a GIN index of their own, so a
    query that matches a hundred thousand products reads a sixteenth of its posting lists, and a
    sixteenth of its matches already holds more than CANDIDATES. The bucket turns daily, so over
    sixteen days every product has its days at the top of a broad query, and paging stays stable
    within a day. When the bucket is not capped, all matches are read through the whole index."""
    if connection.vendor == "postgresql" and match is not None and bucket_first:
        bucket = timezone.localdate().toordinal() % BUCKETS
        rows, capped = _fetch(match, scope, filtered=filtered, bucket=bucket)
        if capped:
            return rows, capped
    return _fetch(match, scope, filtered=filtered)


def _fetch(match, scope: _Scope, *, filtered: bool, bucket=None) -> tuple[list[Row], bool]:
    """One statement: at most CANDIDATES matching entries with their facet columns and score, and
    whether more matched. `match` is the engine's match expression (None: browse, newest first);
    `filtered`: the shopper's filters are applied in the statement (else the caller applies them
    to the rows, so that the facets can count the alternatives); `bucket`: only that bucket's
    entries (PostgreSQL)."""
    postgresql, browse, filters = connection.vendor == "postgresql", match is None, scope.filters
    params: list = []
    if postgresql and filtered and filters.chosen:
        match = f"({match}) & {filters.tsquery()}" if match else filters.tsquery()
    if match is None:
        sql = _SELECT.format(score="0", source="")
    elif postgresql:  # ranked by the names only: the full document is compressed out of line
        sql = _SELECT.format(score="ts_rank(e.title_document, CAST(%s AS tsquery))", source="")
        params.append(match)
    else:  # bm25 is lower for better matches; names count four times the rest
        sql = _SELECT.format(
            score="-bm25(catalog_searchfts, 4.0, 1.0)",
            source=" JOIN catalog_searchfts ON catalog_searchfts.rowid = e.product_id",
        )
    params.append(VerificationStatus.VERIFIED)
    if match is not None:
        sql += " AND e.document @@ CAST(%s AS tsquery)" if postgresql else " AND catalog_searchfts MATCH %s"
        params.append(match)
    if scope.enterprise_id is not None:
        sql += " AND e.enterprise_id = %s"
        params.append(scope.enterprise_id)
    if bucket is not None:  # the same expression as the partial indexes' predicate
        sql += f" AND e.product_id %% {BUCKETS} = {int(bucket)}"
    if filtered and not postgresql:
        conditions, values = filters.sql()
        sql += conditions
        params += values
    if browse:
        sql += " ORDER BY e.product_id DESC"
    sql += f" LIMIT {CANDIDATES + 1}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if found and not scope.codes:
        scope.codes.update(GoodsCategory.objects.values_list("id", "code"))
    rows = [(pid, scope.codes[category], *rest) for pid, category, *rest in found[:CANDIDATES]]
    return rows, len(found) > CANDIDATES


def _lexemes(group: list[str]) -> str:
    """A tsquery matching any of these words exactly."""
    quoted = ["'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in group]
    return quoted[0] if len(quoted) == 1 else "(" + " | ".join(quoted) + ")"


def _like_prefix(term: str) -> str:
    """The LIKE pattern of the words a last word may stand for: itself and, from two letters on,
    every word it begins (one letter would stand for thousands)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%" if len(term) >= 2 else escaped


def _postgresql_matches(terms: list[str]):
    """The tsqueries to try in turn, each with whether it is relaxed: every word (the last one
    completed from the vocabulary), then with misspelt words corrected, then any word."""
    *firsts, last = terms
    with connection.cursor() as cursor:
        cursor.execute(
            "(SELECT word, false FROM catalog_searchword WHERE word = ANY(%s))"
            " UNION ALL (SELECT word, true FROM catalog_searchword WHERE word LIKE %s"
            " ORDER BY length(word), word LIMIT %s)",
            [firsts, _like_prefix(last), COMPLETIONS],
        )
        found = cursor.fetchall()
    known = {word for word, completion in found if not completion}
    groups = [[t] if t in known else [] for t in firsts] + [[w for w, completion in found if completion]]
    if all(groups):
        yield " & ".join(map(_lexemes, groups)), False
    unknown = [t for t, group in zip(terms, groups, strict=True) if not group]
    if unknown:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT t.term, w.word FROM unnest(CAST(%s AS text[])) AS t(term)"
                " CROSS JOIN LATERAL (SELECT word FROM catalog_searchword WHERE word %% t.term"
                " ORDER BY word <-> t.term, word LIMIT %s) AS w",
                [unknown, CORRECTIONS],
            )
            nearest = cursor.fetchall()
        for index, term in enumerate(terms):
            if not groups[index]:
                groups[index] = [w for t, w in nearest if t == term]
        if all(groups):
            yield " & ".join(map(_lexemes, groups)), True
    found_any = [g for g in groups if g]
    if len(found_any) > 1 or (found_any and unknown):
        yield " | ".join(map(_lexemes, found_any)), True


def _sqlite_matches(terms: list[str]):
    """FTS5 queries to try in turn: every word (the last as a prefix), then any word (as prefixes)."""

    def phrase(term: str) -> str:
        return '"' + term.replace('"', '""') + '"'

    def prefix(term: str) -> str:  # as `_like_prefix`: one letter stands for itself only
        return phrase(term) + ("*" if len(term) >= 2 else "")

    yield " AND ".join([*map(phrase, terms[:-1]), prefix(terms[-1])]), False
    if len(terms) > 1:
        yield " OR ".join(map(prefix, terms)), True


# A search shows a shop's public face only: its confidential fields (tax ID, address, phone) are
# never read for it.
_SHOP_PRIVATE = [
    f"enterprise__{f.name}"
    for f in Enterprise._meta.concrete_fields
    if (c := classification_of(f)) and c.data_class in (DataClass.CONFIDENTIAL, DataClass.SECRET)
]


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
    terms = list(dict.fromkeys(words(q)))[:MAX_TERMS]
    if len(terms) > 1 and len(terms[-1]) == 1 and not terms[-1].isdigit():  # "ลำไยอ": a letter of a word
        terms.pop()
    asked = {"category": category, "province": province, "price": price, "certification": certification}
    filters = _Filters({name: value for name, value in asked.items() if value})
    scope = _Scope(filters, enterprise_id)
    match, relaxed, rows, capped = None, False, [], False
    with _planner():
        if not terms:
            rows, capped = _candidates(None, scope, filtered=False)
        else:
            postgresql = connection.vendor == "postgresql"
            matches = _postgresql_matches(terms) if postgresql else _sqlite_matches(terms)
            for match, relaxed in matches:  # noqa: B007 (the match that found rows is used below)
                rows, capped = _candidates(match, scope, filtered=False)
                if rows:
                    break
        facets = _facets(rows, filters) if with_facets else {}
        if filters.chosen and capped:  # the filters may keep matches beyond the first CANDIDATES: ask again
            # (in today's bucket first only if most candidates passed the filters: a bucket would
            # rarely hold CANDIDATES matches of narrower ones, and reading it would be wasted)
            passed = sum(1 for r in rows if filters.keeps(r))
            rows, capped = _candidates(match, scope, filtered=True, bucket_first=2 * passed >= len(rows))
        elif filters.chosen:
            rows = [r for r in rows if filters.keeps(r)]
    rows.sort(key=itemgetter(5, 0), reverse=True)  # best first; the newest first among equals
    count = len(rows)
    pages = max(1, -(-count // page_size))
    page = min(max(1, page), pages)
    start = (page - 1) * page_size
    shown = rows[start : start + page_size]
    ids = [r[0] for r in shown]
    by_id = Product.objects.select_related("enterprise").defer(*_SHOP_PRIVATE).in_bulk(ids)
    covers = {}
    for image in ProductImage.objects.filter(product_id__in=ids):  # in each product's own order
        covers.setdefault(image.product_id, image)
    products = []
    for row in shown:
        product = by_id[row[0]]
        product.score, product.price_satang, product.cover = round(row[5], 6), row[6], covers.get(row[0])
        products.append(product)
    return Results(products, count, page, pages, page_size, facets, relaxed, count_exact=not capped)
