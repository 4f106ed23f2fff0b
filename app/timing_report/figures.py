"""``build_timing_report``: the timing report's figures, from the steps of one or more recordings.

Every renderer (HTML, JSON, CSV) reads these figures and computes nothing of its own, so the numbers
in the charts, the tables and the JSON are the same numbers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from heapq import nsmallest
from itertools import pairwise
from operator import attrgetter
from typing import Any

from app.steps.model import PHASE_NAMES, PHASES, RecordingSteps, Step
from app.timing_report.percentiles import median, percentile

__all__ = [
    "SLOWEST_COUNT",
    "ActivityTiming",
    "GroupTiming",
    "RecordingTiming",
    "StepRow",
    "Switch",
    "TimeSplit",
    "TimingReport",
    "build_timing_report",
    "split_of",
]

#: How many of the slowest steps the report lists.
SLOWEST_COUNT = 10


@dataclass(frozen=True, slots=True)
class TimeSplit:
    """Total time and its parts: the agent working, waiting for pages, idle."""

    total_ms: int
    active_ms: int
    waiting_ms: int
    idle_ms: int


@dataclass(frozen=True, slots=True)
class RecordingTiming:
    """The time of one recording."""

    recording_id: int
    agent: str
    ticket_ref: str | None
    started_at_ms: int
    steps: int
    context_switches: int
    time: TimeSplit


@dataclass(frozen=True, slots=True)
class GroupTiming:
    """Time spent in one system or one phase, summed, with median and p90 across recordings."""

    key: str
    name: str
    category: str
    steps: int
    time: TimeSplit
    share: float
    median_ms: int
    p90_ms: int


@dataclass(frozen=True, slots=True)
class Switch:
    """How often the agent went from one system to another."""

    from_system: str
    to_system: str
    count: int


@dataclass(frozen=True, slots=True)
class StepRow:
    """One step with its timing; ``offset_ms`` is from the start of its recording."""

    recording_id: int
    position: int
    title: str
    system: str
    screen: str
    phase: str
    kind: str
    activity_key: str
    offset_ms: int
    duration_ms: int
    active_ms: int
    waiting_ms: int
    idle_ms: int


@dataclass(frozen=True, slots=True)
class ActivityTiming:
    """One activity (the same action across recordings): occurrences, median and p90."""

    activity_key: str
    title: str
    system: str
    phase: str
    occurrences: int
    recordings: int
    median_ms: int
    p90_ms: int


@dataclass(frozen=True, slots=True)
class TimingReport:
    """All the figures of the report."""

    workflow: str
    recordings: tuple[RecordingTiming, ...]
    totals: TimeSplit
    median_total_ms: int
    p90_total_ms: int
    systems: tuple[GroupTiming, ...]
    phases: tuple[GroupTiming, ...]
    context_switches: int
    switches: tuple[Switch, ...]
    slowest: tuple[StepRow, ...]
    activities: tuple[ActivityTiming, ...]
    steps: tuple[StepRow, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every figure."""
        return asdict(self)


def split_of(steps: Iterable[Step]) -> TimeSplit:
    """Sum of duration, active, waiting and idle over ``steps``.

    >>> split_of([])
    TimeSplit(total_ms=0, active_ms=0, waiting_ms=0, idle_ms=0)
    """
    total = active = waiting = idle = 0
    for step in steps:
        total += step.duration_ms
        active += step.active_ms
        waiting += step.waiting_ms
        idle += step.idle_ms
    return TimeSplit(total, active, waiting, idle)


def build_timing_report(recordings: Sequence[RecordingSteps], *, workflow: str) -> TimingReport:
    """The figures over ``recordings``: totals, per system, per phase, switches, slowest steps.

    Contract: sums are over every step of every recording; medians and p90s of a system or a
    phase are over the recordings' per-recording sums (recordings without it count as absent);
    a context switch is two consecutive steps of one recording in different systems.
    """
    timings = tuple(_recording(r) for r in recordings)
    totals = TimeSplit(sum(t.time.total_ms for t in timings),
                       sum(t.time.active_ms for t in timings),
                       sum(t.time.waiting_ms for t in timings),
                       sum(t.time.idle_ms for t in timings))
    per_recording = [t.time.total_ms for t in timings]
    rows = tuple(_row(r, s) for r in recordings for s in r.steps)
    switches = Counter(
        (a.system, b.system) for r in recordings for a, b in pairwise(r.steps)
        if a.system != b.system
    )
    return TimingReport(
        workflow=workflow,
        recordings=timings,
        totals=totals,
        median_total_ms=median(per_recording),
        p90_total_ms=percentile(per_recording, 90),
        systems=_groups(recordings, attrgetter("system"), totals.total_ms),
        phases=_phase_groups(recordings, totals.total_ms),
        context_switches=sum(t.context_switches for t in timings),
        switches=tuple(
            Switch(a, b, n) for (a, b), n in sorted(switches.items(), key=lambda i: (-i[1], i[0]))
        ),
        # The same ten as sorting every row, without sorting every row.
        slowest=tuple(nsmallest(SLOWEST_COUNT, rows,
                                key=lambda r: (-r.duration_ms, r.recording_id, r.position))),
        activities=_activities(recordings),
        steps=rows,
    )


def _row(recording: RecordingSteps, step: Step) -> StepRow:
    return StepRow(
        recording.recording_id, step.position, step.title, step.system, step.screen,
        step.phase, step.kind, step.activity_key, step.started_at_ms - recording.started_at_ms,
        step.duration_ms, step.active_ms, step.waiting_ms, step.idle_ms,
    )


def _recording(recording: RecordingSteps) -> RecordingTiming:
    steps = recording.steps
    return RecordingTiming(
        recording_id=recording.recording_id,
        agent=recording.agent,
        ticket_ref=recording.ticket_ref,
        started_at_ms=recording.started_at_ms,
        steps=len(steps),
        context_switches=sum(
            1 for a, b in pairwise(steps) if a.system != b.system
        ),
        time=split_of(steps),
    )


def _groups(
    recordings: Sequence[RecordingSteps], key_of: Callable[[Step], str], grand_total: int
) -> tuple[GroupTiming, ...]:
    # Per key: [steps, total, active, waiting, idle], summed as the steps go by.
    sums: dict[str, list[int]] = {}
    per_recording: dict[str, list[int]] = defaultdict(list)
    category: dict[str, str] = {}
    for recording in recordings:
        recording_sums: dict[str, int] = defaultdict(int)
        for step in recording.steps:
            key = key_of(step)
            entry = sums.get(key)
            if entry is None:
                entry = sums[key] = [0, 0, 0, 0, 0]
                category[key] = step.system_category
            entry[0] += 1
            entry[1] += step.duration_ms
            entry[2] += step.active_ms
            entry[3] += step.waiting_ms
            entry[4] += step.idle_ms
            recording_sums[key] += step.duration_ms
        for key, value in recording_sums.items():
            per_recording[key].append(value)
    groups = [
        GroupTiming(
            key=key,
            name=key,
            category=category[key],
            steps=count,
            time=TimeSplit(total, active, waiting, idle),
            share=round(total / grand_total, 4) if grand_total else 0.0,
            median_ms=median(per_recording[key]),
            p90_ms=percentile(per_recording[key], 90),
        )
        for key, (count, total, active, waiting, idle) in sums.items()
    ]
    return tuple(sorted(groups, key=lambda g: (-g.time.total_ms, g.key)))


def _phase_groups(
    recordings: Sequence[RecordingSteps], grand_total: int
) -> tuple[GroupTiming, ...]:
    groups = {g.key: g for g in _groups(recordings, attrgetter("phase"), grand_total)}
    order = [p for p in PHASES if p in groups] + sorted(set(groups) - set(PHASES))
    return tuple(
        GroupTiming(
            key=key,
            name=PHASE_NAMES.get(key, key),
            category="phase",
            steps=groups[key].steps,
            time=groups[key].time,
            share=groups[key].share,
            median_ms=groups[key].median_ms,
            p90_ms=groups[key].p90_ms,
        )
        for key in order
    )


def _activities(recordings: Sequence[RecordingSteps]) -> tuple[ActivityTiming, ...]:
    first: dict[str, Step] = {}
    durations: dict[str, list[int]] = defaultdict(list)
    seen_in: Counter[str] = Counter()
    for recording in recordings:
        for step in recording.steps:
            first.setdefault(step.activity_key, step)
            durations[step.activity_key].append(step.duration_ms)
        seen_in.update({s.activity_key for s in recording.steps})
    return tuple(
        ActivityTiming(
            activity_key=key,
            title=step.title,
            system=step.system,
            phase=step.phase,
            occurrences=len(durations[key]),
            recordings=seen_in[key],
            median_ms=median(durations[key]),
            p90_ms=percentile(durations[key], 90),
        )
        for key, step in first.items()
    )
