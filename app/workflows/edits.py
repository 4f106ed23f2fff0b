"""Use cases of the lead's edits to a workflow: sections, name, step notes. Each commits once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Conflict, NotFound
from app.models import Workflow
from app.workflows.schemas import StepNoteIn, WorkflowUpdate

__all__ = ["delete_step_note", "set_step_note", "update_workflow"]

#: A workflow keeps notes on at most this many activities.
MAX_STEP_NOTES = 500


def update_workflow(session: Session, workflow: Workflow, update: WorkflowUpdate) -> Workflow:
    """Rename and/or replace the sections given in the update; the others keep their value."""
    if update.name is not None and update.name != workflow.name:
        taken = session.scalar(
            select(Workflow.id).where(
                Workflow.team_id == workflow.team_id, Workflow.name == update.name
            )
        )
        if taken is not None:
            raise Conflict(f"the team already has a workflow called {update.name!r}")
        workflow.name = update.name
    if update.details is not None:
        changes = update.details.model_dump(mode="json", exclude_unset=True)
        workflow.details = {**(workflow.details or {}), **changes}
    session.commit()
    return workflow


def set_step_note(
    session: Session, workflow: Workflow, activity_key: str, note: StepNoteIn
) -> dict[str, Any]:
    """Set the note and warning of one activity (an empty pair removes it)."""
    notes = dict(workflow.step_notes or {})
    if not note.note and not note.warning:
        notes.pop(activity_key, None)
    else:
        if activity_key not in notes and len(notes) >= MAX_STEP_NOTES:
            raise Conflict(f"a workflow keeps notes on at most {MAX_STEP_NOTES} steps")
        notes[activity_key] = {"note": note.note, "warning": note.warning}
    workflow.step_notes = notes
    session.commit()
    return notes


def delete_step_note(session: Session, workflow: Workflow, activity_key: str) -> None:
    """Remove the note of one activity; 404 if it has none."""
    notes = dict(workflow.step_notes or {})
    if activity_key not in notes:
        raise NotFound(f"no note on step {activity_key[:80]!r}")
    del notes[activity_key]
    workflow.step_notes = notes
    session.commit()
