"""``sop-recorder``: serve, users, tokens (and, as they land, import, export, demo)."""

from __future__ import annotations

import argparse
import logging
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from app import accounts, importers
from app.database import make_engine, make_session_factory
from app.demo.load import DemoResult, load_demo
from app.errors import AppError, NotFound, driver_message, is_database_unavailable
from app.exports import EXPORTS, find_export, load_workflow_export
from app.migrate import upgrade
from app.models import Team, Workflow
from app.settings import Settings, get_settings
from app.workflows.version_cli import add_version_commands

log = logging.getLogger("sop_recorder")

def _session(settings: Settings) -> Session:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    return make_session_factory(engine)()


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Apply migrations, create a first admin on an empty database, start uvicorn."""
    import uvicorn

    with _session(settings) as session:
        password = secrets.token_urlsafe(12)
        admin = accounts.ensure_first_admin(session, password)
        if admin is not None:
            print(f"Created the first admin: sign in as {admin.email} with password {password}")
            print("Create users with: sop-recorder users create EMAIL --role agent --team NAME")
    host, port = args.host or settings.host, args.port or settings.port
    if args.demo:
        with _session(settings) as session:
            _print_demo(load_demo(session, settings), settings.public_url or f"http://{host}:{port}")
    print(f"SOP Recorder on http://{host}:{port}  (database: {settings.resolved_database_url})")
    uvicorn.run(
        "app.main:create_app", factory=True, host=host, port=port, workers=args.workers,
        log_level="info",
    )
    return 0


def _print_demo(result: DemoResult, base: str) -> None:
    state = "Loaded" if result.created else "Already loaded:"
    print(f"{state} the demo ticket: workflow {result.workflow_id}, recording "
          f"{result.recording_id}, {result.step_count} steps.")
    print(f"  Web app:        {base}/workflows/{result.workflow_id}")
    api = f"{base}/api/v1/workflows/{result.workflow_id}"
    for artifact, formats in EXPORTS.items():
        print(f"  {artifact + ':':<15} {api}/{artifact}?format={'|'.join(formats)}")
    print(f"  Files:          sop-recorder export {result.workflow_id} --format md -o sop.md")


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Load the bundled support-ticket recording and print where to see every output."""
    with _session(settings) as session:
        password = secrets.token_urlsafe(12)
        admin = accounts.ensure_first_admin(session, password)
        if admin is not None:
            print(f"Created the first admin: sign in as {admin.email} with password {password}")
        base = settings.public_url or f"http://{settings.host}:{settings.port}"
        _print_demo(load_demo(session, settings), base)
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write one output of a workflow (by id or name) to a file."""
    with _session(settings) as session:
        query = select(Workflow).order_by(Workflow.id)
        if args.workflow.isdigit():
            query = query.where(Workflow.id == int(args.workflow))
        else:
            query = query.where(Workflow.name == args.workflow)
        if args.team:
            query = query.join(Team).where(Team.name == args.team)
        workflows = session.scalars(query).all()
        if len(workflows) != 1:
            found = "no workflow" if not workflows else f"{len(workflows)} workflows (use --team)"
            raise NotFound(f"{found} called {args.workflow!r}")
        export = find_export(args.artifact, args.format)
        body = export.render(load_workflow_export(session, workflows[0]))
    data = body.encode() if isinstance(body, str) else body
    if args.output == "-":
        sys.stdout.buffer.write(data)
    else:
        Path(args.output).write_bytes(data)
        print(f"Wrote {args.output} ({len(data)} bytes)", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Import a DevTools Recorder flow (.json) or an Action Logger log (.csv) as a recording."""
    with _session(settings) as session:
        recording = importers.import_file(
            session, Path(args.file), args.workflow, args.as_email, settings
        )
        derived = (recording.manifest or {}).get("derived", {})
        print(f"Imported recording {recording.id} into workflow {recording.workflow.name!r}: "
              f"{recording.event_count} events, {derived.get('steps', 0)} steps "
              f"({recording.status}).")
    return 0 if recording.status == "finished" else 1


def cmd_reprocess(args: argparse.Namespace, settings: Settings) -> int:
    """Re-derive the steps of recordings (all closed ones without ids) after rules changed."""
    with _session(settings) as session:
        results = importers.reprocess_recordings(session, args.ids, settings)
    for recording_id, ok in results:
        print(f"recording {recording_id}: {'steps derived' if ok else 'failed (see manifest)'}")
    return 0 if all(ok for _, ok in results) else 1


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Apply the migrations up to the newest schema."""
    _session(settings).close()
    print("The database schema is up to date.")
    return 0


def cmd_users_create(args: argparse.Namespace, settings: Settings) -> int:
    """Create a user; the API token is the last line of the output."""
    with _session(settings) as session:
        user, secret = accounts.create_user(
            session, args.email, args.role, args.team, args.password
        )
        print(f"Created {user.role} {user.email} in team {args.team}. API token:")
        print(secret)
    return 0


def cmd_tokens_create(args: argparse.Namespace, settings: Settings) -> int:
    """Issue another API token for a user; the token is the last line."""
    with _session(settings) as session:
        print(f"New API token for {args.email}:")
        print(accounts.create_token(session, args.email, args.name))
    return 0


def cmd_tokens_revoke(args: argparse.Namespace, settings: Settings) -> int:
    """Revoke tokens by their first characters."""
    with _session(settings) as session:
        count = accounts.revoke_token(session, args.prefix)
    print(f"Revoked {count} token(s).")
    return 0 if count else 1


def build_parser() -> argparse.ArgumentParser:
    """The command-line grammar."""
    parser = argparse.ArgumentParser(prog="sop-recorder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="apply migrations and start the web app")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="load the demo ticket first")
    serve.set_defaults(handler=cmd_serve)

    demo = sub.add_parser("demo", help="load a realistic demo recording and show its outputs")
    demo.set_defaults(handler=cmd_demo)

    export = sub.add_parser("export", help="write a workflow's SOP or timing report to a file")
    export.add_argument("workflow", help="workflow id or name")
    export.add_argument("--artifact", default="sop", choices=sorted(EXPORTS))
    export.add_argument("--format", default="md", help="md, html, docx, json, csv, ...")
    export.add_argument("-o", "--output", required=True, help="file to write, or - for stdout")
    export.add_argument("--team", help="the team, when several have a workflow of that name")
    export.set_defaults(handler=cmd_export)

    imports = sub.add_parser("import", help="import a DevTools Recorder flow or a UI log (CSV)")
    imports.add_argument("file")
    imports.add_argument("--workflow", help="workflow name (default: the file's title)")
    imports.add_argument("--as", dest="as_email", help="the user it is recorded as (email)")
    imports.set_defaults(handler=cmd_import)

    reprocess = sub.add_parser("reprocess", help="re-derive steps after the rules changed")
    reprocess.add_argument("ids", nargs="*", type=int, help="recording ids (default: all)")
    reprocess.set_defaults(handler=cmd_reprocess)

    migrate = sub.add_parser("migrate", help="apply the database migrations")
    migrate.set_defaults(handler=cmd_migrate)

    add_version_commands(sub, _session)

    users = sub.add_parser("users", help="manage users").add_subparsers(
        dest="action", required=True
    )
    create = users.add_parser("create", help="create a user and print their API token")
    create.add_argument("email")
    create.add_argument("--role", choices=["agent", "lead", "admin"], required=True)
    create.add_argument("--team", required=True)
    create.add_argument("--password", help="for signing in to the web app")
    create.set_defaults(handler=cmd_users_create)

    tokens = sub.add_parser("tokens", help="manage API tokens").add_subparsers(
        dest="action", required=True
    )
    token_create = tokens.add_parser("create", help="issue a new token for a user")
    token_create.add_argument("email")
    token_create.add_argument("--name", default="default")
    token_create.set_defaults(handler=cmd_tokens_create)
    revoke = tokens.add_parser("revoke", help="revoke a token by its first characters")
    revoke.add_argument("prefix")
    revoke.set_defaults(handler=cmd_tokens_revoke)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sop-recorder`` console script."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    settings = get_settings()
    try:
        return int(args.handler(args, settings))
    except AppError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except (DBAPIError, PoolTimeout) as exc:
        if not is_database_unavailable(exc):
            raise
        print(f"error: {unreachable_database(settings, exc)}", file=sys.stderr)
        return 2


def unreachable_database(settings: Settings, exc: Exception) -> str:
    """What to tell someone whose database cannot be reached: where, why, and where it is set."""
    url = make_url(settings.resolved_database_url)
    check = ("Can this user create and write that file?" if url.get_backend_name() == "sqlite"
             else "Is the server running and taking connections?")
    return (f"cannot use the database {url.render_as_string(hide_password=True)}: "
            f"{driver_message(exc)}. {check} It is set by SOP_RECORDER_DATABASE_URL (without it, "
            "SQLite in SOP_RECORDER_DATA_DIR).")


if __name__ == "__main__":
    sys.exit(main())
