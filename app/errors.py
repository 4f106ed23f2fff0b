"""The error hierarchy: each error carries its HTTP status; one handler renders them all.

Failures that are not a client's fault get the same body: a database that cannot be reached
(or is busy beyond its timeout) is a ``503`` with ``Retry-After``, which the extension waits out
before it sends again; anything else unexpected is a ``500``. Neither says more than that: the
cause goes to the log, not to the client.
"""

from __future__ import annotations

import inspect
import logging
import sqlite3
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

#: Seconds a client is told to wait when the database is unavailable: longer than the
#: overload's ``Retry-After``, since an outage outlasts a busy moment.
UNAVAILABLE_RETRY_AFTER_S = 5


class AppError(Exception):
    """Base of every error that reaches a client; ``status`` is the HTTP status."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []
        self.headers = dict(headers or {})


class BadRequest(AppError):
    status, code = 400, "bad_request"


class Unauthorized(AppError):
    status, code = 401, "unauthorized"


class Forbidden(AppError):
    status, code = 403, "forbidden"


class NotFound(AppError):
    status, code = 404, "not_found"


class Conflict(AppError):
    status, code = 409, "conflict"


class PayloadTooLarge(AppError):
    status, code = 413, "payload_too_large"


class UnsupportedMediaType(AppError):
    status, code = 415, "unsupported_media_type"


class Unprocessable(AppError):
    status, code = 422, "invalid"


class TooManyRequests(AppError):
    status, code = 429, "too_many_requests"


class InternalError(AppError):
    status, code = 500, "internal"


class ServiceUnavailable(AppError):
    status, code = 503, "unavailable"


def is_database_unavailable(exc: Exception) -> bool:
    """Whether ``exc`` means the database could not serve, rather than a fault of ours.

    That is a pool with no connection to give, any driver error after which the connection
    was found dead, and the driver's ``OperationalError`` when its code says so. Both drivers
    raise that class for faults of ours too (SQLite for a missing table or bad SQL,
    PostgreSQL for a statement past a limit of its own), so the codes decide: SQLite's of a
    file that cannot be opened, read or written, or that stays locked past the busy timeout;
    PostgreSQL's of a connection refused or lost, a server shutting down or short of
    resources, a deadlock, a cancelled statement or a lock not granted.
    """
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    code = getattr(exc.orig, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _SQLITE_UNAVAILABLE
    state = getattr(exc.orig, "sqlstate", None)  # none when there was no server to answer
    return state is None or state[:2] in _SQLSTATE_UNAVAILABLE or state == _LOCK_NOT_AVAILABLE


def driver_message(exc: Exception) -> str:
    """The first line of what the database driver said (SQLAlchemy's wrapper adds the SQL)."""
    return str(getattr(exc, "orig", None) or exc).strip().partition("\n")[0]


#: SQLite's primary result codes for a database that cannot serve (extended codes carry one
#: of these in their low byte).
_SQLITE_UNAVAILABLE = frozenset({
    sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PROTOCOL,
})
#: PostgreSQL's SQLSTATE classes for the same: connection exception, transaction rollback
#: (deadlock, serialization), insufficient resources, operator intervention, system error.
_SQLSTATE_UNAVAILABLE = frozenset({"08", "40", "53", "57", "58"})
_LOCK_NOT_AVAILABLE = "55P03"


def format_location(loc: tuple[int | str, ...] | list[int | str]) -> str:
    """``("events", 3, "click", "target", "name")`` -> ``events[3].target.name``.

    The discriminator tag that pydantic inserts for tagged unions is dropped.
    """
    out = ""
    previous_was_index = False
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            previous_was_index = True
            continue
        if previous_was_index and part in _EVENT_TAGS:
            previous_was_index = False
            continue
        out += f".{part}" if out else str(part)
        previous_was_index = False
    return out


_EVENT_TAGS = frozenset(
    {"navigation", "click", "change", "submit", "tab_switch", "visibility", "marker"}
)


def validation_errors(raw: list[Any]) -> list[dict[str, Any]]:
    """Turn pydantic's error list into ``[{"loc": "events[3].page.url", "msg": ...}]``."""
    out = []
    for err in raw[:50]:
        loc = [p for p in err.get("loc", ()) if p not in ("body",)]
        where = format_location(loc) or "body"
        out.append({"loc": where, "msg": str(err.get("msg", "invalid"))[:300]})
    return out


def _body(code: str, message: str, errors: list[dict[str, Any]]) -> dict[str, Any]:
    body: dict[str, Any] = {"error": code, "detail": message}
    if errors:
        body["errors"] = errors
    return body


ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "a stable machine-readable code"},
        "detail": {"type": "string", "description": "what is wrong, and where"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["loc", "msg"],
                "properties": {"loc": {"type": "string"}, "msg": {"type": "string"}},
            },
        },
    },
}


def document_errors(openapi: dict[str, Any]) -> dict[str, Any]:
    """Declare the one error body on every operation: as its 422 and as its ``default``."""
    openapi.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {
        "description": "Error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for path_item in openapi.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = {**error, "description": "Invalid request"}
            responses.setdefault("default", error)
    schemas = openapi["components"]["schemas"]
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return openapi


def install_error_handlers(app: FastAPI) -> None:
    """Render every error as ``{"error", "detail", "errors"?}`` with its status, and say so."""
    build_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(build_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        return JSONResponse(
            _body(exc.code, exc.message, exc.errors), status_code=exc.status, headers=exc.headers
        )

    async def as_app_error(request: Request, error: AppError) -> Response:
        # Looked up per request: the pages replace the AppError handler with HTML pages.
        result = request.app.exception_handlers[AppError](request, error)
        response: Response = await result if inspect.isawaitable(result) else result
        return response

    async def _database_error(request: Request, exc: Exception) -> Response:
        if is_database_unavailable(exc):
            log.warning("database unavailable on %s %s: %.200s", request.method,
                        request.url.path, driver_message(exc))
            return await as_app_error(request, ServiceUnavailable(
                "the database is unavailable; try again shortly",
                headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER_S)},
            ))
        log.error("database error on %s %s", request.method, request.url.path, exc_info=exc)
        return await _unexpected(request, exc)

    async def _unexpected(request: Request, exc: Exception) -> Response:
        # For an ``Exception`` handler, Starlette raises ``exc`` again after this answer,
        # so the server logs its traceback.
        return await as_app_error(request, InternalError("an unexpected error; it was logged"))

    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeout, _database_error)
    app.add_exception_handler(Exception, _unexpected)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        raw = list(exc.errors())
        broken = next((e for e in raw if e.get("type") == "json_invalid"), None)
        if broken is not None:
            where = (broken.get("ctx") or {}).get("error", "")
            detail = f"the body is not valid JSON: {str(where)[:200]}".rstrip(": ")
            return JSONResponse(_body("bad_request", detail, []), status_code=400)
        errors = validation_errors(raw)
        first = errors[0] if errors else {"loc": "", "msg": "invalid request"}
        message = f"{first['loc']}: {first['msg']}" if first["loc"] else first["msg"]
        return JSONResponse(_body("invalid", message, errors), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        return JSONResponse(
            _body(code, str(exc.detail), []),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )
