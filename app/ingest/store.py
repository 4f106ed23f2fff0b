"""Use cases of recording: open, store a batch idempotently, finish. Each commits once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import pydantic_core
from pydantic import ValidationError
from sqlalchemy import Row, Select, Table, bindparam, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app import pipeline
from app.auth import Caller
from app.errors import Conflict, NotFound, PayloadTooLarge, Unprocessable, validation_errors
from app.ingest.body import parse_json
from app.ingest.redaction import Redactor, redact_text
from app.ingest.rows import EventColumns, insert_new_rows, redacted_columns
from app.ingest.schemas import BATCH, LARGEST_PLAIN_EVENT_BYTES, RecordingCreate, client_key
from app.models import Event as EventRow
from app.models import Recording, RecordingStatus, Role, Team, User, Workflow, utcnow
from app.settings import Settings
from app.workflows import versions

RECORDINGS = cast(Table, Recording.__table__)

__all__ = [
    "CAPTURED_FIELDS",
    "check_recording_access",
    "create_recording",
    "find_or_create_workflow",
    "finish_recording",
    "get_recording_for",
    "new_manifest",
    "prepare_batch",
    "store_batch",
    "validate_batch",
    "validate_body",
]

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
            select(Workflow).where(
                Workflow.id == data.workflow_id, Workflow.team_id == user.team_id
            )
        )
        if workflow is None:
            raise NotFound(f"workflow {data.workflow_id} not found")
        return workflow
    if not data.workflow:
        raise Unprocessable("give a workflow name or a workflow_id",
                            errors=[{"loc": "workflow", "msg": "required"}])
    named = select(Workflow).where(
        Workflow.team_id == user.team_id, Workflow.name == data.workflow
    )
    workflow = session.scalar(named)
    if workflow is not None:
        return workflow
    workflow = Workflow(team_id=user.team_id, name=data.workflow, created_by_id=user.id,
                        details={}, step_notes={})
    try:
        with session.begin_nested():
            session.add(workflow)
    except IntegrityError:
        # Another request created the same workflow between our read and our insert.
        return session.scalars(named).one()
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


def check_recording_quota(session: Session, user: User, settings: Settings) -> None:
    """Refuse (409) a new recording once the team holds ``max_recordings_per_team``.

    The team's row is locked until the caller's transaction ends, so recordings opened at the
    same moment are counted one after the other (SQLite's write lock does the same there).
    """
    session.execute(select(Team.id).where(Team.id == user.team_id).with_for_update())
    held = session.scalar(
        select(func.count()).select_from(Recording).where(Recording.team_id == user.team_id)
    ) or 0
    if held >= settings.max_recordings_per_team:
        raise Conflict(
            f"the team already has {held} recordings, the limit is "
            f"{settings.max_recordings_per_team} (setting SOP_RECORDER_MAX_RECORDINGS_PER_TEAM); "
            "delete old recordings or raise the limit"
        )


def new_manifest() -> dict[str, Any]:
    """An empty capture manifest: what is captured, and counters of what was redacted."""
    return {"captured": CAPTURED_FIELDS, "event_counts": {}, "redacted": {},
            "never_captured": ["keystrokes", "typed text and field values", "passwords",
                               "screenshots", "video", "DOM snapshots"]}


def _visible(query: Select[Any], *, agent: bool) -> Select[Any]:
    """``query`` of recordings narrowed to a caller's: the team's, and for an agent their own.

    The caller comes in when the statement runs, as the parameters from :func:`_scope`, so
    one statement built at import serves every caller of a kind.
    """
    query = query.where(RECORDINGS.c.team_id == bindparam("scope_team_id"))
    if agent:
        query = query.where(RECORDINGS.c.user_id == bindparam("scope_user_id"))
    return query


def _scope(who: User | Caller) -> dict[str, Any]:
    """The parameters of :func:`_visible` for ``who``."""
    return {"scope_team_id": who.team_id, "scope_user_id": who.id}


def get_recording_for(session: Session, user: User | Caller, recording_id: int) -> Recording:
    """The recording if ``user`` may see it (own, or the team's for leads), else 404."""
    query = _visible(select(Recording).where(Recording.id == recording_id),
                     agent=user.role == Role.agent)
    recording: Recording | None = session.scalar(query, _scope(user))
    if recording is None:
        raise NotFound(f"recording {recording_id} not found")
    return recording


def check_recording_access(session: Session, user: User | Caller, recording_id: int) -> None:
    """404 unless ``user`` may see the recording; loads nothing of it."""
    query = _visible(select(RECORDINGS.c.id).where(RECORDINGS.c.id == recording_id),
                     agent=user.role == Role.agent)
    if session.connection().execute(query, _scope(user)).first() is None:
        raise NotFound(f"recording {recording_id} not found")


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
        return BATCH.validate_python(payload)["events"]
    except ValidationError as exc:
        errors = validation_errors(list(exc.errors()))
        first = errors[0]
        raise Unprocessable(f"{first['loc']}: {first['msg']}", errors=errors) from exc


def validate_body(body: bytes, settings: Settings) -> list[Any]:
    """The events of a raw JSON body, validated whole: ``validate_batch(parse_json(body))``.

    A valid batch, the common case, is validated straight from the bytes, which saves a
    third of the time; a body that fails, or that passes a limit, takes the parsing path,
    which finds the same fault and names it as it always has.
    """
    if b"\\u0000" not in body:  # parse_json removes NUL characters before validating
        try:
            events: list[Any] = BATCH.validate_json(body)["events"]
        except ValidationError:
            pass
        else:
            # Valid events are the dicts as sent, so they measure as validate_batch measures.
            if len(events) <= settings.max_events_per_batch and (
                _none_can_exceed(body, settings.max_event_bytes)
                or all(len(pydantic_core.to_json(event)) <= settings.max_event_bytes
                       for event in events)
            ):
                return events
    return validate_batch(parse_json(body), settings)


def _none_can_exceed(body: bytes, limit: int) -> bool:
    """Whether no event of this valid body can serialize to more than ``limit`` bytes.

    In an ASCII body each character of a string is one byte when serialized again, but
    for an escape in the body (a backslash), which may serialize to as many as six (a
    control character's ``\\u0001``); every number and string is within its cap. So no
    event is longer than the largest the schema admits, plus five bytes per backslash: the
    usual batch is cleared in two scans of its bytes, without serializing each event.
    """
    return body.isascii() and LARGEST_PLAIN_EVENT_BYTES + 5 * body.count(b"\\") <= limit


#: Status, count and manifest of one recording the caller may see, under a row lock (on
#: SQLite the transaction's ``BEGIN IMMEDIATE`` write lock is the lock); by whether the
#: caller is an agent. Core statements built once: a batch needs nothing of the ORM. The lock
#: is PostgreSQL's ``FOR NO KEY UPDATE``, as the batch changes no key of the row: it queues
#: the recording's other batches and its finish, not a foreign key check of an insert.
_LOCK_RECORDING = {
    agent: _visible(
        select(RECORDINGS.c.status, RECORDINGS.c.event_count, RECORDINGS.c.manifest)
        .where(RECORDINGS.c.id == bindparam("recording_id")),
        agent=agent,
    ).with_for_update(key_share=True)
    for agent in (False, True)
}
_COUNT_EVENTS = (
    update(RECORDINGS)
    .where(RECORDINGS.c.id == bindparam("recording_id"))
    .values(event_count=bindparam("new_count"), manifest=bindparam("new_manifest"))
)


def _lock_recording(connection: Connection, who: User | Caller, recording_id: int) -> Row[Any]:
    """The locked row of a recording ``who`` may see, else 404."""
    row = connection.execute(
        _LOCK_RECORDING[who.role == Role.agent], {**_scope(who), "recording_id": recording_id}
    ).one_or_none()
    if row is None:
        raise NotFound(f"recording {recording_id} not found")
    return row


@dataclass(frozen=True)
class PreparedBatch:
    """A validated batch made ready to store: its distinct events and their redacted rows."""

    recording_id: int
    received: int
    events: dict[str, Any]  # by client id, the first occurrence of each
    columns: EventColumns
    redacted: Counter[str]


def prepare_batch(recording_id: int, events: Sequence[Any], settings: Settings) -> PreparedBatch:
    """Redact a validated batch into ``events`` rows; pure, so it runs before the write lock."""
    distinct: dict[str, Any] = {}
    for event in events:
        distinct.setdefault(client_key(event["id"]), event)
    columns, counts = _redacted_columns(recording_id, distinct, settings)
    return PreparedBatch(recording_id, len(events), distinct, columns, counts)


def _redacted_columns(
    recording_id: int, events: dict[str, Any], settings: Settings
) -> tuple[EventColumns, Counter[str]]:
    """Rows of ``events`` (by client id) and the tally of what their redaction masked."""
    redactor = Redactor(settings.allowed_query_params)
    columns = redacted_columns(recording_id, list(events.values()), redactor, utcnow(),
                               keys=list(events))
    return columns, redactor.counts


def _updated_manifest(
    manifest: dict[str, Any] | None, types: list[str], counts: Counter[str]
) -> dict[str, Any]:
    out = dict(manifest or new_manifest())
    kinds = Counter(out.get("event_counts", {}))
    kinds.update(types)
    redacted = Counter(out.get("redacted", {}))
    redacted.update(counts)
    out["event_counts"] = dict(sorted(kinds.items()))
    out["redacted"] = dict(sorted(redacted.items()))
    return out


def store_batch(
    session: Session, who: User | Caller, batch: PreparedBatch, settings: Settings
) -> dict[str, int]:
    """Insert the batch's new events in one transaction; duplicates (by client id) are skipped.

    The recording is one ``who`` may see (else 404). Its row is locked first, so concurrent
    batches of one recording are applied one after the other and its status, count and
    manifest are read fresh. Returns ``{inserted, duplicates, received, event_count}`` after
    the commit, so an acknowledgement always means the events are durable. On an error
    nothing is committed: the caller rolls back.
    """
    recording_id = batch.recording_id
    connection = session.connection()
    recording = _lock_recording(connection, who, recording_id)
    if recording.status != RecordingStatus.recording:
        raise Conflict(f"recording {recording_id} is {recording.status}; it takes no more events")
    columns, counts = batch.columns, batch.redacted
    inserted = set(insert_new_rows(connection, columns))
    if len(inserted) < len(columns):  # a resend: the manifest counts only what is new
        new = {key: event for key, event in batch.events.items() if key in inserted}
        columns, counts = _redacted_columns(recording_id, new, settings)
    new_count = recording.event_count + len(columns)
    if new_count > settings.max_events_per_recording:
        raise PayloadTooLarge(
            f"recording {recording_id} would exceed {settings.max_events_per_recording} events "
            "(setting SOP_RECORDER_MAX_EVENTS_PER_RECORDING); finish it and start a new one"
        )
    if len(columns):
        connection.execute(_COUNT_EVENTS, {
            "recording_id": recording_id, "new_count": new_count,
            "new_manifest": _updated_manifest(recording.manifest, columns.values["type"], counts),
        })
        _expire_loaded(session, recording_id)
    session.commit()
    return {
        "inserted": len(columns),
        "duplicates": batch.received - len(columns),
        "received": batch.received,
        "event_count": new_count,
    }


def _expire_loaded(session: Session, recording_id: int) -> None:
    """Make a ``Recording`` already loaded in ``session`` re-read its changed columns."""
    loaded = session.identity_map.get(identity_key(Recording, recording_id))
    if loaded is not None:
        session.expire(loaded, ["event_count", "manifest"])


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
        versions.stage_recording(session, recording)
    session.commit()
    return recording


def reprocess_recording(
    session: Session, recording: Recording, settings: Settings | None = None
) -> bool:
    """Re-derive a closed recording's steps (after the rules changed) and refresh its draft.

    Returns whether the pipeline succeeded; a failure marks the recording ``failed``.
    """
    if recording.status == RecordingStatus.recording:
        raise Conflict(f"recording {recording.id} is still recording; finish it first")
    ok = pipeline.process_or_mark_failed(session, recording, settings)
    if ok:
        versions.stage_recording(session, recording)
    session.commit()
    return ok
