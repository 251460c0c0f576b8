"""Writing a chunk of recomputed reputations in bulk.

New numbers are inserted with ``bulk_create`` (an upsert, for safety). Numbers
that already have a row are updated: on PostgreSQL with one ``UPDATE ...
FROM UNNEST(arrays)`` statement, several times faster than ``INSERT ... ON
CONFLICT DO UPDATE`` for the same rows; elsewhere (SQLite) with the upsert.
"""

from collections.abc import Collection
from typing import Any

from django.db import connection

from .models import Reputation

BATCH = 5000
_FIELDS = [f for f in Reputation._meta.concrete_fields if not f.primary_key]
_NAMES = [f.name for f in _FIELDS]
_KEY = Reputation._meta.pk


def reputations_write(rows: list[dict[str, Any]], *, existing: Collection[str]) -> None:
    """Save ``rows`` (every field of `Reputation`, by name); ``existing``
    names the numbers that have a row already."""
    fresh = [row for row in rows if row["number"] not in existing]
    known = [row for row in rows if row["number"] in existing]
    if known and connection.vendor == "postgresql":
        for start in range(0, len(known), BATCH):
            _update_postgresql(known[start : start + BATCH])
        known = []
    _upsert(fresh + known)


def _upsert(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    Reputation.objects.bulk_create(
        [Reputation(**row) for row in rows],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["number"],
        update_fields=_NAMES,
    )


def _array_type(field) -> str:
    # No length in the element type: varchar[] rather than varchar(20)[].
    return field.db_type(connection).split("(")[0] + "[]"


def _column(field, rows: list[dict[str, Any]]) -> list:
    """One field's values, ready for psycopg. Numbers, strings, booleans and
    datetimes go as they are; only JSON needs Django's preparation."""
    if field.get_internal_type() == "JSONField":
        return [field.get_db_prep_save(row[field.name], connection) for row in rows]
    return [row[field.name] for row in rows]


def _update_postgresql(rows: list[dict[str, Any]]) -> None:
    quote = connection.ops.quote_name
    table = quote(Reputation._meta.db_table)
    columns = [_KEY, *_FIELDS]
    arrays = ", ".join(f"%s::{_array_type(f)}" for f in columns)
    aliases = ", ".join(quote(f.column) for f in columns)
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in _FIELDS)
    key = quote(_KEY.column)
    sql = (
        f"UPDATE {table} AS r SET {assignments} "
        f"FROM UNNEST({arrays}) AS v({aliases}) WHERE r.{key} = v.{key}"
    )
    params = [_column(field, rows) for field in columns]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
