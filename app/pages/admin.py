"""The admin page: users, teams and API tokens (create a user, issue and revoke tokens)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import accounts
from app.database import SessionDep
from app.errors import AppError, NotFound
from app.models import ApiToken, Role, Team, User
from app.pages.rendering import redirect, render
from app.pages.session import PageAdmin, VerifiedForm

router = APIRouter(include_in_schema=False)
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
MIN_PASSWORD = 10


@dataclass(frozen=True, slots=True)
class TeamRow:
    """A team and how many users it has."""

    name: str
    members: int


@dataclass(frozen=True, slots=True)
class AdminPage:
    """Users, teams, tokens; the create-user form's values and errors; a secret shown once."""

    users: list[User]
    teams: list[TeamRow]
    tokens: list[ApiToken]
    roles: list[str]
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    new_secret: str = ""
    new_secret_for: str = ""


def _page(
    session: Session, *, values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None, secret: str = "", secret_for: str = "",
) -> AdminPage:
    members = dict(session.execute(select(User.team_id, func.count()).group_by(User.team_id)).all())
    teams = [TeamRow(t.name, int(members.get(t.id, 0)))
             for t in session.scalars(select(Team).order_by(Team.name))]
    users = list(session.scalars(select(User).order_by(User.email)).all())
    tokens = list(session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc(),
                                                             ApiToken.id.desc()).limit(200)).all())
    return AdminPage(users, teams, tokens, [r.value for r in Role], values or {}, errors or {},
                     secret, secret_for)


def user_form_errors(values: dict[str, str]) -> dict[str, str]:
    """What is wrong with the create-user form, field by field (empty when valid)."""
    errors = {}
    email = values["email"]
    if "@" not in email or len(email) > 320 or email.startswith("@") or email.endswith("@"):
        errors["email"] = "Enter an email address such as name@example.com."
    if values["role"] not in {r.value for r in Role}:
        errors["role"] = "Choose agent, lead or admin."
    if not values["team"] or len(values["team"]) > 200:
        errors["team"] = "Name the team (1 to 200 characters); a new name creates the team."
    if len(values["password"]) < MIN_PASSWORD:
        errors["password"] = f"Use at least {MIN_PASSWORD} characters."
    return errors


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, user: PageAdmin, session: SessionDep) -> HTMLResponse:
    """Users, teams and tokens."""
    return render(request, "admin.html", _page(session), title="Admin")


@router.post("/admin/users", response_class=HTMLResponse)
def create_user(
    request: Request, form: VerifiedForm, user: PageAdmin, session: SessionDep
) -> HTMLResponse:
    """Create a user (and their team if new); their first API token is shown once."""
    values = {k: str(form.get(k, "")).strip() for k in ("email", "role", "team")}
    values["password"] = str(form.get("password", ""))
    errors = user_form_errors(values)
    if not errors:
        try:
            created, secret = accounts.create_user(
                session, values["email"], values["role"], values["team"], values["password"]
            )
        except AppError as exc:
            errors = {"email": exc.message}
        else:
            page = _page(session, secret=secret, secret_for=created.email)
            return render(request, "admin.html", page, status=201, title="Admin")
    values.pop("password")
    page = _page(session, values=values, errors=errors)
    return render(request, "admin.html", page, status=422, title="Admin")


@router.post("/admin/users/{user_id}/tokens", response_class=HTMLResponse)
def issue_token(
    request: Request, user_id: RowId, form: VerifiedForm, user: PageAdmin, session: SessionDep
) -> HTMLResponse:
    """Issue another token for a user; shown once."""
    target = session.get(User, user_id)
    if target is None:
        raise NotFound(f"user {user_id} not found")
    secret = accounts.create_token(session, target.email, "issued by admin")
    page = _page(session, secret=secret, secret_for=target.email)
    return render(request, "admin.html", page, status=201, title="Admin")


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, token_id: RowId, form: VerifiedForm, user: PageAdmin, session: SessionDep
) -> RedirectResponse:
    """Revoke a token."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"token {token_id} not found")
    accounts.revoke_token(session, token.prefix)
    return redirect(request, "/admin#tokens")
