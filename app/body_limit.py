"""``BodyLimit``: an ASGI cap on every request body, answered with 413 before reading past it.

FastAPI reads the whole body of an ordinary pydantic route before validating it; this
middleware sits in front of every route, so no body larger than its limit is ever held in
memory. A declared ``Content-Length`` over the limit is refused before a byte is read; a body
that grows past the limit while streaming (chunked) is refused as soon as it does. Routes
that take files (imports) get their own, larger limit by exact path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimit"]


class _TooLarge(Exception):
    """The body passed the limit while it was being read."""


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` (or ``per_path[path]``) with a JSON 413."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, setting: str,
                 per_path: Mapping[str, tuple[int, str]] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.setting = setting
        self.per_path = dict(per_path or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, setting = self.per_path.get(scope["path"], (self.max_bytes, self.setting))
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(send, limit, setting)
            return
        received = 0
        state = {"over": False, "refused": False}

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    state["over"] = True
                    raise _TooLarge
            return message

        async def watched_send(message: Message) -> None:
            # A route may turn the failed read into its own answer (FastAPI: a 400); the
            # client is told the truth instead.
            if not state["over"]:
                await send(message)
            elif not state["refused"]:
                state["refused"] = True
                await _refuse(send, limit, setting)

        try:
            await self.app(scope, counted_receive, watched_send)
        except _TooLarge:
            if not state["refused"]:
                state["refused"] = True
                await _refuse(send, limit, setting)


async def _refuse(send: Send, limit: int, setting: str) -> None:
    detail = f"request body is over the {limit}-byte limit (setting {setting})"
    body = json.dumps({"error": "payload_too_large", "detail": detail}).encode()
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]})
    await send({"type": "http.response.body", "body": body})
