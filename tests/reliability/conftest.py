"""Fixtures of the reliability tests: a database of its own for a server in a subprocess."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.settings import Settings


@pytest.fixture
def server_database(tmp_path: Path) -> Iterator[str | None]:
    """``None`` (SQLite in the data dir) or a scratch PostgreSQL database for the server."""
    url = os.environ.get("SOP_RECORDER_TEST_DATABASE_URL")
    if not url or not url.startswith("postgres"):
        yield None
        return
    base = make_url(Settings(database_url=url).resolved_database_url)
    name = f"sop_crash_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
