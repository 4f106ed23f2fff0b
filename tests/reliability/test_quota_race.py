"""The recordings-per-team quota holds when many recordings are opened at the same moment."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx

from tests.live_server import LiveServer

QUOTA = 5
OPENERS = 12


def test_concurrent_opens_never_pass_the_quota(tmp_path: Path, server_database: str | None) -> None:
    server = LiveServer(tmp_path / "data", database_url=server_database,
                        extra_env={"SOP_RECORDER_MAX_RECORDINGS_PER_TEAM": str(QUOTA)})
    agent = server.create_user("agent@example.test")
    lead = server.create_user("lead@example.test", "lead")
    server.start()
    try:
        start = threading.Barrier(OPENERS)
        statuses: list[int] = []

        def open_one() -> None:
            with httpx.Client(base_url=server.url, timeout=30) as http:
                start.wait()
                response = http.post("/api/v1/recordings", json={"workflow": "Refund"},
                                     headers={"Authorization": f"Bearer {agent}"})
                statuses.append(response.status_code)

        threads = [threading.Thread(target=open_one) for _ in range(OPENERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [201] * QUOTA + [409] * (OPENERS - QUOTA)
        listed = httpx.get(f"{server.url}/api/v1/recordings",
                           headers={"Authorization": f"Bearer {lead}"}).json()
        assert listed["total"] == QUOTA
    finally:
        server.stop()
