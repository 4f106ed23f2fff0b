"""``sop-recorder``: serve, users, tokens (and, as they land, import, export, demo)."""

from __future__ import annotations

import argparse
import logging
import secrets
import sys
from collections.abc import Sequence

from sqlalchemy.orm import Session

from app import accounts
from app.database import make_engine, make_session_factory
from app.errors import AppError
from app.migrate import upgrade
from app.settings import Settings, get_settings

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
    print(f"SOP Recorder on http://{host}:{port}  (database: {settings.resolved_database_url})")
    uvicorn.run(
        "app.main:create_app", factory=True, host=host, port=port, workers=args.workers,
        log_level="info",
    )
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Apply the migrations up to the newest schema."""
    _session(settings).close()
    print("The database schema is up to date.")
    return 0


def cmd_users_create(args: argparse.Namespace, settings: Settings) -> int:
    """Create a user; the API token is the last line of the output."""
    with _session(settings) as session:
        user, secret = accounts.create_user(session, args.email, args.role, args.team, args.password)
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
    serve.set_defaults(handler=cmd_serve)

    migrate = sub.add_parser("migrate", help="apply the database migrations")
    migrate.set_defaults(handler=cmd_migrate)

    users = sub.add_parser("users", help="manage users").add_subparsers(dest="action", required=True)
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
    try:
        return int(args.handler(args, get_settings()))
    except AppError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
