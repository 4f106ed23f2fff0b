"""Crash safety: SIGKILL the server again and again while clients send batches and retry.

Afterwards every acknowledged event is stored exactly once, no batch is ever half stored (checked
right after each kill, before the next server serves), and SQLite's integrity check says ok. The
suite runs it on SQLite, and on PostgreSQL when ``SOP_RECORDER_TEST_DATABASE_URL`` points there.
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from tests.factories import event
from tests.live_server import PreforkedServer

KILLS = 20
CLIENTS = 3
BATCH = 40


class Client(threading.Thread):
    """Sends batches like the extension: a batch is retried until acknowledged."""

    def __init__(self, url: str, token: str, recording_id: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.endpoint = f"{url}/api/v1/recordings/{recording_id}/events"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.stop_flag = stop
        self.batches: list[list[str]] = []
        self.acked: list[str] = []
        self.failures: list[str] = []

    def run(self) -> None:
        with httpx.Client(timeout=5) as http:
            while not self.stop_flag.is_set():
                events = [event("click") for _ in range(BATCH)]
                self.batches.append([e["id"] for e in events])
                self._deliver(http, {"events": events})

    def _deliver(self, http: httpx.Client, payload: dict[str, Any]) -> None:
        delay = 0.05
        while True:
            try:
                response = http.post(self.endpoint, json=payload, headers=self.headers)
            except httpx.HTTPError:
                response = None
            if response is not None and response.status_code == 200:
                self.acked.extend(e["id"] for e in payload["events"])
                return
            if response is not None and response.status_code < 500 and response.status_code != 429:
                self.failures.append(f"{response.status_code} {response.text[:200]}")
                return
            time.sleep(delay + random.random() * delay)
            delay = min(delay * 2, 0.5)


def stored_ids(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT client_id FROM events")).scalars())


def test_sigkill_loses_and_doubles_nothing(tmp_path: Path, server_database: str | None) -> None:
    # Each restart forks a parent that imported the app once: a whole new server process
    # in about a third of a second, where a cold start takes two (most of it imports).
    server = PreforkedServer(tmp_path / "data", database_url=server_database)
    token = server.create_user("crash@example.test", "agent")
    server.start()
    opened = httpx.post(f"{server.url}/api/v1/recordings", json={"workflow": "Crash"},
                        headers={"Authorization": f"Bearer {token}"})
    recording_id = opened.json()["id"]
    db_url = server_database or f"sqlite:///{tmp_path / 'data' / 'sop-recorder.db'}"
    engine = create_engine(db_url)

    stop = threading.Event()
    clients = [Client(server.url, token, recording_id, stop) for _ in range(CLIENTS)]
    for client in clients:
        client.start()
    started = time.monotonic()
    rng = random.Random(7)
    restarts: list[float] = []
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.1, 0.4))
            server.kill()
            down = time.monotonic()
            # Nothing serves now: what is stored is as the killed server left it.
            stored = set(stored_ids(engine))
            for client in clients:
                for batch in list(client.batches):
                    present = sum(event_id in stored for event_id in batch)
                    assert present in (0, len(batch)), "a batch was half stored"
            server.launch(migrate=False)
            server.wait_until_healthy()
            restarts.append(time.monotonic() - down)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=30)
        server.stop()

    assert elapsed <= 60, (f"{KILLS} kills took {elapsed:.0f} s; a restart took "
                           f"{sum(restarts) / len(restarts):.1f} s on average")
    assert not any(client.failures for client in clients)
    acked = [event_id for client in clients for event_id in client.acked]
    ids = stored_ids(engine)
    assert len(ids) == len(set(ids)), "an event was stored twice"
    assert set(acked) <= set(ids), "an acknowledged event was lost"
    sent = {event_id for client in clients for batch in client.batches for event_id in batch}
    assert set(ids) <= sent
    assert len(acked) >= CLIENTS * BATCH
    if server_database is None:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    engine.dispose()
