"""Passwords, API tokens, roles, and the ``CurrentUser`` dependencies."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request
from sqlalchemy import Row, Table, bindparam, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.database import SessionDep
from app.errors import Forbidden, Unauthorized
from app.models import ApiToken, Role, User, utcnow

TOKEN_PREFIX = "sr_"
_hasher = PasswordHasher()
#: ``last_used_at`` is written at most this often per token, to keep reads cheap.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (False for users without a password)."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def hash_token(token: str) -> str:
    """SHA-256 of a token; tokens carry 256 random bits, so no slow hash is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    session: Session, user: User, *, name: str = "default", expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create an API token for ``user``; returns the row and the only copy of the secret."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=secret[:10],
        token_hash=hash_token(secret),
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    return token, secret


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who a token speaks for, as much as scoping a query needs (a ``User`` has the same)."""

    id: int
    team_id: int
    role: Role


_TOKENS = cast(Table, ApiToken.__table__)
_USERS = cast(Table, User.__table__)
#: The token and its user in one read: built once, as it runs on every API request.
_TOKEN_LOOKUP = (
    select(_TOKENS.c.id, _TOKENS.c.revoked_at, _TOKENS.c.expires_at, _TOKENS.c.last_used_at,
           _USERS.c.id.label("user_id"), _USERS.c.team_id, _USERS.c.role, _USERS.c.is_active)
    .join(_USERS, _USERS.c.id == _TOKENS.c.user_id)
    .where(_TOKENS.c.token_hash == bindparam("token_hash"))
)
_TOUCH = (
    update(_TOKENS).where(_TOKENS.c.id == bindparam("token_id"))
    .values(last_used_at=bindparam("now"))
)


def _checked_token(connection: Connection, secret: str) -> tuple[Row[*tuple[Any, ...]], bool]:
    """The valid token behind ``secret`` with its user, and whether ``last_used_at`` is due.

    Raises ``Unauthorized`` for an unknown, revoked or expired token or a deactivated user.
    """
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        raise Unauthorized("invalid API token")
    token = connection.execute(_TOKEN_LOOKUP, {"token_hash": hash_token(secret)}).first()
    now = utcnow()
    if token is None or token.revoked_at is not None:
        raise Unauthorized("invalid or revoked API token")
    if token.expires_at is not None and _aware(token.expires_at) <= now:
        raise Unauthorized("API token expired")
    if not token.is_active:
        raise Unauthorized("user is deactivated")
    due = token.last_used_at is None or now - _aware(token.last_used_at) > _LAST_USED_RESOLUTION
    if due:
        connection.execute(_TOUCH, {"token_id": token.id, "now": now})
    return token, due


def token_caller(connection: Connection, secret: str) -> Caller:
    """The caller behind a bearer token, read with Core in ``connection``'s transaction.

    For the hot path of ingest: no ORM objects are loaded, and a due ``last_used_at`` is
    written in the caller's transaction, so it is kept when that transaction commits.
    """
    token, _ = _checked_token(connection, secret)
    return Caller(token.user_id, token.team_id, Role(token.role))


def authenticate_token(session: Session, secret: str) -> User:
    """The active user behind a bearer token, or ``Unauthorized``.

    A due ``last_used_at`` is committed at once, so that read-only requests record it too.
    """
    token, touched = _checked_token(session.connection(), secret)
    if touched:
        session.commit()
    user = session.get(User, token.user_id)
    if user is None:  # deleted since the token was read
        raise Unauthorized("invalid or revoked API token")
    return user


def bearer_secret(request: Request) -> str:
    """The token of the ``Authorization: Bearer`` header, or ``Unauthorized`` (no database)."""
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized(
            "missing bearer token", headers={"WWW-Authenticate": 'Bearer realm="sop-recorder"'}
        )
    return secret.strip()


def get_current_user(request: Request, session: SessionDep) -> User:
    """The user of a request, from its ``Authorization: Bearer`` header."""
    return authenticate_token(session, bearer_secret(request))


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_lead(user: CurrentUser) -> User:
    """The current user, if a lead or an admin."""
    if user.role not in (Role.lead, Role.admin):
        raise Forbidden("this needs the lead or admin role")
    return user


def require_admin(user: CurrentUser) -> User:
    """The current user, if an admin."""
    if user.role != Role.admin:
        raise Forbidden("this needs the admin role")
    return user


LeadUser = Annotated[User, Depends(require_lead)]
AdminUser = Annotated[User, Depends(require_admin)]
