"""Rendering of the pages: the Jinja environment, security headers, and HTML error pages."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.errors import AppError
from app.pages.session import CSRF_FIELD, SignInRequired, current_session, set_session_cookie
from app.templating import template_environment

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


def _page_environment() -> Environment:
    """The shared environment, overlaid so that page-only filters stay out of the outputs'."""
    env = template_environment().overlay()
    env.filters = dict(env.filters)
    env.globals = dict(env.globals)
    return env


templates = Jinja2Templates(env=_page_environment())

#: No inline script can run even if some text escaped its escaping; styles may be inline
#: because the generated SVG charts and maps carry presentation attributes.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
_NOT_PAGES = ("/api/", "/healthz", "/openapi.json", "/docs", "/redoc", "/static/")


def render(request: Request, template: str, page: Any, *, status: int = 200,
           title: str = "") -> HTMLResponse:
    """Render ``templates/pages/<template>`` with its typed page context ``page``."""
    session = current_session(request)
    context = {
        "page": page,
        "title": title,
        "user": getattr(request.state, "page_user", None),
        "csrf_field": CSRF_FIELD,
        "csrf_token": session.csrf_token,
        "current_path": request.url.path,
    }
    response = templates.TemplateResponse(
        request, f"pages/{template}", context, status_code=status
    )
    finish_page_response(request, response)
    return response


def finish_page_response(request: Request, response: Response) -> None:
    """Session cookie and security headers on every page reply (and redirect)."""
    set_session_cookie(request, response)
    response.headers.update(SECURITY_HEADERS)


def redirect(request: Request, url: str) -> RedirectResponse:
    """A 303 See Other (after a POST, or to the sign-in page) carrying the session cookie."""
    response = RedirectResponse(url, status_code=303)
    finish_page_response(request, response)
    return response


def is_page_request(request: Request) -> bool:
    """Whether an error on this path should be an HTML page rather than JSON."""
    return not request.url.path.startswith(_NOT_PAGES)


def _sign_in_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect(request, "/login?next=" + quote(target, safe=""))


@dataclass(frozen=True, slots=True)
class ErrorPage:
    """An error page: the status, a heading and what went wrong."""

    status: int
    heading: str
    message: str


def _error_page(request: Request, status: int, message: str) -> Response:
    heading = {403: "Not allowed", 404: "Not found", 503: "Unavailable"}.get(
        status, "Something is wrong")
    page = ErrorPage(status, heading, message)
    return render(request, "error.html", page, status=status, title=heading)


async def _delegate(handler: Any, request: Request, exc: Exception) -> Response:
    result = handler(request, exc)
    response: Response = await result if inspect.isawaitable(result) else result
    return response


def install_page_error_pages(app: FastAPI) -> None:
    """HTML error pages (and the redirect to /login) for page paths; JSON for the API."""
    json_handlers = {kind: app.exception_handlers[kind]
                     for kind in (AppError, StarletteHTTPException, RequestValidationError)}

    async def page_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, SignInRequired):
            return _sign_in_redirect(request)
        if is_page_request(request):
            if isinstance(exc, AppError):
                response = _error_page(request, exc.status, exc.message)
                response.headers.update(exc.headers)  # Retry-After of a 503, for one
                return response
            status = getattr(exc, "status_code", 404)
            if status in (404, 405) or isinstance(exc, RequestValidationError):
                return _error_page(request, 404, "There is no page at this address.")
        kind = next(k for k in json_handlers if isinstance(exc, k))
        return await _delegate(json_handlers[kind], request, exc)

    for kind in json_handlers:
        app.add_exception_handler(kind, page_error)


def format_moment(moment: datetime | None) -> str:
    """A UTC time for people: ``"2026-11-23 14:05 UTC"`` (``"—"`` when unknown)."""
    if moment is None:
        return "—"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


templates.env.filters["moment"] = format_moment
