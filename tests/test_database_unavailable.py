"""When the database cannot serve, every route answers 503 with ``Retry-After``; an unexpected
error is a 500. Both in the one error body (pages: an HTML page), never Starlette's plain text.

The databases that cannot be reached are real: an SQLite file in a folder that does not exist,
and PostgreSQL on a local port where nothing listens. The suite runs these on either database.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.database import SessionDep
from app.errors import UNAVAILABLE_RETRY_AFTER_S, is_database_unavailable
from app.main import create_app
from app.pages.session import COOKIE_NAME, PageSession, encode_session, load_or_create_secret
from app.settings import Settings
from tests.factories import event
from tests.html import one
from tests.live_server import free_port

TOKEN = {"Authorization": "Bearer sopr_" + "x" * 40}
BATCH = {"events": [event("marker")]}
#: Routes of the API and the downloads that all need the database, with their bodies.
API_CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/healthz", {}),
    ("GET", "/api/v1/me", {}),
    ("GET", "/api/v1/recordings", {}),
    ("POST", "/api/v1/recordings", {"json": {"workflow": "Refunds"}}),
    ("POST", "/api/v1/recordings/1/events", {"json": BATCH}),
    ("POST", "/api/v1/recordings/1/finish", {}),
    ("GET", "/api/v1/workflows/1/sop?format=md", {}),
    ("GET", "/api/v1/workflows/1/process-map?format=bpmn", {}),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def unreachable(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    """The app on a database it cannot reach."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'sop.db'}"
    else:
        url = f"postgresql://postgres@127.0.0.1:{free_port()}/sop"
    settings = Settings(data_dir=tmp_path / "data", database_url=url)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize(("method", "path", "kwargs"), API_CALLS)
def test_an_unreachable_database_is_a_503_with_retry_after(
    unreachable: TestClient, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    response = unreachable.request(method, path, headers=TOKEN, **kwargs)
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == str(UNAVAILABLE_RETRY_AFTER_S)
    assert response.json() == {"error": "unavailable",
                               "detail": "the database is unavailable; try again shortly"}


def test_a_page_says_so_in_html(unreachable: TestClient) -> None:
    settings: Settings = unreachable.app.state.settings  # type: ignore[attr-defined]
    signed_in = PageSession("csrf", int(time.time()), user_id=1, fingerprint="f")
    unreachable.cookies[COOKIE_NAME] = encode_session(load_or_create_secret(settings), signed_in)
    response = unreachable.get("/workflows")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["Retry-After"] == str(UNAVAILABLE_RETRY_AFTER_S)
    assert one(BeautifulSoup(response.text, "html.parser"), "h1").text == "Unavailable"


def _add_failing_routes(app: FastAPI) -> None:
    @app.get("/api/v1/test-fails")
    def fails() -> None:
        raise RuntimeError("a bug with a secret in its message")

    @app.get("/test-page-fails")
    def page_fails() -> None:
        raise RuntimeError("a bug with a secret in its message")

    @app.get("/api/v1/test-bad-sql")
    def bad_sql(session: SessionDep) -> None:
        session.execute(text("SELECT no_such_column FROM no_such_table"))


@pytest.fixture
def failing(app: FastAPI, session: Session) -> Iterator[TestClient]:
    """The app on the test database, with routes that fail as a bug would."""
    _add_failing_routes(app)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("path", ["/api/v1/test-fails", "/api/v1/test-bad-sql"])
def test_an_unexpected_error_is_a_500_in_the_error_body(failing: TestClient, path: str) -> None:
    # Bad SQL is our fault, not the database's: on SQLite too, whose driver raises the same
    # OperationalError class for it as for a file it cannot open.
    response = failing.get(path)
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    assert response.json() == {"error": "internal", "detail": "an unexpected error; it was logged"}


def test_an_unexpected_error_on_a_page_is_an_html_page(failing: TestClient) -> None:
    response = failing.get("/test-page-fails")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "secret" not in response.text
    assert one(BeautifulSoup(response.text, "html.parser"), "h1").text == "Something is wrong"


def sqlite_error(make: str, tmp_path: Path) -> sqlite3.Error:
    """A real error of the sqlite3 driver, with its result code."""
    try:
        if make == "cannot open":
            sqlite3.connect(tmp_path / "no-such-folder" / "sop.db")
        elif make == "locked":
            path = tmp_path / "locked.db"
            holder = sqlite3.connect(path, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            sqlite3.connect(path, timeout=0, isolation_level=None).execute("BEGIN IMMEDIATE")
        else:
            sqlite3.connect(":memory:").execute("SELECT * FROM no_such_table")
    except sqlite3.Error as error:
        return error
    raise AssertionError(f"no error for {make}")


@pytest.mark.parametrize(("make", "unavailable"), [
    ("cannot open", True), ("locked", True), ("no such table", False),
])
def test_sqlite_codes_decide(make: str, unavailable: bool, tmp_path: Path) -> None:
    error = sqlite_error(make, tmp_path)
    assert isinstance(error, sqlite3.OperationalError)  # the same class for all three
    assert is_database_unavailable(sa_exc.OperationalError("SELECT 1", None, error)) is unavailable


@pytest.mark.parametrize(("error", "unavailable"), [
    (psycopg.OperationalError("connection failed: Connection refused"), True),  # no SQLSTATE
    (psycopg.errors.AdminShutdown(), True),
    (psycopg.errors.CannotConnectNow(), True),
    (psycopg.errors.TooManyConnections(), True),
    (psycopg.errors.DiskFull(), True),
    (psycopg.errors.DeadlockDetected(), True),
    (psycopg.errors.SerializationFailure(), True),
    (psycopg.errors.QueryCanceled(), True),
    (psycopg.errors.LockNotAvailable(), True),
    (psycopg.errors.ProgramLimitExceeded(), False),  # an OperationalError, but ours to fix
    (psycopg.errors.ObjectNotInPrerequisiteState(), False),
])
def test_postgresql_sqlstates_decide(error: psycopg.Error, unavailable: bool) -> None:
    assert isinstance(error, psycopg.OperationalError)
    assert is_database_unavailable(sa_exc.OperationalError("SELECT 1", None, error)) is unavailable


@pytest.mark.parametrize("error", [
    sa_exc.ProgrammingError("SELECT 1", None, psycopg.errors.UndefinedTable()),
    sa_exc.IntegrityError("INSERT", None, psycopg.errors.UniqueViolation()),
    RuntimeError("not from the database"),
])
def test_other_errors_are_ours(error: Exception) -> None:
    assert not is_database_unavailable(error)


def test_a_lost_connection_is_unavailable_whatever_the_class() -> None:
    lost = sa_exc.DBAPIError("SELECT 1", None, psycopg.errors.UndefinedTable(),
                             connection_invalidated=True)
    assert is_database_unavailable(lost)
    assert is_database_unavailable(sa_exc.TimeoutError("QueuePool limit reached"))
