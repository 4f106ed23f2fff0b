"""HTTP routes: the event log of a workflow or a recording (XES, CSV), and an XES check."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from app.auth import CurrentUser
from app.database import SessionDep
from app.event_log.csv import render_event_csv
from app.event_log.xes import render_xes
from app.event_log.xes_checks import check_xes
from app.event_log.xes_reader import read_xes
from app.exports import load_workflow_export
from app.ingest.body import read_capped
from app.ingest.routes import RecordingDep, SettingsDep
from app.pipeline import load_recording_steps
from app.process_map.routes import DOWNLOAD_HEADERS
from app.steps.model import RecordingSteps
from app.workflows.deps import ReadableVersion, WorkflowDep

router = APIRouter(prefix="/api/v1", tags=["event log"])

LogFormatQuery = Annotated[Literal["xes", "csv"], Query(description="xes or csv")]
MEDIA = {"xes": "application/xml", "csv": "text/csv; charset=utf-8"}


def log_response(recordings: list[RecordingSteps], fmt: str, title: str, stem: str) -> Response:
    """The event log as a download named ``<stem>.xes`` or ``<stem>.csv``."""
    body = render_xes(recordings, title=title) if fmt == "xes" else render_event_csv(recordings)
    headers = {**DOWNLOAD_HEADERS, "Content-Disposition": f'attachment; filename="{stem}.{fmt}"'}
    return Response(body.encode("utf-8"), media_type=MEDIA[fmt], headers=headers)


@router.get("/workflows/{workflow_id}/event-log", response_class=Response)
def workflow_event_log(
    workflow: WorkflowDep, session: SessionDep, settings: SettingsDep, version: ReadableVersion,
    format: LogFormatQuery = "xes",
) -> Response:
    """One trace per included, finished recording of the workflow (or a version's); one event
    per step."""
    recordings = list(load_workflow_export(session, workflow, version=version,
                                           max_steps=settings.max_output_steps).recordings)
    return log_response(recordings, format, workflow.name, f"event-log-workflow-{workflow.id}")


@router.get("/recordings/{recording_id}/event-log", response_class=Response)
def recording_event_log(
    recording: RecordingDep, session: SessionDep, format: LogFormatQuery = "xes"
) -> Response:
    """The event log of one recording (a single trace)."""
    steps = load_recording_steps(session, recording)
    return log_response([steps], format, recording.workflow.name,
                        f"event-log-recording-{recording.id}")


#: What the check accepts, for OpenAPI: an XML document whose root is an XES ``<log>``; the
#: nested traces, events and attributes are read and reported on, not described here.
XES_UPLOAD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "xml": {"name": "log"},
    "additionalProperties": False,
    "properties": {
        "xes.version": {"type": "string", "enum": ["1.0", "2.0", "1849.2016"],
                        "xml": {"attribute": True}},
        "xes.features": {"type": "string", "pattern": "^[a-z-]*$", "maxLength": 100,
                         "xml": {"attribute": True}},
    },
}


@router.post(
    "/event-log/check",
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/xml": {"schema": XES_UPLOAD_SCHEMA},
    }}},
)
async def check_event_log(
    request: Request, user: CurrentUser, settings: SettingsDep
) -> dict[str, Any]:
    """Read an uploaded XES file and report what a process-mining import would find.

    Malformed XES is a 422 naming the element and what is wrong; a file that parses but breaks
    the standard answers ``valid: false`` with each problem. Nothing is stored.
    """
    del user
    body = await read_capped(request, settings.max_xes_bytes, "the XES file")
    return await run_in_threadpool(_check, body)


def _check(body: bytes) -> dict[str, Any]:
    log = read_xes(body)
    problems = check_xes(log)
    return {
        "valid": not problems,
        "version": log.version or "1849.2016",
        "traces": len(log.traces),
        "events": sum(len(trace.events) for trace in log.traces) + len(log.events),
        "extensions": [extension.prefix for extension in log.extensions],
        "classifiers": [classifier.name for classifier in log.classifiers],
        "warnings": log.warnings[:200],
        "problems": problems[:200],
    }
