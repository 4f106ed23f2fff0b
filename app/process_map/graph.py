"""Build the process graph: activities, directly-follows transitions, start, end and decisions.

A node is an activity, keyed by the steps' ``activity_key`` so that the same action in two
recordings is one node. An edge ``a -> b`` counts how often ``b`` directly followed ``a`` over
every recording given (the directly-follows graph), with the time from starting ``a`` to
starting ``b``. ``START`` and ``END`` are explicit nodes; a node whose paths split (more than
one successor) is a decision point.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from itertools import islice, pairwise
from operator import attrgetter
from typing import TYPE_CHECKING, TypeAlias

from app.steps.model import RecordingSteps, Step

if TYPE_CHECKING:  # networkx is imported where a graph is made: it is slow to import
    import networkx as nx

__all__ = [
    "END",
    "START",
    "ProcessGraph",
    "activity_names",
    "build_process_graph",
    "decision_points",
    "directly_follows",
    "percentile",
]

#: Node keys of the explicit start and end; activity keys always hold a ``:``, so never clash.
START = "__start__"
END = "__end__"

#: The process graph: activity keys (and START, END) as nodes.
ProcessGraph: TypeAlias = "nx.DiGraph[str]"


def percentile(values: Sequence[int], q: float) -> int:
    """The nearest-rank ``q``-th percentile (0 < q <= 100) of ``values``; 0 when empty.

    >>> percentile([10, 20, 30, 40], 50), percentile([10, 20, 30, 40], 90)
    (20, 40)
    """
    if not values:
        return 0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def directly_follows(recordings: Iterable[RecordingSteps]) -> Counter[tuple[str, str]]:
    """How often each activity directly followed another, over all recordings, with start/end.

    >>> from app.steps.model import RecordingSteps
    >>> directly_follows([RecordingSteps(1, "w", "a", 0, 0, ())])
    Counter({('__start__', '__end__'): 1})
    """
    key_of = attrgetter("activity_key")
    keys: list[str] = []
    for recording in recordings:
        keys.append(START)
        keys.extend(map(key_of, recording.steps))
        keys.append(END)
    # One C-level counting pass; the (END, START) pairs are only the seams between recordings.
    counts = Counter(zip(keys, islice(keys, 1, None), strict=False))
    counts.pop((END, START), None)
    return counts


def activity_names(recordings: Iterable[RecordingSteps]) -> dict[str, str]:
    """The display name of each activity key: its most frequent title, first seen on a tie."""
    titles: dict[str, Counter[str]] = defaultdict(Counter)
    for recording in recordings:
        for step in recording.steps:
            titles[step.activity_key][step.title] += 1
    return {key: _most_common(counter) for key, counter in titles.items()}


def _most_common(counter: Counter[str]) -> str:
    return counter.most_common(1)[0][0] if counter else ""


def build_process_graph(recordings: Sequence[RecordingSteps], *, title: str = "") -> ProcessGraph:
    """The process map of any number of recordings as a ``DiGraph``.

    Node attributes: ``kind`` (start, end, activity), ``name``, ``system``, ``screen``,
    ``phase``, ``count``, ``median_ms``, ``p90_ms`` (step duration), ``recordings`` (how many
    recordings hold it), ``decision`` (its paths split). Edge attributes: ``count`` (the
    directly-follows count), ``median_ms`` and ``p90_ms`` (from starting the source to starting
    the target). Graph attributes: ``title``, ``recordings``.

    >>> from app.steps.model import RecordingSteps
    >>> g = build_process_graph([RecordingSteps(1, "w", "a", 0, 0, ())])
    >>> sorted(g.nodes), g.edges[START, END]["count"]
    (['__end__', '__start__'], 1)
    """
    import networkx as nx  # here, not at the top: it is a sixth of the service's start-up

    graph: ProcessGraph = nx.DiGraph(
        title=title or _workflow_title(recordings), recordings=len(recordings))
    graph.add_node(START, **_terminal("start", "Start", len(recordings)))
    graph.add_node(END, **_terminal("end", "End", len(recordings)))
    _add_activities(graph, recordings)
    _add_transitions(graph, recordings)
    for node in graph.nodes:
        graph.nodes[node]["decision"] = graph.out_degree(node) > 1
    return graph


def decision_points(graph: ProcessGraph) -> list[str]:
    """The nodes whose paths split, in insertion order."""
    return [node for node, decision in graph.nodes(data="decision") if decision]


def _workflow_title(recordings: Sequence[RecordingSteps]) -> str:
    return recordings[0].workflow if recordings else "Process"


def _terminal(kind: str, name: str, count: int) -> dict[str, object]:
    return {
        "kind": kind, "name": name, "system": "", "screen": "", "phase": "", "count": count,
        "median_ms": 0, "p90_ms": 0, "recordings": count,
    }


def _add_activities(graph: ProcessGraph, recordings: Sequence[RecordingSteps]) -> None:
    occurrences: dict[str, list[Step]] = defaultdict(list)
    holders: dict[str, set[int]] = defaultdict(set)
    for index, recording in enumerate(recordings):
        for step in recording.steps:
            occurrences[step.activity_key].append(step)
            holders[step.activity_key].add(index)
    names = activity_names(recordings)
    for key, steps in occurrences.items():
        durations = [step.duration_ms for step in steps]
        graph.add_node(
            key,
            kind="activity",
            name=names[key],
            system=_most_common(Counter(step.system for step in steps)),
            screen=_most_common(Counter(step.screen for step in steps)),
            phase=_most_common(Counter(step.phase for step in steps)),
            count=len(steps),
            median_ms=percentile(durations, 50),
            p90_ms=percentile(durations, 90),
            recordings=len(holders[key]),
        )


def _add_transitions(graph: ProcessGraph, recordings: Sequence[RecordingSteps]) -> None:
    gaps: dict[tuple[str, str], list[int]] = defaultdict(list)
    for recording in recordings:
        steps = recording.steps
        if not steps:
            gaps[START, END].append(0)
            continue
        gaps[START, steps[0].activity_key].append(0)
        for before, after in pairwise(steps):
            gaps[before.activity_key, after.activity_key].append(
                max(0, after.started_at_ms - before.started_at_ms)
            )
        gaps[steps[-1].activity_key, END].append(steps[-1].duration_ms)
    for (source, target), values in gaps.items():
        graph.add_edge(
            source, target, count=len(values),
            median_ms=percentile(values, 50), p90_ms=percentile(values, 90),
        )
