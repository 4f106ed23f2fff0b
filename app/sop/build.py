"""``build_sop``: steps of one or several recordings + the lead's details -> an ``SopDocument``."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import timedelta
from itertools import groupby

from app.sop import sections
from app.sop.document import (
    DecisionPoint,
    LeadDetails,
    PhaseSection,
    ProcedureStep,
    RecordingSource,
    Revision,
    SopDocument,
    StepNote,
    ToolEntry,
)
from app.steps.model import PHASE_NAMES, RecordingSteps, Step
from app.templating import format_date
from app.timing_report.percentiles import median

__all__ = ["build_sop", "representative_recording", "typical_durations"]


def build_sop(
    recordings: Sequence[RecordingSteps],
    details: LeadDetails,
    step_notes: Mapping[str, StepNote],
    revisions: Sequence[Revision],
    *,
    workflow: str,
    version: int | None = None,
    procedure: RecordingSteps | None = None,
    decisions: Sequence[DecisionPoint] = (),
    variants: Sequence[str] | None = None,
) -> SopDocument:
    """The SOP of a workflow from its recordings (oldest first), the lead's details and versions.

    Contract: the procedure follows ``procedure`` if given, else the recording whose sequence
    of activities is the most frequent (the latest on a tie); typical durations are medians
    over every recording; ``variants`` (else the steps of other recordings that the procedure
    lacks) are listed as exceptions, after the lead's. Deterministic.
    """
    base = procedure if procedure is not None else representative_recording(recordings)
    typical = typical_durations(recordings)
    seen_in = _seen_in(recordings)
    phases = _procedure(base, typical, seen_in, step_notes)
    numbered = {s.activity_key: s.number for p in phases for s in p.steps}
    ordered_revisions = tuple(sorted(revisions, key=lambda r: r.version))
    effective = details.effective_date or (
        ordered_revisions[-1].date if ordered_revisions else None
    )
    next_review = (
        effective + timedelta(days=details.review_interval_days)
        if effective and details.review_interval_days
        else None
    )
    document = SopDocument(
        workflow=workflow,
        title=details.title or workflow,
        version=version,
        details=details,
        next_review_date=next_review,
        tools=_tools(recordings),
        phases=phases,
        triage_rules=sections.triage_rules(recordings, numbered, details),
        escalation=sections.escalation_path(base, numbered, details),
        slas=sections.sla_rows(recordings, details),
        macros=sections.macros(recordings, numbered),
        exceptions=details.exceptions + (
            tuple(variants) if variants is not None else sections.variants(recordings, base)),
        records=sections.records(base, numbered),
        revisions=ordered_revisions,
        sources=tuple(_source(r) for r in recordings),
        prompts={},
        decisions=tuple(decisions),
    )
    return sections.with_prompts(document)


def representative_recording(recordings: Sequence[RecordingSteps]) -> RecordingSteps | None:
    """The recording whose activity sequence occurs most often; the latest one on a tie.

    >>> representative_recording([]) is None
    True
    """
    if not recordings:
        return None
    paths = [tuple(s.activity_key for s in r.steps) for r in recordings]
    counts = Counter(paths)
    best = max(range(len(recordings)), key=lambda i: (counts[paths[i]], i))
    return recordings[best]


def typical_durations(recordings: Sequence[RecordingSteps]) -> dict[str, int]:
    """Median duration (ms) of each activity key over every occurrence in every recording."""
    durations: dict[str, list[int]] = defaultdict(list)
    for recording in recordings:
        for step in recording.steps:
            durations[step.activity_key].append(step.duration_ms)
    return {key: median(values) for key, values in durations.items()}


def _seen_in(recordings: Sequence[RecordingSteps]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for recording in recordings:
        counts.update({s.activity_key for s in recording.steps})
    return counts


def _procedure(
    base: RecordingSteps | None,
    typical: Mapping[str, int],
    seen_in: Mapping[str, int],
    notes: Mapping[str, StepNote],
) -> tuple[PhaseSection, ...]:
    if base is None:
        return ()
    numbered = [
        _procedure_step(n, s, base.recording_id, typical, seen_in, notes)
        for n, s in enumerate(base.steps, start=1)
    ]
    phase_of = dict(enumerate(sections.forward_phases(base.steps), start=1))
    phases = []
    for phase, run in groupby(numbered, key=lambda s: phase_of[s.number]):
        steps = tuple(run)
        phases.append(
            PhaseSection(
                phase=phase,
                name=PHASE_NAMES.get(phase, phase.replace("_", " ").capitalize()),
                steps=steps,
                typical_ms=sum(s.typical_ms for s in steps),
            )
        )
    return tuple(phases)


def _procedure_step(
    number: int,
    step: Step,
    recording_id: int,
    typical: Mapping[str, int],
    seen_in: Mapping[str, int],
    notes: Mapping[str, StepNote],
) -> ProcedureStep:
    note = notes.get(step.activity_key, StepNote())
    return ProcedureStep(
        number=number,
        title=step.title,
        parts=step.parts,
        kind=step.kind,
        system=step.system,
        screen=step.screen,
        activity_key=step.activity_key,
        typical_ms=typical.get(step.activity_key, step.duration_ms),
        seen_in=seen_in.get(step.activity_key, 1),
        note=note.note,
        warning=note.warning,
        is_triage=step.is_triage,
        is_escalation=step.is_escalation,
        recording_id=recording_id,
        event_ids=step.event_ids,
    )


def _tools(recordings: Sequence[RecordingSteps]) -> tuple[ToolEntry, ...]:
    order: dict[str, str] = {}
    screens: dict[str, dict[str, None]] = defaultdict(dict)
    counts: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for recording in recordings:
        for step in recording.steps:
            order.setdefault(step.system, step.system_category)
            if step.screen:
                screens[step.system][step.screen] = None
            counts[step.system] += 1
            totals[step.system] += step.duration_ms
    return tuple(
        ToolEntry(system, category, tuple(screens[system]), counts[system], totals[system])
        for system, category in order.items()
    )


def _source(recording: RecordingSteps) -> RecordingSource:
    return RecordingSource(
        recording_id=recording.recording_id,
        agent=recording.agent,
        ticket_ref=recording.ticket_ref,
        recorded_on=format_date(recording.started_at_ms) if recording.started_at_ms else "",
        step_count=len(recording.steps),
        total_ms=sum(s.duration_ms for s in recording.steps),
    )
