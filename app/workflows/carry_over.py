"""Carry the lead's step notes over to a new version of the procedure (pure).

A note is keyed by the activity key of its step. It stays where its step still exists, moves
with a step that the diff recognised under a new key (a renamed control, another screen), and
is otherwise listed as orphaned, with the reason, for the lead to re-attach or drop: a note is
never silently lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["CarriedNotes", "OrphanedNote", "carry_over_notes"]


@dataclass(frozen=True, slots=True)
class OrphanedNote:
    """A note whose step is not in the new procedure; ``title`` is the step it was on."""

    activity_key: str
    note: str
    warning: str
    title: str
    reason: str


@dataclass(frozen=True, slots=True)
class CarriedNotes:
    """The notes keyed for the new procedure, the moves made, and the orphans."""

    notes: dict[str, dict[str, str]]
    moved: tuple[tuple[str, str], ...]
    orphaned: tuple[OrphanedNote, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)

    def kept(self) -> dict[str, dict[str, str]]:
        """Every note, orphans under their old key: what the workflow keeps after publishing."""
        out = {o.activity_key: {"note": o.note, "warning": o.warning} for o in self.orphaned}
        out.update(self.notes)
        return dict(sorted(out.items()))


def _pair(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {"note": "", "warning": ""}
    return {"note": str(value.get("note") or ""), "warning": str(value.get("warning") or "")}


def carry_over_notes(
    notes: Mapping[str, Any],
    new_keys: Iterable[str],
    key_map: Mapping[str, str],
    old_titles: Mapping[str, str],
) -> CarriedNotes:
    """Re-key ``notes`` (activity key -> ``{note, warning}``) for a procedure of ``new_keys``.

    Contract: ``key_map`` maps an old key to the new key of the same step (from the diff);
    every note ends up in ``notes`` or in ``orphaned``, none in both; when a moved note meets a
    note already on its new step, the one on the step wins and the other is orphaned.

    >>> carried = carry_over_notes({"a": {"note": "x"}, "b": {"note": "y"}, "c": {"note": "z"}},
    ...                            ["a", "b2"], {"b": "b2"}, {"c": "Click C"})
    >>> sorted(carried.notes), carried.moved, [o.activity_key for o in carried.orphaned]
    (['a', 'b2'], (('b', 'b2'),), ['c'])
    """
    present = set(new_keys)
    kept: dict[str, dict[str, str]] = {}
    moved: list[tuple[str, str]] = []
    orphaned: list[OrphanedNote] = []
    for key in sorted(notes):
        if key in present:
            kept[key] = _pair(notes[key])
    for key in sorted(notes):
        if key in present:
            continue
        pair = _pair(notes[key])
        target = key_map.get(key)
        title = old_titles.get(key, key)
        if target in present and target is not None and target not in kept:
            kept[target] = pair
            moved.append((key, target))
        elif target in present:
            orphaned.append(OrphanedNote(key, pair["note"], pair["warning"], title,
                                         "its step now has a note of its own"))
        else:
            reason = ("its step is not in this version" if key in old_titles
                      else "its step was already missing from the previous version")
            orphaned.append(OrphanedNote(key, pair["note"], pair["warning"], title, reason))
    return CarriedNotes(dict(sorted(kept.items())), tuple(moved), tuple(orphaned))
