"""Fixtures of the extension's browser tests: the real service, a two-origin test site, and a
Chromium with the unpacked extension loaded. One of each per test session, shared by the tests.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import CHROMIUM_ARGS, require_chromium

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "recorder_extension"
SITE = Path(__file__).resolve().parent / "site"
PYTHON = Path(sys.executable)
#: Script that reads the extension's recording session from its storage (run in the popup).
SESSION = "chrome.storage.local.get('session').then(s => s.session)"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], Any], timeout: float = 20.0, interval: float = 0.1) -> Any:
    """Poll ``check`` until it returns something truthy; fail with its last value otherwise."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")


@dataclass
class LiveService:
    """``sop-recorder`` under uvicorn on a fixed port, stoppable and restartable."""

    data_dir: Path
    port: int
    body_log: Path
    token: str = ""
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)
    #: When set, the server's output goes to this file, at INFO level with access logs.
    server_log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "sop-recorder.db"

    def create_user(self, email: str, role: str = "agent", password: str = "") -> str:
        """Create a user of team Support (an agent unless told) with the CLI and return the API
        token (its last output line); with ``password`` they can also sign in to the pages."""
        signs_in = ["--password", password] if password else []
        out = subprocess.run(
            [
                str(PYTHON),
                "-m",
                "app.cli",
                "users",
                "create",
                email,
                "--role",
                role,
                "--team",
                "Support",
                *signs_in,
            ],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout.strip().splitlines()[-1]

    def start(self) -> None:
        output = self.server_log.open("ab") if self.server_log else None
        self.process = subprocess.Popen(
            [
                str(PYTHON),
                "-m",
                "uvicorn",
                "tests.browser.extension_server:create_logged_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "info" if output else "warning",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
        )
        if output:
            output.close()
        try:
            wait_until(self.healthy, timeout=30)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.log_text()[-4000:]}") from None

    def log_text(self) -> str:
        """Everything the server wrote to its log so far ("" without ``server_log``)."""
        if self.server_log is None or not self.server_log.exists():
            return ""
        return self.server_log.read_text("utf-8", "replace")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=15)
            self.process = None

    def requests(self) -> list[dict[str, Any]]:
        """Every request the service received so far: method, path, query, body."""
        if not self.body_log.exists():
            return []
        return [json.loads(line) for line in self.body_log.read_text("utf-8").splitlines()]

    def events(self, recording_id: int) -> list[dict[str, Any]]:
        """The stored events of a recording, in ``seq`` order, read from the database."""
        with sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True) as db:
            db.row_factory = sqlite3.Row
            rows = db.execute(
                "SELECT * FROM events WHERE recording_id = ? ORDER BY seq", (recording_id,)
            ).fetchall()
        out = []
        for row in rows:
            item = dict(row)
            item["target"] = json.loads(item["target"]) if item["target"] else None
            out.append(item)
        return out

    def workflow_of(self, recording_id: int) -> str:
        """The name of the workflow a recording went into."""
        with sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True) as db:
            row = db.execute(
                "SELECT w.name FROM recordings r JOIN workflows w ON w.id = r.workflow_id"
                " WHERE r.id = ?",
                (recording_id,),
            ).fetchone()
        return str(row[0])

    def database_text(self) -> str:
        """The whole database as SQL text, to search for what must never be stored."""
        with sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True) as db:
            return "\n".join(db.iterdump())


@pytest.fixture(scope="session")
def live_service() -> Iterator[LiveService]:
    """The real service on a temp SQLite database, with one agent and their token; its log
    (INFO, access lines included) goes to ``server.log`` beside the database."""
    with tempfile.TemporaryDirectory(prefix="sop-ext-") as tmp:
        data_dir = Path(tmp) / "data"
        service = LiveService(
            data_dir=data_dir,
            port=free_port(),
            body_log=Path(tmp) / "bodies.jsonl",
            server_log=Path(tmp) / "server.log",
        )
        service.env = {
            **os.environ,
            "SOP_RECORDER_DATA_DIR": str(data_dir),
            "SOP_RECORDER_TEST_BODY_LOG": str(service.body_log),
        }
        service.env.pop("SOP_RECORDER_DATABASE_URL", None)
        service.token = service.create_user("agent@example.com")
        service.start()
        yield service
        service.stop()


class _SiteHandler(SimpleHTTPRequestHandler):
    config_js = b""

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/site-config.js":
            self.send_response(200)
            self.send_header("Content-Type", "text/javascript")
            self.send_header("Content-Length", str(len(self.config_js)))
            self.end_headers()
            self.wfile.write(self.config_js)
            return
        if path.startswith("/helpdesk/tickets/") or path == "/helpdesk/":
            self.path = "/helpdesk/index.html"
        super().do_GET()


@dataclass
class SiteOrigins:
    """Help desk on 127.0.0.1:<p1>, billing on localhost:<p2>, a denied bank on 127.0.0.1:<p2>."""

    helpdesk: str
    billing: str
    bank: str


@pytest.fixture(scope="session")
def site_origins() -> Iterator[SiteOrigins]:
    """Serve tests/browser/site on two ports, reached under three origins."""
    servers = [
        ThreadingHTTPServer(("127.0.0.1", 0), partial(_SiteHandler, directory=str(SITE)))
        for _ in range(2)
    ]
    p1, p2 = (server.server_address[1] for server in servers)
    site = SiteOrigins(
        helpdesk=f"http://127.0.0.1:{p1}",
        billing=f"http://localhost:{p2}",
        bank=f"http://127.0.0.1:{p2}",
    )
    origins = {"helpdesk": site.helpdesk, "billing": site.billing, "bank": site.bank}
    _SiteHandler.config_js = f"window.SITE = {json.dumps(origins)};".encode()
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield site
    for server in servers:
        server.shutdown()
        server.server_close()


@dataclass
class SentRequest:
    """A request the extension made (from its service worker or one of its own pages)."""

    url: str
    body: str


@dataclass
class ExtensionBrowser:
    """A persistent Chromium context with the extension, its id, and every request it sent."""

    context: Any
    extension_id: str
    sent: list[SentRequest] = field(default_factory=list)

    def record_request(self, request: Any) -> None:
        """Keep network requests made by the service worker or by an extension page."""
        if not request.url.startswith(("http://", "https://")):
            return
        if request.service_worker is None:
            try:
                origin = request.frame.url
            except PlaywrightError:  # no frame: not a page's request, and not the worker's
                return
            if not origin.startswith(self.page_url("")):
                return
        self.sent.append(SentRequest(url=request.url, body=request.post_data or ""))

    def page_url(self, path: str) -> str:
        return f"chrome-extension://{self.extension_id}/{path}"

    def stop_service_worker(self) -> None:
        """Stop the extension's worker as a browser would, from chrome://serviceworker-internals."""
        page = self.context.new_page()
        page.goto("chrome://serviceworker-internals/")
        page.get_by_role("button", name="Stop").first.click()
        wait_until(lambda: "Running Status: STOPPED" in page.inner_text("body"), timeout=10)
        page.close()


@pytest.fixture(scope="session")
def extension_browser(playwright_instance: Any) -> Iterator[ExtensionBrowser]:
    """Chromium (headless) with recorder_extension/ loaded unpacked in a fresh profile."""
    with tempfile.TemporaryDirectory(prefix="sop-ext-profile-") as profile:
        context = playwright_instance.chromium.launch_persistent_context(
            profile,
            executable_path=require_chromium(),
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                f"--disable-extensions-except={EXTENSION}",
                f"--load-extension={EXTENSION}",
            ],
        )
        worker = (
            context.service_workers[0]
            if context.service_workers
            else context.wait_for_event("serviceworker", timeout=15_000)
        )
        ext = ExtensionBrowser(context=context, extension_id=worker.url.split("/")[2])
        context.on("request", ext.record_request)
        yield ext
        context.close()


# ---- what an agent does in the extension's own pages ----


def configure(ext: ExtensionBrowser, service: LiveService, deny: str) -> str:
    """Fill the options page as an agent would and return its status line."""
    page = ext.context.new_page()
    page.goto(ext.page_url("options/options.html"))
    page.fill("#server-url", service.url)
    page.fill("#token", "wrong-token")
    page.click("#save")
    page.wait_for_selector("#result.error")
    refused = page.inner_text("#result")
    page.fill("#token", service.token)
    page.fill("#deny", deny)
    page.click("#save")
    page.wait_for_selector("#result:has-text('Saved.')")
    status = page.inner_text("#result")
    page.close()
    return f"{refused}\n{status}"


def open_popup(ext: ExtensionBrowser) -> Any:
    """The popup page, opened as a tab of the recorded window."""
    popup = ext.context.new_page()
    popup.goto(ext.page_url("popup/popup.html"))
    popup.wait_for_selector(
        "#start-panel:not([hidden]), #run-panel:not([hidden]), #done-panel:not([hidden])"
    )
    if popup.is_visible("#new-recording"):
        popup.click("#new-recording")
    popup.wait_for_selector("#start:not([disabled])")
    return popup


def start(popup: Any, workflow: str, ticket: str = "", *, pick: bool = False) -> None:
    """Pick an existing workflow from the server's list (or name a new one) and press Start."""
    if pick:
        popup.wait_for_selector(f"#workflow-pick option:has-text('{workflow}')", state="attached")
        popup.select_option("#workflow-pick", label=workflow)
    else:
        popup.select_option("#workflow-pick", "")
        popup.fill("#workflow-name", workflow)
    popup.fill("#ticket-ref", ticket)
    popup.click("#start")
    popup.wait_for_selector("#run-panel:not([hidden])")


def stop(popup: Any) -> int:
    """Press Stop, wait for the link to the recording and return the recording id."""
    popup.bring_to_front()
    popup.click("#stop")
    popup.wait_for_selector("#done-panel:not([hidden])", timeout=30_000)
    href = popup.get_attribute("#recording-link", "href")
    match = re.search(r"/recordings/(\d+)$", href or "")
    assert match, href
    return int(match.group(1))


def tab_id(popup: Any, url_part: str) -> int:
    """The Chrome tab id of the tab whose URL contains ``url_part`` (asked from the popup)."""
    tabs = popup.evaluate("chrome.tabs.query({}).then(ts => ts.map(t => [t.id, t.url]))")
    return next(int(tid) for tid, url in tabs if url_part in url)


def summary(event: dict[str, Any]) -> tuple[Any, ...]:
    """The parts of a stored event that a scripted run can predict."""
    target = event["target"] or {}
    kind = event["type"]
    if kind == "click":
        return (kind, target.get("role"), target.get("name"))
    if kind == "change":
        return (kind, event["control"], event["field"], event["choice"], event["checked"])
    if kind == "navigation":
        return (kind, event["transition"], event["url"])
    if kind == "submit":
        return (kind, target.get("name"))
    if kind == "marker":
        return (kind, event["label"])
    return (kind,)
