"""Search at a million products: the vocabulary (catalog.SearchWord), facet keys in the tsvector,
and a title-only tsvector to rank by.

PostgreSQL: `document` is rebuilt to hold the facet keys beside the words, so a filtered search is
one GIN index scan; ranking reads `title_document` (a few hundred bytes, stored in the row) instead
of the whole `document`, which is compressed out of line; the trigram index over every entry's text
gives way to one over the distinct words, a table thousands of times smaller (Django's own pattern
index on its primary key answers the prefix lookups); each sixteenth of the entries (product id
modulo 16) gets a partial GIN index of its own, which a broad query reads instead of the whole
one. Existing entries get their facet keys and
their words are copied into the vocabulary. SQLite: the table rebuild drops the FTS5 triggers,
which are made again."""

import importlib

from django.db import migrations, models

BUCKETS = 16  # talat.catalog.search.engine.BUCKETS when this migration was written
DOCUMENT = (
    "setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', tokens), 'B')"
    " || array_to_tsvector(string_to_array(facets, ' '))"
)
POSTGRESQL = [
    # Rows of a few hundred bytes: the words and the full tsvector live out of line (TOAST), so the
    # columns a search reads (facets, the names' tsvector) fill few pages and stay in memory.
    "ALTER TABLE catalog_searchentry SET (toast_tuple_target = 512)",
    "DROP INDEX IF EXISTS catalog_searchentry_tokens_trgm",
    "DROP INDEX IF EXISTS catalog_searchentry_document",
    "ALTER TABLE catalog_searchentry DROP COLUMN document",
    f"ALTER TABLE catalog_searchentry ADD COLUMN document tsvector GENERATED ALWAYS AS ({DOCUMENT}) STORED",
    "ALTER TABLE catalog_searchentry ADD COLUMN title_document tsvector"
    " GENERATED ALWAYS AS (to_tsvector('simple', title)) STORED",
    "ALTER TABLE catalog_searchentry ALTER COLUMN title_document SET STORAGE MAIN",
    "CREATE INDEX catalog_searchentry_document ON catalog_searchentry USING gin (document)",
    "CREATE INDEX catalog_searchword_trgm ON catalog_searchword USING gin (word gin_trgm_ops)",
    *(
        f"CREATE INDEX catalog_searchentry_document_{k} ON catalog_searchentry USING gin (document)"
        f" WHERE product_id % {BUCKETS} = {k}"
        for k in range(BUCKETS)
    ),
]
POSTGRESQL_REVERSE = [
    "ALTER TABLE catalog_searchentry RESET (toast_tuple_target)",
    *(f"DROP INDEX IF EXISTS catalog_searchentry_document_{k}" for k in range(BUCKETS)),
    "DROP INDEX IF EXISTS catalog_searchword_trgm",
    "DROP INDEX IF EXISTS catalog_searchentry_document",
    "ALTER TABLE catalog_searchentry DROP COLUMN IF EXISTS title_document",
    "ALTER TABLE catalog_searchentry DROP COLUMN IF EXISTS document",
    "ALTER TABLE catalog_searchentry ADD COLUMN document tsvector GENERATED ALWAYS AS ("
    " setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', tokens), 'B')) STORED",
    "CREATE INDEX catalog_searchentry_document ON catalog_searchentry USING gin (document)",
    "CREATE INDEX catalog_searchentry_tokens_trgm ON catalog_searchentry USING gin (tokens gin_trgm_ops)",
]
MAX_WORD = 100


def forward(apps, schema_editor):
    from talat.catalog.search.engine import facet_keys

    SearchEntry, SearchWord = (
        apps.get_model("catalog", "SearchEntry"),
        apps.get_model("catalog", "SearchWord"),
    )
    codes = dict(apps.get_model("registry", "GoodsCategory").objects.values_list("id", "code"))
    seen: set[str] = set()
    last = 0
    while batch := list(SearchEntry.objects.filter(product_id__gt=last).order_by("product_id")[:2000]):
        last = batch[-1].product_id
        for entry in batch:
            entry.facets = facet_keys(
                codes[entry.category_id],
                entry.province_code,
                entry.min_price_satang,
                entry.certifications.split(),
            )
        SearchEntry.objects.bulk_update(batch, ["facets"])
        new = {w for entry in batch for w in entry.tokens.split() if len(w) <= MAX_WORD} - seen
        seen |= new
        SearchWord.objects.bulk_create(
            [SearchWord(word=w) for w in new], ignore_conflicts=True, batch_size=1000
        )
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL:
            schema_editor.execute(statement, None)  # no parameters: "%" is the operator
    elif schema_editor.connection.vendor == "sqlite":
        _sqlite_triggers(schema_editor)


def _sqlite_triggers(schema_editor):
    """SQLite rebuilt catalog_searchentry to change it, dropping the triggers that keep the FTS5
    table in step: made again as 0002 made them, and the FTS5 index rebuilt from the entries."""
    search_index = importlib.import_module("talat.catalog.migrations.0002_search_index")
    for statement in search_index.SQLITE:
        if statement.startswith("CREATE TRIGGER"):
            schema_editor.execute(statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1))
    schema_editor.execute("INSERT INTO catalog_searchfts(catalog_searchfts) VALUES ('rebuild')")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_REVERSE:
            schema_editor.execute(statement, None)  # no parameters: "%" is the operator


def sqlite_triggers(apps, schema_editor):
    """Backwards, after SQLite has rebuilt the table once more."""
    if schema_editor.connection.vendor == "sqlite":
        _sqlite_triggers(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_origin_materials")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, sqlite_triggers),
        migrations.CreateModel(
            name="SearchWord",
            fields=[("word", models.CharField(max_length=100, primary_key=True, serialize=False))],
        ),
        migrations.RemoveIndex(model_name="searchentry", name="catalog_sea_categor_95d9c9_idx"),
        migrations.RemoveIndex(model_name="searchentry", name="catalog_sea_provinc_9bde5e_idx"),
        migrations.AddField(
            model_name="searchentry", name="facets", field=models.TextField(blank=True, default="")
        ),
        migrations.RunPython(forward, backward),
    ]
