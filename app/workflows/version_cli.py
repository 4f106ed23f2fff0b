"""``sop-recorder versions | publish | diff``: the versions of a workflow from the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Forbidden, NotFound
from app.models import Role, Team, User, Workflow
from app.settings import Settings
from app.workflows import versions
from app.workflows.changelog import render_diff_html, render_diff_json, render_diff_markdown
from app.workflows.version_data import diff_between, list_versions, workflow_staleness

__all__ = ["add_version_commands"]

OpenSession = Callable[[Settings], Session]


def find_workflow(session: Session, name_or_id: str, team: str | None) -> Workflow:
    """The one workflow with this id or name (``team`` settles a name several teams use)."""
    query = select(Workflow).order_by(Workflow.id)
    if name_or_id.isdigit():
        query = query.where(Workflow.id == int(name_or_id))
    else:
        query = query.where(Workflow.name == name_or_id)
    if team:
        query = query.join(Team).where(Team.name == team)
    found = session.scalars(query).all()
    if len(found) != 1:
        what = "no workflow" if not found else f"{len(found)} workflows (use --team)"
        raise NotFound(f"{what} called {name_or_id!r}")
    return found[0]


def _publisher(session: Session, workflow: Workflow, email: str | None) -> User:
    query = select(User).where(User.is_active.is_(True))
    query = query.where(User.email == email if email else User.role == Role.admin)
    user = session.scalars(query.order_by(User.id)).first()
    if user is None:
        raise NotFound(f"no user {email}" if email else "no admin yet; pass --as EMAIL")
    if user.role not in (Role.lead, Role.admin) or (
            user.role == Role.lead and user.team_id != workflow.team_id):
        raise Forbidden(f"{user.email} may not publish this workflow (a lead of its team may)")
    return user


def _versions(open_session: OpenSession, args: argparse.Namespace, settings: Settings) -> int:
    with open_session(settings) as session:
        workflow = find_workflow(session, args.workflow, args.team)
        rows = list_versions(session, workflow)
        staleness = workflow_staleness(session, workflow, datetime.now(UTC).date())
        print(f"Versions of {workflow.name!r} (workflow {workflow.id}):")
        for v in rows:
            when = (v.published_at or v.created_at).strftime("%Y-%m-%d")
            by = f", published by {v.published_by}" if v.published_by else ""
            print(f"  v{v.number:<3} {v.status:<9} {when}  recorded by "
                  f"{', '.join(v.recorded_by) or '-'}{by}: {v.summary}")
        if not rows:
            print("  none yet: finish a recording of this workflow to get a draft.")
        print(f"Review: {staleness.reason}" if staleness.stale else "Review: up to date.")
    return 0


def _publish(open_session: OpenSession, args: argparse.Namespace, settings: Settings) -> int:
    with open_session(settings) as session:
        workflow = find_workflow(session, args.workflow, args.team)
        user = _publisher(session, workflow, args.as_email)
        version = versions.publish_version(session, workflow, user, args.summary)
        print(f"Published version {version.number} of {workflow.name!r}: {version.summary}")
    return 0


def _diff(open_session: OpenSession, args: argparse.Namespace, settings: Settings) -> int:
    with open_session(settings) as session:
        workflow = find_workflow(session, args.workflow, args.team)
        diff = diff_between(session, workflow, args.from_, args.to)
        text = {"md": lambda: render_diff_markdown(diff, workflow.name),
                "html": lambda: render_diff_html(diff, workflow.name),
                "json": lambda: render_diff_json(diff)}[args.format]()
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"Wrote {args.output}", file=sys.stderr)
    return 0


def add_version_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser],
                         open_session: OpenSession) -> None:
    """Add ``versions``, ``publish`` and ``diff`` to the ``sop-recorder`` grammar."""
    def handler(run: Callable[[OpenSession, argparse.Namespace, Settings], int]
                ) -> Callable[[argparse.Namespace, Settings], int]:
        return lambda args, settings: run(open_session, args, settings)

    listing = sub.add_parser("versions", help="list a workflow's SOP versions and review flags")
    listing.add_argument("workflow", help="workflow id or name")
    listing.add_argument("--team")
    listing.set_defaults(handler=handler(_versions))

    publish = sub.add_parser("publish", help="publish a workflow's draft SOP version")
    publish.add_argument("workflow", help="workflow id or name")
    publish.add_argument("--as", dest="as_email", help="the lead who publishes (default: admin)")
    publish.add_argument("--summary", help="one line on what changed (default: from the diff)")
    publish.add_argument("--team")
    publish.set_defaults(handler=handler(_publish))

    diff = sub.add_parser("diff", help="what changed between two versions of a workflow")
    diff.add_argument("workflow", help="workflow id or name")
    diff.add_argument("--from", dest="from_", type=int, required=True)
    diff.add_argument("--to", type=int, required=True)
    diff.add_argument("--format", choices=["md", "html", "json"], default="md")
    diff.add_argument("-o", "--output", default="-", help="file to write, or - for stdout")
    diff.add_argument("--team")
    diff.set_defaults(handler=handler(_diff))
