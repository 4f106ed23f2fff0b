"""Text from recorded web pages (the shared injection corpus) shows as text on every page."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.templating import clean_text
from tests.html import attr, one
from tests.injection_corpus import PAYLOADS
from tests.pages.conftest import make_step, sign_in, soup


def assert_inert(page: BeautifulSoup) -> None:
    """No script element, no event-handler attribute, no javascript: URL anywhere.

    The only frames allowed are sandboxed ``srcdoc`` documents, checked the same way.
    """
    assert page.find("script") is None or all(
        isinstance(src := s.get("src"), str) and src.startswith("/static/")
        for s in page.find_all("script"))
    for element in page.find_all(True):
        for name, value in element.attrs.items():
            assert not name.lower().startswith("on"), (element.name, name)
            text = " ".join(value) if isinstance(value, list) else str(value)
            assert not text.strip().lower().startswith("javascript:"), (element.name, name)
    assert page.find("img") is None and page.find("object") is None
    for frame in page.find_all("iframe"):
        assert "allow-scripts" not in frame["sandbox"] and not frame.get("src")
        assert_inert(BeautifulSoup(attr(frame, "srcdoc"), "html.parser"))


@pytest.fixture
def hostile(make_account: Any, make_recording: Any, session: Any) -> dict[str, Any]:
    lead = make_account("lead")
    # PostgreSQL text cannot hold NUL, so nothing stored ever does; the rest goes in as is.
    storable = [payload.replace("\x00", "") for payload in PAYLOADS]
    steps = [make_step(i, payload, system=payload[:200], started_at_ms=1_763_800_000_000 + i)
             for i, payload in enumerate(storable)]
    recording = make_recording(lead, "<script>alert('wf')</script> Refund", steps)
    recording.ticket_ref = '"><img src=x onerror=alert(1)>'
    recording.workflow.details = {
        "owner": "<svg onload=alert(1)>", "purpose": "\n".join(storable[:20]),
        "quality_checks": storable[20:40],
        "roles": [{"role": "<script>alert(2)</script>", "responsibilities": storable[5]}],
    }
    recording.workflow.step_notes = {steps[0].activity_key: {"note": storable[0],
                                                             "warning": storable[2]}}
    session.commit()
    return {"lead": lead, "recording": recording}


def test_every_page_shows_the_payloads_as_text(client: TestClient,
                                               hostile: dict[str, Any]) -> None:
    sign_in(client, hostile["lead"])
    recording = hostile["recording"]
    flow = f"/workflows/{recording.workflow_id}"
    for path in ["/workflows", "/recordings", f"/recordings/{recording.id}", "/account",
                 flow, f"{flow}/edit", f"{flow}/preview"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_inert(soup(response))
    timeline = soup(client.get(f"/recordings/{recording.id}")).get_text()
    for payload in PAYLOADS:
        visible = " ".join(clean_text(payload).split())
        assert visible[:60] in " ".join(timeline.split()), payload[:40]
    listed = one(soup(client.get("/workflows")), "#workflows tbody a").text
    assert listed == "<script>alert('wf')</script> Refund"


def test_pages_forbid_inline_script(client: TestClient, hostile: dict[str, Any]) -> None:
    sign_in(client, hostile["lead"])
    policy = client.get("/workflows").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
