"""``derive_steps``: events in, steps out — normalize, segment, describe, phase, time.

The single pure entry point of the steps stages. Deterministic: the same events, in any
order, give the same steps.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from app.steps.catalogue import Catalogue, builtin_catalogue
from app.steps.model import RawEvent, Step
from app.steps.normalize import CHURN_MS, normalize_events
from app.steps.phases import PhaseFacts, PhaseRule, assign_phases
from app.steps.segment import Segment, segment_events
from app.steps.timing import DEFAULT_IDLE_THRESHOLD_MS, StepTiming, time_steps
from app.steps.titles import Description, describe

__all__ = ["DerivedSteps", "derive_steps"]


@dataclass(frozen=True, slots=True)
class DerivedSteps:
    """The steps of a recording and the events left out, each with its reason."""

    steps: tuple[Step, ...]
    dropped: tuple[tuple[str, str], ...]

    @property
    def span_ms(self) -> int:
        """From the first step's start to the last step's end."""
        if not self.steps:
            return 0
        last = self.steps[-1]
        return last.started_at_ms + last.duration_ms - self.steps[0].started_at_ms


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the stages allocate.

    The stages build hundreds of thousands of small acyclic objects; every full collection
    would scan them all again, making the run grow faster than the event count.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def derive_steps(
    events: Iterable[RawEvent],
    *,
    catalogue: Catalogue | None = None,
    rules: Sequence[PhaseRule] | None = None,
    idle_threshold_ms: int = DEFAULT_IDLE_THRESHOLD_MS,
    churn_ms: int = CHURN_MS,
) -> DerivedSteps:
    """Turn raw events into steps; every event ends in exactly one step or in ``dropped``.

    >>> from app.steps.model import TargetInfo
    >>> url = "https://acme.zendesk.com/agent/tickets/{id}"
    >>> evs = [
    ...     RawEvent(id="1", seq=1, type="navigation", ts=1_000, url=url, transition="typed",
    ...              load_ms=400),
    ...     RawEvent(id="2", seq=2, type="change", ts=5_000, url=url, field="Priority",
    ...              control="select", choice="Urgent", target=TargetInfo(tag="select")),
    ...     RawEvent(id="3", seq=3, type="click", ts=9_000, url=url,
    ...              target=TargetInfo(tag="html")),
    ... ]
    >>> result = derive_steps(evs)
    >>> for step in result.steps:
    ...     print(step.title, "|", step.phase, step.duration_ms, step.waiting_ms)
    Open the Ticket view page in Zendesk | triage 4000 400
    Set Priority to Urgent in Zendesk | triage 0 0
    >>> result.dropped
    (('3', 'click on nothing'),)
    """
    with _cycle_collector_paused():
        return _derive(events, catalogue or builtin_catalogue(), rules, idle_threshold_ms,
                       churn_ms)


def _derive(
    events: Iterable[RawEvent],
    catalogue: Catalogue,
    rules: Sequence[PhaseRule] | None,
    idle_threshold_ms: int,
    churn_ms: int,
) -> DerivedSteps:
    normalized = normalize_events(events, catalogue, churn_ms=churn_ms)
    segments, orphans = segment_events(normalized.events, normalized.places)
    descriptions = [describe(segment) for segment in segments]
    facts = [
        PhaseFacts(
            kind=d.kind,
            category=d.place.category,
            screen=d.place.screen,
            control=d.control,
            field=d.field,
            choice=d.choice,
            label=d.label,
        )
        for d in descriptions
    ]
    phases = assign_phases(facts, rules)
    timings = time_steps([segment.events for segment in segments], idle_threshold_ms)
    steps = tuple(
        _step(index + 1, segment, d, phase, timing)
        for index, (segment, d, phase, timing) in enumerate(
            zip(segments, descriptions, phases, timings, strict=True)
        )
    )
    return DerivedSteps(steps, normalized.dropped + tuple(orphans))


def _step(
    position: int,
    segment: Segment,
    d: Description,
    phase: tuple[str, bool, bool],
    timing: StepTiming,
) -> Step:
    place = d.place
    return Step(
        position=position,
        kind=d.kind,
        title=d.title,
        parts=d.parts,
        activity_key=d.activity_key,
        system=place.system,
        system_category=place.category,
        screen=place.screen,
        url_template=place.url_template,
        phase=phase[0],
        started_at_ms=timing.started_at_ms,
        duration_ms=timing.duration_ms,
        active_ms=timing.active_ms,
        waiting_ms=timing.waiting_ms,
        idle_ms=timing.idle_ms,
        event_ids=tuple([event.id for event in segment.events]),
        tab=d.tab,
        control=d.control,
        field=d.field,
        choice=d.choice,
        selectors=d.selectors,
        is_triage=phase[1],
        is_escalation=phase[2],
        host=place.host,
    )
