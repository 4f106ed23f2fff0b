"""Ingest benchmark: one real uvicorn worker, 4 concurrent clients, batches of 100 and 500.

Run with ``.venv/bin/python bench/ingest.py`` (SQLite in a temp dir) and add
``--postgres postgresql://postgres@127.0.0.1:5432/postgres`` to also measure PostgreSQL: a
scratch database is created next to the given one and dropped afterwards.

For each database and batch size it reports events per second, p50 and p99 latency of one
batch, and, in the same run, a raw baseline: a plain ``executemany`` of the same rows into
the same schema through the bare driver (sqlite3 / psycopg), one transaction per batch, and
the ratio ours / raw. It also reports the server's CPU time per event (from ``/proc``), which
says what one core could do when the machine is shared and wall-clock rates are not, and how
many cores the server kept busy (one worker's Python code runs on one core at a time), and the
CPU time per event of PostgreSQL's processes and of the clients.

The clients send back to back, so that the rate is the most the server takes; their latency
is then mostly queueing (by Little's law 4 / batches per second). A second line per batch size
runs the same clients paced at the target rate of the database (``TARGET_RATES``), each batch
timed from its scheduled send: the latency a client sees while the service carries that load.
A request refused by admission control (429) is sent again after its ``Retry-After``, as the
extension does; the wait counts in its latency and the last column counts the refusals.

Each measured run starts on a clean page cache (``os.sync()``; ``--no-sync`` leaves it out):
otherwise the kernel writes back the previous run's data, the raw baseline's 200,000 rows among
them, about 30 s after they were written (``vm.dirty_expire_centisecs``), in the middle of the
next run, whose commits then wait behind it for the disk. A run shorter than that does not see
the writeback of its own data; ``--events`` makes a run long enough to.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import accounts  # noqa: E402
from app.database import make_engine, make_session_factory  # noqa: E402
from app.ingest.redaction import Redactor  # noqa: E402
from app.ingest.rows import redacted_columns  # noqa: E402
from app.ingest.schemas import BATCH, RecordingCreate  # noqa: E402
from app.ingest.store import create_recording  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.models import utcnow  # noqa: E402
from app.settings import Settings  # noqa: E402
from tests.live_server import LiveServer, proc_stat_fields  # noqa: E402

BASE_TS = 1_763_800_000_000
#: The issue's targets; each batch size also runs paced at its database's target rate.
TARGET_RATES = {"SQLite": 15_000, "PostgreSQL": 10_000}
COLUMNS = ["recording_id", "client_id", "seq", "type", "ts", "tab", "frame", "url", "title",
           "target", "field", "control", "choice", "checked", "transition", "load_ms", "state",
           "label", "received_at"]


def time_ordered_id(ms: int, rng: random.Random) -> str:
    """A UUIDv7 for an event made at ``ms``, as the extension makes them (``lib/ids.js``)."""
    value = (ms << 80) | (0x7 << 76) | (rng.getrandbits(12) << 64) | (0b10 << 62)
    return str(uuid.UUID(int=value | rng.getrandbits(62)))


def make_event(seq: int, rng: random.Random) -> dict[str, Any]:
    """One realistic wire-format event: mostly clicks and choices, a new page now and then."""
    kind = rng.choices(["click", "change", "navigation", "visibility", "marker"],
                       weights=[50, 25, 15, 8, 2])[0]
    ticket = 1000 + (seq // 12) * 37  # an agent stays on a page for a dozen events
    event: dict[str, Any] = {
        "id": time_ordered_id(BASE_TS + seq * 700, rng),
        "seq": seq, "type": kind, "ts": BASE_TS + seq * 700, "tab": rng.randint(1, 4),
        "frame": 0,
        "page": {"url": f"https://acme.zendesk.com/agent/tickets/{ticket}?tab=notes&x=1",
                 "title": f"Ticket #{ticket} - Refund for annual plan - Zendesk"},
    }
    if kind in ("click", "change"):
        event["target"] = {
            "tag": "button", "role": "button", "name": "Submit as Solved",
            "selectors": ["aria/Submit as Solved", "[data-test-id=submit-button]",
                          "#main > div.ticket > form > button:nth-child(3)"],
            "context": {"heading": f"Ticket #{ticket}", "form": "Ticket properties",
                        "landmark": "main"},
        }
    if kind == "change":
        event.update(field="Priority", control="select", choice="Urgent")
    elif kind == "navigation":
        event.update(transition="link", load_ms=rng.randint(80, 3000))
    elif kind == "visibility":
        event["state"] = "hidden"
    elif kind == "marker":
        event["label"] = "Escalating now"
    return event


@contextmanager
def scratch_postgres(url: str) -> Iterator[str]:
    """A fresh database beside ``url``'s, dropped afterwards; yields its URL."""
    base = make_url(url)
    name = f"sop_bench_{os.getpid()}"
    admin = base.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(drivername="postgresql", database=name).render_as_string(False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(settings: Settings, clients: int) -> list[str]:
    """Migrate the database and create one agent per client; returns their tokens."""
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    tokens = []
    with make_session_factory(engine)() as session:
        for n in range(clients):
            _, token = accounts.create_user(session, f"bench-{n}@example.test", "agent", "Bench")
            tokens.append(token)
    engine.dispose()
    return tokens


def machine_busy_seconds() -> float:
    """CPU time all cores of the machine have spent busy so far (``/proc/stat``, not idle)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    return (sum(values) - idle) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``)."""
    return _stat_cpu_seconds(Path(f"/proc/{pid}/stat").read_text())


def postgres_cpu_seconds() -> float:
    """CPU time of every running PostgreSQL process so far: backends, WAL writer, checkpointer.

    A process that exits between two readings takes its time with it; the server's pooled
    backends, which do the inserts, live through a run.
    """
    total = 0.0
    for path in Path("/proc").glob("[0-9]*/stat"):
        try:
            stat = path.read_text()
        except OSError:  # gone since the listing
            continue
        if stat.rpartition(")")[0].endswith("(postgres"):
            total += _stat_cpu_seconds(stat)
    return total


def _stat_cpu_seconds(stat: str) -> float:
    """User + system CPU seconds in the text of a ``/proc/PID/stat``."""
    fields = proc_stat_fields(stat)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    events: int
    seconds: float
    latencies_ms: list[float]
    refused: int  # answers 429, each resent after its Retry-After as the extension does
    #: Each phase's milliseconds in every answer's ``Server-Timing`` header, by phase name.
    phases_ms: dict[str, list[float]]

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    def percentile(self, q: float) -> float:
        return percentile(self.latencies_ms, q)


def percentile(values: list[float], q: float) -> float:
    """The value at quantile ``q`` of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def add_server_timing(header: str, phases_ms: dict[str, list[float]]) -> None:
    """Add the phases of one ``Server-Timing`` header (``name;dur=ms, …``) to ``phases_ms``."""
    for part in filter(None, header.split(", ")):
        name, _, duration = part.partition(";dur=")
        phases_ms.setdefault(name, []).append(float(duration))


def make_bodies(batch_size: int, batches: int, seed: int) -> list[bytes]:
    """The pre-encoded request bodies of one client."""
    rng = random.Random(seed)
    seqs = iter(range(1, batch_size * batches + 1))
    return [json.dumps({"events": [make_event(next(seqs), rng) for _ in range(batch_size)]},
                       separators=(",", ":")).encode()
            for _ in range(batches)]


class LeanClient:
    """One keep-alive HTTP/1.1 connection of the standard library: a load generator that
    costs the machine it shares with the server as little as it can (a third of httpx's
    CPU per request); the server sees the same requests."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        self.connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=60)
        self.headers = headers
        self.retry_after = 1.0
        self.server_timing = ""

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        """POST ``body``; the status and the body of the answer (``retry_after``: its header)."""
        self.connection.request("POST", path, body=body, headers=self.headers)
        response = self.connection.getresponse()
        self.retry_after = float(response.getheader("Retry-After") or 1)
        self.server_timing = response.getheader("Server-Timing") or ""
        return response.status, response.read()

    def close(self) -> None:
        self.connection.close()


def run_clients(
    base: str, tokens: list[str], all_bodies: list[list[bytes]], rate: float | None = None
) -> Result:
    """Each client opens a recording and sends its bodies one after the other.

    Back to back by default, which measures the most the server can take. With ``rate``
    (events per second, all clients together) each client sends on a fixed schedule instead,
    the clients evenly staggered, and a batch's latency counts from its scheduled time: what
    a client sees while the service runs at that load, delays from falling behind included.
    """
    latencies: list[float] = []
    errors: list[str] = []
    refused: list[int] = []
    phases_ms: dict[str, list[float]] = {}
    lock = threading.Lock()
    start_barrier = threading.Barrier(len(tokens) + 1)

    def client(token: str, bodies: list[bytes]) -> None:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        conn = LeanClient(base, headers)
        try:
            status, answer = conn.post("/api/v1/recordings", b'{"workflow": "Bench"}')
            if status != 201:
                errors.append(f"open: {status} {answer[:200]!r}")
                start_barrier.abort()
                return
            rid = json.loads(answer)["id"]
            mine = []
            timings = []
            try:
                start_barrier.wait()
            except threading.BrokenBarrierError:
                return
            start = time.perf_counter()
            interval = 0.0
            if rate:
                interval = body_events(bodies[0]) * len(tokens) / rate
                start += interval * tokens.index(token) / len(tokens)
            for n, body in enumerate(bodies):
                t0 = time.perf_counter()
                if rate:
                    t0 = start + n * interval
                    time.sleep(max(0.0, t0 - time.perf_counter()))
                status, answer = conn.post(f"/api/v1/recordings/{rid}/events", body)
                while status == 429:  # admission control: wait as told, send again
                    refused.append(1)
                    time.sleep(conn.retry_after)
                    status, answer = conn.post(f"/api/v1/recordings/{rid}/events", body)
                mine.append((time.perf_counter() - t0) * 1000)
                timings.append(conn.server_timing)
                if status != 200:
                    errors.append(f"{status} {answer[:200]!r}")
        finally:
            conn.close()
        with lock:
            latencies.extend(mine)
            for header in timings:
                add_server_timing(header, phases_ms)

    threads = [threading.Thread(target=client, args=(token, bodies))
               for token, bodies in zip(tokens, all_bodies, strict=True)]
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        start_barrier.wait()
    t0 = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - t0
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, first: {errors[0]}")
    events = sum(body_events(body) for bodies in all_bodies for body in bodies)
    return Result(events, seconds, latencies, len(refused), phases_ms)


def body_events(body: bytes) -> int:
    """How many events a pre-encoded body holds."""
    return body.count(b'"seq":')


def raw_rows(bodies: list[bytes], recording_id: int) -> list[tuple[Any, ...]]:
    """The same rows the service stores, as driver parameters."""
    settings = Settings()
    rows = []
    for body in bodies:
        redactor = Redactor(settings.allowed_query_params)
        columns = redacted_columns(recording_id, BATCH.validate_json(body)["events"], redactor,
                                   utcnow())
        for row in columns.rows():
            row["target"] = json.dumps(row["target"]) if row["target"] is not None else None
            rows.append(tuple(row[c] for c in COLUMNS))
    return rows


def raw_insert(url: str, rows: list[tuple[Any, ...]], batch_size: int, recording_id: int) -> float:
    """Seconds for a plain executemany of ``rows``, one transaction per batch."""
    marks = ", ".join(["%s"] * len(COLUMNS))
    sql = f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ({marks})"
    if url.startswith("sqlite"):
        conn: Any = sqlite3.connect(str(make_url(url).database), isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        sql = sql.replace("%s", "?")
        rows = [tuple(v.isoformat() if hasattr(v, "isoformat") else v for v in r) for r in rows]
    else:
        conn = psycopg.connect(make_url(url).set(drivername="postgresql")
                               .render_as_string(False), autocommit=True)
    t0 = time.perf_counter()
    for start in range(0, len(rows), batch_size):
        conn.execute("BEGIN")
        conn.cursor().executemany(sql, rows[start:start + batch_size])
        conn.execute("COMMIT")
    seconds = time.perf_counter() - t0
    conn.execute(f"DELETE FROM events WHERE recording_id = {int(recording_id)}")
    conn.close()
    return seconds


def open_raw_recording(url: str) -> int:
    """A recording for the baseline's rows, made through the app's own code."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        user, _ = accounts.create_user(session, f"raw-{uuid.uuid4().hex[:6]}@example.test",
                                       "agent", "Bench")
        rid = create_recording(session, user, RecordingCreate(workflow="Raw")).id
    engine.dispose()
    return rid


#: The phases of an ingest request, as its ``Server-Timing`` header names them.
PHASES = ("admission", "body", "thread", "validate", "prepare", "turn", "store")


def bench_database(label: str, database_url: str | None, args: argparse.Namespace) -> list[str]:
    """All batch sizes on one database, each line printed as it is measured; returns the
    rows of the phase table (back to back runs)."""
    phase_rows = []
    with tempfile.TemporaryDirectory(prefix="sop-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=database_url)
        tokens = prepare(settings, args.clients)
        url = settings.resolved_database_url
        server = LiveServer(Path(tmp), database_url=database_url)
        server.start(migrate=False)  # prepare() migrated
        assert server.process is not None
        base, pid = server.url, server.process.pid
        try:
            for batch_size in args.batch_sizes:
                batches = max(1, args.events // (batch_size * args.clients))
                bodies = [make_bodies(batch_size, batches, seed=batch_size * 100 + n)
                          for n in range(args.clients)]
                run_clients(base, tokens, [b[:2] for b in bodies])  # warm-up
                settle(args)
                cpu_before, busy_before = cpu_seconds(pid), machine_busy_seconds()
                clients_before, database_before = time.process_time(), postgres_cpu_seconds()
                result = run_clients(base, tokens, bodies)
                cpu_used = cpu_seconds(pid) - cpu_before
                machine_busy = machine_busy_seconds() - busy_before
                clients_us = (time.process_time() - clients_before) / result.events * 1e6
                database_us = (postgres_cpu_seconds() - database_before) / result.events * 1e6
                database = f"{database_us:.0f}" if database_url else "in the server"
                cpu_us = cpu_used / result.events * 1e6
                rid = open_raw_recording(url)
                rows = raw_rows([b for client in bodies for b in client], rid)
                raw_seconds = raw_insert(url, rows, batch_size, rid)
                raw_rate = len(rows) / raw_seconds
                print(
                    f"| {label} | {batch_size} | {result.events} | {result.rate:,.0f} | "
                    f"{result.percentile(0.5):.1f} | {result.percentile(0.99):.1f} | "
                    f"{raw_rate:,.0f} | {result.rate / raw_rate:.2f} | {cpu_us:.0f} | "
                    f"{database} | {clients_us:.0f} | {cpu_used / result.seconds:.2f} | "
                    f"{machine_busy / result.seconds:.2f} | {result.refused} |", flush=True
                )
                phase_rows.append(phase_row(f"{label} | {batch_size}", result))
                target = TARGET_RATES[label]
                settle(args)  # the raw baseline has just written the same rows again
                paced = run_clients(base, tokens, bodies, rate=target)
                print(
                    f"| {label}, paced at {target:,} events/s | {batch_size} | {paced.events} | "
                    f"{paced.rate:,.0f} | {paced.percentile(0.5):.1f} | "
                    f"{paced.percentile(0.99):.1f} | | | | | | | | {paced.refused} |", flush=True
                )
        finally:
            server.stop()
    return phase_rows


def settle(args: argparse.Namespace) -> None:
    """Write what the page cache holds to disk before a measured run (see the module's text)."""
    if not args.no_sync:
        os.sync()


def phase_row(label: str, result: Result) -> str:
    """One row of the phase table: each phase's median and p99 in ms, then their sum's."""
    totals = [sum(durations) for durations in zip(*(result.phases_ms[name] for name in PHASES),
                                                  strict=True)]
    cells = [f"{percentile(result.phases_ms[name], 0.5):.1f} "
             f"({percentile(result.phases_ms[name], 0.99):.1f})" for name in PHASES]
    return (f"| {label} | {' | '.join(cells)} | {percentile(totals, 0.5):.1f} "
            f"({percentile(totals, 0.99):.1f}) |")


def main() -> None:
    """Parse the options, run the benchmark, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL; a scratch database is made beside it")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--events", type=int, default=200_000,
                        help="events per batch size (at 500: 400 batches, p99 not their maximum)")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--no-sync", action="store_true",
                        help="start measured runs without writing the page cache to disk first")
    args = parser.parse_args()
    for name in [name for name in os.environ if name.startswith("SOP_RECORDER_")]:
        del os.environ[name]  # the server runs on the defaults, whatever this shell has set
    per_recording = args.events // args.clients  # each client sends into one recording
    if per_recording > Settings().max_events_per_recording:  # a long run: only the limit moves
        os.environ["SOP_RECORDER_MAX_EVENTS_PER_RECORDING"] = str(per_recording)
    print(f"{args.clients} clients, {args.events} events per batch size, "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, page cache "
          f"{'left as it was' if args.no_sync else 'written to disk'} before each measured run")
    print("| database | batch | events | events/s | p50 ms | p99 ms | raw events/s | ours/raw "
          "| server CPU µs/event | database CPU µs/event | clients CPU µs/event "
          "| server cores busy | machine cores busy | 429s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    phase_rows = []
    if not args.skip_sqlite:
        phase_rows += bench_database("SQLite", None, args)
    if args.postgres:
        with scratch_postgres(args.postgres) as url:
            phase_rows += bench_database("PostgreSQL", url, args)
    print("\nWhere a request's time went, back to back, from each answer's Server-Timing header: "
          "median (p99) ms, from arrival to the answer")
    print(f"| database | batch | {' | '.join(PHASES)} | in all |")
    print("|---|---|" + "---|" * (len(PHASES) + 1))
    for row in phase_rows:
        print(row)


if __name__ == "__main__":
    main()
