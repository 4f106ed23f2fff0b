"""The ``events`` rows of a batch: redacted row dicts, and their insert in one statement."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from datetime import datetime
from itertools import chain
from typing import Any, cast

import pydantic_core
from sqlalchemy import Table
from sqlalchemy.engine import Connection, Dialect

from app.ingest.redaction import Redactor
from app.ingest.schemas import Target, TargetContext, client_key
from app.models import Event as EventRow

__all__ = ["insert_new_rows", "insert_rows", "redacted_row"]

EVENTS = cast(Table, EventRow.__table__)


_NO_CONTEXT: TargetContext = {}


def _target_dict(target: Target, text: Callable[[str | None], str | None]) -> dict[str, Any]:
    context = target.get("context", _NO_CONTEXT)
    return {
        "tag": target["tag"],
        "role": target.get("role"),
        "name": text(target.get("name")),
        "input_type": target.get("input_type"),
        "selectors": [text(s) for s in target.get("selectors", ())],
        "context": {
            "heading": text(context.get("heading")),
            "dialog": text(context.get("dialog")),
            "form": text(context.get("form")),
            "landmark": text(context.get("landmark")),
        },
    }


def redacted_row(
    recording_id: int, event: Any, redactor: Redactor, now: datetime, key: str | None = None
) -> dict[str, Any]:
    """The ``events`` row of one validated event, redacted (DESIGN §3 rule 4) by ``redactor``.

    ``event`` is a validated wire event (a dict; optional fields may be absent, and get their
    default here). ``key`` is ``client_key(event["id"])`` when the caller has it already.
    """
    get = event.get
    text = redactor.text
    page = event["page"]
    target = get("target")
    return {
        "recording_id": recording_id,
        "client_id": key or client_key(event["id"]),
        "seq": event["seq"],
        "type": event["type"],
        "ts": event["ts"],
        "tab": event["tab"],
        "frame": event["frame"],
        "url": redactor.url(page["url"]),
        "title": text(page.get("title", "")),
        "target": _target_dict(target, text) if target is not None else None,
        "field": text(get("field")),
        "control": get("control"),
        "choice": text(get("choice")),
        "checked": get("checked"),
        "transition": get("transition"),
        "load_ms": get("load_ms"),
        "state": get("state"),
        "label": text(get("label")),
        "received_at": now,
    }


#: Rows per SQLite ``INSERT``: one statement of many rows runs its whole B-tree work in one
#: ``sqlite3_step``, which the driver calls with the GIL released; ``executemany`` steps once
#: per row, and under load each step waited for the GIL again (a batch of 500 took 500 turns).
#: Fewer when the library admits fewer parameters per statement (999 before SQLite 3.32).
SQLITE_ROWS_PER_STATEMENT = 500


def insert_rows(
    connection: Connection, rows: list[dict[str, Any]], *, skip_stored: bool = False
) -> int:
    """Insert ``rows`` (from :func:`redacted_row`) straight through the driver.

    The rows are plain values already; going through the driver directly skips Core's
    per-row parameter processing, which was a third of the time of a batch. Values still
    pass through each column type's own bind processor (JSON, UTC timestamps), so what is
    stored is what ``insert(EVENTS)`` would store. SQLite gets multi-row ``INSERT``s of up
    to :data:`SQLITE_ROWS_PER_STATEMENT` rows, PostgreSQL one pipelined ``executemany``.
    With ``skip_stored``, a row whose recording and client id are stored already is
    skipped. Returns how many were inserted.
    """
    dialect = connection.dialect
    names = tuple(rows[0])
    width = len(names)
    values = list(chain.from_iterable(map(dict.values, rows)))  # row after row
    for index, processor in _bind_processors(dialect, names):
        values[index::width] = _processed(values[index::width], processor)
    if dialect.name != "sqlite":
        sql = _insert_sql(dialect, names, 1, skip_stored)
        params = [tuple(values[start:start + width]) for start in range(0, len(values), width)]
        return int(connection.exec_driver_sql(sql, params).rowcount)
    inserted = 0
    driver = cast(sqlite3.Connection, connection.connection.driver_connection)
    variables = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    step = min(SQLITE_ROWS_PER_STATEMENT, variables // width) * width
    for start in range(0, len(values), step):
        chunk = values[start:start + step]
        sql = _insert_sql(dialect, names, len(chunk) // width, skip_stored)
        inserted += connection.exec_driver_sql(sql, tuple(chunk)).rowcount
    return inserted


def _processed(column: list[Any], processor: Callable[[Any], Any]) -> list[Any]:
    """A column's values through its type's bind processor.

    ``None`` stays SQL NULL, as an ORM insert leaves it; a value shared by consecutive rows
    (the batch's one receive time) is processed once.
    """
    out = []
    last = done = None
    for value in column:
        if value is not last and value is not None:
            last, done = value, processor(value)
        out.append(None if value is None else done)
    return out


@functools.cache
def _bind_processors(dialect: Dialect, names: tuple[str, ...]) -> list[tuple[int, Any]]:
    """The bind processors of these columns' types, by position; columns without one left out."""
    return [
        (index, processor)
        for index, name in enumerate(names)
        if (processor := EVENTS.c[name].type.dialect_impl(dialect).bind_processor(dialect))
        is not None
    ]


@functools.lru_cache(maxsize=1024)
def _insert_sql(dialect: Dialect, names: tuple[str, ...], count: int, skip_stored: bool) -> str:
    """The ``INSERT`` of ``count`` rows with these columns (``count`` 1: one row per execute)."""
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    row = f"({', '.join([mark] * len(names))})"
    sql = f"INSERT INTO events ({quoted}) VALUES {', '.join([row] * count)}"
    if skip_stored:
        sql += " ON CONFLICT (recording_id, client_id) DO NOTHING"
    return sql


def insert_new_rows(connection: Connection, rows: list[dict[str, Any]]) -> list[str]:
    """Insert the rows not stored yet (by recording and client id); returns the ids inserted.

    The rows belong to one recording, whose row the caller holds locked, and carry distinct
    client ids. PostgreSQL gets the whole batch as one JSON parameter in one
    ``INSERT … ON CONFLICT DO NOTHING RETURNING`` (a fifth of the time of a pipelined
    ``executemany``). SQLite inserts with ``ON CONFLICT DO NOTHING`` and counts (its
    ``RETURNING`` would hand each row back in a step of its own): when some were stored
    already (a resend), the new ones are those past the highest row id before the insert,
    as SQLite admits one writer at a time.
    """
    if not rows:
        return []
    if connection.dialect.name == "postgresql":
        sql = _recordset_insert_sql(connection.dialect)
        data = pydantic_core.to_json(rows).decode()
        return list(connection.exec_driver_sql(sql, (data,)).scalars())
    last_id = connection.exec_driver_sql("SELECT max(id) FROM events").scalar()
    if insert_rows(connection, rows, skip_stored=True) == len(rows):
        return [row["client_id"] for row in rows]
    return list(connection.exec_driver_sql(
        "SELECT client_id FROM events WHERE id > ? AND recording_id = ?",
        (last_id or 0, rows[0]["recording_id"]),
    ).scalars())


@functools.cache
def _recordset_insert_sql(dialect: Dialect) -> str:
    """PostgreSQL: insert from ``json_to_recordset`` of the rows, skipping stored ids."""
    columns = [column for column in EVENTS.columns if column.name != "id"]
    names = ", ".join(dialect.identifier_preparer.quote(column.name) for column in columns)
    record = ", ".join(
        f"{dialect.identifier_preparer.quote(column.name)} {column.type.compile(dialect=dialect)}"
        for column in columns
    )
    return (
        f"INSERT INTO events ({names}) "
        f"SELECT {names} FROM json_to_recordset(%s::json) AS r({record}) "
        "ON CONFLICT (recording_id, client_id) DO NOTHING RETURNING client_id"
    )
