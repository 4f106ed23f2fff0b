"""Literal steps and recordings for the pure version stages (no database, no pipeline)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.steps.model import RecordingSteps, Step, TitlePart

VERBS = {"click": "Click", "choose": "Set", "edit": "Fill in", "submit": "Submit",
         "navigate": "Open", "marker": "Mark"}


def st(name: str, kind: str = "click", *, system: str = "Zendesk", screen: str = "Ticket",
       phase: str = "triage", duration_ms: int = 10_000, choice: str | None = None,
       selectors: Sequence[str] = (), key: str | None = None, **fields: Any) -> Step:
    """A step named ``name`` whose activity key is built like the pipeline's."""
    slug = name.lower().replace(" ", "-")
    verb = {"choose": "set", "navigate": "open"}.get(kind, kind)
    title = f"{VERBS[kind]} {name}" + (f" to {choice}" if choice else "") + f" in {system}"
    values: dict[str, Any] = {
        "position": 0, "kind": kind, "title": title, "parts": (TitlePart(title),),
        "activity_key": key or f"{system.lower()}:{screen.lower()}:{verb}:{slug}",
        "system": system, "system_category": "help_desk", "screen": screen,
        "url_template": "/t/{id}", "phase": phase, "started_at_ms": 0,
        "duration_ms": duration_ms, "active_ms": duration_ms, "waiting_ms": 0, "idle_ms": 0,
        "event_ids": (), "selectors": tuple(selectors),
        "control": name if kind in ("click", "submit") else None,
        "field": name if kind in ("choose", "edit") else None, "choice": choice,
    }
    values.update(fields)
    return Step(**values)


def rec(recording_id: int, steps: Sequence[Step], *, agent: str = "agent-aaaaaa",
        start_ms: int = 1_763_800_000_000) -> RecordingSteps:
    """A recording of ``steps`` laid end to end from ``start_ms``."""
    placed = []
    at = start_ms
    for position, step in enumerate(steps, start=1):
        placed.append(Step(**{**step.to_dict(), "parts": step.parts, "event_ids": (f"e{position}",),
                              "selectors": step.selectors, "position": position,
                              "started_at_ms": at}))
        at += step.duration_ms
    return RecordingSteps(recording_id, "Refund request", agent, start_ms, at, tuple(placed))
