"""Downloads for signed-in pages: ``/workflows/{id}/download/{artifact}.{format}`` via app.exports.

The ``/api/v1`` downloads take a bearer token, which a browser session does not have; these
serve the same files, from the same registry, to the session's user.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from app.database import SessionDep
from app.errors import NotFound
from app.exports import load_workflow_export
from app.ingest.routes import SettingsDep
from app.pages.session import CurrentPageUser
from app.pages.versions import require_published
from app.pages.workflow import WorkflowId, visible_workflow
from app.workflows.routes import download

router = APIRouter(include_in_schema=False)
FileName = Annotated[str, Path(min_length=3, max_length=60, pattern=r"^[a-z-]+\.[a-z]+$")]


@router.get("/workflows/{workflow_id}/download/{filename}", response_class=Response)
def workflow_download(
    workflow_id: WorkflowId,
    filename: FileName,
    user: CurrentPageUser,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """One output of a workflow of the user's team, as a file (``sop.docx``, ``event-log.xes``)."""
    artifact, _, format_ = filename.partition(".")
    if not artifact or not format_:
        raise NotFound(f"no download called {filename[:60]!r}")
    workflow = visible_workflow(session, user, workflow_id)
    require_published(session, user, workflow)
    data = load_workflow_export(session, workflow, max_steps=settings.max_output_steps)
    return download(data, artifact, format_)
