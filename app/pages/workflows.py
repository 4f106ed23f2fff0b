"""The workflows list: owner, version, recordings, last recorded, median duration, review flag;
search and sort."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.database import SessionDep
from app.models import Recording, RecordingStatus, User, Workflow
from app.models import Step as StepRow
from app.pages.rendering import render
from app.pages.session import CurrentPageUser
from app.workflows.version_data import current_version, review_due, workflow_staleness

router = APIRouter(include_in_schema=False)
SortKey = Literal["name", "last_recorded", "recordings", "duration", "review_due"]
SORT_LABELS: dict[str, str] = {
    "name": "Name",
    "last_recorded": "Last recorded",
    "recordings": "Recordings",
    "duration": "Median duration",
    "review_due": "Review due",
}


@dataclass(frozen=True, slots=True)
class WorkflowRow:
    """One line of the workflows list."""

    id: int
    name: str
    owner: str
    version: int | None
    recordings: int
    last_recorded: datetime | None
    median_ms: int | None
    review_due: date | None
    stale_reason: str | None


@dataclass(frozen=True, slots=True)
class WorkflowsPage:
    """The team's workflows, filtered by ``query`` and sorted by ``sort``."""

    rows: list[WorkflowRow]
    query: str
    sort: str
    descending: bool
    sort_labels: dict[str, str]
    team_has_workflows: bool


def recording_spans(session: Session, team_id: int) -> dict[int, list[int]]:
    """``{workflow id: [duration ms of each finished, included recording]}`` in one query."""
    spans = (
        select(
            Recording.workflow_id.label("workflow_id"),
            (func.max(StepRow.started_at_ms + StepRow.duration_ms)
             - func.min(StepRow.started_at_ms)).label("span"),
        )
        .join(StepRow, StepRow.recording_id == Recording.id)
        .where(Recording.team_id == team_id, Recording.included.is_(True),
               Recording.status == RecordingStatus.finished)
        .group_by(Recording.id, Recording.workflow_id)
    )
    out: dict[int, list[int]] = defaultdict(list)
    for workflow_id, span in session.execute(spans).all():
        out[workflow_id].append(int(span or 0))
    return out


def workflow_rows(session: Session, user: User, today: date) -> list[WorkflowRow]:
    """Every workflow of the user's team with its figures."""
    counts = select(
        Recording.workflow_id, func.count(Recording.id), func.max(Recording.created_at)
    ).where(Recording.team_id == user.team_id).group_by(Recording.workflow_id)
    figures = {wid: (int(n), last) for wid, n, last in session.execute(counts).all()}
    spans = recording_spans(session, user.team_id)
    creators = dict(session.execute(select(User.id, User.email).where(User.team_id == user.team_id))
                    .all())
    rows = []
    for workflow in session.scalars(select(Workflow).where(Workflow.team_id == user.team_id)):
        details = workflow.details or {}
        current = current_version(session, workflow)
        staleness = workflow_staleness(session, workflow, today)
        count, last = figures.get(workflow.id, (0, None))
        durations = spans.get(workflow.id)
        rows.append(WorkflowRow(
            id=workflow.id, name=workflow.name,
            owner=str(details.get("owner") or creators.get(workflow.created_by_id or 0, "")),
            version=current.number if current else None,
            recordings=count,
            last_recorded=last.replace(tzinfo=UTC) if last and last.tzinfo is None else last,
            median_ms=int(statistics.median(durations)) if durations else None,
            review_due=review_due(workflow, current),
            stale_reason=staleness.reason or None,
        ))
    return rows


def sort_rows(rows: list[WorkflowRow], key: str, descending: bool) -> list[WorkflowRow]:
    """Rows sorted by ``key``; rows without a value go last whatever the direction."""
    def value(row: WorkflowRow) -> Any:
        return {"name": row.name.casefold(), "last_recorded": row.last_recorded,
                "recordings": row.recordings, "duration": row.median_ms,
                "review_due": row.review_due}[key]

    present = [r for r in rows if value(r) is not None]
    missing = [r for r in rows if value(r) is None]
    present.sort(key=lambda r: (value(r), r.name.casefold()), reverse=descending)
    return present + sorted(missing, key=lambda r: r.name.casefold())


@router.get("/workflows", response_class=HTMLResponse)
def workflows_list(
    request: Request,
    user: CurrentPageUser,
    session: SessionDep,
    q: str = Query(default="", max_length=200),
    sort: SortKey = "last_recorded",
    order: Literal["asc", "desc"] | None = None,
) -> HTMLResponse:
    """The team's workflows: search by name, sort by any column."""
    rows = workflow_rows(session, user, datetime.now(UTC).date())
    needle = q.strip().casefold()
    shown = [r for r in rows if needle in r.name.casefold()] if needle else rows
    descending = order == "desc" if order else sort in ("last_recorded", "recordings")
    page = WorkflowsPage(
        rows=sort_rows(shown, sort, descending), query=q.strip(), sort=sort,
        descending=descending, sort_labels=SORT_LABELS, team_has_workflows=bool(rows),
    )
    return render(request, "workflows.html", page, title="Workflows")
