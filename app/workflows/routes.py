"""HTTP routes of workflows: list, get, the lead's edits and step notes, and the downloads."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth import CurrentUser
from app.database import SessionDep
from app.exports import (
    EXPORTS,
    ExportData,
    content_disposition,
    download_name,
    find_export,
    load_recording_export,
    load_workflow_export,
)
from app.ingest.routes import RecordingDep, SettingsDep
from app.models import Recording, RecordingStatus, Workflow
from app.workflows import access, edits
from app.workflows.deps import LeadWorkflowDep, ReadableVersion, WorkflowDep
from app.workflows.schemas import (
    StepNoteIn,
    WorkflowPage,
    WorkflowRead,
    WorkflowSummary,
    WorkflowUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["workflows"])

ActivityKeyPath = Annotated[str, Path(min_length=1, max_length=300)]


def _format_query(artifact: str) -> Any:
    """The ``format`` query parameter of an artifact, with its formats listed in OpenAPI."""
    return Query(alias="format", min_length=1, max_length=20,
                 json_schema_extra={"enum": list(EXPORTS[artifact])})


def _download_responses(artifact: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses of a download: one content type per format."""
    content: dict[str, Any] = {f.media_type.split(";")[0]: {} for f in EXPORTS[artifact].values()}
    return {200: {"description": f"The {artifact} as a file", "content": content}}


SopFormat = Annotated[str, _format_query("sop")]
TimingFormat = Annotated[str, _format_query("timing-report")]
Inline = Annotated[bool, Query(description="show in the browser instead of downloading")]
#: Rendered HTML may only style itself: no script, no fetch, no frame, no form.
HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"


def _recording_counts(session: Session, workflow_ids: list[int]) -> dict[int, tuple[int, Any]]:
    if not workflow_ids:
        return {}
    rows = session.execute(
        select(Recording.workflow_id, func.count(), func.max(Recording.created_at))
        .where(Recording.workflow_id.in_(workflow_ids),
               Recording.status == RecordingStatus.finished)
        .group_by(Recording.workflow_id)
    ).all()
    return {workflow_id: (count, last) for workflow_id, count, last in rows}


@router.get("/workflows", response_model=WorkflowPage)
def list_workflows(
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    q: Annotated[str | None, Query(max_length=200, description="name contains")] = None,
) -> WorkflowPage:
    """The team's workflows by name, paged (the extension's popup picks one from here)."""
    limit = min(limit, settings.max_page_size)
    query = select(Workflow).where(Workflow.team_id == user.team_id)
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Workflow.name.ilike(f"%{escaped}%", escape="\\"))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Workflow.name, Workflow.id).limit(limit).offset(offset))
    workflows = list(rows)
    counts = _recording_counts(session, [w.id for w in workflows])
    items = [
        WorkflowSummary(
            id=w.id, name=w.name, recordings=counts.get(w.id, (0, None))[0],
            last_recorded_at=counts.get(w.id, (0, None))[1], created_at=w.created_at,
        )
        for w in workflows
    ]
    return WorkflowPage(items=items, total=total, limit=limit, offset=offset)


def _read(session: Session, workflow: Workflow) -> WorkflowRead:
    count = _recording_counts(session, [workflow.id]).get(workflow.id, (0, None))[0]
    return WorkflowRead(
        id=workflow.id, name=workflow.name, created_at=workflow.created_at, recordings=count,
        details=workflow.details or {}, step_notes=workflow.step_notes or {},
        downloads={artifact: list(formats) for artifact, formats in EXPORTS.items()},
    )


@router.get("/workflows/{workflow_id}", response_model=WorkflowRead)
def get_workflow(workflow: WorkflowDep, user: CurrentUser, session: SessionDep) -> WorkflowRead:
    """One workflow; for leads and admins with the lead's working sections and step notes.

    Agents read published SOPs only (DESIGN §7): the working sections are the unpublished
    draft's, so an agent gets them empty and reads them in the published SOP.
    """
    read = _read(session, workflow)
    if not access.reads_drafts(user):
        read = read.model_copy(update={"details": {}, "step_notes": {}})
    return read


@router.patch("/workflows/{workflow_id}", response_model=WorkflowRead)
def update_workflow(
    workflow: LeadWorkflowDep, update: WorkflowUpdate, session: SessionDep
) -> WorkflowRead:
    """Rename, or set some of the sections a recording cannot know (leads and admins)."""
    return _read(session, edits.update_workflow(session, workflow, update))


@router.put("/workflows/{workflow_id}/step-notes/{activity_key:path}")
def set_step_note(
    workflow: LeadWorkflowDep, activity_key: ActivityKeyPath, note: StepNoteIn,
    session: SessionDep,
) -> dict[str, Any]:
    """Set the note and warning on one step, by its activity key (survives re-recording)."""
    return {"step_notes": edits.set_step_note(session, workflow, activity_key, note)}


@router.delete("/workflows/{workflow_id}/step-notes/{activity_key:path}", status_code=204)
def delete_step_note(
    workflow: LeadWorkflowDep, activity_key: ActivityKeyPath, session: SessionDep
) -> Response:
    """Remove the note and warning of one step."""
    edits.delete_step_note(session, workflow, activity_key)
    return Response(status_code=204)


def download(data: ExportData, artifact: str, format_: str, *, inline: bool = False) -> Response:
    """Render one output and answer it as a file a person would keep."""
    export = find_export(artifact, format_)
    body = export.render(data)
    headers = {
        "Content-Disposition": content_disposition(
            download_name(data, artifact, export.extension), inline=inline
        ),
        "X-Content-Type-Options": "nosniff",
    }
    if export.extension in ("html", "svg"):
        headers["Content-Security-Policy"] = HTML_CSP
    return Response(body, media_type=export.media_type, headers=headers)


@router.get("/workflows/{workflow_id}/sop", summary="The SOP (md, html, docx, json)",
            response_class=Response, responses=_download_responses("sop"))
def workflow_sop(
    workflow: WorkflowDep, session: SessionDep, settings: SettingsDep, version: ReadableVersion,
    format_: SopFormat = "md", inline: Inline = False,
) -> Response:
    """The workflow's SOP from its recordings and the lead's sections."""
    data = load_workflow_export(session, workflow, version=version,
                                max_steps=settings.max_output_steps)
    return download(data, "sop", format_, inline=inline)


@router.get("/workflows/{workflow_id}/timing-report", summary="Timing report (html, json, csv)",
            response_class=Response, responses=_download_responses("timing-report"))
def workflow_timing_report(
    workflow: WorkflowDep, session: SessionDep, settings: SettingsDep, version: ReadableVersion,
    format_: TimingFormat = "html", inline: Inline = False,
) -> Response:
    """Where the time of this workflow goes, over its recordings."""
    data = load_workflow_export(session, workflow, version=version,
                                max_steps=settings.max_output_steps)
    return download(data, "timing-report", format_, inline=inline)


@router.get("/recordings/{recording_id}/sop", summary="The SOP of one recording",
            response_class=Response, responses=_download_responses("sop"))
def recording_sop(
    recording: RecordingDep, session: SessionDep, format_: SopFormat = "md",
    inline: Inline = False,
) -> Response:
    """The SOP generated from this recording alone."""
    return download(load_recording_export(session, recording), "sop", format_, inline=inline)


@router.get("/recordings/{recording_id}/timing-report", summary="Timing of one recording",
            response_class=Response, responses=_download_responses("timing-report"))
def recording_timing_report(
    recording: RecordingDep, session: SessionDep, format_: TimingFormat = "html",
    inline: Inline = False,
) -> Response:
    """The timing report of this recording alone."""
    return download(load_recording_export(session, recording), "timing-report", format_,
                    inline=inline)
