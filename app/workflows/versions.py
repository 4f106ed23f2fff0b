"""Use cases of SOP versions: a draft from new recordings, publish, discard, choose recordings.

A workflow has at most one draft. A finished recording joins it (or opens a new one); the lead
publishes it (it becomes the version in force, frozen with the lead's sections and notes as
they are then) or discards it. Public use cases commit once; :func:`stage_recording` runs
inside the finish and import use cases and leaves the commit to them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import Conflict, NotFound
from app.models import (
    Recording,
    RecordingStatus,
    User,
    VersionStatus,
    Workflow,
    WorkflowVersion,
)
from app.pipeline import load_recording_steps
from app.workflows.diff import diff_procedures
from app.workflows.version_data import (
    carried_notes,
    current_version,
    find_version,
    open_draft,
    procedure_of,
    recordings_from_snapshot,
    snapshot_of,
)

log = logging.getLogger(__name__)

__all__ = [
    "create_draft",
    "discard_version",
    "publish_version",
    "select_recordings",
    "stage_recording",
]


def _now() -> datetime:
    return datetime.now(UTC)


def _lock(session: Session, workflow: Workflow) -> None:
    """Serialise version changes of one workflow (numbers and the single draft)."""
    session.execute(select(Workflow.id).where(Workflow.id == workflow.id).with_for_update())


def _used_ids(session: Session, workflow: Workflow) -> set[int]:
    """Recordings that a published or a discarded version already holds."""
    rows = session.scalars(select(WorkflowVersion.recording_ids).where(
        WorkflowVersion.workflow_id == workflow.id,
        WorkflowVersion.status != VersionStatus.draft))
    return {int(rid) for ids in rows for rid in ids or ()}


def _usable(session: Session, workflow: Workflow, ids: Iterable[int]) -> list[Recording]:
    """The finished, included recordings of the workflow among ``ids``, oldest first."""
    wanted = set(ids)
    if not wanted:
        return []
    return list(session.scalars(select(Recording).where(
        Recording.workflow_id == workflow.id, Recording.id.in_(wanted),
        Recording.status == RecordingStatus.finished, Recording.included.is_(True),
    ).order_by(Recording.created_at, Recording.id)))


def _new_draft(session: Session, workflow: Workflow, user_id: int | None) -> WorkflowVersion:
    last = session.scalar(select(func.max(WorkflowVersion.number))
                          .where(WorkflowVersion.workflow_id == workflow.id)) or 0
    draft = WorkflowVersion(
        workflow_id=workflow.id, number=last + 1, status=VersionStatus.draft, recording_ids=[],
        snapshot={}, orphaned_notes=[], summary="", recorded_by=[], created_by_id=user_id,
        published_by="", created_at=_now(), updated_at=_now(),
    )
    session.add(draft)
    return draft


def _rebuild(session: Session, workflow: Workflow, draft: WorkflowVersion,
             ids: Iterable[int]) -> None:
    """Re-snapshot the draft from ``ids`` and diff it against the version in force."""
    recordings = [load_recording_steps(session, r) for r in _usable(session, workflow, ids)]
    draft.snapshot = snapshot_of(recordings)
    draft.recording_ids = sorted(r.recording_id for r in recordings)
    draft.recorded_by = sorted({r.agent for r in recordings})
    base = current_version(session, workflow)
    new = procedure_of(draft)
    if base is None:
        draft.base_number, draft.diff = None, None
        count = len(recordings)
        draft.summary = f"First version, from {count} recording{'s' if count != 1 else ''}."
    else:
        diff = diff_procedures(procedure_of(base), new)
        draft.base_number, draft.diff, draft.summary = base.number, diff.to_dict(), diff.summary
    draft.orphaned_notes = [asdict(o) for o in carried_notes(workflow, draft).orphaned]
    draft.updated_at = _now()


def stage_recording(session: Session, recording: Recording) -> WorkflowVersion | None:
    """Put a just-finished recording into its workflow's draft (opened if needed); no commit.

    Like the pipeline, it never turns finishing a recording into a server error: on failure
    the draft is left as it was (a lead can rebuild it with ``POST …/versions``).
    """
    if recording.status != RecordingStatus.finished or not recording.included:
        return None
    workflow = recording.workflow
    try:
        with session.begin_nested():
            _lock(session, workflow)
            draft = open_draft(session, workflow) or _new_draft(
                session, workflow, recording.user_id)
            session.flush()
            _rebuild(session, workflow, draft, [*draft.recording_ids, recording.id])
            session.flush()
    except Exception:
        log.exception("could not put recording %s into a draft", recording.id)
        return None
    return draft


def _default_ids(session: Session, workflow: Workflow) -> list[int]:
    """Finished, included recordings no earlier version held; else those of the current one."""
    taken = _used_ids(session, workflow)
    ids = list(session.scalars(select(Recording.id).where(
        Recording.workflow_id == workflow.id, Recording.status == RecordingStatus.finished,
        Recording.included.is_(True))))
    fresh = [rid for rid in ids if rid not in taken]
    current = current_version(session, workflow)
    return fresh or (list(current.recording_ids) if current else [])


def create_draft(session: Session, workflow: Workflow, user: User) -> WorkflowVersion:
    """Open (or refresh) the draft from the default recordings: the lead asked for it."""
    _lock(session, workflow)
    draft = open_draft(session, workflow)
    ids = list(draft.recording_ids) if draft else []
    draft = draft or _new_draft(session, workflow, user.id)
    session.flush()
    _rebuild(session, workflow, draft, ids or _default_ids(session, workflow))
    session.commit()
    return draft


def select_recordings(session: Session, workflow: Workflow, user: User, include: list[int],
                      exclude: list[int]) -> WorkflowVersion | None:
    """Include or exclude recordings: flags them, and rebuilds the draft from the choice."""
    both = sorted(set(include) & set(exclude))
    if both:
        raise Conflict(f"recording {both[0]} is both included and excluded; choose one")
    rows = {r.id: r for r in session.scalars(select(Recording).where(
        Recording.workflow_id == workflow.id, Recording.id.in_([*include, *exclude])))}
    missing = sorted((set(include) | set(exclude)) - set(rows))
    if missing:
        raise NotFound(f"workflow {workflow.id} has no recording {missing[0]}")
    unfinished = [rid for rid in include if rows[rid].status != RecordingStatus.finished]
    if unfinished:
        raise Conflict(f"recording {unfinished[0]} is not finished; it cannot be included")
    _lock(session, workflow)
    for rid in include:
        rows[rid].included = True
    for rid in exclude:
        rows[rid].included = False
    draft = open_draft(session, workflow)
    if draft is None and not include:
        session.commit()
        return None
    draft = draft or _new_draft(session, workflow, user.id)
    session.flush()
    ids = (set(draft.recording_ids) or set(_default_ids(session, workflow)))
    _rebuild(session, workflow, draft, (ids | set(include)) - set(exclude))
    session.commit()
    return draft


def publish_version(session: Session, workflow: Workflow, user: User,
                    summary: str | None = None) -> WorkflowVersion:
    """Publish the draft: it becomes the version in force and never changes again."""
    _lock(session, workflow)
    draft = open_draft(session, workflow)
    if draft is None:
        raise Conflict("there is no draft to publish; record the workflow or create a draft")
    _rebuild(session, workflow, draft, draft.recording_ids)
    if not recordings_from_snapshot(draft.snapshot):
        raise Conflict("the draft has no recordings; include at least one before publishing")
    carried = carried_notes(workflow, draft)
    workflow.step_notes = carried.kept()
    draft.step_notes = carried.notes
    draft.details = dict(workflow.details or {})
    if summary:
        draft.summary = summary
    draft.status = VersionStatus.published
    draft.published_by_id, draft.published_by = user.id, user.email
    draft.published_at = draft.updated_at = _now()
    session.commit()
    return draft


def discard_version(session: Session, workflow: Workflow, number: int) -> WorkflowVersion:
    """Discard a draft; its recordings go back to the pool for the next draft."""
    _lock(session, workflow)
    version = find_version(session, workflow, number)
    if version.status != VersionStatus.draft:
        raise Conflict(f"version {number} is {version.status}; only a draft can be discarded")
    version.status = VersionStatus.discarded
    version.discarded_at = version.updated_at = _now()
    session.commit()
    return version
