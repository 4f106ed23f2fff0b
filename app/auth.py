"""Passwords, API tokens, roles, and the ``CurrentUser`` dependencies."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request
from sqlalchemy import select
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


def authenticate_token(session: Session, secret: str) -> User:
    """The active user behind a bearer token, or ``Unauthorized``."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        raise Unauthorized("invalid API token")
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    now = utcnow()
    if token is None or token.revoked_at is not None:
        raise Unauthorized("invalid or revoked API token")
    if token.expires_at is not None and _aware(token.expires_at) <= now:
        raise Unauthorized("API token expired")
    if not token.user.is_active:
        raise Unauthorized("user is deactivated")
    if token.last_used_at is None or now - _aware(token.last_used_at) > _LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.commit()
    return token.user


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
