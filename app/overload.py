"""Admission control: a bounded number of ingest requests at once, 429 beyond that.

Like the trusted ingestion front doors (Segment, Sentry's Relay), the service refuses work it
cannot start soon instead of queueing without bound: up to ``capacity`` requests run, up to
``queue`` more wait their turn, and every request beyond those is answered at once with
``429 Too Many Requests`` and a ``Retry-After`` header. A waiting request that does not get
its turn within ``max_wait_s`` is refused the same way, so an answer never waits longer than
that plus one request's work, however slow the machine is. The extension honours it.

How long an admitted request waited is left in its scope's state as ``admission_wait``
(seconds), for the route's ``Server-Timing`` header.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["AdmissionLimit"]

INGEST_PATH = re.compile(r"^/api/v1/recordings/[^/]+/events$")


class AdmissionLimit:
    """ASGI middleware bounding concurrent (running + waiting) requests on matching paths."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        capacity: int,
        queue: int,
        retry_after_s: int = 1,
        max_wait_s: float | None = None,
        path: re.Pattern[str] = INGEST_PATH,
    ) -> None:
        self.app = app
        self.capacity = capacity
        self.queue = queue
        self.retry_after_s = retry_after_s
        self.max_wait_s = max_wait_s
        self.path = path
        self._admitted = 0
        self._running: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.path.match(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        if self._admitted >= self.capacity + self.queue:
            await self._refuse(send)
            return
        if self._running is None:
            self._running = asyncio.Semaphore(self.capacity)
        self._admitted += 1
        arrived = time.perf_counter()
        try:
            if self._running.locked():  # wait_for wraps the wait in a task: only when waiting
                try:
                    await asyncio.wait_for(self._running.acquire(), self.max_wait_s)
                except TimeoutError:
                    await self._refuse(send)
                    return
            else:
                await self._running.acquire()  # free: returns at once
            scope.setdefault("state", {})["admission_wait"] = time.perf_counter() - arrived
            try:
                await self.app(scope, receive, send)
            finally:
                self._running.release()
        finally:
            self._admitted -= 1

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {"error": "too_many_requests",
             "detail": f"the service is at capacity; retry after {self.retry_after_s} s"}
        ).encode()
        headers: list[tuple[bytes, bytes]] = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(self.retry_after_s).encode()),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        message: dict[str, Any] = {"type": "http.response.body", "body": body}
        await send(message)
