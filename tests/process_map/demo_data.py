"""The demo ticket and a variant without the Jira escalation, both through the real ingest and
steps pipeline, as one workflow of two recordings."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from app.demo.load import DEMO_AGENT, load_demo
from app.demo.ticket import DEMO_WORKFLOW, demo_events
from app.ingest import store
from app.ingest.schemas import RecordingCreate
from app.models import Recording, User, Workflow
from app.pipeline import load_workflow_recordings
from app.settings import Settings
from app.steps.model import RecordingSteps

__all__ = ["load_demo_workflow", "record_variant"]


def variant_events() -> list[dict[str, Any]]:
    """The demo without the escalation: from the marker to the Jira issue page is left out."""
    events = demo_events()
    start = next(i for i, e in enumerate(events) if e.get("label") == "Escalating now")
    end = next(i for i, e in enumerate(events) if e["type"] == "tab_switch")
    kept = events[:start] + events[end:]
    for seq, event in enumerate(kept, start=1):
        event["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"variant-event-{seq}"))
        event["seq"] = seq
    return kept


def record_variant(session: Session, settings: Settings) -> Recording:
    """The variant, recorded and finished by the demo agent in the demo workflow (loaded)."""
    agent = session.query(User).filter(User.email == DEMO_AGENT).one()
    recording = store.create_recording(session, agent, RecordingCreate(workflow=DEMO_WORKFLOW))
    events = store.validate_batch({"events": variant_events()}, settings)
    batch = store.prepare_batch(recording.id, events, settings)
    store.store_batch(session, agent, batch, settings)
    return store.finish_recording(session, recording, settings)


def load_demo_workflow(session: Session, settings: Settings) -> tuple[Workflow,
                                                                      list[RecordingSteps]]:
    """The demo workflow after recording the demo ticket and the variant (oldest first)."""
    result = load_demo(session, settings)
    record_variant(session, settings)
    workflow = session.get_one(Workflow, result.workflow_id)
    return workflow, load_workflow_recordings(session, workflow)
