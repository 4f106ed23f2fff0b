"""The insert of a batch's rows, at the limits of the database library."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.ingest.redaction import Redactor
from app.ingest.rows import insert_new_rows, redacted_columns
from app.ingest.schemas import BATCH, RecordingCreate
from app.ingest.store import create_recording
from app.models import Event, utcnow
from tests.factories import event


def test_sqlite_statements_fit_the_librarys_parameter_limit(
    connection: Connection, session: Session, quick_account: Any
) -> None:
    # SQLite before 3.32 admits 999 parameters per statement: 120 rows of 19 columns go in
    # several statements, and every row is stored.
    if connection.dialect.name != "sqlite":
        pytest.skip("a limit of SQLite's")
    user = quick_account().user
    rid = create_recording(session, user, RecordingCreate(workflow="Limits")).id
    events = BATCH.validate_python({"events": [event("click", seq=n) for n in range(1, 121)]})
    columns = redacted_columns(rid, events["events"], Redactor([]), utcnow())
    driver = connection.connection.driver_connection
    assert driver is not None
    before = driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    try:
        assert len(insert_new_rows(session.connection(), columns)) == 120
    finally:
        driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)
    stored = select(func.count()).select_from(Event).where(Event.recording_id == rid)
    assert session.scalar(stored) == 120


def test_every_column_is_stored_as_given_nulls_and_near_nulls_alike(
    connection: Connection, session: Session, quick_account: Any
) -> None:
    # The batch insert of each database (SQLite: a NULL bound as -1 and turned back by NULLIF;
    # PostgreSQL: a JSON array per column): a value that is absent is stored NULL, and values
    # close to the marker or to JSON's null (0, False, "", "-1") are stored as given.
    user = quick_account().user
    rid = create_recording(session, user, RecordingCreate(workflow="Nulls")).id
    sent = [
        event("click", seq=1),
        event("change", seq=2, field="", control="checkbox", choice="-1", checked=False),
        {**event("change", seq=3, field="Refund", control="checkbox", checked=True),
         "choice": None},
        event("navigation", seq=4, transition="reload", load_ms=0),
        {**event("navigation", seq=5, transition="typed"), "load_ms": None},
        event("visibility", seq=6, state="visible"),
        event("marker", seq=7, label="-1"),
    ]
    events = BATCH.validate_python({"events": sent})["events"]
    columns = redacted_columns(rid, events, Redactor([]), utcnow())
    inserted = insert_new_rows(session.connection(), columns)
    assert sorted(inserted) == sorted(columns.values["client_id"])
    names = ["field", "control", "choice", "checked", "transition", "load_ms", "state", "label"]
    stored = session.execute(
        select(*(getattr(Event, name) for name in names), Event.target)
        .where(Event.recording_id == rid).order_by(Event.seq)
    ).all()
    assert [tuple(row[:-1]) for row in stored] == [
        (None, None, None, None, None, None, None, None),
        ("", "checkbox", "-1", False, None, None, None, None),
        ("Refund", "checkbox", None, True, None, None, None, None),
        (None, None, None, None, "reload", 0, None, None),
        (None, None, None, None, "typed", None, None, None),
        (None, None, None, None, None, None, "visible", None),
        (None, None, None, None, None, None, None, "-1"),
    ]
    assert [row[-1] is None for row in stored] == [False, False, False, True, True, True, True]
    assert stored[0][-1] == {
        "tag": "button", "role": "button", "name": "Submit as Solved", "input_type": None,
        "selectors": ["aria/Submit as Solved", "[data-test-id=submit]"],
        "context": {"heading": "Ticket #4821", "dialog": None, "form": "Ticket",
                    "landmark": None},
    }
    sql_nulls = connection.exec_driver_sql(
        "SELECT count(*) FROM events WHERE recording_id = "
        f"{int(rid)} AND (checked IS NULL) = (type <> 'change') "
        "AND (target IS NULL) = (type NOT IN ('click', 'change'))"
    ).scalar()
    assert sql_nulls == len(sent)  # SQL NULLs, not JSON nulls or markers
