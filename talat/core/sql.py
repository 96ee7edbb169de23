"""Plain multi-row inserts for the few hot paths where building model instances dominates
(the audit log, the border's disclosures). Everything else goes through the ORM."""

import json

from django.db import connection

CHUNK = 500


def insert_rows(model, columns: tuple[str, ...], rows: list[tuple], *, returning: str | None = None) -> list:
    """INSERT INTO model's table (columns) VALUES ... for each row, in chunks; with `returning`,
    the values of that column for the inserted rows, in order (PostgreSQL and SQLite 3.35+)."""
    if not rows:
        return []
    fields = [model._meta.get_field(c) for c in columns]
    adapt = [_adapter(f) for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    tail = (
        f" RETURNING {connection.ops.quote_name(model._meta.get_field(returning).column)}"
        if returning
        else ""
    )
    returned = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([placeholders] * len(chunk))}{tail}"  # noqa: S608
            cursor.execute(sql, [fn(value) for row in chunk for fn, value in zip(adapt, row, strict=True)])
            if returning:
                returned.extend(value for (value,) in cursor.fetchall())
    return returned


def _adapter(field):
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    if kind == "JSONField":
        return lambda value: json.dumps(value, ensure_ascii=False)
    return lambda value: value
