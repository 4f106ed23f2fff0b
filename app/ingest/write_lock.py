"""One SQLite writer at a time in this process, queued fairly instead of polled.

SQLite lets one transaction write at a time (``BEGIN IMMEDIATE`` takes the lock, see
``app.database``). A transaction that finds the lock taken waits in SQLite's busy handler,
which sleeps 1, 2, 5, 10 … up to 100 ms between tries: under a steady stream of batches a
waiting request can sleep through several commits of others, which costs throughput and puts
p99 latency near a second. Threads of one worker therefore take their turn on a Python lock,
which hands over the moment the previous transaction ends; the busy handler still arbitrates
between processes. PostgreSQL locks rows, so it needs none of this.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

__all__ = ["writer_turn"]

_locks: WeakKeyDictionary[Engine, threading.Lock] = WeakKeyDictionary()
_guard = threading.Lock()


def _lock_for(engine: Engine) -> threading.Lock:
    with _guard:
        lock = _locks.get(engine)
        if lock is None:
            lock = _locks[engine] = threading.Lock()
        return lock


@contextmanager
def writer_turn(session: Session) -> Iterator[None]:
    """Hold this process's SQLite write turn for ``session``'s engine (no-op elsewhere).

    The transaction begun inside must end (commit or rollback) before the block does.
    """
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    with _lock_for(bind.engine):
        yield
