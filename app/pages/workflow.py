"""The workflow page: the SOP as downloaded, the process map, the timing charts, the recordings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import SessionDep
from app.exports import EXPORTS
from app.models import Recording, Role, User, Workflow
from app.pages.recordings import RecordingRow, recording_rows
from app.pages.rendered_outputs import RenderedOutputs, workflow_outputs
from app.pages.rendering import render
from app.pages.session import CurrentPageUser
from app.pages.versions import VersionsSection, versions_section
from app.timing_report.charts import MAX_TIMELINE_ROWS, SPLIT_COLOURS
from app.workflows.deps import get_workflow_for

router = APIRouter(include_in_schema=False)
WorkflowId = Annotated[int, Path(ge=1, le=2**31 - 1)]

#: How the download menu names each format of the registry in ``app.exports``.
FORMAT_LABELS = {"md": "Markdown", "html": "HTML", "docx": "Word (DOCX)", "json": "JSON",
                 "svg": "SVG", "bpmn": "BPMN 2.0", "mermaid": "Mermaid", "graphml": "GraphML",
                 "csv": "CSV", "xes": "XES"}
ARTIFACT_LABELS = {"sop": "SOP", "process-map": "Process map", "timing-report": "Timing report",
                   "event-log": "Event log"}


@dataclass(frozen=True, slots=True)
class DownloadGroup:
    """The formats of one artifact, as (format, label) pairs."""

    artifact: str
    label: str
    formats: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class WorkflowPage:
    """Everything the workflow page shows."""

    workflow: Workflow
    can_edit: bool
    outputs: RenderedOutputs
    split_colours: dict[str, str]
    recordings: list[RecordingRow]
    downloads: tuple[DownloadGroup, ...]
    note_key: str = ""
    note_errors: dict[str, str] = field(default_factory=dict)
    versions: VersionsSection | None = None
    published: int = 0
    timeline_rows: int = MAX_TIMELINE_ROWS


def download_groups() -> tuple[DownloadGroup, ...]:
    """Every artifact and format that ``app.exports`` can render."""
    return tuple(
        DownloadGroup(artifact, ARTIFACT_LABELS.get(artifact, artifact.replace("-", " ").title()),
                      tuple((fmt, FORMAT_LABELS.get(fmt, fmt.upper())) for fmt in formats))
        for artifact, formats in EXPORTS.items()
    )


def visible_workflow(session: Session, user: User, workflow_id: int) -> Workflow:
    """The workflow if it is the user's team's, else 404."""
    return get_workflow_for(session, user, workflow_id)


def workflow_recordings(session: Session, user: User, workflow: Workflow) -> list[Recording]:
    """The workflow's recordings the user may see (agents: their own), newest first."""
    query = select(Recording).where(Recording.workflow_id == workflow.id)
    if user.role == Role.agent:
        query = query.where(Recording.user_id == user.id)
    return list(session.scalars(query.order_by(Recording.created_at.desc(),
                                               Recording.id.desc())).all())


def workflow_page_context(
    session: Session, user: User, workflow: Workflow, *, note_key: str = "",
    note_errors: dict[str, str] | None = None, published: int = 0,
) -> WorkflowPage:
    """The workflow page's context: every output rendered once per change of its inputs."""
    outputs = workflow_outputs(session, workflow)
    return WorkflowPage(
        workflow=workflow,
        can_edit=user.role in (Role.lead, Role.admin),
        outputs=outputs,
        split_colours=SPLIT_COLOURS,
        recordings=recording_rows(session, workflow_recordings(session, user, workflow)),
        downloads=download_groups(),
        note_key=note_key,
        note_errors=note_errors or {},
        versions=versions_section(session, user, workflow),
        published=published,
    )


@router.get("/workflows/{workflow_id}", response_class=HTMLResponse)
def workflow_page(
    request: Request, workflow_id: WorkflowId, user: CurrentPageUser, session: SessionDep,
    published: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> HTMLResponse:
    """The SOP, the process map, the timing charts, the recordings, the versions and the
    downloads (agents: only once a version is published)."""
    workflow = visible_workflow(session, user, workflow_id)
    page = workflow_page_context(session, user, workflow, published=published)
    return render(request, "workflow.html", page, title=workflow.name)
