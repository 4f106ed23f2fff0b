"""The real service for the extension's browser tests, with every request it receives logged.

``uvicorn tests.browser.extension_server:create_logged_app --factory`` serves ``app.main``
unchanged; the wrapper appends each request's method, path, query and body to the JSON-lines
file named by ``SOP_RECORDER_TEST_BODY_LOG``, so a test can prove what reached the server.
The app's own loggers write at uvicorn's ``--log-level`` beside uvicorn's lines.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.main import create_app


def create_logged_app() -> ASGIApp:
    """``create_app()`` behind a request-body logger."""
    level = logging.getLogger("uvicorn.error").getEffectiveLevel()
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    app = create_app()
    log = Path(os.environ["SOP_RECORDER_TEST_BODY_LOG"])

    async def logged(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def receive_logged() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        try:
            await app(scope, receive_logged, send)
        finally:
            entry: dict[str, Any] = {
                "method": scope["method"],
                "path": scope["path"],
                "query": scope.get("query_string", b"").decode("latin-1"),
                "body": b"".join(chunks).decode("utf-8", "replace"),
            }
            with log.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry) + "\n")

    return logged
