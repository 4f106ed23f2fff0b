"""The insert of a batch's rows, at the limits of the database library."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.ingest.redaction import Redactor
from app.ingest.rows import insert_rows, redacted_row
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
    redactor, now = Redactor([]), utcnow()
    rows = [redacted_row(rid, item, redactor, now) for item in events["events"]]
    driver = connection.connection.driver_connection
    assert driver is not None
    before = driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    try:
        assert insert_rows(session.connection(), rows, skip_stored=True) == 120
    finally:
        driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)
    stored = select(func.count()).select_from(Event).where(Event.recording_id == rid)
    assert session.scalar(stored) == 120
