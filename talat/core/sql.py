"""Plain multi-row inserts and updates for the few hot paths where building model instances or
Django's bulk_update (a CASE per row and column) dominates: the audit log, the border's
disclosures, payments matched in batches. Everything else goes through the ORM.

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


def update_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Sets `columns` of each row whose primary key is the first value of a tuple in `rows`
    (key, then the values in `columns` order): one statement for all of them."""
    if not rows:
        return
    key = model._meta.pk
    fields = [model._meta.get_field(c) for c in columns]
    table = connection.ops.quote_name(model._meta.db_table)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields)
    names = ", ".join(quote(f.column) for f in [key, *fields])
    adapt = [_adapter(f) for f in [key, *fields]]
    condition = f"{table}.{quote(key.column)} = v.{quote(key.column)}"
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%b::{_array_type(f)}" for f in [key, *fields])
        sql = f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v({names}) WHERE {condition}"  # noqa: S608
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, [[fn(row[i]) for row in rows] for i, fn in enumerate(adapt)])
        return
    placeholders = "(" + ", ".join(["%s"] * len(adapt)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            sql = (
                f"WITH v({names}) AS (VALUES {', '.join([placeholders] * len(chunk))}) "  # noqa: S608
                f"UPDATE {table} SET {assignments} FROM v WHERE {condition}"
            )
            cursor.execute(sql, [fn(value) for row in chunk for fn, value in zip(adapt, row, strict=True)])
