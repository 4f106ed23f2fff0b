"""API shapes of derived steps (``GET /api/v1/recordings/{id}/steps``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

__all__ = ["RecordingStepsRead", "StepRead", "TitlePartRead"]


class TitlePartRead(BaseModel):
    text: str
    strong: bool = False


class StepRead(BaseModel):
    """One step with its place, phase, timing and the ids of the events it came from."""

    position: int
    kind: str
    title: str
    parts: list[TitlePartRead]
    activity_key: str
    system: str
    system_category: str
    screen: str
    url_template: str
    phase: str
    started_at_ms: int
    duration_ms: int
    active_ms: int
    waiting_ms: int
    idle_ms: int
    event_ids: list[str]
    tab: int = 0
    control: str | None = None
    field: str | None = None
    choice: str | None = None
    selectors: list[str] = []
    is_triage: bool = False
    is_escalation: bool = False
    host: str = ""


class RecordingStepsRead(BaseModel):
    """The steps of a recording, its timing totals and what the pipeline left out."""

    recording_id: int
    status: str
    steps: list[StepRead]
    timing: dict[str, Any]
    dropped: dict[str, int]
    pipeline_error: str | None = None
