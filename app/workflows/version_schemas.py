"""API schemas of versions, diffs and the choice of recordings (unknown fields refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "PublishIn",
    "RecordingSelection",
    "VersionList",
    "VersionRead",
    "VersionStep",
    "VersionSummary",
    "WorkflowRecordingRow",
    "WorkflowRecordings",
]

RecordingIdIn = Annotated[int, Field(ge=1, le=2**31 - 1)]


class PublishIn(BaseModel):
    """``POST …/publish``: optionally the one-line summary of the change (else the diff's)."""

    model_config = ConfigDict(extra="forbid")
    summary: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None


class RecordingSelection(BaseModel):
    """``PATCH …/recordings``: recordings to include in, and to exclude from, the process."""

    model_config = ConfigDict(extra="forbid")
    include: Annotated[list[RecordingIdIn], Field(max_length=1000)] = []
    exclude: Annotated[list[RecordingIdIn], Field(max_length=1000)] = []


class VersionSummary(BaseModel):
    number: int
    status: str
    summary: str
    recording_ids: list[int]
    recorded_by: list[str]
    published_by: str
    base_number: int | None
    orphaned_notes: int
    created_at: datetime
    published_at: datetime | None
    discarded_at: datetime | None


class VersionStep(BaseModel):
    number: int
    activity_key: str
    title: str
    system: str
    screen: str
    phase: str
    typical_ms: int


class VersionRead(VersionSummary):
    procedure: list[VersionStep]
    decisions: list[dict[str, Any]]
    exceptions: list[str]
    timing: dict[str, Any]
    diff: dict[str, Any] | None
    orphaned: list[dict[str, Any]]
    step_notes: dict[str, Any]


class VersionList(BaseModel):
    items: list[VersionSummary]
    current: int | None
    draft: int | None
    staleness: dict[str, Any]


class WorkflowRecordingRow(BaseModel):
    id: int
    agent: str
    source: str
    ticket_ref: str | None
    status: str
    included: bool
    in_draft: bool
    published_in: list[int]
    step_count: int
    created_at: datetime


class WorkflowRecordings(BaseModel):
    items: list[WorkflowRecordingRow]
    draft: int | None
