"""The lead's version forms: publish or discard the draft, open a new one, include or exclude
recordings, re-attach or drop an orphaned note.

Every form carries the session's CSRF token (``VerifiedForm``) and is for leads (``PageLead``);
the changes are the versions use cases' (:mod:`app.workflows.versions`). Each answers with a
303 back to the workflow page.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.database import SessionDep
from app.errors import NotFound, Unprocessable
from app.models import Workflow
from app.pages.rendering import redirect
from app.pages.session import PageLead, VerifiedForm
from app.workflows import versions
from app.workflows.deps import WorkflowId
from app.workflows.deps import get_workflow_for as visible_workflow
from app.workflows.edits import MAX_STEP_NOTES
from app.workflows.version_data import open_draft, procedure_of

__all__ = ["reattach_note"]

router = APIRouter(include_in_schema=False)
MAX_SUMMARY = 300


def _number(form: FormData, name: str) -> int:
    """A positive id posted in the form, else 404 (a tampered form names nothing)."""
    raw = form.get(name)
    if not isinstance(raw, str) or not raw.isdigit() or not 0 < int(raw) < 2**31:
        raise NotFound(f"no such {name.replace('_', ' ')}")
    return int(raw)


@router.post("/workflows/{workflow_id}/publish", response_model=None)
def publish(request: Request, workflow_id: WorkflowId, form: VerifiedForm, user: PageLead,
            session: SessionDep) -> RedirectResponse:
    """Publish the draft (with the lead's one-line summary, if given): it becomes current."""
    workflow = visible_workflow(session, user, workflow_id)
    summary = str(form.get("summary") or "").strip()
    if len(summary) > MAX_SUMMARY:
        raise Unprocessable(f"the summary is longer than {MAX_SUMMARY} characters")
    version = versions.publish_version(session, workflow, user, summary or None)
    return redirect(request, f"/workflows/{workflow.id}?published={version.number}#versions")


@router.post("/workflows/{workflow_id}/versions/{number}/discard", response_model=None)
def discard(request: Request, workflow_id: WorkflowId, number: int, form: VerifiedForm,
            user: PageLead, session: SessionDep) -> RedirectResponse:
    """Discard the draft; its recordings wait for the next one."""
    workflow = visible_workflow(session, user, workflow_id)
    if not 0 < number < 2**31:
        raise NotFound(f"workflow {workflow.id} has no version {number}")
    versions.discard_version(session, workflow, number)
    return redirect(request, f"/workflows/{workflow.id}#versions")


@router.post("/workflows/{workflow_id}/draft", response_model=None)
def new_draft(request: Request, workflow_id: WorkflowId, form: VerifiedForm, user: PageLead,
              session: SessionDep) -> RedirectResponse:
    """Open a draft now (from the recordings since the last publish, else the current ones)."""
    workflow = visible_workflow(session, user, workflow_id)
    versions.create_draft(session, workflow, user)
    return redirect(request, f"/workflows/{workflow.id}#draft")


@router.post("/workflows/{workflow_id}/recordings", response_model=None)
def choose_recording(request: Request, workflow_id: WorkflowId, form: VerifiedForm,
                     user: PageLead, session: SessionDep) -> RedirectResponse:
    """Include a recording in the process, or exclude it; the draft is rebuilt."""
    workflow = visible_workflow(session, user, workflow_id)
    recording_id = _number(form, "recording_id")
    action = form.get("action")
    if action not in ("include", "exclude"):
        raise NotFound("no such action")
    include, exclude = ([recording_id], []) if action == "include" else ([], [recording_id])
    versions.select_recordings(session, workflow, user, include, exclude)
    return redirect(request, f"/workflows/{workflow.id}#included")


def reattach_note(session: Session, workflow: Workflow, old_key: str, new_key: str | None
                  ) -> None:
    """Move the note and warning kept under ``old_key`` to step ``new_key`` of the draft, or
    drop them (``new_key`` None); commits once. A step's own note is kept, the two joined."""
    notes = dict(workflow.step_notes or {})
    moved = notes.pop(old_key, None)
    if moved is None:
        raise NotFound("that note is not waiting to be re-attached any more")
    if new_key is not None:
        draft = open_draft(session, workflow)
        if draft is None or new_key not in {s.activity_key for s in procedure_of(draft).steps}:
            raise NotFound("no such step in the draft")
        if new_key not in notes and len(notes) >= MAX_STEP_NOTES:
            raise Unprocessable(f"a workflow keeps notes on at most {MAX_STEP_NOTES} steps")
        there = notes.get(new_key) or {}
        notes[new_key] = {
            part: "\n".join(t for t in (str(there.get(part) or ""), str(moved.get(part) or ""))
                            if t)
            for part in ("note", "warning")
        }
    workflow.step_notes = notes
    session.commit()


@router.post("/workflows/{workflow_id}/orphans", response_model=None)
def orphaned_note(request: Request, workflow_id: WorkflowId, form: VerifiedForm,
                  user: PageLead, session: SessionDep) -> RedirectResponse:
    """Re-attach an orphaned note to a step of the draft, or drop it."""
    workflow = visible_workflow(session, user, workflow_id)
    old_key, target = form.get("activity_key"), form.get("target")
    if not isinstance(old_key, str) or not old_key or len(old_key) > 300:
        raise NotFound("no such note")
    if not isinstance(target, str) or not target or len(target) > 300:
        raise Unprocessable("choose the step to attach the note to, or drop it")
    reattach_note(session, workflow, old_key, None if target == "drop" else target)
    return redirect(request, f"/workflows/{workflow.id}#orphaned")
