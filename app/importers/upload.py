"""Use case: import a recording made by another tool, whole, as a finished recording.

The file arrives as the request body (JSON: a DevTools Recorder user flow; CSV: an Action
Logger UI log), within a size limit. It is read by a pure importer, every event is validated
against wire format v1 and redacted like any other, then the recording, its events and its
steps are written in one transaction. Anything malformed is a 4xx and writes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic_core
from fastapi import Request
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import pipeline
from app.errors import (
    BadRequest,
    NotFound,
    PayloadTooLarge,
    Unprocessable,
    UnsupportedMediaType,
    validation_errors,
)
from app.importers.devtools import read_user_flow
from app.importers.uilog import read_ui_log
from app.importers.wire import ImportedRecording
from app.ingest import store
from app.ingest.body import read_capped
from app.ingest.redaction import Redactor
from app.ingest.rows import EventColumns, insert_new_rows, redacted_columns
from app.ingest.schemas import Event, RecordingCreate
from app.models import Recording, RecordingStatus, Role, User, utcnow
from app.settings import Settings
from app.workflows import versions

__all__ = [
    "FORMATS",
    "Upload",
    "import_file",
    "import_recording",
    "read_file",
    "read_upload",
    "reprocess_recordings",
    "upload_from_path",
]

#: Media type -> importer format.
FORMATS = {
    "application/json": "devtools-recorder",
    "text/csv": "action-logger",
    "application/csv": "action-logger",
}
_EVENT = TypeAdapter(Event)


@dataclass(frozen=True, slots=True)
class Upload:
    """A file to import: its format and its bytes."""

    format: str
    data: bytes


async def read_upload(request: Request, max_bytes: int) -> Upload:
    """The request body as an :class:`Upload`; 415 for other types, 413 past ``max_bytes``."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in FORMATS:
        raise UnsupportedMediaType(
            "send a DevTools Recorder flow as application/json or an Action Logger log as "
            "text/csv"
        )
    if request.headers.get("content-encoding", "identity").strip().lower() != "identity":
        raise UnsupportedMediaType("send the file uncompressed")
    return Upload(FORMATS[media], await read_capped(request, max_bytes, "the file"))


def _parse_flow(data: bytes) -> Any:
    """Strict JSON (no NaN); unlike event batches, NUL characters are allowed in a file since
    the importer cleans every string it keeps."""
    if not data.strip():
        raise BadRequest("the body is empty; expected a JSON user flow")
    try:
        return pydantic_core.from_json(data, allow_inf_nan=False)
    except ValueError as exc:
        raise BadRequest(f"the body is not valid JSON: {str(exc)[:200]}") from exc


def read_file(upload: Upload, *, start_ms: int) -> ImportedRecording:
    """Run the importer of the upload's format; 400/422 on anything it cannot read."""
    try:
        if upload.format == "devtools-recorder":
            return read_user_flow(_parse_flow(upload.data), start_ms=start_ms)
        try:
            text = upload.data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BadRequest("the CSV file is not UTF-8") from exc
        return read_ui_log(text)
    except (ValueError, RecursionError) as exc:
        raise Unprocessable(f"cannot import the file: {str(exc)[:300]}") from exc


def _validated(imported: ImportedRecording, settings: Settings) -> list[Any]:
    if not imported.events:
        raise Unprocessable("the file holds no browser actions to import")
    if len(imported.events) > settings.max_events_per_recording:
        raise PayloadTooLarge(
            f"the file holds {len(imported.events)} events; the limit is "
            f"{settings.max_events_per_recording}"
        )
    events = []
    for index, raw in enumerate(imported.events):
        try:
            events.append(_EVENT.validate_python(raw))
        except ValidationError as exc:
            errors = validation_errors(list(exc.errors()))
            raise Unprocessable(
                f"imported event {index}: {errors[0]['loc']}: {errors[0]['msg']}", errors=errors
            ) from exc
    return events


def _manifest(imported: ImportedRecording, columns: EventColumns,
              counts: Counter[str]) -> dict[str, Any]:
    manifest = store.new_manifest()
    manifest["event_counts"] = dict(sorted(Counter(columns.values["type"]).items()))
    manifest["redacted"] = dict(sorted(counts.items()))
    manifest["imported"] = {
        "format": imported.source,
        "skipped": dict(sorted(imported.skipped.items())),
        "never_imported": ["typed values (change values, content, target.value)",
                           "innerHTML", "key presses", "clipboard contents"],
    }
    return manifest


def _workflow_name(requested: str | None, imported: ImportedRecording) -> str:
    name = " ".join((requested or imported.title or "").replace("\x00", "").split())[:200]
    return name or "Imported recording"


def import_recording(
    session: Session, user: User, upload: Upload, workflow: str | None, settings: Settings
) -> Recording:
    """Create a finished recording, its events and steps from an upload; commits once."""
    now = utcnow()
    imported = read_file(upload, start_ms=int(now.timestamp() * 1000))
    events = _validated(imported, settings)
    store.check_recording_quota(session, user, settings)
    target = store.find_or_create_workflow(
        session, user, RecordingCreate(workflow=_workflow_name(workflow, imported))
    )
    recording = Recording(
        team_id=user.team_id, workflow_id=target.id, workflow=target, user_id=user.id,
        source=imported.source, status=RecordingStatus.finished, client={},
        manifest={}, event_count=len(events), finished_at=now,
    )
    session.add(recording)
    session.flush()
    redactor = Redactor(settings.allowed_query_params)
    columns = redacted_columns(recording.id, events, redactor, now)
    insert_new_rows(session.connection(), columns)  # a new recording: all of them
    recording.manifest = _manifest(imported, columns, redactor.counts)
    pipeline.process_or_mark_failed(session, recording, settings)
    versions.stage_recording(session, recording)
    session.commit()
    return recording


def upload_from_path(path: Path, max_bytes: int) -> Upload:
    """A file on disk as an :class:`Upload`: ``.csv`` is a UI log, anything else a user flow."""
    if path.stat().st_size > max_bytes:
        raise PayloadTooLarge(f"{path.name} is over the {max_bytes}-byte limit")
    kind = "action-logger" if path.suffix.lower() == ".csv" else "devtools-recorder"
    return Upload(kind, path.read_bytes())


def import_file(
    session: Session, path: Path, workflow: str | None, email: str | None, settings: Settings
) -> Recording:
    """Use case of ``sop-recorder import``: import a file as ``email`` (default: first admin)."""
    query = select(User).where(User.is_active.is_(True))
    query = query.where(User.email == email) if email else query.where(User.role == Role.admin)
    user = session.scalars(query.order_by(User.id)).first()
    if user is None:
        raise NotFound(f"no user {email}" if email else "no admin yet; pass --as EMAIL")
    return import_recording(session, user, upload_from_path(path, settings.max_import_bytes),
                            workflow, settings)


def reprocess_recordings(
    session: Session, ids: list[int] | None, settings: Settings
) -> list[tuple[int, bool]]:
    """Use case of ``sop-recorder reprocess``: re-derive the given (or all closed) recordings."""
    query = select(Recording).where(Recording.status != RecordingStatus.recording)
    if ids:
        query = query.where(Recording.id.in_(ids))
    out = []
    for recording in session.scalars(query.order_by(Recording.id)).all():
        out.append((recording.id, store.reprocess_recording(session, recording, settings)))
    return out
