"""Load-or-404 dependencies for workflows, scoped to the current user's team."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import CurrentUser, LeadUser
from app.database import SessionDep
from app.errors import NotFound
from app.models import User, Workflow
from app.workflows.access import require_readable


def get_workflow_for(session: Session, user: User, workflow_id: int) -> Workflow:
    """The workflow if it belongs to the user's team, else 404 (never another team's)."""
    workflow = session.scalar(
        select(Workflow).where(Workflow.id == workflow_id, Workflow.team_id == user.team_id)
    )
    if workflow is None:
        raise NotFound(f"workflow {workflow_id} not found")
    return workflow


#: Ids are 32-bit in both databases; a larger one is a 422, never a database overflow.
WorkflowId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def load_workflow(workflow_id: WorkflowId, user: CurrentUser, session: SessionDep) -> Workflow:
    """Load-or-404 for reading a workflow of the user's team."""
    return get_workflow_for(session, user, workflow_id)


def load_workflow_for_lead(
    workflow_id: WorkflowId, user: LeadUser, session: SessionDep
) -> Workflow:
    """Load-or-404 for changing a workflow: leads and admins of its team only."""
    return get_workflow_for(session, user, workflow_id)


WorkflowDep = Annotated[Workflow, Depends(load_workflow)]
LeadWorkflowDep = Annotated[Workflow, Depends(load_workflow_for_lead)]


def readable_version_number(
    workflow: WorkflowDep,
    user: CurrentUser,
    session: SessionDep,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> int | None:
    """The ``?version=N`` asked for (none: the SOP in force), if the user may read it, else 404."""
    require_readable(session, user, workflow, version)
    return version


#: A route's ``?version=N``, checked: agents read published versions only.
ReadableVersion = Annotated[int | None, Depends(readable_version_number)]
