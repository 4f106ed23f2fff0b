"""HTTP routes: the process map of a workflow (all its included recordings) or of one recording."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from app.database import SessionDep
from app.exports import load_workflow_export
from app.ingest.routes import RecordingDep, SettingsDep
from app.pipeline import load_recording_steps
from app.process_map.export import FORMATS, render_process_map
from app.steps.model import RecordingSteps
from app.workflows.deps import ReadableVersion, WorkflowDep

router = APIRouter(prefix="/api/v1", tags=["process map"])

MapFormatName = Literal["svg", "bpmn", "mermaid", "graphml", "json"]
MapFormatQuery = Annotated[MapFormatName, Query(description="svg, bpmn, mermaid, graphml or json")]
#: A published version of the workflow (its recordings then), else its current recordings.
#: Downloads are documents, never pages: nothing in them may run or load anything.
DOWNLOAD_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    "X-Content-Type-Options": "nosniff",
}


def map_response(recordings: list[RecordingSteps], fmt: str, title: str, stem: str) -> Response:
    """The rendered map as a download named ``<stem>.<extension>`` (a name we make, never page
    text)."""
    spec = FORMATS[fmt]
    body = render_process_map(recordings, fmt, title=title)
    headers = {**DOWNLOAD_HEADERS,
               "Content-Disposition": f'inline; filename="{stem}.{spec.extension}"'}
    return Response(body.encode("utf-8"), media_type=spec.media_type, headers=headers)


@router.get("/workflows/{workflow_id}/process-map", response_class=Response)
def workflow_process_map(
    workflow: WorkflowDep, session: SessionDep, settings: SettingsDep, version: ReadableVersion,
    format: MapFormatQuery = "svg",
) -> Response:
    """The merged process map of a workflow's included, finished recordings (or a version's)."""
    recordings = list(load_workflow_export(session, workflow, version=version,
                                           max_steps=settings.max_output_steps).recordings)
    return map_response(recordings, format, workflow.name, f"process-map-workflow-{workflow.id}")


@router.get("/recordings/{recording_id}/process-map", response_class=Response)
def recording_process_map(
    recording: RecordingDep, session: SessionDep, format: MapFormatQuery = "svg"
) -> Response:
    """The process map of one recording."""
    steps = load_recording_steps(session, recording)
    return map_response([steps], format, recording.workflow.name,
                        f"process-map-recording-{recording.id}")
