"""The lead's edit pages: a form per section, per-step notes and warnings, and the SOP preview.

Validation and saving are the workflow use cases' (``app.workflows.schemas``/``edits``); these
routes only turn forms into their inputs and put each error next to its field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from app.database import SessionDep
from app.errors import NotFound
from app.models import Workflow
from app.pages.edit_form import (
    SECTIONS,
    SECTIONS_BY_KEY,
    Section,
    errors_by_field,
    form_values,
    parse_section,
    row_count,
)
from app.pages.rendered_outputs import workflow_sop
from app.pages.rendering import redirect, render
from app.pages.session import CurrentPageUser, PageLead, VerifiedForm
from app.pages.versions import require_published
from app.pages.workflow import WorkflowId, visible_workflow, workflow_page_context
from app.sop.render import render_sop_html
from app.workflows import edits
from app.workflows.access import reads_drafts
from app.workflows.schemas import StepNoteIn, WorkflowUpdate
from app.workflows.version_data import open_draft, version_export

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class EditPage:
    """The edit forms: values to show, errors by field, the section just saved or refused."""

    workflow: Workflow
    sections: tuple[Section, ...]
    values: dict[str, str]
    rows: dict[str, int]
    errors: dict[str, str] = field(default_factory=dict)
    saved: str = ""
    failed: str = ""


@dataclass(frozen=True, slots=True)
class PreviewPage:
    """The SOP exactly as it will be downloaded."""

    workflow: Workflow
    sop_html: str


def edit_page(workflow: Workflow, *, values: dict[str, str] | None = None,
              errors: dict[str, str] | None = None, saved: str = "", failed: str = "") -> EditPage:
    """The edit page's context from the stored details, overlaid with posted values."""
    shown = {**form_values(workflow.details or {}), **(values or {})}
    rows = {s.key: row_count(s, shown) for s in SECTIONS if s.kind == "rows"}
    return EditPage(workflow, SECTIONS, shown, rows, errors or {}, saved, failed)


@router.get("/workflows/{workflow_id}/edit", response_class=HTMLResponse)
def edit_form(
    request: Request, workflow_id: WorkflowId, user: PageLead, session: SessionDep,
    saved: str = "",
) -> HTMLResponse:
    """A form for every section the lead owns."""
    workflow = visible_workflow(session, user, workflow_id)
    page = edit_page(workflow, saved=saved if saved in SECTIONS_BY_KEY else "")
    return render(request, "workflow_edit.html", page, title=f"Edit {workflow.name}")


@router.post("/workflows/{workflow_id}/edit", response_model=None)
def save_section(
    request: Request, workflow_id: WorkflowId, form: VerifiedForm, user: PageLead,
    session: SessionDep,
) -> HTMLResponse | RedirectResponse:
    """Validate and save one section; on error show the form again with messages."""
    workflow = visible_workflow(session, user, workflow_id)
    section = SECTIONS_BY_KEY.get(str(form.get("section", "")))
    if section is None:
        raise NotFound("no such section")
    posted = {k: v for k, v in form.items() if isinstance(v, str)}
    payload, origins = parse_section(section, posted)
    try:
        update = WorkflowUpdate.model_validate({"details": payload})
    except ValidationError as exc:
        page = edit_page(workflow, values=posted, errors=errors_by_field(exc, origins),
                         failed=section.key)
        return render(request, "workflow_edit.html", page, status=422,
                      title=f"Edit {workflow.name}")
    edits.update_workflow(session, workflow, update)
    return redirect(request, f"/workflows/{workflow.id}/edit?saved={section.key}#{section.key}")


@router.post("/workflows/{workflow_id}/notes", response_model=None)
def save_step_note(
    request: Request, workflow_id: WorkflowId, form: VerifiedForm, user: PageLead,
    session: SessionDep,
) -> HTMLResponse | RedirectResponse:
    """Set the note and warning of one step (both empty removes them)."""
    workflow = visible_workflow(session, user, workflow_id)
    key = str(form.get("activity_key", ""))
    if not key or len(key) > 300:
        raise NotFound("no such step")
    try:
        note = StepNoteIn(note=str(form.get("note", "")), warning=str(form.get("warning", "")))
    except ValidationError as exc:
        errors = errors_by_field(exc, [])
        page = workflow_page_context(session, user, workflow, note_key=key, note_errors=errors)
        return render(request, "workflow.html", page, status=422, title=workflow.name)
    edits.set_step_note(session, workflow, key, note)
    return redirect(request, f"/workflows/{workflow.id}#notes")


@router.get("/workflows/{workflow_id}/preview", response_class=HTMLResponse)
def preview(
    request: Request, workflow_id: WorkflowId, user: CurrentPageUser, session: SessionDep
) -> Response:
    """The SOP as it will be downloaded: for a lead, the draft waiting for publication (with
    the latest edits) if there is one; else the version in force."""
    workflow = visible_workflow(session, user, workflow_id)
    require_published(session, user, workflow)
    draft = open_draft(session, workflow) if reads_drafts(user) else None
    sop_html = (render_sop_html(version_export(session, workflow, draft).sop()) if draft
                else workflow_sop(session, workflow).sop_html)
    return render(request, "preview.html", PreviewPage(workflow, sop_html),
                  title=f"Preview {workflow.name}")
