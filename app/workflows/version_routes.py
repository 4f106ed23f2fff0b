"""HTTP routes of versions: list, read, diff, publish, discard, and the choice of recordings.

Reading is for the workflow's team; every change is for its leads (and admins). Another
team's workflow is a 404, never its content.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth import CurrentUser, LeadUser
from app.database import SessionDep
from app.errors import NotFound
from app.models import Recording, Role, User, VersionStatus, Workflow, WorkflowVersion
from app.models import Step as StepRow
from app.pipeline import pseudonym
from app.workflows import versions
from app.workflows.access import readable_version, readable_versions, reads_drafts
from app.workflows.changelog import render_diff_html, render_diff_json, render_diff_markdown
from app.workflows.deps import LeadWorkflowDep, WorkflowDep
from app.workflows.merge import merge_recordings
from app.workflows.version_data import (
    carried_notes,
    current_version,
    diff_between,
    list_versions,
    open_draft,
    procedure_of,
    recordings_from_snapshot,
    workflow_staleness,
)
from app.workflows.version_schemas import (
    PublishIn,
    RecordingSelection,
    VersionList,
    VersionRead,
    VersionStep,
    VersionSummary,
    WorkflowRecordingRow,
    WorkflowRecordings,
)

router = APIRouter(prefix="/api/v1/workflows/{workflow_id}", tags=["versions"])

VersionNumber = Annotated[int, Path(ge=1, le=2**31 - 1)]
OptionalNumber = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
DIFF_MEDIA = {"json": "application/json", "md": "text/markdown; charset=utf-8",
              "html": "text/html; charset=utf-8"}
HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def version_summary(version: WorkflowVersion) -> VersionSummary:
    """The list view of one version."""
    return VersionSummary(
        number=version.number, status=version.status, summary=version.summary,
        recording_ids=list(version.recording_ids or ()),
        recorded_by=list(version.recorded_by or ()), published_by=version.published_by,
        base_number=version.base_number, orphaned_notes=len(version.orphaned_notes or ()),
        created_at=version.created_at, published_at=version.published_at,
        discarded_at=version.discarded_at,
    )


def version_read(workflow: Workflow, version: WorkflowVersion) -> VersionRead:
    """One version in full: procedure, decisions, timing, diff, notes and orphans."""
    merged = merge_recordings(recordings_from_snapshot(version.snapshot))
    procedure = procedure_of(version)
    if version.status == VersionStatus.published:
        notes, orphaned = dict(version.step_notes or {}), list(version.orphaned_notes or ())
    else:
        carried = carried_notes(workflow, version)
        notes, orphaned = carried.notes, [asdict(o) for o in carried.orphaned]
    return VersionRead(
        **version_summary(version).model_dump(),
        procedure=[VersionStep(number=n, activity_key=s.activity_key, title=s.title,
                               system=s.system, screen=s.screen, phase=s.phase,
                               typical_ms=procedure.typical_ms.get(s.activity_key, 0))
                   for n, s in enumerate(procedure.steps, start=1)],
        decisions=[asdict(d) for d in merged.decisions], exceptions=list(merged.exceptions),
        timing={"steps": [asdict(s) for s in merged.steps],
                "phases": [asdict(p) for p in merged.phases],
                "agents": [asdict(a) for a in merged.agents],
                "agent_spread_ms": merged.agent_spread_ms},
        diff=version.diff, orphaned=orphaned, step_notes=notes,
    )


@router.get("/versions", response_model=VersionList)
def get_versions(workflow: WorkflowDep, user: CurrentUser, session: SessionDep) -> VersionList:
    """Every version, newest first, with the one in force, the draft and the review flags
    (agents: the published versions, and no draft)."""
    current, draft = current_version(session, workflow), open_draft(session, workflow)
    if not reads_drafts(user):
        draft = None
    staleness = workflow_staleness(session, workflow, datetime.now(UTC).date())
    return VersionList(
        items=[version_summary(v)
               for v in readable_versions(user, list_versions(session, workflow))],
        current=current.number if current else None, draft=draft.number if draft else None,
        staleness=staleness.to_dict(),
    )


@router.post("/versions", response_model=VersionRead, status_code=201)
def post_version(workflow: LeadWorkflowDep, user: LeadUser, session: SessionDep) -> VersionRead:
    """Open (or refresh) the draft now, from the recordings since the last publish."""
    return version_read(workflow, versions.create_draft(session, workflow, user))


@router.get("/versions/{number}", response_model=VersionRead)
def get_version(
    workflow: WorkflowDep, number: VersionNumber, user: CurrentUser, session: SessionDep
) -> VersionRead:
    """One version: its procedure, decision points, timing, diff and notes."""
    return version_read(workflow, readable_version(session, user, workflow, number))


@router.post("/publish", response_model=VersionRead)
def publish(workflow: LeadWorkflowDep, user: LeadUser, session: SessionDep,
            body: PublishIn | None = None) -> VersionRead:
    """Publish the draft: it becomes the version in force, frozen as it is now."""
    summary = body.summary if body else None
    return version_read(workflow, versions.publish_version(session, workflow, user, summary))


@router.post("/versions/{number}/discard", response_model=VersionRead)
def discard(workflow: LeadWorkflowDep, number: VersionNumber, session: SessionDep
            ) -> VersionRead:
    """Discard a draft."""
    return version_read(workflow, versions.discard_version(session, workflow, number))


def _default_pair(session: Session, user: User, workflow: Workflow, old: int | None,
                  new: int | None) -> tuple[int, int]:
    """``to`` defaults to the newest version the user may read, ``from`` to the version ``to``
    was compared with; both must be readable."""
    if new is None:
        newest = readable_versions(user, list_versions(session, workflow))
        if not newest:
            raise NotFound(f"workflow {workflow.id} has no versions yet")
        new = newest[0].number
    newer = readable_version(session, user, workflow, new)
    if old is None:
        old = newer.base_number
        if old is None:
            raise NotFound(f"version {new} has no earlier published version to compare with; "
                           "give 'from'")
    readable_version(session, user, workflow, old)
    return old, new


@router.get("/diff", response_class=Response)
def get_diff(
    workflow: WorkflowDep, user: CurrentUser, session: SessionDep,
    from_: Annotated[int | None, Query(alias="from", ge=1, le=2**31 - 1)] = None,
    to: OptionalNumber = None,
    format_: Annotated[Literal["json", "md", "html"], Query(alias="format")] = "json",
) -> Response:
    """What changed between two versions: JSON, or a changelog in Markdown or HTML."""
    old, new = _default_pair(session, user, workflow, from_, to)
    diff = diff_between(session, workflow, old, new)
    body = {"json": lambda: render_diff_json(diff),
            "md": lambda: render_diff_markdown(diff, workflow.name),
            "html": lambda: render_diff_html(diff, workflow.name)}[format_]()
    headers = {"X-Content-Type-Options": "nosniff"}
    if format_ == "html":
        headers["Content-Security-Policy"] = HTML_CSP
    return Response(body, media_type=DIFF_MEDIA[format_], headers=headers)


def _recording_rows(session: Session, workflow: Workflow, user: CurrentUser
                    ) -> WorkflowRecordings:
    query = select(Recording).where(Recording.workflow_id == workflow.id)
    if user.role == Role.agent:
        query = query.where(Recording.user_id == user.id)
    rows = list(session.scalars(query.order_by(Recording.created_at, Recording.id)))
    counts = dict(session.execute(
        select(StepRow.recording_id, func.count()).where(
            StepRow.recording_id.in_([r.id for r in rows])).group_by(StepRow.recording_id)
    ).all()) if rows else {}
    published: dict[int, list[int]] = {}
    draft = open_draft(session, workflow)
    for version in reversed(list_versions(session, workflow)):
        if version.status == VersionStatus.published:
            for rid in version.recording_ids or ():
                published.setdefault(int(rid), []).append(version.number)
    in_draft = set(draft.recording_ids or ()) if draft else set()
    return WorkflowRecordings(items=[
        WorkflowRecordingRow(
            id=r.id, agent=pseudonym(r.user_id), source=r.source, ticket_ref=r.ticket_ref,
            status=r.status, included=r.included, in_draft=r.id in in_draft,
            published_in=published.get(r.id, []), step_count=int(counts.get(r.id, 0)),
            created_at=r.created_at,
        ) for r in rows
    ], draft=draft.number if draft else None)


@router.get("/recordings", response_model=WorkflowRecordings)
def get_recordings(workflow: WorkflowDep, user: CurrentUser, session: SessionDep
                   ) -> WorkflowRecordings:
    """The workflow's recordings: included or not, in the draft, in which published versions."""
    return _recording_rows(session, workflow, user)


@router.patch("/recordings", response_model=WorkflowRecordings)
def patch_recordings(workflow: LeadWorkflowDep, user: LeadUser, selection: RecordingSelection,
                     session: SessionDep) -> WorkflowRecordings:
    """Include or exclude recordings; the draft is rebuilt from the choice."""
    versions.select_recordings(session, workflow, user, selection.include, selection.exclude)
    return _recording_rows(session, workflow, user)
