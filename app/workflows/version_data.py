"""Reading versions: snapshots as plain data, the SOP data of a version, diffs, review flags.

Nothing here writes; the use cases that do are in :mod:`app.workflows.versions`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.exports import ExportData, step_notes_of
from app.models import Recording, RecordingStatus, VersionStatus, Workflow, WorkflowVersion
from app.pipeline import load_recording_steps
from app.sop.document import LeadDetails, Revision
from app.steps.model import RecordingSteps, Step
from app.workflows.carry_over import CarriedNotes, OrphanedNote, carry_over_notes
from app.workflows.diff import Procedure, VersionDiff, diff_procedures
from app.workflows.merge import canonical_order, merge_recordings
from app.workflows.staleness import Staleness, assess_staleness

__all__ = [
    "VersionsOverview",
    "carried_notes",
    "current_version",
    "diff_between",
    "find_version",
    "list_versions",
    "open_draft",
    "procedure_of",
    "recordings_from_snapshot",
    "review_due",
    "revisions_until",
    "snapshot_of",
    "version_export",
    "versions_overview",
    "workflow_staleness",
]


def snapshot_of(recordings: Sequence[RecordingSteps]) -> dict[str, Any]:
    """The JSON a version keeps of its recordings (oldest first), so it never changes later."""
    return {"recordings": [
        {"recording_id": r.recording_id, "workflow": r.workflow, "agent": r.agent,
         "started_at_ms": r.started_at_ms, "ended_at_ms": r.ended_at_ms,
         "ticket_ref": r.ticket_ref, "steps": [step.to_dict() for step in r.steps]}
        for r in canonical_order(recordings)
    ]}


def recordings_from_snapshot(snapshot: dict[str, Any]) -> list[RecordingSteps]:
    """The recordings of a snapshot, as the generators read them."""
    return [
        RecordingSteps(
            recording_id=int(r["recording_id"]), workflow=str(r["workflow"]),
            agent=str(r["agent"]), started_at_ms=int(r["started_at_ms"]),
            ended_at_ms=int(r["ended_at_ms"]), ticket_ref=r.get("ticket_ref"),
            steps=tuple(Step.from_dict(s) for s in r["steps"]),
        )
        for r in snapshot.get("recordings") or ()
    ]


def list_versions(session: Session, workflow: Workflow) -> list[WorkflowVersion]:
    """Every version of the workflow, newest first."""
    return list(session.scalars(
        select(WorkflowVersion).where(WorkflowVersion.workflow_id == workflow.id)
        .order_by(WorkflowVersion.number.desc())
    ))


def find_version(session: Session, workflow: Workflow, number: int) -> WorkflowVersion:
    """Version ``number`` of the workflow, or 404."""
    version = session.scalar(select(WorkflowVersion).where(
        WorkflowVersion.workflow_id == workflow.id, WorkflowVersion.number == number))
    if version is None:
        raise NotFound(f"workflow {workflow.id} has no version {number}")
    return version


def current_version(session: Session, workflow: Workflow) -> WorkflowVersion | None:
    """The latest published version: the one in force."""
    return session.scalar(
        select(WorkflowVersion).where(WorkflowVersion.workflow_id == workflow.id,
                                      WorkflowVersion.status == VersionStatus.published)
        .order_by(WorkflowVersion.number.desc()).limit(1))


def open_draft(session: Session, workflow: Workflow) -> WorkflowVersion | None:
    """The workflow's draft, if it has one (there is at most one)."""
    return session.scalar(
        select(WorkflowVersion).where(WorkflowVersion.workflow_id == workflow.id,
                                      WorkflowVersion.status == VersionStatus.draft)
        .order_by(WorkflowVersion.number.desc()).limit(1))


#: Procedures of published versions (immutable), by (version id, publish time): pages read the
#: version in force several times per request and on every request.
_published: OrderedDict[tuple[int, Any], Procedure] = OrderedDict()
_PUBLISHED_KEPT = 16
_published_lock = threading.Lock()


def procedure_of(version: WorkflowVersion | None, recordings: Sequence[RecordingSteps] = ()
                 ) -> Procedure:
    """The numbered steps of a version (its merged procedure) with typical durations."""
    key = ((version.id, version.published_at)
           if version is not None and version.status == VersionStatus.published
           and version.published_at is not None else None)
    if key is not None:
        with _published_lock:
            hit = _published.get(key)
        if hit is not None:
            return hit
    if version is not None:
        recordings = recordings_from_snapshot(version.snapshot)
    merged = merge_recordings(recordings)
    steps = merged.procedure.steps if merged.procedure else ()
    procedure = Procedure(version.number if version else None, steps, merged.typical_ms)
    if key is not None:
        with _published_lock:
            _published[key] = procedure
            while len(_published) > _PUBLISHED_KEPT:
                _published.popitem(last=False)
    return procedure


def diff_between(session: Session, workflow: Workflow, old: int, new: int) -> VersionDiff:
    """The step-level diff from version ``old`` to version ``new`` (any two, either way)."""
    before, after = find_version(session, workflow, old), find_version(session, workflow, new)
    return diff_procedures(procedure_of(before), procedure_of(after))


def carried_notes(workflow: Workflow, version: WorkflowVersion) -> CarriedNotes:
    """The workflow's notes re-keyed for ``version`` (using the diff stored with it)."""
    diff = version.diff or {}
    titles = {s["activity_key"]: s["title"] for s in (*diff.get("removed", ()),)}
    titles.update({m["old"]["activity_key"]: m["old"]["title"] for m in diff.get("matched", ())})
    keys = [s.activity_key for s in procedure_of(version).steps]
    return carry_over_notes(workflow.step_notes or {}, keys, diff.get("key_map") or {}, titles)


def revisions_until(session: Session, workflow: Workflow, number: int) -> list[Revision]:
    """The revision history up to version ``number``: its published versions, oldest first."""
    rows = session.scalars(
        select(WorkflowVersion).where(WorkflowVersion.workflow_id == workflow.id,
                                      WorkflowVersion.status == VersionStatus.published,
                                      WorkflowVersion.number <= number)
        .order_by(WorkflowVersion.number))
    return [
        Revision(version=row.number,
                 date=(row.published_at or row.created_at).date(),
                 author=", ".join(row.recorded_by or ()) or "unknown",
                 summary=row.summary, published_by=row.published_by)
        for row in rows
    ]


def version_export(session: Session, workflow: Workflow, version: WorkflowVersion) -> ExportData:
    """The outputs' data of one version: a published one exactly as it was published."""
    recordings = recordings_from_snapshot(version.snapshot)
    if version.status == VersionStatus.published:
        return ExportData(
            name=workflow.name, workflow=workflow.name, recordings=recordings,
            details=LeadDetails.from_dict(version.details),
            step_notes=step_notes_of(version.step_notes),
            revisions=revisions_until(session, workflow, version.number),
            version=version.number,
        )
    return ExportData(
        name=f"{workflow.name} draft {version.number}", workflow=workflow.name,
        recordings=recordings, details=LeadDetails.from_dict(workflow.details),
        step_notes=step_notes_of(carried_notes(workflow, version).notes),
        revisions=revisions_until(session, workflow, version.number),
    )


def review_due(workflow: Workflow, current: WorkflowVersion | None) -> date | None:
    """Effective date (the lead's, else the publish date) plus the review interval."""
    details = LeadDetails.from_dict(workflow.details)
    effective = details.effective_date or (
        current.published_at.date() if current and current.published_at else None)
    if effective is None or not details.review_interval_days:
        return None
    return effective + timedelta(days=details.review_interval_days)


def workflow_staleness(session: Session, workflow: Workflow, today: date) -> Staleness:
    """Whether the workflow needs a review, and why (review date, drifting new recordings)."""
    current = current_version(session, workflow)
    newer: list[RecordingSteps] = []
    if current is not None:
        rows = session.scalars(select(Recording).where(
            Recording.workflow_id == workflow.id, Recording.status == RecordingStatus.finished,
            Recording.included.is_(True), Recording.created_at > current.created_at,
        ).order_by(Recording.id))
        taken = set(current.recording_ids or ())
        newer = [load_recording_steps(session, r) for r in rows if r.id not in taken]
    published = procedure_of(current).steps if current else None
    return assess_staleness(published, review_due(workflow, current), today, newer)


@dataclass(frozen=True, slots=True)
class VersionsOverview:
    """What a page shows about a workflow's versions: all of them, the one in force, the draft
    with its diff and orphaned notes, and the review flags."""

    versions: tuple[WorkflowVersion, ...]
    current: WorkflowVersion | None
    draft: WorkflowVersion | None
    draft_diff: VersionDiff | None
    orphaned: tuple[OrphanedNote, ...]
    staleness: Staleness


def versions_overview(session: Session, workflow: Workflow, today: date) -> VersionsOverview:
    """Everything about the workflow's versions, loaded once (for the lead's pages)."""
    rows = list_versions(session, workflow)
    current = next((v for v in rows if v.status == VersionStatus.published), None)
    draft = next((v for v in rows if v.status == VersionStatus.draft), None)
    diff = (diff_procedures(procedure_of(current), procedure_of(draft))
            if current is not None and draft is not None else None)
    orphaned = carried_notes(workflow, draft).orphaned if draft is not None else ()
    return VersionsOverview(tuple(rows), current, draft, diff, tuple(orphaned),
                            workflow_staleness(session, workflow, today))
