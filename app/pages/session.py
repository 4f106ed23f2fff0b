"""Web-page sessions: a signed cookie, its CSRF token, and the ``CurrentPageUser`` dependency.

The cookie carries ``{user id, CSRF token, issued at, password fingerprint}`` signed with
HMAC-SHA256, so the web tier stays stateless (several workers or hosts share one secret). A
password change ends every session of that user because the fingerprint no longer matches.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from app.database import SessionDep
from app.errors import AppError, Forbidden, Unprocessable
from app.models import Role, User
from app.settings import Settings

COOKIE_NAME = "sop_session"
CSRF_FIELD = "csrf_token"
_SECRET_FILE = "session-secret"


class SignInRequired(AppError):
    """A signed-out visitor asked for a page; the page error handler redirects to /login."""

    status, code = 401, "sign_in_required"


@dataclass(frozen=True, slots=True)
class PageSession:
    """What the session cookie holds."""

    csrf_token: str
    issued_at: int
    user_id: int | None = None
    fingerprint: str = ""


def password_fingerprint(user: User) -> str:
    """A short digest of the user's password hash: changing the password ends old sessions."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def load_or_create_secret(settings: Settings) -> bytes:
    """The signing key: the configured one, or one generated once into the data directory."""
    if settings.session_secret:
        return settings.session_secret.encode()
    path = Path(settings.data_dir) / _SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip().encode()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode()


def _secret(request: Request) -> bytes:
    state = request.app.state
    if getattr(state, "session_secret", None) is None:
        state.session_secret = load_or_create_secret(state.settings)
    secret: bytes = state.session_secret
    return secret


def _sign(secret: bytes, body: bytes) -> str:
    return base64.urlsafe_b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()


def encode_session(secret: bytes, data: PageSession) -> str:
    """The cookie value: base64 JSON, a dot, and its HMAC."""
    payload = {"c": data.csrf_token, "t": data.issued_at, "u": data.user_id, "f": data.fingerprint}
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode())
    return f"{body.decode()}.{_sign(secret, body)}"


def decode_session(secret: bytes, value: str, *, max_age_s: int, now: float) -> PageSession | None:
    """The session in a cookie value, or ``None`` if it is forged, malformed or expired."""
    body, _, signature = value.partition(".")
    if not body or not hmac.compare_digest(_sign(secret, body.encode()), signature):
        return None
    try:
        payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body.encode()))
        data = PageSession(
            csrf_token=str(payload["c"]),
            issued_at=int(payload["t"]),
            user_id=int(payload["u"]) if payload.get("u") is not None else None,
            fingerprint=str(payload.get("f", "")),
        )
    except (ValueError, KeyError, TypeError):
        return None
    if now - data.issued_at > max_age_s:
        return None
    return data


def new_session(user: User | None = None) -> PageSession:
    """A fresh session (new CSRF token), signed in as ``user`` or anonymous."""
    return PageSession(
        csrf_token=secrets.token_urlsafe(32),
        issued_at=int(time.time()),
        user_id=user.id if user else None,
        fingerprint=password_fingerprint(user) if user else "",
    )


def current_session(request: Request) -> PageSession:
    """This request's session: from its cookie, or a new anonymous one to be set on the reply."""
    cached: PageSession | None = getattr(request.state, "page_session", None)
    if cached is not None:
        return cached
    settings: Settings = request.app.state.settings
    raw = request.cookies.get(COOKIE_NAME, "")
    data = decode_session(
        _secret(request), raw, max_age_s=settings.session_max_age_s, now=time.time()
    ) if raw else None
    if data is None:
        data = new_session()
        request.state.session_changed = True
    request.state.page_session = data
    return data


def start_session(request: Request, user: User | None) -> PageSession:
    """Replace the session (sign in or out); the reply will carry the new cookie."""
    data = new_session(user)
    request.state.page_session = data
    request.state.session_changed = True
    return data


def set_session_cookie(request: Request, response: Response) -> None:
    """Write the session cookie on ``response`` if this request created or changed it."""
    if not getattr(request.state, "session_changed", False):
        return
    settings: Settings = request.app.state.settings
    data: PageSession = request.state.page_session
    response.set_cookie(
        COOKIE_NAME,
        encode_session(_secret(request), data),
        max_age=settings.session_max_age_s,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure or request.url.scheme == "https",
        path="/",
    )


def get_page_user(request: Request, session: SessionDep) -> User:
    """The signed-in user of a page request, or ``SignInRequired`` (a redirect to /login)."""
    data = current_session(request)
    user = session.get(User, data.user_id) if data.user_id is not None else None
    if user is None or not user.is_active or password_fingerprint(user) != data.fingerprint:
        if data.user_id is not None:
            start_session(request, None)
        raise SignInRequired("sign in to see this page")
    request.state.page_user = user
    return user


CurrentPageUser = Annotated[User, Depends(get_page_user)]


def require_page_lead(user: CurrentPageUser) -> User:
    """The signed-in user, if a lead or an admin (agents read, leads change)."""
    if user.role not in (Role.lead, Role.admin):
        raise Forbidden("only a team lead can change this workflow")
    return user


def require_page_admin(user: CurrentPageUser) -> User:
    """The signed-in user, if an admin."""
    if user.role != Role.admin:
        raise Forbidden("only an admin can manage users and tokens")
    return user


PageLead = Annotated[User, Depends(require_page_lead)]
PageAdmin = Annotated[User, Depends(require_page_admin)]


async def verified_form(request: Request) -> FormData:
    """The posted form, if it carries this session's CSRF token; else 403 before any change."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = current_session(request).csrf_token
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise Forbidden("this form has expired or did not come from this site; reload the page "
                        "and try again")
    if any(isinstance(value, str) and "\x00" in value for value in form.values()):
        raise Unprocessable("the form holds a NUL character, which no field accepts")
    return form


VerifiedForm = Annotated[FormData, Depends(verified_form)]

__all__ = [
    "COOKIE_NAME",
    "CSRF_FIELD",
    "CurrentPageUser",
    "PageAdmin",
    "PageLead",
    "PageSession",
    "SignInRequired",
    "VerifiedForm",
    "current_session",
    "decode_session",
    "encode_session",
    "get_page_user",
    "load_or_create_secret",
    "new_session",
    "set_session_cookie",
    "start_session",
]
