"""HTTP route: a recording's steps as a replayable Chrome DevTools Recorder user flow."""

from __future__ import annotations

import json

from fastapi import APIRouter, Response

from app.database import SessionDep
from app.ingest.routes import RecordingDep
from app.pipeline import load_recording_steps
from app.process_map.routes import DOWNLOAD_HEADERS
from app.replay.flow import to_user_flow

router = APIRouter(prefix="/api/v1", tags=["replay"])


@router.get("/recordings/{recording_id}/replay", response_class=Response)
def recording_replay(recording: RecordingDep, session: SessionDep) -> Response:
    """Import this file in Chrome DevTools > Recorder to replay the procedure's clicks."""
    flow = to_user_flow(load_recording_steps(session, recording))
    filename = f"replay-recording-{recording.id}.json"
    headers = {**DOWNLOAD_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(json.dumps(flow, indent=2), media_type="application/json", headers=headers)
