"""Overload: 32 concurrent clients sending 500-event batches to one uvicorn worker.

Shows that the service stays responsive (p99 of every answer under 400 ms, no timeouts) and
answers 429 with ``Retry-After`` beyond its capacity instead of queueing without bound. The
clients behave like the extension: a refused batch is resent after ``Retry-After`` (with jitter).

    .venv/bin/python bench/load.py [--seconds 10] [--clients 32] [--postgres URL]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ingest import time_ordered_id
from tests.live_server import LiveServer

BATCH = 500
TIMEOUT_S = 5.0


def make_batch(seq0: int) -> bytes:
    """One 500-event batch of realistic clicks, serialized once."""
    rng = random.Random(seq0)
    events = []
    for i in range(BATCH):
        ts = 1_763_800_000_000 + (seq0 + i) * 700
        events.append({
            "id": time_ordered_id(ts, rng), "seq": seq0 + i, "type": "click",
            "ts": ts, "tab": 1, "frame": 0,
            "page": {"url": "https://acme.zendesk.com/agent/tickets/{id}", "title": "Ticket"},
            "target": {"tag": "button", "role": "button", "name": "Submit as Solved",
                       "selectors": ["aria/Submit as Solved"], "context": {"form": "Ticket"}},
        })
    return json.dumps({"events": events}).encode()


class LoadClient(threading.Thread):
    def __init__(self, url: str, token: str, recording_id: int, batches: list[bytes],
                 until: float) -> None:
        super().__init__(daemon=True)
        self.endpoint = f"{url}/api/v1/recordings/{recording_id}/events"
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.batches, self.until = batches, until
        self.latencies: list[float] = []
        self.accepted = self.refused = self.timeouts = self.errors = 0
        self.retry_after_missing = 0
        self.events = 0

    def run(self) -> None:
        with httpx.Client(timeout=TIMEOUT_S) as http:
            pending = list(self.batches)
            while pending and time.monotonic() < self.until:
                body = pending[0]
                started = time.perf_counter()
                try:
                    response = http.post(self.endpoint, content=body, headers=self.headers)
                except httpx.TimeoutException:
                    self.timeouts += 1
                    continue
                self.latencies.append(time.perf_counter() - started)
                if response.status_code == 200:
                    self.accepted += 1
                    self.events += response.json()["inserted"]
                    pending.pop(0)
                elif response.status_code == 429:
                    self.refused += 1
                    retry_after = response.headers.get("retry-after")
                    if retry_after is None:
                        self.retry_after_missing += 1
                    time.sleep(float(retry_after or 1) * random.uniform(0.5, 1.0))
                else:
                    self.errors += 1


def run(seconds: float, clients: int, database_url: str | None) -> dict[str, float]:
    """Drive the load against a fresh server; returns the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer(Path(tmp), database_url=database_url)
        token = server.create_user(f"load-{uuid.uuid4().hex[:6]}@example.test")
        server.start()
        headers = {"Authorization": f"Bearer {token}"}
        # A recording per client, as agents record: one shared recording would reach the
        # per-recording event limit (a 413, by design) within seconds on a fast machine.
        recording_ids = [httpx.post(f"{server.url}/api/v1/recordings", json={"workflow": "Load"},
                                    headers=headers).json()["id"] for _ in range(clients)]
        per_client = max(2, int(seconds * 60 / clients) + 2)
        pools = [[make_batch(c * 10_000_000 + b * BATCH) for b in range(per_client)]
                 for c in range(clients)]
        until = time.monotonic() + seconds
        workers = [LoadClient(server.url, token, recording_id, pool, until)
                   for recording_id, pool in zip(recording_ids, pools, strict=True)]
        began = time.monotonic()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.monotonic() - began
        server.stop()
    latencies = sorted(t for w in workers for t in w.latencies)
    q = statistics.quantiles(latencies, n=100)
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "events_per_s": round(sum(w.events for w in workers) / elapsed),
        "accepted": sum(w.accepted for w in workers),
        "refused_429": sum(w.refused for w in workers),
        "retry_after_missing": sum(w.retry_after_missing for w in workers),
        "timeouts": sum(w.timeouts for w in workers),
        "other_errors": sum(w.errors for w in workers),
        "p50_ms": round(q[49] * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--postgres", help="a PostgreSQL URL to run against as well")
    args = parser.parse_args()
    targets = [("SQLite", None)] + ([("PostgreSQL", args.postgres)] if args.postgres else [])
    ok = True
    for label, url in targets:
        figures = run(args.seconds, args.clients, url)
        print(label, json.dumps(figures))
        ok &= figures["p99_ms"] < 400 and figures["timeouts"] == 0
        ok &= figures["retry_after_missing"] == 0 and figures["other_errors"] == 0
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
