"""Merge several recordings of one workflow into one process (pure).

The procedure is the most frequent path (the sequence of activities that most recordings
followed exactly; on a tie, the one whose activities most recordings share, then the latest).
Every other recording is aligned to it: where it leaves the procedure is a branch, grouped
with the recordings that took the same detour. Branches that at least ``MIN_BRANCH`` recordings
and ``RARE_SHARE`` of those that got there took become decision points, with what
distinguished them where the data shows it (a choice made earlier, a system visited earlier);
the others are exceptions. Timing across recordings: median and p90 per step and phase, and
the spread between agents.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from app.sop.document import DecisionBranch, DecisionPoint
from app.steps.model import PHASE_NAMES, PHASES, RecordingSteps
from app.timing_report.percentiles import median, percentile

__all__ = [
    "AgentTiming",
    "MergedProcess",
    "PhaseTiming",
    "StepTiming",
    "canonical_order",
    "main_path",
    "merge_recordings",
]

#: A branch becomes a decision when this share of the recordings that got there took it...
RARE_SHARE = 0.25
#: ... and at least this many did; otherwise it is an exception.
MIN_BRANCH = 2
#: How many exceptions from variants the SOP lists (the most frequent first).
MAX_EXCEPTIONS = 20

Path = tuple[str, ...]
Opcode = tuple[str, int, int, int, int]


@dataclass(frozen=True, slots=True)
class StepTiming:
    """Duration of one activity over every recording that holds it."""

    activity_key: str
    title: str
    occurrences: int
    median_ms: int
    p90_ms: int


@dataclass(frozen=True, slots=True)
class PhaseTiming:
    """Time a recording spent in one phase, over the recordings with that phase."""

    phase: str
    name: str
    recordings: int
    median_ms: int
    p90_ms: int


@dataclass(frozen=True, slots=True)
class AgentTiming:
    """One agent's recordings and their median handling time."""

    agent: str
    recordings: int
    median_ms: int


@dataclass(frozen=True, slots=True)
class MergedProcess:
    """Recordings merged into one process: procedure, decisions, exceptions, timing."""

    recordings: tuple[RecordingSteps, ...]
    procedure: RecordingSteps | None
    path_count: int
    decisions: tuple[DecisionPoint, ...]
    exceptions: tuple[str, ...]
    steps: tuple[StepTiming, ...]
    phases: tuple[PhaseTiming, ...]
    agents: tuple[AgentTiming, ...]
    agent_spread_ms: int
    typical_ms: dict[str, int]


@dataclass(frozen=True, slots=True)
class _Detour:
    """Where one recording left the procedure: after main step ``anchor``, back at ``rejoin``."""

    anchor: int
    rejoin: int
    keys: Path
    recording: int
    start: int
    end: int


def canonical_order(recordings: Sequence[RecordingSteps]) -> list[RecordingSteps]:
    """Recordings oldest first (then by id), whatever order they came in."""
    return sorted(recordings, key=lambda r: (r.started_at_ms, r.recording_id, r.agent))


def _path(recording: RecordingSteps) -> Path:
    return tuple(step.activity_key for step in recording.steps)


def main_path(recordings: Sequence[RecordingSteps]) -> RecordingSteps | None:
    """The recording whose path the procedure follows (see the module docstring).

    >>> main_path([]) is None
    True
    """
    ordered = canonical_order(recordings)
    if not ordered:
        return None
    paths = [_path(r) for r in ordered]
    counts = Counter(paths)
    support: Counter[str] = Counter()
    for path in paths:
        support.update(set(path))

    def rank(index: int) -> tuple[int, float, int]:
        path = paths[index]
        shared = sum(support[k] for k in path) / len(path) if path else 0.0
        return counts[path], shared, index

    return ordered[max(range(len(ordered)), key=rank)]


@lru_cache(maxsize=4096)
def _align(main: Path, path: Path) -> tuple[Opcode, ...]:
    opcodes = SequenceMatcher(None, main, path, autojunk=False).get_opcodes()
    return tuple((tag, i1, i2, j1, j2) for tag, i1, i2, j1, j2 in opcodes)


def _detours(main: Path, paths: Sequence[Path]) -> tuple[list[_Detour], dict[int, set[int]]]:
    """Every detour of every recording, and which recordings skipped past each anchor."""
    detours: list[_Detour] = []
    skipped: dict[int, set[int]] = defaultdict(set)
    for index, path in enumerate(paths):
        if path == main:
            continue
        for tag, i1, i2, j1, j2 in _align(main, path):
            if tag == "equal":
                continue
            detours.append(_Detour(i1, i2, path[j1:j2], index, j1, j2))
            for anchor in range(i1 + 1, i2):
                skipped[anchor].add(index)
    return detours, skipped


def _features_before(recording: RecordingSteps, position: int) -> set[tuple[str, str]]:
    features: set[tuple[str, str]] = set()
    for step in recording.steps[:position]:
        if step.field and step.choice:
            features.add(("choice", f"{step.field} is {step.choice}"))
        features.add(("system", f"after visiting {step.system}"))
    return features


def _position_at(main: Path, path: Path, anchor: int) -> int:
    """Where in ``path`` a recording stood when it reached main step ``anchor``."""
    for tag, i1, i2, j1, _j2 in _align(main, path):
        if i1 <= anchor <= i2:
            return j1 + (anchor - i1) if tag == "equal" else j1
    return len(path)


def _condition(taking: set[int], others: set[int], features: dict[int, set[tuple[str, str]]]
               ) -> str:
    """A feature every recording of the branch has and no other recording there has."""
    if not taking or not others:
        return ""
    common = set.intersection(*(features[i] for i in taking))
    seen_elsewhere = set().union(*(features[i] for i in others))
    found = sorted(common - seen_elsewhere)
    choices = [text for kind, text in found if kind == "choice"]
    systems = [text for kind, text in found if kind == "system"]
    return (choices or systems or [""])[0]


def _branch_text(count: int, reached: int, anchor: int, titles: Sequence[str],
                 rejoin: int, main_len: int) -> str:
    where = f"after step {anchor}" if anchor else "at the start"
    if not titles:
        return (f"In {count} of {reached} recordings, steps {anchor + 1}–{rejoin} "  # noqa: RUF001
                "were skipped.")
    shown = "; then ".join(titles[:3]) + (f" (and {len(titles) - 3} more)" if len(titles) > 3
                                          else "")
    back = f"continuing with step {rejoin + 1}" if rejoin < main_len else "to the end"
    return f"In {count} of {reached} recordings, {where}: {shown}; {back}."


def _decisions(
    ordered: Sequence[RecordingSteps], main: Path
) -> tuple[tuple[DecisionPoint, ...], list[tuple[int, str]]]:
    paths = [_path(r) for r in ordered]
    detours, skipped = _detours(main, paths)
    by_anchor: dict[int, dict[tuple[int, Path], list[_Detour]]] = defaultdict(dict)
    for detour in detours:
        by_anchor[detour.anchor].setdefault((detour.rejoin, detour.keys), []).append(detour)
    decisions, exceptions = [], []
    for anchor in sorted(by_anchor):
        groups = by_anchor[anchor]
        reach_set = set(range(len(ordered))) - skipped.get(anchor, set())
        reached = len(reach_set)
        here = {d.recording for group in groups.values() for d in group}
        features = {i: _features_before(ordered[i], _position_at(main, paths[i], anchor))
                    for i in reach_set}
        branches = []
        for (rejoin, _keys), group in sorted(groups.items(), key=lambda g: (-len(g[1]), g[0])):
            first = group[0]
            steps = ordered[first.recording].steps[first.start:first.end]
            titles = tuple(s.title for s in steps)
            taking = {d.recording for d in group}
            if len(taking) >= MIN_BRANCH and len(taking) >= RARE_SHARE * reached:
                branches.append(DecisionBranch(
                    count=len(taking), steps=titles,
                    systems=tuple(dict.fromkeys(s.system for s in steps)),
                    condition=_condition(taking, reach_set - taking, features),
                    rejoins_at=rejoin + 1 if rejoin < len(main) else 0,
                ))
            else:
                exceptions.append((len(taking), _branch_text(
                    len(taking), reached, anchor, titles, rejoin, len(main))))
        if branches:
            staying = reach_set - here
            main_branch = DecisionBranch(
                count=len(staying), follows_procedure=True,
                condition=_condition(staying, reach_set - staying, features),
                rejoins_at=anchor + 1 if anchor < len(main) else 0,
            )
            decisions.append(DecisionPoint(anchor, reached, (main_branch, *branches)))
    return tuple(decisions), exceptions


def _step_timing(ordered: Sequence[RecordingSteps], main: Path) -> tuple[StepTiming, ...]:
    durations: dict[str, list[int]] = defaultdict(list)
    titles: dict[str, str] = {}
    for recording in ordered:
        for step in recording.steps:
            durations[step.activity_key].append(step.duration_ms)
            titles.setdefault(step.activity_key, step.title)
    keys = list(dict.fromkeys((*main, *durations)))
    return tuple(StepTiming(k, titles[k], len(durations[k]), median(durations[k]),
                            percentile(durations[k], 90)) for k in keys)


def _phase_timing(ordered: Sequence[RecordingSteps]) -> tuple[PhaseTiming, ...]:
    spent: dict[str, list[int]] = defaultdict(list)
    for recording in ordered:
        per_phase: Counter[str] = Counter()
        for step in recording.steps:
            per_phase[step.phase] += step.duration_ms
        for phase, total in per_phase.items():
            spent[phase].append(total)
    order = [p for p in PHASES if p in spent] + sorted(set(spent) - set(PHASES))
    return tuple(PhaseTiming(p, PHASE_NAMES.get(p, p), len(spent[p]), median(spent[p]),
                             percentile(spent[p], 90)) for p in order)


def _agents(ordered: Sequence[RecordingSteps]) -> tuple[AgentTiming, ...]:
    totals: dict[str, list[int]] = defaultdict(list)
    for recording in ordered:
        totals[recording.agent].append(sum(s.duration_ms for s in recording.steps))
    return tuple(AgentTiming(agent, len(values), median(values))
                 for agent, values in sorted(totals.items()))


def merge_recordings(recordings: Sequence[RecordingSteps]) -> MergedProcess:
    """Merge ``recordings`` (any order) into one process.

    Contract: the result depends on the set of recordings, never on their order.

    >>> merge_recordings([]).procedure is None
    True
    """
    ordered = canonical_order(recordings)
    base = main_path(ordered)
    main = _path(base) if base else ()
    decisions, exceptions = _decisions(ordered, main) if base else ((), [])
    exceptions.sort(key=lambda e: -e[0])
    texts = [text for _, text in exceptions[:MAX_EXCEPTIONS]]
    if len(exceptions) > MAX_EXCEPTIONS:
        texts.append(f"And {len(exceptions) - MAX_EXCEPTIONS} rarer variants.")
    steps = _step_timing(ordered, main)
    agents = _agents(ordered)
    medians = [a.median_ms for a in agents]
    return MergedProcess(
        recordings=tuple(ordered), procedure=base,
        path_count=sum(1 for r in ordered if _path(r) == main) if base else 0,
        decisions=decisions, exceptions=tuple(texts), steps=steps,
        phases=_phase_timing(ordered), agents=agents,
        agent_spread_ms=max(medians) - min(medians) if len(medians) > 1 else 0,
        typical_ms={s.activity_key: s.median_ms for s in steps},
    )

