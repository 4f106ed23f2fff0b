"""Timing: how long each step took, split into active, waiting and idle time.

A step lasts from its first event to the next step's first event (the last step ends at its
last event), on a clock that never runs backwards (``ts`` is clamped to the running maximum,
since browser clocks can jump). Inside a step:

- *idle* is the time the tab was hidden (from a ``hidden`` event to the next event), plus the
  part of any gap between events that exceeds the idle threshold;
- *waiting* is page-load time (``load_ms`` of navigations), within what is not idle;
- *active* is the rest.

So ``active + waiting + idle == duration`` for every step, and the durations add up to the
recording's span.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from app.steps.model import RawEvent, Step

__all__ = [
    "DEFAULT_IDLE_THRESHOLD_MS",
    "StepTiming",
    "monotonic_times",
    "summarize_timing",
    "time_steps",
]

DEFAULT_IDLE_THRESHOLD_MS = 60_000


class StepTiming(NamedTuple):
    """The timing of one step, in milliseconds."""

    started_at_ms: int
    duration_ms: int
    active_ms: int
    waiting_ms: int
    idle_ms: int


def monotonic_times(steps: Sequence[Sequence[RawEvent]]) -> list[list[int]]:
    """Event times with every backwards jump clamped to the latest time seen.

    >>> e = lambda ts: RawEvent(id=str(ts), seq=0, type="click", ts=ts)
    >>> monotonic_times([[e(10), e(5)], [e(20)]])
    [[10, 10], [20]]
    """
    latest: int | None = None
    out: list[list[int]] = []
    for events in steps:
        times = []
        for event in events:
            latest = event.ts if latest is None or event.ts > latest else latest
            times.append(latest)
        out.append(times)
    return out


def _split(
    events: Sequence[RawEvent], times: list[int], end: int, idle_threshold_ms: int
) -> tuple[int, int]:
    """``(waiting, idle)`` of a step whose events happen at ``times`` and which ends at ``end``."""
    waiting = idle = 0
    for index, event in enumerate(events):
        stop = times[index + 1] if index + 1 < len(times) else end
        gap = stop - times[index]
        if event.type == "visibility" and event.state == "hidden":
            idle += gap
            continue
        gap_idle = max(0, gap - idle_threshold_ms)
        idle += gap_idle
        if event.type == "navigation" and event.load_ms:
            waiting += min(event.load_ms, gap - gap_idle)
    return waiting, idle


def time_steps(
    steps: Sequence[Sequence[RawEvent]], idle_threshold_ms: int = DEFAULT_IDLE_THRESHOLD_MS
) -> list[StepTiming]:
    """The timing of each step (its events in order), in the order given.

    >>> e = lambda i, ts, **kw: RawEvent(id=i, seq=0, ts=ts, **kw)
    >>> steps = [[e("a", 0, type="navigation", load_ms=800)],
    ...          [e("b", 2_000, type="click"), e("c", 3_000, type="visibility", state="hidden")],
    ...          [e("d", 100_000, type="click")]]
    >>> [(t.duration_ms, t.active_ms, t.waiting_ms, t.idle_ms) for t in time_steps(steps)]
    [(2000, 1200, 800, 0), (98000, 1000, 0, 97000), (0, 0, 0, 0)]
    """
    times = monotonic_times(steps)
    out: list[StepTiming] = []
    for index, events in enumerate(steps):
        start = times[index][0]
        end = times[index + 1][0] if index + 1 < len(steps) else times[index][-1]
        waiting, idle = _split(events, times[index], end, idle_threshold_ms)
        duration = end - start
        out.append(StepTiming(start, duration, duration - waiting - idle, waiting, idle))
    return out


def _add(totals: dict[str, dict[str, int]], key: str, step: Step) -> None:
    entry = totals.setdefault(key, {"steps": 0, "duration_ms": 0, "active_ms": 0,
                                    "waiting_ms": 0, "idle_ms": 0})
    entry["steps"] += 1
    entry["duration_ms"] += step.duration_ms
    entry["active_ms"] += step.active_ms
    entry["waiting_ms"] += step.waiting_ms
    entry["idle_ms"] += step.idle_ms


def summarize_timing(steps: Sequence[Step]) -> dict[str, Any]:
    """Totals of one recording: overall, per system, per phase, and context switches.

    A context switch is a step in another system than the step before it.

    >>> from app.steps.model import Step
    >>> mk = lambda system, ms: Step(0, "click", "", (), "", system, "other", "", "", "triage",
    ...                             0, ms, ms, 0, 0, ())
    >>> s = summarize_timing([mk("Zendesk", 5), mk("Jira", 7), mk("Zendesk", 1)])
    >>> s["total"]["duration_ms"], s["context_switches"], s["per_system"]["Zendesk"]["steps"]
    (13, 2, 2)
    """
    total: dict[str, dict[str, int]] = {}
    per_system: dict[str, dict[str, int]] = {}
    per_phase: dict[str, dict[str, int]] = {}
    switches = 0
    for index, step in enumerate(steps):
        _add(total, "total", step)
        _add(per_system, step.system, step)
        _add(per_phase, step.phase, step)
        if index and step.system != steps[index - 1].system:
            switches += 1
    empty = {"steps": 0, "duration_ms": 0, "active_ms": 0, "waiting_ms": 0, "idle_ms": 0}
    return {
        "total": total.get("total", empty),
        "per_system": per_system,
        "per_phase": per_phase,
        "context_switches": switches,
    }
