"""Who may read which SOP version (DESIGN §7).

Leads and admins read every version of their team's workflows, drafts included, and the working
SOP before anything is published; agents read published versions only. Another team's workflow
is a 404 before any of this (:mod:`app.workflows.deps`).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from app.errors import NotFound
from app.models import Role, User, VersionStatus, Workflow, WorkflowVersion
from app.workflows.version_data import current_version, find_version

__all__ = ["readable_version", "readable_versions", "reads_drafts", "require_readable"]


def reads_drafts(user: User) -> bool:
    """Whether ``user`` may read drafts and the unpublished working SOP (leads and admins)."""
    return user.role in (Role.lead, Role.admin)


def readable_versions(user: User, versions: Iterable[WorkflowVersion]) -> list[WorkflowVersion]:
    """The versions ``user`` may read, in the order given."""
    if reads_drafts(user):
        return list(versions)
    return [v for v in versions if v.status == VersionStatus.published]


def readable_version(
    session: Session, user: User, workflow: Workflow, number: int
) -> WorkflowVersion:
    """Version ``number`` of the workflow if ``user`` may read it, else 404."""
    version = find_version(session, workflow, number)
    if not reads_drafts(user) and version.status != VersionStatus.published:
        raise NotFound(f"workflow {workflow.id} has no version {number}")
    return version


def require_readable(
    session: Session, user: User, workflow: Workflow, number: int | None
) -> None:
    """404 unless ``user`` may read version ``number`` of the SOP (``None``: the one in force)."""
    if number is not None:
        readable_version(session, user, workflow, number)
    elif not reads_drafts(user) and current_version(session, workflow) is None:
        raise NotFound(f"nothing of workflow {workflow.id} is published yet")
