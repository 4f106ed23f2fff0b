"""Loading a workflow's recordings with their steps, when they change between two reads."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.demo.load import load_demo
from app.models import Workflow
from app.pipeline import load_recording_steps, load_workflow_recordings, workflow_step_texts
from app.settings import Settings
from tests.process_map.demo_data import record_variant


def test_a_recording_finished_after_the_steps_were_read_comes_with_its_own_steps(
    session: Session, settings: Settings
) -> None:
    """The pages read the steps' texts first (for the cache key) and the recordings after;
    a recording that finished in between is loaded with the steps stored for it."""
    workflow = session.get_one(Workflow, load_demo(session, settings).workflow_id)
    texts = workflow_step_texts(session, workflow)
    variant = record_variant(session, settings)
    assert variant.id not in texts.texts

    loaded = {item.recording_id: item for item in
              load_workflow_recordings(session, workflow, step_texts=texts)}

    assert len(loaded) == 2
    stored = load_recording_steps(session, variant).steps
    assert stored
    assert loaded[variant.id].steps == stored
