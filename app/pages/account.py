"""The signed-in user's own page: their API tokens for the extension and how to install it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import accounts
from app.database import SessionDep
from app.errors import NotFound
from app.models import ApiToken, User
from app.pages.rendering import redirect, render
from app.pages.session import CurrentPageUser, VerifiedForm

router = APIRouter(include_in_schema=False)
TokenId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@dataclass(frozen=True, slots=True)
class AccountPage:
    """The user's tokens, a just-issued secret (shown once), and the server address."""

    tokens: list[ApiToken]
    server_url: str
    new_secret: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def user_tokens(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first."""
    return list(session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all())


def _page(
    request: Request, session: Session, user: User, *, new_secret: str = "",
    errors: dict[str, str] | None = None,
) -> AccountPage:
    server = str(request.app.state.settings.public_url or request.base_url).rstrip("/")
    return AccountPage(user_tokens(session, user), server, new_secret, errors or {})


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, user: CurrentPageUser, session: SessionDep) -> HTMLResponse:
    """Who I am, my tokens, and how to set up the extension."""
    return render(request, "account.html", _page(request, session, user), title="My account")


@router.post("/account/tokens", response_class=HTMLResponse)
def issue_own_token(
    request: Request, form: VerifiedForm, user: CurrentPageUser, session: SessionDep
) -> HTMLResponse:
    """Issue a new token; its secret is shown on this reply only."""
    name = str(form.get("name", "")).strip()
    if not name or len(name) > 100:
        page = _page(request, session, user,
                     errors={"name": "Give the token a name of 1 to 100 characters."})
        return render(request, "account.html", page, status=422, title="My account")
    secret = accounts.create_token(session, user.email, name)
    page = _page(request, session, user, new_secret=secret)
    return render(request, "account.html", page, status=201, title="My account")


@router.post("/account/tokens/{token_id}/revoke")
def revoke_own_token(
    request: Request, token_id: TokenId, form: VerifiedForm, user: CurrentPageUser,
    session: SessionDep,
) -> RedirectResponse:
    """Revoke one of my tokens (another user's answers 404)."""
    token = session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    if token is None:
        raise NotFound(f"token {token_id} not found")
    accounts.revoke_token(session, token.prefix)
    return redirect(request, "/account")
