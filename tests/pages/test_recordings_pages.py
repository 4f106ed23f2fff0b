"""The recordings list and the recording page: timeline by phase, timing, manifest, who and when."""

from __future__ import annotations

from typing import Any

from bs4 import Tag
from bs4.element import NavigableString
from fastapi.testclient import TestClient
from sqlalchemy import delete

from app.models import Step as StepRow
from tests.html import attr, next_tag, one
from tests.pages.conftest import make_step, sign_in, soup

T0 = 1_763_800_000_000


def _leading_text(element: Tag) -> str:
    """The first child of ``element``, which must be text, stripped."""
    first = element.contents[0]
    assert isinstance(first, NavigableString), first
    return first.strip()


def test_the_recording_page_shows_the_timeline_by_phase(
    client: TestClient, make_account: Any, make_recording: Any
) -> None:
    agent = make_account("agent")
    steps = [
        make_step(0, "Set Priority to Urgent", phase="triage", started_at_ms=T0, duration_ms=4_000),
        make_step(1, "Open Subscription", phase="diagnose", system="Stripe Dashboard",
                  started_at_ms=T0 + 4_000, duration_ms=185_000),
        make_step(2, "Click Refund", phase="resolve", system="Stripe Dashboard",
                  started_at_ms=T0 + 189_000, duration_ms=11_000),
    ]
    recording = make_recording(agent, "Refund request", steps)
    sign_in(client, agent)
    page = soup(client.get(f"/recordings/{recording.id}"))
    headings = [_leading_text(h) for h in page.select("h3.phase-heading")]
    assert headings == ["Receive and triage", "Diagnose", "Resolve or escalate"]
    rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in page.select("#timeline ~ div table tbody tr")]
    assert rows[1][:4] == ["2", "Open Subscription", "Stripe Dashboard", "Ticket view"]
    assert rows[1][4:6] == ["+4 s", "3 min 5 s"]
    facts = {dt.text: next_tag(dt, "dd").text for dt in page.select("dl.facts dt")}
    assert facts["Recorded by"] == agent.user.email
    assert facts["Steps"].startswith("3 steps over 3 min 20 s")


def test_the_capture_manifest_is_shown(client: TestClient, make_account: Any,
                                       make_recording: Any, session: Any) -> None:
    agent = make_account("agent")
    recording = make_recording(agent)
    recording.manifest = {**recording.manifest, "event_counts": {"click": 12},
                          "redacted": {"email": 2, "query_param": 5}}
    session.commit()
    sign_in(client, agent)
    page = soup(client.get(f"/recordings/{recording.id}"))
    kinds = {tr.find_all("td")[0].text: tr.find_all("td")[1].text
             for tr in page.select("#manifest ~ div table tbody tr")}
    assert kinds["click"] == "12" and kinds["navigation"] == "0"
    headings = {h3.text: h3 for h3 in page.select("h3")}
    redacted = [li.text for li in next_tag(headings["Redacted"], "ul").find_all("li")]
    assert redacted == ["email: 2", "query_param: 5"]
    never = next_tag(headings["Never captured"], "ul").text
    assert "keystrokes" in never and "passwords" in never


def test_a_recording_without_steps_says_so(client: TestClient, make_account: Any,
                                           make_recording: Any, session: Any) -> None:
    agent = make_account("agent")
    recording = make_recording(agent, steps=[make_step(0)])
    recording.status = "recording"
    session.execute(delete(StepRow).where(StepRow.recording_id == recording.id))
    session.commit()
    sign_in(client, agent)
    empty = soup(client.get(f"/recordings/{recording.id}")).select_one("p.empty")
    assert empty is not None and "still being recorded" in empty.text


def test_the_list_shows_each_recording(client: TestClient, make_account: Any,
                                       make_recording: Any) -> None:
    lead = make_account("lead")
    recording = make_recording(lead, "Refund request", [
        make_step(0, started_at_ms=T0, duration_ms=60_000),
        make_step(1, started_at_ms=T0 + 60_000, duration_ms=30_000)])
    sign_in(client, lead)
    row = one(soup(client.get("/recordings")), "tbody tr")
    cells = {attr(td, "data-label"): td.get_text(strip=True) for td in row.find_all("td")}
    assert cells["Recording"] == f"Recording {recording.id}"
    assert cells["Workflow"] == "Refund request"
    assert cells["Steps"] == "2" and cells["Duration"] == "1 min 30 s"


def test_an_empty_list_tells_what_to_do(client: TestClient, make_account: Any) -> None:
    sign_in(client, make_account("agent"))
    empty = soup(client.get("/recordings")).select_one("section.empty")
    assert empty is not None
    assert empty.find("a", href="/account") is not None
    assert "sop-recorder demo" in empty.text
