"""Is the published procedure stale? (pure)

A workflow is flagged for review when its review date has passed, or when a recording made
after the last publish diverges from the published procedure beyond a threshold: it visits a
system the procedure never uses, it lacks a share of the procedure's steps, or it shows
controls under new names. Each flag says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from app.steps.model import RecordingSteps, Step
from app.workflows.diff import Procedure, diff_procedures

__all__ = ["StaleFlag", "Staleness", "Thresholds", "assess_staleness"]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """How far a new recording may drift before the procedure is flagged."""

    missing_share: float = 0.2
    renamed_controls: int = 1
    new_systems: int = 1


@dataclass(frozen=True, slots=True)
class StaleFlag:
    """One reason for review: ``review_due``, ``new_system``, ``missing_steps``, ``renamed``."""

    kind: str
    reason: str
    recording_id: int | None = None


@dataclass(frozen=True, slots=True)
class Staleness:
    """The flags of one workflow; stale when there is any."""

    flags: tuple[StaleFlag, ...]

    @property
    def stale(self) -> bool:
        """Whether the workflow needs a review."""
        return bool(self.flags)

    @property
    def reason(self) -> str:
        """All reasons in one sentence (empty when not stale)."""
        return "; ".join(flag.reason for flag in self.flags)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with ``stale`` and ``reason``."""
        return {"stale": self.stale, "reason": self.reason,
                "flags": [asdict(flag) for flag in self.flags]}


def _drift(published: Sequence[Step], recording: RecordingSteps,
           limits: Thresholds) -> list[StaleFlag]:
    rid = recording.recording_id
    flags = []
    known = {step.system for step in published}
    new_systems = list(dict.fromkeys(s.system for s in recording.steps if s.system not in known))
    if new_systems and len(new_systems) >= limits.new_systems:
        flags.append(StaleFlag("new_system", f"recording {rid} uses a system the procedure "
                               f"does not: {', '.join(new_systems[:5])}", rid))
    diff = diff_procedures(Procedure(None, tuple(published)), Procedure(None, recording.steps))
    if published and len(diff.removed) >= max(1.0, limits.missing_share * len(published)):
        flags.append(StaleFlag("missing_steps", f"recording {rid} lacks {len(diff.removed)} of "
                               f"the {len(published)} published steps", rid))
    renamed = [m for m in diff.changed if any(c.kind == "renamed" for c in m.changes)]
    if renamed and len(renamed) >= limits.renamed_controls:
        first = next(c for c in renamed[0].changes if c.kind == "renamed")
        flags.append(StaleFlag("renamed", f"recording {rid} shows {len(renamed)} control(s) "
                               f"under a new name (\"{first.before}\" is now \"{first.after}\")",
                               rid))
    return flags


def assess_staleness(
    published: Sequence[Step] | None,
    review_due: date | None,
    today: date,
    new_recordings: Sequence[RecordingSteps],
    limits: Thresholds = Thresholds(),
) -> Staleness:
    """The review flags of a workflow whose published procedure is ``published``.

    Contract: ``review_due`` before ``today`` flags ``review_due``; each recording in
    ``new_recordings`` (made after the publish) is compared with the procedure; with no
    published procedure only the review date counts.

    >>> assess_staleness(None, date(2026, 1, 1), date(2026, 2, 1), []).reason
    'the review was due on 2026-01-01'
    """
    flags = []
    if review_due is not None and review_due < today:
        flags.append(StaleFlag("review_due", f"the review was due on {review_due.isoformat()}"))
    if published is not None:
        for recording in sorted(new_recordings, key=lambda r: r.recording_id):
            flags.extend(_drift(published, recording, limits))
    return Staleness(tuple(flags))
