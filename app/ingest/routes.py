"""HTTP routes of recording: open, send events, finish, read, list, and the wire schema."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app import importers, pipeline
from app.auth import CurrentUser, LeadUser, bearer_secret, token_caller
from app.database import SessionDep
from app.errors import AppError
from app.ingest import store
from app.ingest.body import read_limited_body
from app.ingest.schemas import (
    BATCH,
    BatchAck,
    RecordingCreate,
    RecordingPage,
    RecordingRead,
    batch_schema,
    inline_schema,
)
from app.ingest.server_timing import ServerTiming
from app.ingest.write_lock import writer_turn
from app.models import Recording, Role
from app.settings import Settings
from app.steps.schemas import RecordingStepsRead

router = APIRouter(prefix="/api/v1", tags=["recordings"])


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with (``async``: no worker thread for a lookup)."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
#: Ids are 32-bit in both databases; a larger one is a 422, never a database overflow.
RecordingId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def load_recording(recording_id: RecordingId, user: CurrentUser, session: SessionDep) -> Recording:
    """Load-or-404 for a recording the current user may see."""
    return store.get_recording_for(session, user, recording_id)


RecordingDep = Annotated[Recording, Depends(load_recording)]


def load_recording_for_lead(
    recording_id: RecordingId, user: LeadUser, session: SessionDep
) -> Recording:
    """Load-or-404 for changing a recording: leads and admins of its team only."""
    return store.get_recording_for(session, user, recording_id)


LeadRecordingDep = Annotated[Recording, Depends(load_recording_for_lead)]


def to_read(recording: Recording) -> RecordingRead:
    """The API view of a recording."""
    return RecordingRead(
        id=recording.id,
        workflow_id=recording.workflow_id,
        workflow=recording.workflow.name,
        status=recording.status,
        source=recording.source,
        ticket_ref=recording.ticket_ref,
        client=recording.client or {},
        recorded_by=recording.user.email if recording.user else None,
        event_count=recording.event_count,
        manifest=recording.manifest or {},
        created_at=recording.created_at,
        finished_at=recording.finished_at,
    )


@router.get("/me", tags=["accounts"])
def me(user: CurrentUser) -> dict[str, Any]:
    """Who the token belongs to (the extension checks a token with this)."""
    return {"id": user.id, "email": user.email, "role": user.role, "team": user.team.name}


@router.get("/schema/events", summary="JSON Schema of wire format v1")
def event_schema() -> dict[str, Any]:
    """The JSON Schema that every events batch must satisfy."""
    return batch_schema()


@router.post("/recordings", status_code=201, response_model=RecordingRead)
def create_recording(
    data: RecordingCreate, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> RecordingRead:
    """Open a recording in a workflow (named, created if new, or by id)."""
    store.check_recording_quota(session, user, settings)
    return to_read(store.create_recording(session, user, data))


@router.post(
    "/recordings/{recording_id}/events",
    response_model=BatchAck,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inline_schema(BATCH.json_schema())}},
        }
    },
)
async def post_events(
    recording_id: RecordingId, request: Request, response: Response, settings: SettingsDep
) -> dict[str, int]:
    """Store a batch of events exactly once; the answer comes only after commit.

    The body is read and validated with no transaction open (on SQLite every transaction
    holds the write lock); then one transaction checks the token and the recording, stores
    the new events and commits. A request without a bearer token is refused before its
    body is read. All the blocking work happens in one worker thread, with its own session.

    The answer's ``Server-Timing`` header gives each phase's wall time: ``admission``
    (waiting for a place, ``app.overload``), ``body`` (reading it), ``thread`` (waiting for a
    worker thread), ``validate``, ``prepare`` (redaction and rows), ``turn`` (waiting for this
    process's SQLite write turn) and ``store`` (the transaction, from checking the token to
    the commit).
    """
    timing = ServerTiming()
    waited = getattr(request.state, "admission_wait", None)
    if waited is not None:
        timing.record("admission", waited)
    secret = bearer_secret(request)
    body = await read_limited_body(request, settings.max_body_bytes)
    timing.mark("body")
    factory: sessionmaker[Session] = request.app.state.session_factory
    ack = await run_in_threadpool(
        _store_body, factory, secret, recording_id, body, settings, timing
    )
    response.headers["Server-Timing"] = timing.header()
    return ack


def _store_body(
    factory: sessionmaker[Session], secret: str, recording_id: int, body: bytes,
    settings: Settings, timing: ServerTiming,
) -> dict[str, int]:
    timing.mark("thread")
    with factory() as session:
        try:
            events = store.validate_body(body, settings)
        except AppError:
            # As on every route, a recording the user may not see is a 404 whatever the body.
            with _write_turn(session):
                caller = token_caller(session.connection(), secret)
                store.check_recording_access(session, caller, recording_id)
            raise
        timing.mark("validate")
        batch = store.prepare_batch(recording_id, events, settings)
        timing.mark("prepare")
        with _write_turn(session):
            timing.mark("turn")
            caller = token_caller(session.connection(), secret)
            ack = store.store_batch(session, caller, batch, settings)
        timing.mark("store")
        return ack


@contextmanager
def _write_turn(session: Session) -> Iterator[None]:
    """One transaction in this process's write turn; whatever it did not commit is rolled back."""
    with writer_turn(session):
        try:
            yield
        finally:
            session.rollback()


@router.post("/recordings/{recording_id}/finish", response_model=RecordingRead)
def finish_recording(
    recording: RecordingDep, session: SessionDep, settings: SettingsDep
) -> RecordingRead:
    """Close the recording and derive its steps."""
    return to_read(store.finish_recording(session, recording, settings))


@router.get("/recordings/{recording_id}/steps", response_model=RecordingStepsRead)
def get_recording_steps(recording: RecordingDep, session: SessionDep) -> RecordingStepsRead:
    """The recording's derived steps, with their timing and event ids."""
    return pipeline.steps_view(session, recording)


@router.post("/recordings/{recording_id}/reprocess", response_model=RecordingStepsRead)
def reprocess_recording(
    recording: LeadRecordingDep, session: SessionDep, settings: SettingsDep
) -> RecordingStepsRead:
    """Re-derive the steps of a closed recording (after the catalogue or rules changed)."""
    store.reprocess_recording(session, recording, settings)
    return pipeline.steps_view(session, recording)


@router.post(
    "/recordings/import",
    status_code=201,
    response_model=RecordingRead,
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": importers.USER_FLOW_SCHEMA},
    }}},
)
async def import_recording(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    workflow: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> RecordingRead:
    """Import a DevTools Recorder user flow (JSON) or an Action Logger UI log (CSV).

    Send the file as the body: ``application/json`` for a user flow, ``text/csv`` for a UI
    log. The typed values in either are never read.
    """
    upload = await importers.read_upload(request, settings.max_import_bytes)
    recording = await run_in_threadpool(
        importers.import_recording, session, user, upload, workflow, settings
    )
    return to_read(recording)


@router.get("/recordings/{recording_id}", response_model=RecordingRead)
def get_recording(recording: RecordingDep) -> RecordingRead:
    """One recording, with its capture manifest."""
    return to_read(recording)


@router.get("/recordings", response_model=RecordingPage)
def list_recordings(
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    workflow_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> RecordingPage:
    """The recordings the user may see, newest first, paged."""
    limit = min(limit, settings.max_page_size)
    query = select(Recording).where(Recording.team_id == user.team_id)
    if user.role == Role.agent:
        query = query.where(Recording.user_id == user.id)
    if workflow_id is not None:
        query = query.where(Recording.workflow_id == workflow_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Recording.created_at.desc(), Recording.id.desc()).limit(limit).offset(offset)
    ).all()
    return RecordingPage(items=[to_read(r) for r in rows], total=total, limit=limit, offset=offset)
