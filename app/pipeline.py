"""The one place that loads from the database, runs the pure stages, and saves their results."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Recording, RecordingStatus, Workflow
from app.models import Step as StepRow
from app.steps.model import RecordingSteps, Step


def pseudonym(user_id: int | None) -> str:
    """A stable pseudonymous agent id for outputs (never the email)."""
    if user_id is None:
        return "agent-unknown"
    return "agent-" + hashlib.sha256(f"sop-recorder-agent:{user_id}".encode()).hexdigest()[:6]


def load_recording_steps(session: Session, recording: Recording) -> RecordingSteps:
    """The stored steps of one recording, as plain data for the generators."""
    rows = session.scalars(
        select(StepRow).where(StepRow.recording_id == recording.id).order_by(StepRow.position)
    ).all()
    steps = tuple(Step.from_dict(row.data) for row in rows)
    started = steps[0].started_at_ms if steps else 0
    ended = steps[-1].started_at_ms + steps[-1].duration_ms if steps else 0
    return RecordingSteps(
        recording_id=recording.id,
        workflow=recording.workflow.name,
        agent=pseudonym(recording.user_id),
        started_at_ms=started,
        ended_at_ms=ended,
        steps=steps,
        ticket_ref=recording.ticket_ref,
    )


def load_workflow_recordings(
    session: Session, workflow: Workflow, *, included_only: bool = True
) -> list[RecordingSteps]:
    """The finished recordings of a workflow (oldest first) with their steps."""
    query = select(Recording).where(
        Recording.workflow_id == workflow.id, Recording.status == RecordingStatus.finished
    )
    if included_only:
        query = query.where(Recording.included.is_(True))
    recordings = session.scalars(query.order_by(Recording.created_at, Recording.id)).all()
    return [load_recording_steps(session, recording) for recording in recordings]
