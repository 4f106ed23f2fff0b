"""The ``events`` rows of a batch, redacted column by column, and their insert."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any, cast

import pydantic_core
from sqlalchemy import JSON, Table
from sqlalchemy.engine import Connection, Dialect

from app.ingest.redaction import Redactor
from app.ingest.schemas import client_key
from app.models import Event as EventRow

__all__ = ["EventColumns", "insert_new_rows", "redacted_columns"]

EVENTS = cast(Table, EventRow.__table__)

_CONTEXT_KEYS = ("heading", "dialog", "form", "landmark")
_NO_CONTEXT: dict[str, Any] = {}


@dataclass(frozen=True, slots=True)
class EventColumns:
    """A batch's ``events`` rows column by column: ``values[name][i]`` is row ``i``'s ``name``.

    Columns, not row dicts: each column is filled, redacted and bound to the insert by list
    operations that run in C (a batch of 500 rows is 19 lists, not 500 dicts).
    """

    values: dict[str, list[Any]]

    def __len__(self) -> int:
        return len(self.values["client_id"])

    def rows(self) -> list[dict[str, Any]]:
        """The same rows as dicts, by column name."""
        names = list(self.values)
        return [dict(zip(names, row, strict=True))
                for row in zip(*self.values.values(), strict=True)]


def redacted_columns(
    recording_id: int, events: Sequence[Any], redactor: Redactor, now: datetime,
    keys: Sequence[str] | None = None,
) -> EventColumns:
    """The ``events`` rows of validated events, redacted (DESIGN §3 rule 4) by ``redactor``.

    Each event is a validated wire event (a dict; optional fields may be absent, and get
    their default here). ``keys`` are their ``client_key``\\ s when the caller has them.
    """
    pages = [event["page"] for event in events]

    def field(name: str) -> list[Any]:
        return [event.get(name) for event in events]

    return EventColumns({
        "recording_id": [recording_id] * len(events),
        "client_id": list(keys) if keys is not None else [client_key(e["id"]) for e in events],
        "seq": [event["seq"] for event in events],
        "type": [event["type"] for event in events],
        "ts": [event["ts"] for event in events],
        "tab": [event["tab"] for event in events],
        "frame": [event["frame"] for event in events],
        "url": redactor.urls([page["url"] for page in pages]),
        "title": redactor.texts([page.get("title", "") for page in pages]),
        "target": _target_column(field("target"), redactor),
        "field": redactor.texts(field("field")),
        "control": field("control"),
        "choice": redactor.texts(field("choice")),
        "checked": field("checked"),
        "transition": field("transition"),
        "load_ms": field("load_ms"),
        "state": field("state"),
        "label": redactor.texts(field("label")),
        "received_at": [now] * len(events),
    })


def _target_column(
    targets: list[dict[str, Any] | None], redactor: Redactor
) -> list[dict[str, Any] | None]:
    """The stored form of each event's target: every key present, its texts redacted."""
    present = [target for target in targets if target is not None]
    if not present:
        return targets
    names = redactor.texts([target.get("name") for target in present])
    groups = [target.get("selectors", ()) for target in present]
    selectors = iter(redactor.texts([selector for group in groups for selector in group]))
    contexts = [target.get("context", _NO_CONTEXT) for target in present]
    context_columns = [redactor.texts([context.get(key) for context in contexts])
                       for key in _CONTEXT_KEYS]
    stored = iter([
        {
            "tag": target["tag"],
            "role": target.get("role"),
            "name": name,
            "input_type": target.get("input_type"),
            "selectors": list(islice(selectors, len(group))),
            "context": dict(zip(_CONTEXT_KEYS, context, strict=True)),
        }
        for target, name, group, *context in zip(
            present, names, groups, *context_columns, strict=True
        )
    ])
    return [None if target is None else next(stored) for target in targets]


#: Rows per SQLite ``INSERT``: one statement of many rows runs its whole B-tree work in one
#: ``sqlite3_step``, which the driver calls with the GIL released; ``executemany`` steps once
#: per row, and under load each step waited for the GIL again (a batch of 500 took 500 turns).
#: Fewer when the library admits fewer parameters per statement (999 before SQLite 3.32).
SQLITE_ROWS_PER_STATEMENT = 500


def _insert_rows_sqlite(connection: Connection, columns: EventColumns) -> int:
    """SQLite: insert the rows of ``columns`` that are not stored yet; returns how many went in.

    Straight through the driver, in multi-row ``INSERT … ON CONFLICT DO NOTHING`` statements of
    up to :data:`SQLITE_ROWS_PER_STATEMENT` rows: the values are plain already, and Core's per-row
    parameter processing was a third of the time of a batch. Values still pass through each
    column type's own bind processor (JSON, UTC timestamps), so what is stored is what
    ``insert(EVENTS)`` would store.
    """
    dialect = connection.dialect
    names = tuple(columns.values)
    width, count = len(names), len(columns)
    values: list[Any] = [None] * (width * count)  # row after row
    for index, (name, column) in enumerate(
        zip(names, _bound_columns(dialect, columns), strict=True)
    ):
        if name in _NULLABLE:
            column = [_NULL if value is None else value for value in column]
        values[index::width] = column
    driver = cast(sqlite3.Connection, connection.connection.driver_connection)
    variables = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    step = min(SQLITE_ROWS_PER_STATEMENT, variables // width) * width
    inserted = 0
    for start in range(0, len(values), step):
        chunk = values[start:start + step]
        sql = _insert_sql(dialect, names, len(chunk) // width)
        inserted += connection.exec_driver_sql(sql, tuple(chunk)).rowcount
    return inserted


def _bound_columns(dialect: Dialect, columns: EventColumns) -> list[list[Any]]:
    """Each column's values through its type's bind processor, in column order.

    ``None`` stays SQL NULL, as an ORM insert leaves it; a value shared by consecutive rows
    (the batch's one receive time) is processed once.
    """
    processors = _bind_processors(dialect, tuple(columns.values))
    out = []
    for name, column in columns.values.items():
        processor = processors.get(name)
        if processor is None:
            out.append(column)
            continue
        processed = []
        last = done = None
        for value in column:
            if value is not last and value is not None:
                last, done = value, processor(value)
            processed.append(None if value is None else done)
        out.append(processed)
    return out


@functools.cache
def _bind_processors(dialect: Dialect, names: tuple[str, ...]) -> dict[str, Callable[[Any], Any]]:
    """The bind processors of these columns' types, by name; columns without one left out."""
    return {
        name: processor
        for name in names
        if (processor := EVENTS.c[name].type.dialect_impl(dialect).bind_processor(dialect))
        is not None
    }


#: Bound for ``None`` in the SQLite ``INSERT`` and made NULL again there by ``NULLIF(?, -1)``.
#: The driver binds ``None`` through its adapter look-up: about 3,600 instructions with the
#: GIL held, against 400 for an integer, and a batch of 500 events binds some 4,000 of them.
#: No stored value equals it: the integer columns that admit NULL are never negative
#: (``load_ms``, ``checked``), and SQLite never finds a text equal to an integer.
_NULL = -1
_NULLABLE = frozenset(column.name for column in EVENTS.columns if column.nullable)


@functools.lru_cache(maxsize=1024)
def _insert_sql(dialect: Dialect, names: tuple[str, ...], count: int) -> str:
    """SQLite's ``INSERT`` of ``count`` rows with these columns, skipping stored ids; a
    column that admits NULL takes :data:`_NULL` for it."""
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    row = f"({', '.join(f'NULLIF(?, {_NULL})' if name in _NULLABLE else '?' for name in names)})"
    return (f"INSERT INTO events ({quoted}) VALUES {', '.join([row] * count)} "
            "ON CONFLICT (recording_id, client_id) DO NOTHING")


def insert_new_rows(connection: Connection, columns: EventColumns) -> list[str]:
    """Insert the rows not stored yet (by recording and client id); returns the ids inserted.

    The rows belong to one recording, whose row the caller holds locked, and carry distinct
    client ids. PostgreSQL gets the batch as one JSON array per column in one
    ``INSERT … ON CONFLICT DO NOTHING RETURNING`` (a fifth of the time of a pipelined
    ``executemany``). SQLite inserts with ``ON CONFLICT DO NOTHING`` and counts (its
    ``RETURNING`` would hand each row back in a step of its own): when some were stored
    already (a resend), the new ones are those past the highest row id before the insert,
    as SQLite admits one writer at a time.
    """
    if not len(columns):
        return []
    if connection.dialect.name == "postgresql":
        return _insert_columns_postgresql(connection, columns)
    last_id = connection.exec_driver_sql("SELECT max(id) FROM events").scalar()
    if _insert_rows_sqlite(connection, columns) == len(columns):
        return columns.values["client_id"]
    return list(connection.exec_driver_sql(
        "SELECT client_id FROM events WHERE id > ? AND recording_id = ?",
        (last_id or 0, columns.values["recording_id"][0]),
    ).scalars())


#: Columns the same for every row of a batch: PostgreSQL takes them once, as scalars.
_BATCH_CONSTANTS = ("recording_id", "received_at")


def _insert_columns_postgresql(connection: Connection, columns: EventColumns) -> list[str]:
    """PostgreSQL: one ``INSERT … SELECT`` from one JSON array per column; the ids inserted.

    Each array is parsed once and unnested side by side (``ROWS FROM``), so the worker
    builds no row objects and PostgreSQL no per-row JSON objects to look fields up in.
    """
    values = columns.values
    received_at = values["received_at"][0]
    processor = _bind_processors(connection.dialect, ("received_at",)).get("received_at")
    arrays = tuple(pydantic_core.to_json(values[name]).decode()
                   for name in values if name not in _BATCH_CONSTANTS)
    sql = _columns_insert_sql(connection.dialect, tuple(values))
    params = (values["recording_id"][0],
              processor(received_at) if processor else received_at, *arrays)
    return list(connection.exec_driver_sql(sql, params).scalars())


@functools.cache
def _columns_insert_sql(dialect: Dialect, names: tuple[str, ...]) -> str:
    """The ``INSERT`` of :func:`_insert_columns_postgresql`, skipping stored ids."""
    quote = dialect.identifier_preparer.quote
    unnested = [name for name in names if name not in _BATCH_CONSTANTS]
    selected = []
    for name in names:
        if name in _BATCH_CONSTANTS:
            selected.append(f"%s::{EVENTS.c[name].type.compile(dialect=dialect)}")
        elif isinstance(EVENTS.c[name].type, JSON):  # a JSON null is SQL NULL here
            selected.append(f"CASE WHEN json_typeof(r.{quote(name)}) = 'null' THEN NULL "
                            f"ELSE r.{quote(name)} END")
        else:
            selected.append(f"r.{quote(name)}::{EVENTS.c[name].type.compile(dialect=dialect)}")
    functions = ", ".join(
        "json_array_elements(%s::json)" if isinstance(EVENTS.c[name].type, JSON)
        else "json_array_elements_text(%s::json)"
        for name in unnested
    )
    return (
        f"INSERT INTO events ({', '.join(quote(name) for name in names)}) "
        f"SELECT {', '.join(selected)} "
        f"FROM ROWS FROM ({functions}) AS r({', '.join(quote(name) for name in unnested)}) "
        "ON CONFLICT (recording_id, client_id) DO NOTHING RETURNING client_id"
    )
