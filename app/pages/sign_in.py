"""Sign-in and sign-out pages, and the start page that sends each visitor where they belong."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from app.auth import verify_password
from app.database import SessionDep
from app.models import User
from app.pages.rendering import redirect, render
from app.pages.session import VerifiedForm, current_session, start_session

router = APIRouter(include_in_schema=False)
#: Verified against when the email is unknown, so both failures take the same time.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$mzIa+iv1QkMDT1cs0qCZMQ$ObOXRry5NC61u1Tp0qwcze28A+cGt6gaMF8ROFjGNmo"
)


@dataclass(frozen=True, slots=True)
class SignInPage:
    """The sign-in form, with the address to return to and what went wrong, if anything."""

    next_url: str
    email: str = ""
    error: str = ""


def safe_next(value: str | None) -> str:
    """A same-site path to return to after signing in (never another host)."""
    if (value and value.startswith("/") and not value.startswith(("//", "/\\"))
            and value.isprintable() and " " not in value and len(value) <= 500):
        return value
    return "/workflows"


@router.get("/")
def home(request: Request, session: SessionDep) -> RedirectResponse:
    """Signed-in users go to their workflows; everyone else to the sign-in page."""
    data = current_session(request)
    signed_in = data.user_id is not None and session.get(User, data.user_id) is not None
    return redirect(request, "/workflows" if signed_in else "/login")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    """The sign-in form."""
    return render(request, "login.html", SignInPage(next_url=safe_next(next)), title="Sign in")


@router.post("/login", response_model=None)
def login(
    request: Request, form: VerifiedForm, session: SessionDep
) -> HTMLResponse | RedirectResponse:
    """Check email and password; on success start a new session (a new CSRF token too)."""
    email = str(form.get("email", "")).strip().lower()[:320]
    password = str(form.get("password", ""))[:1000]
    next_url = safe_next(str(form.get("next", "")))
    user = session.scalar(select(User).where(User.email == email)) if email else None
    valid = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not valid or not user.is_active:
        page = SignInPage(next_url, email, "The email or the password is wrong.")
        return render(request, "login.html", page, status=400, title="Sign in")
    start_session(request, user)
    return redirect(request, next_url)


@router.post("/logout")
def logout(request: Request, form: VerifiedForm) -> RedirectResponse:
    """End the session and go back to the sign-in page."""
    start_session(request, None)
    return redirect(request, "/login")
