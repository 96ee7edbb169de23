"""Plain multi-row inserts for the few hot paths where building model instances dominates
(the audit log, the border's disclosures). Everything else goes through the ORM.

On PostgreSQL the rows travel as one array per column through `unnest`, so the statement stays
a few hundred characters however many rows there are (psycopg parses every statement's text;
a VALUES list of thousands of placeholders costs more to parse than to execute)."""

import json

import psycopg
from django.db import connection

CHUNK = 500


def insert_rows(model, columns: tuple[str, ...], rows: list[tuple], *, returning: tuple[str, ...] = ()):
    """Inserts `rows` (tuples in `columns` order) into the model's table; with `returning`, the
    values of those columns for every inserted row (in no guaranteed order)."""
    if not rows:
        return []
    fields = [model._meta.get_field(c) for c in columns]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    back = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in returning)
    tail = f" RETURNING {back}" if returning else ""
    adapt = [_adapter(f) for f in fields]
    if connection.vendor == "postgresql":
        return _insert_postgresql(table, names, fields, adapt, rows, tail, returning)
    returned: list = []
    with connection.cursor() as cursor:
        placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([placeholders] * len(chunk))}{tail}"  # noqa: S608
            cursor.execute(sql, [fn(value) for row in chunk for fn, value in zip(adapt, row, strict=True)])
            if returning:
                returned.extend(cursor.fetchall())
    return returned


def _insert_postgresql(table, names, fields, adapt, rows, tail, returning) -> list:
    # A server-binding cursor with binary parameters (%b): the arrays travel as binary data,
    # with no quoting or escaping, where Django's client-binding cursor would render them as text.
    arrays = [f"%b::{_array_type(f)}" for f in fields]
    sql = f"INSERT INTO {table} ({names}) SELECT * FROM unnest({', '.join(arrays)}){tail}"  # noqa: S608
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, [[fn(row[i]) for row in rows] for i, fn in enumerate(adapt)])
        return cursor.fetchall() if returning else []


def _array_type(field) -> str:
    kind = field.db_type(connection)
    if field.get_internal_type() == "JSONField":
        return "text[]::jsonb[]"
    return f"{kind}[]"


def _adapter(field):
    kind = field.get_internal_type()
    if kind == "DateTimeField" and connection.vendor != "postgresql":
        return connection.ops.adapt_datetimefield_value
    if kind == "JSONField":
        return lambda value: json.dumps(value, ensure_ascii=False)
    return lambda value: value
