"""The ``Server-Timing`` header of an ingest answer: how long each phase of the request took.

Operators read it in the browser's network panel or a proxy's log, and ``bench/ingest.py``
sums it up per phase, so where a batch's time goes is measured on every request, not guessed.
"""

from __future__ import annotations

import time

__all__ = ["ServerTiming"]


class ServerTiming:
    """Wall time of consecutive phases of one request, each from the end of the one before.

    >>> timing = ServerTiming()
    >>> timing.record("admission", 0.0125)
    >>> timing.mark("body")
    >>> timing.header().startswith("admission;dur=12.50, body;dur=")
    True
    """

    __slots__ = ("_last", "phases")

    def __init__(self) -> None:
        self._last = time.perf_counter()
        #: ``(name, seconds)`` of each phase, in the order they ended.
        self.phases: list[tuple[str, float]] = []

    def record(self, name: str, seconds: float) -> None:
        """Add a phase timed elsewhere (it ended before the phases marked here)."""
        self.phases.append((name, seconds))

    def mark(self, name: str) -> None:
        """End the phase ``name`` now; the next one starts here."""
        now = time.perf_counter()
        self.phases.append((name, now - self._last))
        self._last = now

    def header(self) -> str:
        """The phases as a ``Server-Timing`` value, in milliseconds."""
        return ", ".join(f"{name};dur={seconds * 1000:.2f}" for name, seconds in self.phases)
