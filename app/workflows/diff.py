"""Step-level diff between two versions of a procedure (pure).

Steps are paired by :func:`app.workflows.matching.match_steps` (activity key, stable selector,
name on another system or screen, position); what is left is added or removed. A paired step
is changed (renamed control, other system or screen, other option) and/or moved (outside the
longest in-order run). Timing deltas compare typical durations per step and per phase (the
phases the SOP lists the steps under).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from app.sop.sections import forward_phases
from app.steps.model import PHASE_NAMES, PHASES, Step
from app.templating import format_duration
from app.workflows.matching import longest_increasing, match_steps

__all__ = [
    "MatchedStep",
    "PhaseDelta",
    "Procedure",
    "StepChange",
    "StepRef",
    "VersionDiff",
    "diff_procedures",
]

#: A step or phase is notably slower or faster when it moved by this much and this share.
STEP_MIN_MS, STEP_SHARE = 30_000, 0.5
PHASE_MIN_MS, PHASE_SHARE = 30_000, 0.25


@dataclass(frozen=True, slots=True)
class Procedure:
    """One side of a diff: the numbered steps of a version and their typical durations."""

    version: int | None
    steps: tuple[Step, ...]
    typical_ms: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StepRef:
    """A step as the diff names it: its number in its version, key, words and place."""

    number: int
    activity_key: str
    title: str
    system: str
    screen: str
    phase: str
    typical_ms: int


@dataclass(frozen=True, slots=True)
class StepChange:
    """A change of a matched step: ``renamed``, ``system``, ``screen``, ``option``, ``reworded``."""

    kind: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class MatchedStep:
    """A step present in both versions; ``matched_by`` says how it was recognised."""

    old: StepRef
    new: StepRef
    matched_by: str
    changes: tuple[StepChange, ...]
    moved: bool
    delta_ms: int
    notable: bool


@dataclass(frozen=True, slots=True)
class PhaseDelta:
    """Typical time of one phase in each version."""

    phase: str
    name: str
    old_ms: int
    new_ms: int
    delta_ms: int
    notable: bool


@dataclass(frozen=True, slots=True)
class VersionDiff:
    """What changed from one version to another, step by step."""

    from_version: int | None
    to_version: int | None
    added: tuple[StepRef, ...]
    removed: tuple[StepRef, ...]
    changed: tuple[MatchedStep, ...]
    moved: tuple[MatchedStep, ...]
    matched: tuple[MatchedStep, ...]
    phases: tuple[PhaseDelta, ...]
    total_delta_ms: int
    key_map: dict[str, str]
    summary: str

    @property
    def is_empty(self) -> bool:
        """No step added, removed, changed or moved, and no notable timing change."""
        return not (self.added or self.removed or self.changed or self.moved
                    or any(p.notable for p in self.phases))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the step lists and the timing deltas)."""
        return asdict(self)


def diff_procedures(old: Procedure, new: Procedure) -> VersionDiff:
    """The step-level diff from ``old`` to ``new``.

    Contract: every step of each side is in exactly one of matched / added / removed; the
    result depends only on the two procedures (deterministic).

    >>> from app.steps.model import Step
    >>> def s(key, name):
    ...     return Step(1, "click", f"Click {name}", (), key, "Zendesk", "help_desk", "Ticket",
    ...                 "/t", "triage", 0, 1000, 1000, 0, 0, (), control=name)
    >>> d = diff_procedures(Procedure(1, (s("z:t:click:a", "A"),)),
    ...                     Procedure(2, (s("z:t:click:b", "B"),)))
    >>> [c.kind for m in d.changed for c in m.changes], d.summary
    (['renamed'], '1 step changed: "Click A" is now "Click B".')
    """
    pairs = match_steps(old.steps, new.steps)
    in_order = longest_increasing([j for _, j, _ in pairs])
    matched = tuple(
        _matched(old, new, i, j, how, moved=index not in in_order)
        for index, (i, j, how) in enumerate(pairs)
    )
    used_old = {i for i, _, _ in pairs}
    used_new = {j for _, j, _ in pairs}
    added = tuple(_ref(new, j) for j in range(len(new.steps)) if j not in used_new)
    removed = tuple(_ref(old, i) for i in range(len(old.steps)) if i not in used_old)
    phases = _phase_deltas(old, new)
    changed = tuple(m for m in matched if m.changes)
    moved = tuple(m for m in matched if m.moved)
    key_map = {m.old.activity_key: m.new.activity_key for m in matched
               if m.old.activity_key != m.new.activity_key}
    total = sum(_typical(new, s) for s in new.steps) - sum(_typical(old, s) for s in old.steps)
    return VersionDiff(
        from_version=old.version, to_version=new.version, added=added, removed=removed,
        changed=changed, moved=moved, matched=matched, phases=phases, total_delta_ms=total,
        key_map=dict(sorted(key_map.items())),
        summary=_summary(added, removed, changed, moved, phases),
    )


def _typical(side: Procedure, step: Step) -> int:
    return side.typical_ms.get(step.activity_key, step.duration_ms)


def _ref(side: Procedure, index: int) -> StepRef:
    step = side.steps[index]
    return StepRef(index + 1, step.activity_key, step.title, step.system, step.screen,
                   step.phase, _typical(side, step))


def _name(step: Step) -> str:
    if step.kind in ("choose", "edit"):
        return step.field or ""
    if step.kind in ("click", "submit"):
        return step.control or ""
    if step.kind == "marker":
        return step.title
    return ""


def _changes(before: Step, after: Step) -> tuple[StepChange, ...]:
    changes = []
    if _name(before).casefold() != _name(after).casefold():
        changes.append(StepChange("renamed", _name(before) or before.title,
                                  _name(after) or after.title))
    if before.system != after.system:
        changes.append(StepChange("system", before.system, after.system))
    if before.screen != after.screen:
        changes.append(StepChange("screen", before.screen, after.screen))
    if (before.choice or "") != (after.choice or ""):
        changes.append(StepChange("option", before.choice or "", after.choice or ""))
    if not changes and before.title != after.title:
        changes.append(StepChange("reworded", before.title, after.title))
    return tuple(changes)


def _notable(old_ms: int, new_ms: int, min_ms: int, share: float) -> bool:
    delta = abs(new_ms - old_ms)
    return delta >= min_ms and delta >= share * old_ms


def _matched(old: Procedure, new: Procedure, i: int, j: int, how: str, *,
             moved: bool) -> MatchedStep:
    before, after = _ref(old, i), _ref(new, j)
    return MatchedStep(
        old=before, new=after, matched_by=how, changes=_changes(old.steps[i], new.steps[j]),
        moved=moved, delta_ms=after.typical_ms - before.typical_ms,
        notable=_notable(before.typical_ms, after.typical_ms, STEP_MIN_MS, STEP_SHARE),
    )


def _phase_totals(side: Procedure) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for step, phase in zip(side.steps, forward_phases(side.steps), strict=True):
        totals[phase] += _typical(side, step)
    return totals


def _phase_deltas(old: Procedure, new: Procedure) -> tuple[PhaseDelta, ...]:
    before, after = _phase_totals(old), _phase_totals(new)
    extra = sorted((set(before) | set(after)) - set(PHASES))
    return tuple(
        PhaseDelta(phase, PHASE_NAMES.get(phase, phase), before.get(phase, 0),
                   after.get(phase, 0), after.get(phase, 0) - before.get(phase, 0),
                   _notable(before.get(phase, 0), after.get(phase, 0), PHASE_MIN_MS,
                            PHASE_SHARE))
        for phase in (*PHASES, *extra) if phase in before or phase in after
    )


def _count(n: int, what: str) -> str:
    return f"{n} step{'s' if n != 1 else ''} {what}"


def _summary(
    added: Sequence[StepRef], removed: Sequence[StepRef], changed: Sequence[MatchedStep],
    moved: Sequence[MatchedStep], phases: Sequence[PhaseDelta],
) -> str:
    """One line a reader of the revision history understands."""
    parts = []
    if added:
        parts.append(_count(len(added), "added"))
    if removed:
        parts.append(_count(len(removed), "removed"))
    if changed:
        first = changed[0]
        parts.append(_count(len(changed), "changed") +
                     f': "{first.old.title}" is now "{first.new.title}"')
    if moved:
        parts.append(_count(len(moved), "moved"))
    for phase in phases:
        if phase.notable:
            way = "slower" if phase.delta_ms > 0 else "faster"
            parts.append(f"{phase.name} {format_duration(abs(phase.delta_ms))} {way}")
    line = "; ".join(parts) or "No change to the steps"
    return (line[:297] + "...") if len(line) > 300 else line + "."
