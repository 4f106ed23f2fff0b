"""Version pages: the versions section of the workflow page, one version, and a diff between two.

Everything here reads through :mod:`app.workflows.version_data`; the changes (publish, discard,
recordings included) are in :mod:`app.pages.version_actions`. Agents see published versions
only: a draft or a discarded version is a 404 for them, like another team's object.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from app.database import SessionDep
from app.errors import NotFound
from app.models import User, Workflow, WorkflowVersion
from app.pages.rendering import render, templates
from app.pages.session import CurrentPageUser
from app.steps.model import PHASE_NAMES, Step
from app.workflows.access import (
    readable_version,
    readable_versions,
    reads_drafts,
    require_readable,
)
from app.workflows.carry_over import OrphanedNote
from app.workflows.changelog import CHANGE_LABELS, signed_duration
from app.workflows.deps import WorkflowId
from app.workflows.deps import get_workflow_for as visible_workflow
from app.workflows.diff import VersionDiff
from app.workflows.staleness import Staleness
from app.workflows.version_data import (
    current_version,
    diff_between,
    list_versions,
    procedure_of,
    versions_overview,
)

__all__ = ["VersionsSection", "require_published", "versions_section"]

router = APIRouter(include_in_schema=False)
VersionNumber = Annotated[int, Path(ge=1, le=2**31 - 1)]
OptionalNumber = Annotated[int | None, Query(ge=1, le=2**31 - 1)]

templates.env.filters["signed_duration"] = signed_duration
templates.env.globals["change_labels"] = CHANGE_LABELS


@dataclass(frozen=True, slots=True)
class VersionsSection:
    """The workflow page's versions: the list, the one in force, the draft waiting for
    publication with its diff and its orphaned notes (leads only), and the review flags."""

    versions: tuple[WorkflowVersion, ...]
    current: WorkflowVersion | None
    draft: WorkflowVersion | None
    draft_diff: VersionDiff | None
    orphaned: tuple[OrphanedNote, ...]
    draft_steps: tuple[Step, ...]
    staleness: Staleness
    can_edit: bool


@dataclass(frozen=True, slots=True)
class VersionPage:
    """One version: its facts, its numbered procedure, and what changed since its base."""

    workflow: Workflow
    version: WorkflowVersion
    steps: tuple[Step, ...]
    typical_ms: dict[str, int]
    phase_names: dict[str, str]
    diff: VersionDiff | None
    is_current: bool
    can_edit: bool


@dataclass(frozen=True, slots=True)
class DiffPage:
    """The changelog between two versions the user may see, and the choice of the two."""

    workflow: Workflow
    choices: tuple[WorkflowVersion, ...]
    from_number: int
    to_number: int
    diff: VersionDiff


def require_published(session: Session, user: User, workflow: Workflow) -> None:
    """An agent may read a workflow's SOP only once a version of it is published, else 404."""
    require_readable(session, user, workflow, None)


def visible_versions(session: Session, user: User, workflow: Workflow
                     ) -> tuple[WorkflowVersion, ...]:
    """The versions the user may see, newest first (agents: the published ones)."""
    return tuple(readable_versions(user, list_versions(session, workflow)))


def versions_section(session: Session, user: User, workflow: Workflow) -> VersionsSection:
    """The versions section of the workflow page, as the user may see it."""
    overview = versions_overview(session, workflow, datetime.now(UTC).date())
    lead = reads_drafts(user)
    draft = overview.draft if lead else None
    return VersionsSection(
        versions=overview.versions if lead else visible_versions(session, user, workflow),
        current=overview.current,
        draft=draft,
        draft_diff=overview.draft_diff if lead else None,
        orphaned=overview.orphaned if lead else (),
        # Only the re-attach menus of orphaned notes list the draft's steps.
        draft_steps=procedure_of(draft).steps if draft is not None and lead
        and overview.orphaned else (),
        staleness=overview.staleness,
        can_edit=lead,
    )


@router.get("/workflows/{workflow_id}/versions/{number}", response_class=HTMLResponse)
def version_page(request: Request, workflow_id: WorkflowId, number: VersionNumber,
                 user: CurrentPageUser, session: SessionDep) -> HTMLResponse:
    """One version: status, dates, who recorded and published it, its steps and its changes."""
    workflow = visible_workflow(session, user, workflow_id)
    version = readable_version(session, user, workflow, number)
    procedure = procedure_of(version)
    base = version.base_number
    current = current_version(session, workflow)
    page = VersionPage(
        workflow=workflow, version=version, steps=procedure.steps,
        typical_ms=dict(procedure.typical_ms), phase_names=dict(PHASE_NAMES),
        diff=diff_between(session, workflow, base, number) if base is not None else None,
        is_current=current is not None and current.id == version.id, can_edit=reads_drafts(user),
    )
    return render(request, "version.html", page, title=f"{workflow.name} version {number}")


@router.get("/workflows/{workflow_id}/diff", response_class=HTMLResponse)
def diff_page(
    request: Request, workflow_id: WorkflowId, user: CurrentPageUser, session: SessionDep,
    from_: Annotated[int | None, Query(alias="from", ge=1, le=2**31 - 1)] = None,
    to: OptionalNumber = None,
) -> HTMLResponse:
    """What changed between any two versions: added, removed, changed, moved, timing."""
    workflow = visible_workflow(session, user, workflow_id)
    choices = visible_versions(session, user, workflow)
    if not choices:
        raise NotFound(f"workflow {workflow.id} has no versions to compare yet")
    new = readable_version(session, user, workflow, to if to is not None else choices[0].number)
    if from_ is None:
        earlier = [v.number for v in choices if v.number < new.number]
        from_ = new.base_number or (earlier[0] if earlier else new.number)
    old = readable_version(session, user, workflow, from_)
    page = DiffPage(workflow, choices, old.number, new.number,
                    diff_between(session, workflow, old.number, new.number))
    return render(request, "diff.html", page,
                  title=f"{workflow.name}: version {old.number} to {new.number}")
