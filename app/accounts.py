"""Use cases of accounts: teams, users and their API tokens. Each commits once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import hash_password, issue_token
from app.errors import Conflict, NotFound, Unprocessable
from app.models import ApiToken, Role, Team, User, utcnow


def get_or_create_team(session: Session, name: str) -> Team:
    """The team called ``name``, created if missing (not committed)."""
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        team = Team(name=name)
        session.add(team)
        session.flush()
    return team


def create_user(
    session: Session, email: str, role: str, team_name: str, password: str | None = None
) -> tuple[User, str]:
    """Create a user in a team (created if new) with a first API token; returns the secret."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise Unprocessable(f"not an email address: {email[:80]!r}")
    try:
        role_value = Role(role)
    except ValueError as exc:
        raise Unprocessable(f"role must be one of agent, lead, admin, not {role!r}") from exc
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise Conflict(f"a user with email {email} already exists")
    team = get_or_create_team(session, team_name)
    user = User(
        email=email,
        role=role_value,
        team_id=team.id,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    _, secret = issue_token(session, user)
    session.commit()
    return user, secret


def create_token(session: Session, email: str, name: str = "default") -> str:
    """A new API token for an existing user; returns the secret (shown once)."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"no user {email}")
    _, secret = issue_token(session, user, name=name)
    session.commit()
    return secret


def revoke_token(session: Session, prefix: str) -> int:
    """Revoke every live token whose secret starts with ``prefix``; returns how many."""
    if len(prefix) < 8:
        raise Unprocessable("give at least the first 8 characters of the token")
    tokens = session.scalars(
        select(ApiToken).where(ApiToken.prefix == prefix[:10], ApiToken.revoked_at.is_(None))
    ).all()
    for token in tokens:
        token.revoked_at = utcnow()
    session.commit()
    return len(tokens)


def ensure_first_admin(session: Session, password: str) -> User | None:
    """On an empty database, create ``admin@localhost`` with ``password``; else ``None``."""
    if session.scalar(select(User.id).limit(1)) is not None:
        return None
    user, _ = create_user(session, "admin@localhost", "admin", "Support", password)
    return user
