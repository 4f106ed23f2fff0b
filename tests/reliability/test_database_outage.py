"""PostgreSQL drops the service's connections: between requests the service reconnects on its
own; in the middle of a batch the client gets a 503, nothing of the batch is kept, and the
batch sent again is stored once. (On SQLite there is no server to drop a connection.)

The app runs on a scratch database with its own connection pool, as in production; the
connections are ended by PostgreSQL itself (``pg_terminate_backend``), as a restart or an
operator would end them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, Table, insert, select, text
from sqlalchemy.engine import make_url

from app import accounts
from app.database import make_engine, make_session_factory
from app.errors import UNAVAILABLE_RETRY_AFTER_S
from app.main import create_app
from app.migrate import upgrade
from app.models import Event, utcnow
from app.settings import Settings
from tests.factories import event

EVENTS = cast(Table, Event.__table__)


def event_id(seq: int) -> str:
    return f"00000000-0000-4000-8000-{seq:012d}"


def marker(seq: int) -> dict[str, Any]:
    return event("marker", seq=seq, id=event_id(seq))


@pytest.fixture
def admin(server_database: str | None) -> Iterator[Engine]:
    """An engine of our own on the scratch database, outside the app's pool."""
    if server_database is None:
        pytest.skip("PostgreSQL only: SQLite has no server that drops connections")
    engine = make_engine(server_database)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def service(admin: Engine, server_database: str, tmp_path: Path) -> Iterator[TestClient]:
    """The app on the scratch database, with its own pool."""
    app = create_app(Settings(data_dir=tmp_path, database_url=server_database))
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


@pytest.fixture
def headers(admin: Engine) -> dict[str, str]:
    with make_session_factory(admin)() as session:
        _, token = accounts.create_user(session, "agent@example.test", "agent", "Support")
    return {"Authorization": f"Bearer {token}"}


def the_services_backends(connection: Connection) -> list[int]:
    """PostgreSQL's processes serving the app's pool (every other one on its database)."""
    database = make_url(str(connection.engine.url)).database
    return list(connection.execute(text(
        "SELECT pid FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid()"
    ), {"db": database}).scalars())


def stored(admin: Engine, recording_id: int) -> list[str]:
    with admin.connect() as connection:
        return sorted(connection.execute(
            select(EVENTS.c.client_id).where(EVENTS.c.recording_id == recording_id)
        ).scalars())


def open_recording(service: TestClient, headers: dict[str, str]) -> int:
    opened = service.post("/api/v1/recordings", json={"workflow": "Outage"}, headers=headers)
    assert opened.status_code == 201, opened.text
    recording_id: int = opened.json()["id"]
    return recording_id


def test_connections_dropped_between_requests_are_replaced(
    service: TestClient, admin: Engine, headers: dict[str, str]
) -> None:
    recording_id = open_recording(service, headers)
    path = f"/api/v1/recordings/{recording_id}/events"
    assert service.post(path, json={"events": [marker(1)]}, headers=headers).status_code == 200
    with admin.connect() as connection:
        backends = the_services_backends(connection)
        assert backends, "the app holds no pooled connection to drop"
        for pid in backends:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    answer = service.post(path, json={"events": [marker(2)]}, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["inserted"] == 1
    assert stored(admin, recording_id) == [event_id(1), event_id(2)]


def test_a_connection_lost_mid_batch_keeps_nothing_and_the_resend_stores_it_once(
    service: TestClient, admin: Engine, headers: dict[str, str]
) -> None:
    recording_id = open_recording(service, headers)
    path = f"/api/v1/recordings/{recording_id}/events"
    batch = {"events": [marker(1), marker(2), marker(3)]}
    with admin.connect() as blocker:
        # An uncommitted row with the batch's last id: the service's insert stores the first
        # two rows, then waits to learn whether the third is taken.
        blocker.execute(insert(EVENTS).values(
            recording_id=recording_id, client_id=event_id(3), seq=3, type="marker", ts=0, tab=1,
            frame=0, url="https://desk.example/", title="", label="held", received_at=utcnow(),
        ))
        pool = ThreadPoolExecutor(1)
        try:
            sending = pool.submit(service.post, path, json=batch, headers=headers)
            waiting = wait_for_a_blocked_insert(admin)
            with admin.connect() as operator:
                operator.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": waiting})
            answer = sending.result(timeout=30)
        finally:
            blocker.rollback()  # whatever happened, the service's request is let go
            pool.shutdown()
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == str(UNAVAILABLE_RETRY_AFTER_S)
    assert stored(admin, recording_id) == []
    again = service.post(path, json=batch, headers=headers)
    assert again.status_code == 200, again.text
    assert again.json()["inserted"] == 3
    assert stored(admin, recording_id) == [event_id(n) for n in (1, 2, 3)]
    with admin.connect() as connection:
        count = connection.execute(text("SELECT event_count FROM recordings WHERE id = :id"),
                                   {"id": recording_id}).scalar_one()
    assert count == 3


def wait_for_a_blocked_insert(admin: Engine, timeout: float = 20.0) -> int:
    """The process id of the service's insert once it waits on another transaction's row."""
    deadline = time.monotonic() + timeout
    with admin.connect() as connection:
        while time.monotonic() < deadline:
            pid = connection.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO events%'"
            )).scalar()
            if pid is not None:
                return int(pid)
            connection.rollback()  # a fresh snapshot of pg_stat_activity for the next look
            time.sleep(0.02)
    raise AssertionError("the service's insert never waited on the held row")

