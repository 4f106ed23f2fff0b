"""Recording pages: the list of recordings and one recording's timeline and capture manifest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.database import SessionDep
from app.ingest.store import get_recording_for
from app.models import Recording, Role, User
from app.models import Step as StepRow
from app.pages.rendering import render
from app.pages.session import CurrentPageUser
from app.pipeline import load_recording_steps
from app.steps.model import PHASE_NAMES, Step

router = APIRouter(include_in_schema=False)
RecordingId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@dataclass(frozen=True, slots=True)
class RecordingRow:
    """One line of the recordings list."""

    id: int
    workflow_id: int
    workflow: str
    recorded_by: str
    created_at: datetime
    status: str
    step_count: int
    duration_ms: int | None
    included: bool


@dataclass(frozen=True, slots=True)
class RecordingsPage:
    """The recordings the user may see, newest first."""

    rows: list[RecordingRow]
    own_only: bool


@dataclass(frozen=True, slots=True)
class PhaseGroup:
    """The steps of one phase, in order."""

    phase: str
    name: str
    steps: list[Step]
    duration_ms: int


@dataclass(frozen=True, slots=True)
class RecordingPage:
    """One recording: who, when, its timeline of steps by phase, and its capture manifest."""

    recording: Recording
    recorded_by: str
    phases: list[PhaseGroup]
    step_count: int
    duration_ms: int
    started_at_ms: int
    manifest: dict[str, Any]


def step_figures(session: Session, recording_ids: list[int]) -> dict[int, tuple[int, int]]:
    """``{recording id: (step count, duration ms)}`` from one grouped query."""
    if not recording_ids:
        return {}
    rows = session.execute(
        select(
            StepRow.recording_id,
            func.count(),
            func.max(StepRow.started_at_ms + StepRow.duration_ms) - func.min(StepRow.started_at_ms),
        )
        .where(StepRow.recording_id.in_(recording_ids))
        .group_by(StepRow.recording_id)
    ).all()
    return {rid: (int(count), int(span or 0)) for rid, count, span in rows}


def visible_recordings(session: Session, user: User) -> list[Recording]:
    """The team's recordings for leads and admins; their own for agents; newest first."""
    query = select(Recording).where(Recording.team_id == user.team_id)
    if user.role == Role.agent:
        query = query.where(Recording.user_id == user.id)
    return list(session.scalars(query.order_by(Recording.created_at.desc(), Recording.id.desc())
                                .limit(500)).all())


def recording_rows(session: Session, recordings: list[Recording]) -> list[RecordingRow]:
    """List rows with step counts and durations."""
    figures = step_figures(session, [r.id for r in recordings])
    return [
        RecordingRow(
            id=r.id, workflow_id=r.workflow_id, workflow=r.workflow.name,
            recorded_by=r.user.email if r.user else "a deleted user",
            created_at=r.created_at, status=str(r.status),
            step_count=figures.get(r.id, (0, 0))[0],
            duration_ms=figures[r.id][1] if r.id in figures else None,
            included=r.included,
        )
        for r in recordings
    ]


def group_by_phase(steps: tuple[Step, ...]) -> list[PhaseGroup]:
    """Consecutive steps of one phase become one group (a phase may come back later)."""
    groups: list[PhaseGroup] = []
    for step in steps:
        if groups and groups[-1].phase == step.phase:
            groups[-1].steps.append(step)
            continue
        groups.append(PhaseGroup(step.phase, PHASE_NAMES.get(step.phase, step.phase), [step], 0))
    return [PhaseGroup(g.phase, g.name, g.steps, sum(s.duration_ms for s in g.steps))
            for g in groups]


@router.get("/recordings", response_class=HTMLResponse)
def recordings_list(request: Request, user: CurrentPageUser, session: SessionDep) -> HTMLResponse:
    """The recordings the user may see."""
    rows = recording_rows(session, visible_recordings(session, user))
    page = RecordingsPage(rows=rows, own_only=user.role == Role.agent)
    return render(request, "recordings.html", page, title="Recordings")


@router.get("/recordings/{recording_id}", response_class=HTMLResponse)
def recording_page(
    request: Request, recording_id: RecordingId, user: CurrentPageUser, session: SessionDep
) -> HTMLResponse:
    """One recording's timeline of steps and its capture manifest (404 if not visible)."""
    recording = get_recording_for(session, user, recording_id)
    steps = load_recording_steps(session, recording)
    page = RecordingPage(
        recording=recording,
        recorded_by=recording.user.email if recording.user else "a deleted user",
        phases=group_by_phase(steps.steps),
        step_count=len(steps.steps),
        duration_ms=steps.ended_at_ms - steps.started_at_ms,
        started_at_ms=steps.started_at_ms,
        manifest=recording.manifest or {},
    )
    return render(request, "recording.html", page, title=f"Recording {recording.id}")
