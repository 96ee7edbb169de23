"""The full-text side of catalog.SearchEntry, per database: a generated tsvector with a GIN index and
a trigram index on PostgreSQL; an FTS5 table kept in step by triggers on SQLite."""

from django.db import migrations

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE catalog_searchentry ADD COLUMN document tsvector GENERATED ALWAYS AS ("
    " setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', tokens), 'B')) STORED",
    "CREATE INDEX catalog_searchentry_document ON catalog_searchentry USING gin (document)",
    "CREATE INDEX catalog_searchentry_tokens_trgm ON catalog_searchentry USING gin (tokens gin_trgm_ops)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS catalog_searchentry_tokens_trgm",
    "DROP INDEX IF EXISTS catalog_searchentry_document",
    "ALTER TABLE catalog_searchentry DROP COLUMN IF EXISTS document",
]
SQLITE = [
    "CREATE VIRTUAL TABLE catalog_searchfts USING fts5("
    " title, tokens, content='catalog_searchentry', content_rowid='product_id')",
    "CREATE TRIGGER catalog_searchentry_ai AFTER INSERT ON catalog_searchentry BEGIN"
    " INSERT INTO catalog_searchfts(rowid, title, tokens) VALUES (new.product_id, new.title, new.tokens); END",
    "CREATE TRIGGER catalog_searchentry_ad AFTER DELETE ON catalog_searchentry BEGIN"
    " INSERT INTO catalog_searchfts(catalog_searchfts, rowid, title, tokens)"
    " VALUES ('delete', old.product_id, old.title, old.tokens); END",
    "CREATE TRIGGER catalog_searchentry_au AFTER UPDATE ON catalog_searchentry BEGIN"
    " INSERT INTO catalog_searchfts(catalog_searchfts, rowid, title, tokens)"
    " VALUES ('delete', old.product_id, old.title, old.tokens);"
    " INSERT INTO catalog_searchfts(rowid, title, tokens) VALUES (new.product_id, new.title, new.tokens); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS catalog_searchentry_au",
    "DROP TRIGGER IF EXISTS catalog_searchentry_ad",
    "DROP TRIGGER IF EXISTS catalog_searchentry_ai",
    "DROP TABLE IF EXISTS catalog_searchfts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
