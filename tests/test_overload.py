"""Admission control answers 429 with Retry-After beyond capacity + queue, and only then."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx
from starlette.types import Receive, Scope, Send

from app.overload import AdmissionLimit

EVENTS = "/api/v1/recordings/1/events"
T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: Playwright's sync API may hold this thread's loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def make_blocking_app(gate: asyncio.Event, started: list[int]) -> object:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        started.append(1)
        await gate.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


async def _burst(capacity: int, queue: int, requests: int) -> tuple[list[httpx.Response], int]:
    gate = asyncio.Event()
    started: list[int] = []
    limited = AdmissionLimit(
        make_blocking_app(gate, started), capacity=capacity, queue=queue, retry_after_s=3  # type: ignore[arg-type]
    )
    transport = httpx.ASGITransport(app=limited)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        tasks = [asyncio.create_task(client.post(EVENTS)) for _ in range(requests)]
        await asyncio.sleep(0.05)
        running_while_blocked = len(started)
        gate.set()
        responses = await asyncio.gather(*tasks)
    return responses, running_while_blocked


def test_refuses_beyond_capacity_and_queue() -> None:
    responses, running = run(_burst(capacity=2, queue=3, requests=9))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 5 + [429] * 4
    refused = [r for r in responses if r.status_code == 429]
    assert all(r.headers["retry-after"] == "3" for r in refused)
    assert refused[0].json()["error"] == "too_many_requests"
    assert running == 2


def test_within_capacity_nothing_is_refused() -> None:
    responses, _ = run(_burst(capacity=2, queue=3, requests=5))
    assert [r.status_code for r in responses] == [200] * 5


def test_a_request_waiting_past_the_limit_is_refused() -> None:
    async def slow_turns() -> tuple[list[httpx.Response], float]:
        gate = asyncio.Event()
        limited = AdmissionLimit(make_blocking_app(gate, []), capacity=1, queue=5,  # type: ignore[arg-type]
                                 retry_after_s=2, max_wait_s=0.1)
        transport = httpx.ASGITransport(app=limited)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            first = asyncio.create_task(client.post(EVENTS))
            await asyncio.sleep(0.02)
            started = asyncio.get_running_loop().time()
            waiting = await asyncio.gather(*(client.post(EVENTS) for _ in range(3)))
            waited = asyncio.get_running_loop().time() - started
            gate.set()
            return [await first, *waiting], waited

    responses, waited = run(slow_turns())
    assert [r.status_code for r in responses] == [200, 429, 429, 429]
    assert all(r.headers["retry-after"] == "2" for r in responses[1:])
    assert 0.1 <= waited < 1.0


def test_other_paths_are_not_limited() -> None:
    async def other_paths() -> list[int]:
        gate = asyncio.Event()
        gate.set()
        limited = AdmissionLimit(make_blocking_app(gate, []), capacity=1, queue=0)  # type: ignore[arg-type]
        transport = httpx.ASGITransport(app=limited)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            responses = await asyncio.gather(*(client.get("/healthz") for _ in range(5)))
        return [r.status_code for r in responses]

    assert run(other_paths()) == [200] * 5
