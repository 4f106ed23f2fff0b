"""Which step of one version is which step of another (pure).

Steps are paired, in this order: by activity key in order (``difflib``), then by activity key out
of order; by a stable selector both controls share (``#id``, ``[data-testid=…]``, a CSS path:
the same control under a new label; ``aria/`` and ``text/`` selectors carry the label, so they do
not count); by the same verb and name on another system or screen; and by position (one
unmatched step of the same kind in the same system, in the same gap between paired steps).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

from app.steps.model import Step

__all__ = ["longest_increasing", "match_steps"]

_UNSTABLE_SELECTOR = ("aria/", "text/", "xpath/", "pierce/")


def longest_increasing(values: Sequence[int]) -> set[int]:
    """Indexes of one longest strictly increasing subsequence of ``values`` (O(n log n)).

    >>> sorted(longest_increasing([3, 1, 2, 5, 4]))
    [1, 2, 4]
    """
    tails: list[int] = []
    tail_index: list[int] = []
    previous = [-1] * len(values)
    for index, value in enumerate(values):
        slot = bisect_left(tails, value)
        if slot == len(tails):
            tails.append(value)
            tail_index.append(index)
        else:
            tails[slot] = value
            tail_index[slot] = index
        previous[index] = tail_index[slot - 1] if slot else -1
    chosen: set[int] = set()
    at = tail_index[-1] if tail_index else -1
    while at >= 0:
        chosen.add(at)
        at = previous[at]
    return chosen


def match_steps(old: Sequence[Step], new: Sequence[Step]) -> list[tuple[int, int, str]]:
    """Pairs (old index, new index, how) of the same step, sorted by old index.

    Contract: each index appears at most once; ``how`` is ``key``, ``selector``, ``name`` or
    ``position``.

    >>> from app.steps.model import Step
    >>> def s(key):
    ...     return Step(1, "click", key, (), key, "Z", "help_desk", "T", "/", "triage", 0, 1,
    ...                 1, 0, 0, ())
    >>> match_steps([s("a"), s("b")], [s("b"), s("a")])
    [(0, 1, 'key'), (1, 0, 'key')]
    """
    old_keys = [s.activity_key for s in old]
    new_keys = [s.activity_key for s in new]
    matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    pairs = [(block.a + k, block.b + k, "key")
             for block in matcher.get_matching_blocks() for k in range(block.size)]
    used_old, used_new = {i for i, _, _ in pairs}, {j for _, j, _ in pairs}
    for rule in (_same_key, _same_selector, _same_name):
        for i, j in rule(old, new, used_old, used_new):
            pairs.append((i, j, rule.__name__.removeprefix("_same_")))
            used_old.add(i)
            used_new.add(j)
    for i, j in _same_position(old, new, sorted(pairs)):
        pairs.append((i, j, "position"))
    return sorted(pairs)


def _pair_in_order(
    old: Sequence[Step], new: Sequence[Step], used_old: set[int], used_new: set[int],
    signatures: Any,
) -> list[tuple[int, int]]:
    """Pair the k-th unmatched old step with the k-th unmatched new step of each signature."""
    waiting: dict[Any, list[int]] = defaultdict(list)
    for j, step in enumerate(new):
        if j not in used_new:
            for signature in signatures(step):
                waiting[signature].append(j)
    taken: set[int] = set()
    out = []
    for i, step in enumerate(old):
        if i in used_old:
            continue
        for signature in signatures(step):
            candidates = [j for j in waiting.get(signature, ()) if j not in taken]
            if candidates:
                taken.add(candidates[0])
                out.append((i, candidates[0]))
                break
    return out


def _same_key(old: Sequence[Step], new: Sequence[Step], uo: set[int], un: set[int]) -> Any:
    return _pair_in_order(old, new, uo, un, lambda s: (s.activity_key,))


def _same_selector(old: Sequence[Step], new: Sequence[Step], uo: set[int], un: set[int]) -> Any:
    def signatures(step: Step) -> list[tuple[str, str]]:
        return [(step.kind, sel) for sel in step.selectors
                if sel and not sel.startswith(_UNSTABLE_SELECTOR)]

    return _pair_in_order(old, new, uo, un, signatures)


def _same_name(old: Sequence[Step], new: Sequence[Step], uo: set[int], un: set[int]) -> Any:
    def signatures(step: Step) -> list[tuple[str, ...]]:
        parts = step.activity_key.split(":")
        return [tuple(parts[2:])] if len(parts) > 3 else []

    return _pair_in_order(old, new, uo, un, signatures)


def _same_position(
    old: Sequence[Step], new: Sequence[Step], pairs: list[tuple[int, int, str]]
) -> list[tuple[int, int]]:
    """One-to-one pairs of unmatched steps of one kind and system in the same gap."""
    anchors = [pairs[k][:2] for k in sorted(longest_increasing([j for _, j, _ in pairs]))]
    old_at, new_at = [i for i, _ in anchors], [j for _, j in anchors]
    used_old, used_new = {i for i, _, _ in pairs}, {j for _, j, _ in pairs}
    groups: dict[tuple[int, str, str], tuple[list[int], list[int]]] = defaultdict(
        lambda: ([], []))
    for i, step in enumerate(old):
        if i not in used_old:
            groups[bisect_left(old_at, i), step.kind, step.system][0].append(i)
    for j, step in enumerate(new):
        if j not in used_new:
            groups[bisect_left(new_at, j), step.kind, step.system][1].append(j)
    out: list[tuple[int, int]] = []
    for olds, news in groups.values():
        if olds and len(olds) == len(news):
            out.extend(zip(olds, news, strict=True))
    return out
