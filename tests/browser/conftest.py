"""Real-Chromium fixtures: Debian's Chromium driven by Playwright's Python API.

Outside CI a missing Chromium skips these tests; under ``CI=true`` it fails them, so CI can never
pass without having run them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SOP_RECORDER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
#: Screenshots and other artifacts for review land here (ignored by git).
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def require_chromium() -> str:
    """The Chromium binary, or skip (fail under CI) when it is not installed."""
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"Chromium not found at {CHROMIUM}; CI must run the browser tests")
    pytest.skip(f"Chromium not found at {CHROMIUM}")


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[object]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: object) -> Iterator[object]:
    """A headless Chromium without extensions, shared by the tests of a run."""
    browser = playwright_instance.chromium.launch(  # type: ignore[attr-defined]
        executable_path=require_chromium(), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def artifacts_dir(request: pytest.FixtureRequest) -> Path:
    """A folder for this test's screenshots."""
    name: str = request.node.name
    folder = ARTIFACTS / name.replace("/", "_")[:80]
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# The extension's shared session fixtures (service, two-origin site, Chromium with the extension).
from tests.browser.extension_fixtures import (  # noqa: E402, F401
    extension_browser,
    live_service,
    site_origins,
)
