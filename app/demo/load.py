"""``load_demo``: put the bundled recording into the database through the real ingest use cases."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import accounts
from app.demo.ticket import DEMO_DETAILS, DEMO_TICKET, DEMO_WORKFLOW, demo_events
from app.ingest import store
from app.ingest.schemas import ClientInfo, RecordingCreate
from app.models import Recording, RecordingStatus, User, Workflow
from app.pipeline import load_recording_steps
from app.settings import Settings
from app.workflows import edits
from app.workflows.schemas import WorkflowDetailsIn, WorkflowUpdate

__all__ = ["DEMO_AGENT", "DemoResult", "load_demo"]

DEMO_AGENT = "demo.agent@example.com"
DEMO_TEAM = "Support"


@dataclass(frozen=True, slots=True)
class DemoResult:
    """Where the demo landed; ``created`` is False when it was already there."""

    workflow_id: int
    recording_id: int
    step_count: int
    created: bool


def _agent(session: Session) -> User:
    user = session.scalar(select(User).where(User.email == DEMO_AGENT))
    if user is None:
        user, _ = accounts.create_user(session, DEMO_AGENT, "agent", DEMO_TEAM)
    return user


def load_demo(session: Session, settings: Settings) -> DemoResult:
    """Record the demo ticket (open, send events, finish) unless it is already loaded."""
    agent = _agent(session)
    existing = session.scalar(
        select(Recording).join(Workflow).where(
            Workflow.team_id == agent.team_id, Workflow.name == DEMO_WORKFLOW,
            Recording.status == RecordingStatus.finished,
        ).order_by(Recording.id)
    )
    if existing is not None:
        return DemoResult(existing.workflow_id, existing.id, _steps(session, existing), False)
    recording = store.create_recording(
        session, agent,
        RecordingCreate(workflow=DEMO_WORKFLOW, ticket_ref=DEMO_TICKET,
                        client=ClientInfo(extension_version="demo", browser="Chrome 131",
                                          os="macOS", timezone="Europe/Berlin")),
        source="demo",
    )
    events = store.validate_batch({"events": demo_events()}, settings)
    batch = store.prepare_batch(recording.id, events, settings)
    store.store_batch(session, agent, batch, settings)
    recording = store.finish_recording(session, recording, settings)
    if not recording.workflow.details:
        edits.update_workflow(session, recording.workflow,
                              WorkflowUpdate(details=WorkflowDetailsIn(**DEMO_DETAILS)))
    return DemoResult(recording.workflow_id, recording.id, _steps(session, recording), True)


def _steps(session: Session, recording: Recording) -> int:

    return len(load_recording_steps(session, recording).steps)
