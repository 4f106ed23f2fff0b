"""Use cases of recording: open, store a batch idempotently, finish. Each commits once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import pydantic_core
from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app import pipeline
from app.errors import Conflict, NotFound, PayloadTooLarge, Unprocessable, validation_errors
from app.ingest.redaction import redact_text, redact_url
from app.ingest.schemas import Batch, RecordingCreate
from app.models import Event as EventRow
from app.models import Recording, RecordingStatus, Role, User, Workflow, utcnow
from app.settings import Settings

#: What the server stores of each kind of event (the capture manifest quotes it).
CAPTURED_FIELDS: dict[str, list[str]] = {
    "navigation": ["page.url", "page.title", "transition", "load_ms"],
    "click": ["page.url", "page.title", "target (tag, role, name, selectors, context)"],
    "submit": ["page.url", "page.title", "target (tag, role, name, selectors, context)"],
    "change": ["page.url", "page.title", "target", "field label", "control", "choice label",
               "checked"],
    "visibility": ["state"],
    "tab_switch": ["tab"],
    "marker": ["label"],
}



def find_or_create_workflow(session: Session, user: User, data: RecordingCreate) -> Workflow:
    """The workflow a new recording goes into: by id (scoped to the team) or by name."""
    if data.workflow_id is not None:
        workflow = session.scalar(
            select(Workflow).where(Workflow.id == data.workflow_id, Workflow.team_id == user.team_id)
        )
        if workflow is None:
            raise NotFound(f"workflow {data.workflow_id} not found")
        return workflow
    if not data.workflow:
        raise Unprocessable("give a workflow name or a workflow_id",
                            errors=[{"loc": "workflow", "msg": "required"}])
    workflow = session.scalar(
        select(Workflow).where(Workflow.team_id == user.team_id, Workflow.name == data.workflow)
    )
    if workflow is None:
        workflow = Workflow(team_id=user.team_id, name=data.workflow, created_by_id=user.id,
                            details={}, step_notes={})
        session.add(workflow)
        session.flush()
    return workflow


def create_recording(
    session: Session, user: User, data: RecordingCreate, *, source: str = "extension"
) -> Recording:
    """Open a recording for ``user`` in the named (or new) workflow."""
    workflow = find_or_create_workflow(session, user, data)
    recording = Recording(
        team_id=user.team_id,
        workflow_id=workflow.id,
        workflow=workflow,
        user_id=user.id,
        source=source,
        status=RecordingStatus.recording,
        ticket_ref=redact_text(data.ticket_ref, Counter()) if data.ticket_ref else None,
        client=data.client.model_dump(exclude_none=True),
        manifest=new_manifest(),
        event_count=0,
    )
    session.add(recording)
    session.commit()
    return recording


def new_manifest() -> dict[str, Any]:
    """An empty capture manifest: what is captured, and counters of what was redacted."""
    return {"captured": CAPTURED_FIELDS, "event_counts": {}, "redacted": {},
            "never_captured": ["keystrokes", "typed text and field values", "passwords",
                               "screenshots", "video", "DOM snapshots"]}


def get_recording_for(session: Session, user: User, recording_id: int) -> Recording:
    """The recording if ``user`` may see it (own, or the team's for leads), else 404."""
    query = select(Recording).where(
        Recording.id == recording_id, Recording.team_id == user.team_id
    )
    if user.role == Role.agent:
        query = query.where(Recording.user_id == user.id)
    recording = session.scalar(query)
    if recording is None:
        raise NotFound(f"recording {recording_id} not found")
    return recording


def validate_batch(payload: Any, settings: Settings) -> list[Any]:
    """Validate a parsed batch whole; 413/422 name the offending event index and field."""
    if not isinstance(payload, dict):
        raise Unprocessable("the body must be a JSON object {\"events\": [...]}")
    events = payload.get("events")
    if isinstance(events, list):
        if len(events) > settings.max_events_per_batch:
            raise PayloadTooLarge(
                f"{len(events)} events in one batch; the limit is {settings.max_events_per_batch}"
            )
        for index, event in enumerate(events):
            size = len(pydantic_core.to_json(event))
            if size > settings.max_event_bytes:
                raise PayloadTooLarge(
                    f"events[{index}] is {size} bytes; the limit is {settings.max_event_bytes}",
                    errors=[{"loc": f"events[{index}]", "msg": "event too large"}],
                )
    try:
        return Batch.model_validate(payload).events
    except ValidationError as exc:
        errors = validation_errors(list(exc.errors()))
        first = errors[0]
        raise Unprocessable(f"{first['loc']}: {first['msg']}", errors=errors) from exc


def _row(recording_id: int, event: Any, allowed: list[str], counts: Counter[str]) -> dict[str, Any]:
    target = getattr(event, "target", None)
    target_dict = None
    if target is not None:
        context = {k: redact_text(v, counts) if v else v
                   for k, v in target.context.model_dump().items()}
        target_dict = {
            "tag": target.tag,
            "role": target.role,
            "name": redact_text(target.name, counts) if target.name else target.name,
            "input_type": target.input_type,
            "selectors": [redact_text(s, counts) for s in target.selectors],
            "context": context,
        }
    text = lambda value: redact_text(value, counts) if value else value  # noqa: E731
    return {
        "recording_id": recording_id,
        "client_id": str(event.id),
        "seq": event.seq,
        "type": event.type,
        "ts": event.ts,
        "tab": event.tab,
        "frame": event.frame,
        "url": redact_url(event.page.url, allowed, counts),
        "title": text(event.page.title) or "",
        "target": target_dict,
        "field": text(getattr(event, "field", None)),
        "control": getattr(event, "control", None),
        "choice": text(getattr(event, "choice", None)),
        "checked": getattr(event, "checked", None),
        "transition": getattr(event, "transition", None),
        "load_ms": getattr(event, "load_ms", None),
        "state": getattr(event, "state", None),
        "label": text(getattr(event, "label", None)),
        "received_at": utcnow(),
    }


def store_batch(
    session: Session, recording: Recording, events: Sequence[Any], settings: Settings
) -> dict[str, int]:
    """Insert the batch's new events in one transaction; duplicates (by client id) are skipped.

    Returns ``{inserted, duplicates, received, event_count}`` and commits before returning,
    so an acknowledgement always means the events are durable.
    """
    if recording.status != RecordingStatus.recording:
        raise Conflict(f"recording {recording.id} is {recording.status}; it takes no more events")
    counts: Counter[str] = Counter()
    seen: set[str] = set()
    rows = []
    for event in events:
        key = str(event.id)
        if key in seen:
            continue
        seen.add(key)
        rows.append(_row(recording.id, event, settings.allowed_query_params, counts))

    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    if dialect == "postgresql":
        session.execute(select(Recording.id).where(Recording.id == recording.id).with_for_update())
    statement = (
        insert(EventRow)
        .on_conflict_do_nothing(index_elements=["recording_id", "client_id"])
        .returning(EventRow.client_id, EventRow.type)
    )
    inserted = session.execute(statement, rows).all() if rows else []
    new_count = session.scalar(
        update(Recording)
        .where(Recording.id == recording.id)
        .values(event_count=Recording.event_count + len(inserted))
        .returning(Recording.event_count)
    )
    assert new_count is not None
    if new_count > settings.max_events_per_recording:
        session.rollback()
        raise PayloadTooLarge(
            f"recording {recording.id} would exceed {settings.max_events_per_recording} events"
        )
    if inserted:
        manifest = dict(recording.manifest or new_manifest())
        kinds = Counter(manifest.get("event_counts", {}))
        kinds.update(kind for _, kind in inserted)
        redacted = Counter(manifest.get("redacted", {}))
        redacted.update(counts)
        manifest["event_counts"] = dict(sorted(kinds.items()))
        manifest["redacted"] = dict(sorted(redacted.items()))
        recording.manifest = manifest
    session.commit()
    return {
        "inserted": len(inserted),
        "duplicates": len(events) - len(inserted),
        "received": len(events),
        "event_count": new_count,
    }


def finish_recording(
    session: Session, recording: Recording, settings: Settings | None = None
) -> Recording:
    """Close a recording and derive its steps; finishing twice is harmless.

    A pipeline error marks the recording ``failed`` (reason in the manifest), never a 500.
    """
    if recording.status == RecordingStatus.recording:
        recording.status = RecordingStatus.finished
        recording.finished_at = utcnow()
        recording.event_count = session.scalar(
            select(func.count()).select_from(EventRow).where(EventRow.recording_id == recording.id)
        ) or 0
        pipeline.process_or_mark_failed(session, recording, settings)
    session.commit()
    return recording
