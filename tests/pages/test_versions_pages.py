"""Versions in the lead's pages: the list, the draft's changelog, publish, discard, the choice of
recordings, orphaned notes, the version and diff pages; CSRF, agents and other teams refused."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.models import Recording, VersionStatus, Workflow, WorkflowVersion
from app.workflows import versions
from tests.conftest import table_counts
from tests.html import attr, one
from tests.pages.conftest import make_step, sign_in, soup
from tests.pages.test_injection import assert_inert
from tests.pages.test_workflow_page import soup_of_frame

T0 = 1_763_800_000_000
PHASES = ("triage", "diagnose", "resolve", "confirm", "close")


def _steps(names: list[str], slow: str = "") -> list[Any]:
    """One step per name, keyed by the name, 20 s each (``slow``: 5 min); "Policy" is read in
    the knowledge base."""
    out, at = [], T0
    for index, name in enumerate(names):
        duration = 300_000 if name == slow else 20_000
        system = "Confluence" if name == "Policy" else "Zendesk"
        out.append(make_step(index, f"Click {name}", phase=PHASES[index % 5], started_at_ms=at,
                             duration_ms=duration, system=system,
                             key=f"{system.lower()}:ticket:click:{name.lower()}"))
        at += duration
    return out


@pytest.fixture
def flow(make_account: Any, make_recording: Any, session: Session) -> dict[str, Any]:
    """Version 1 published from one recording, a note on "Escalate", then a second recording
    (Escalate removed, Policy added, Refund much slower) staged as draft 2."""
    lead, agent = make_account("lead"), make_account("agent")
    first = make_recording(agent, "Refund request", _steps(["Open", "Escalate", "Refund",
                                                            "Reply", "Close"]))
    workflow = session.get_one(Workflow, first.workflow_id)
    versions.create_draft(session, workflow, lead.user)
    versions.publish_version(session, workflow, lead.user)
    workflow.step_notes = {"zendesk:ticket:click:escalate": {"note": "Ask <b>Tier 2</b>",
                                                             "warning": ""}}
    session.commit()
    second = make_recording(agent, "Refund request",
                            _steps(["Open", "Refund", "Reply", "Policy", "Close"], slow="Refund"))
    versions.stage_recording(session, second)
    session.commit()
    return {"lead": lead, "agent": agent, "id": workflow.id, "workflow": workflow,
            "first": first, "second": second}


def _version_rows(client: TestClient, workflow_id: int) -> dict[str, dict[str, str]]:
    page = soup(client.get(f"/workflows/{workflow_id}"))
    return {attr(tr, "data-version"): {attr(td, "data-label"): td.get_text(" ", strip=True)
                                       for td in tr.find_all("td")}
            for tr in page.select("#versions-table tbody tr")}


def _statuses(session: Session, workflow_id: int) -> dict[int, str]:
    session.expire_all()
    rows = session.scalars(select(WorkflowVersion).where(
        WorkflowVersion.workflow_id == workflow_id))
    return {v.number: str(v.status) for v in rows}


def test_the_versions_table_and_the_drafts_changelog(client: TestClient,
                                                     flow: dict[str, Any]) -> None:
    sign_in(client, flow["lead"])
    rows = _version_rows(client, flow["id"])
    assert set(rows) == {"1", "2"}
    assert rows["1"]["Status"] == "current" and rows["2"]["Status"] == "draft"
    assert rows["1"]["Published by"] == flow["lead"].user.email
    assert rows["2"]["Published"] == "—" and rows["1"]["Published"].endswith("UTC")
    assert rows["1"]["Recorded by"] and rows["1"]["What changed"].startswith("First version")
    page = soup(client.get(f"/workflows/{flow['id']}"))
    draft = one(page, "#draft")
    assert one(draft, "h3").text == "Draft 2, waiting for publication"
    assert [li.get_text(" ", strip=True) for li in draft.select(".diff-added li")] == [
        "Step 4: Click Policy (Confluence · Ticket view, typically 20 s)"]
    assert [li["data-key"] for li in draft.select(".diff-removed li")] == [
        "zendesk:ticket:click:escalate"]
    timing = one(draft, ".diff-timing").get_text(" ", strip=True)
    assert "Click Refund" in timing and "+4 min 40 s" in timing
    notable = {tr["data-phase"] for tr in draft.select(".diff-phases tr.notable")}
    assert notable == {"diagnose"}
    orphan = one(page, "#orphaned li").get_text(" ", strip=True)
    assert "Click Escalate" in orphan and "Ask <b>Tier 2</b>" in orphan
    assert draft.find("button", string="Publish version 2") is not None
    assert draft.find("button", string="Discard draft 2") is not None
    assert_inert(page)


def test_publishing_makes_the_draft_current_and_the_history_shows_it(
    client: TestClient, flow: dict[str, Any], session: Session
) -> None:
    csrf = sign_in(client, flow["lead"])
    response = client.post(f"/workflows/{flow['id']}/publish", follow_redirects=False,
                           data={"csrf_token": csrf, "summary": "Policy check <before> refund"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/workflows/{flow['id']}?published=2#versions"
    page = soup(client.get(response.headers["location"]))
    assert one(page, "#versions .flash").text.startswith("Version 2 is published")
    rows = _version_rows(client, flow["id"])
    assert rows["2"]["Status"] == "current" and rows["1"]["Status"] == "published"
    assert rows["2"]["What changed"] == "Policy check <before> refund"
    assert one(page, "#draft h3").text == "No draft waiting"
    history = soup_of_frame(one(page, "iframe.sop-frame")).select("#revisions tbody tr")
    assert [tr.find_all("td")[0].text for tr in history] == ["1", "2"]
    assert "Policy check <before> refund" in history[1].get_text()
    assert _statuses(session, flow["id"]) == {1: "published", 2: "published"}
    listed = one(soup(client.get("/workflows")), "#workflows td[data-label=Version]")
    assert listed.text == "2"


def test_discarding_the_draft(client: TestClient, flow: dict[str, Any], session: Session) -> None:
    csrf = sign_in(client, flow["lead"])
    response = client.post(f"/workflows/{flow['id']}/versions/2/discard",
                           data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert _statuses(session, flow["id"]) == {1: "published", 2: "discarded"}
    rows = _version_rows(client, flow["id"])
    assert rows["2"]["Status"] == "discarded" and rows["1"]["Status"] == "current"
    again = client.post(f"/workflows/{flow['id']}/versions/2/discard", data={"csrf_token": csrf})
    assert again.status_code == 409
    assert "only a draft can be discarded" in one(soup(again), "main").text


def test_including_and_excluding_recordings_changes_the_draft(
    client: TestClient, flow: dict[str, Any], session: Session
) -> None:
    csrf = sign_in(client, flow["lead"])
    second = flow["second"].id
    page = soup(client.get(f"/workflows/{flow['id']}"))
    cell = one(page, f"input[name=recording_id][value='{second}']").parent
    assert cell is not None
    assert attr(one(cell, "input[name=action]"), "value") == "exclude"
    response = client.post(f"/workflows/{flow['id']}/recordings", follow_redirects=False,
                           data={"csrf_token": csrf, "recording_id": second, "action": "exclude"})
    assert response.status_code == 303
    session.expire_all()
    draft = session.scalar(select(WorkflowVersion).where(
        WorkflowVersion.workflow_id == flow["id"], WorkflowVersion.status == VersionStatus.draft))
    assert draft is not None
    assert draft.recording_ids == [] and session.get_one(Recording, second).included is False
    page = soup(client.get(f"/workflows/{flow['id']}"))
    assert page.select_one("#draft .diff-added") is None
    client.post(f"/workflows/{flow['id']}/recordings",
                data={"csrf_token": csrf, "recording_id": second, "action": "include"})
    page = soup(client.get(f"/workflows/{flow['id']}"))
    assert "Click Policy" in one(page, "#draft .diff-added").text


def test_an_orphaned_note_is_reattached_or_dropped(client: TestClient, flow: dict[str, Any],
                                                   session: Session) -> None:
    csrf = sign_in(client, flow["lead"])
    target = "confluence:ticket:click:policy"
    response = client.post(f"/workflows/{flow['id']}/orphans", follow_redirects=False, data={
        "csrf_token": csrf, "activity_key": "zendesk:ticket:click:escalate", "target": target})
    assert response.status_code == 303
    session.expire_all()
    assert session.get_one(Workflow, flow["id"]).step_notes == {
        target: {"note": "Ask <b>Tier 2</b>", "warning": ""}}
    assert soup(client.get(f"/workflows/{flow['id']}")).select_one("#orphaned") is None
    dropped = client.post(f"/workflows/{flow['id']}/orphans", data={
        "csrf_token": csrf, "activity_key": "zendesk:ticket:click:escalate", "target": "drop"})
    assert dropped.status_code == 404
    wrong = client.post(f"/workflows/{flow['id']}/orphans", data={
        "csrf_token": csrf, "activity_key": target, "target": "zendesk:no:such:step"})
    assert wrong.status_code == 404


def test_dropping_an_orphaned_note(client: TestClient, flow: dict[str, Any],
                                   session: Session) -> None:
    csrf = sign_in(client, flow["lead"])
    client.post(f"/workflows/{flow['id']}/orphans", data={
        "csrf_token": csrf, "activity_key": "zendesk:ticket:click:escalate", "target": "drop"})
    session.expire_all()
    assert session.get_one(Workflow, flow["id"]).step_notes == {}


def test_the_version_and_diff_pages(client: TestClient, flow: dict[str, Any]) -> None:
    sign_in(client, flow["lead"])
    page = soup(client.get(f"/workflows/{flow['id']}/versions/2"))
    assert one(page, "h1").text == "Refund request: version 2"
    steps = [tr.find_all("td")[1].text for tr in page.select("#procedure tbody tr")]
    assert steps == ["Click Open", "Click Refund", "Click Reply", "Click Policy", "Click Close"]
    assert "Click Policy" in one(page, "#changes .diff-added").text
    diff = soup(client.get(f"/workflows/{flow['id']}/diff?from=2&to=1"))
    assert "Click Escalate" in one(diff, ".diff-added").text
    assert "Click Policy" in one(diff, ".diff-removed").text
    assert attr(one(diff, "#from option[selected]"), "value") == "2"
    same = soup(client.get(f"/workflows/{flow['id']}/diff?from=1&to=1"))
    assert same.select_one(".diff-added") is None and "No change to the steps" in same.text
    assert client.get(f"/workflows/{flow['id']}/versions/9").status_code == 404
    assert client.get(f"/workflows/{flow['id']}/diff?from=1&to=9").status_code == 404
    assert client.get(f"/workflows/{flow['id']}/diff?from=x").status_code == 404


@pytest.mark.parametrize(("path", "data"), [
    ("/publish", {"summary": "x"}),
    ("/versions/2/discard", {}),
    ("/recordings", {"recording_id": "0", "action": "exclude"}),
    ("/orphans", {"activity_key": "zendesk:ticket:click:escalate", "target": "drop"}),
    ("/draft", {}),
])
def test_a_form_without_its_csrf_token_changes_nothing(
    client: TestClient, flow: dict[str, Any], connection: Connection, session: Session,
    path: str, data: dict[str, str],
) -> None:
    sign_in(client, flow["lead"])
    if "recording_id" in data:
        data = {**data, "recording_id": str(flow["second"].id)}
    before, notes = table_counts(connection), dict(flow["workflow"].step_notes)
    for token in ({}, {"csrf_token": "forged"}):
        response = client.post(f"/workflows/{flow['id']}{path}", data={**data, **token})
        assert response.status_code == 403
    assert table_counts(connection) == before
    assert _statuses(session, flow["id"]) == {1: "published", 2: "draft"}
    assert session.get_one(Recording, flow["second"].id).included is True
    assert session.get_one(Workflow, flow["id"]).step_notes == notes


def test_an_agent_sees_published_versions_only_and_changes_nothing(
    client: TestClient, flow: dict[str, Any], connection: Connection, session: Session
) -> None:
    csrf = sign_in(client, flow["agent"])
    page = soup(client.get(f"/workflows/{flow['id']}"))
    assert set(_version_rows(client, flow["id"])) == {"1"}
    assert page.select_one("#draft") is None and page.select_one("#orphaned") is None
    assert "Click Policy" not in page.text
    assert page.find("form", action=f"/workflows/{flow['id']}/recordings") is None
    assert client.get(f"/workflows/{flow['id']}/versions/1").status_code == 200
    assert client.get(f"/workflows/{flow['id']}/versions/2").status_code == 404
    assert client.get(f"/workflows/{flow['id']}/diff?from=1&to=2").status_code == 404
    assert client.get(f"/workflows/{flow['id']}/diff").status_code == 200
    assert "Click Policy" not in client.get(f"/workflows/{flow['id']}/preview").text
    sop = client.get(f"/workflows/{flow['id']}/download/sop.md")
    assert sop.status_code == 200 and "Escalate" in sop.text and "Policy" not in sop.text
    before = table_counts(connection)
    for path, data in (("/publish", {}), ("/versions/2/discard", {}), ("/draft", {}),
                       ("/recordings", {"recording_id": str(flow["second"].id),
                                        "action": "exclude"})):
        assert client.post(f"/workflows/{flow['id']}{path}",
                           data={"csrf_token": csrf, **data}).status_code == 403, path
    assert table_counts(connection) == before
    assert _statuses(session, flow["id"]) == {1: "published", 2: "draft"}


def test_an_agent_sees_nothing_of_an_unpublished_workflow(
    client: TestClient, make_account: Any, make_recording: Any, session: Session
) -> None:
    lead, agent = make_account("lead"), make_account("agent")
    recording = make_recording(lead, "Chargeback", _steps(["Open", "Dispute"]))
    versions.stage_recording(session, recording)
    session.commit()
    workflow_id = recording.workflow_id
    sign_in(client, agent)
    page = soup(client.get(f"/workflows/{workflow_id}"))
    assert one(page, ".empty h2").text == "Nothing is published yet"
    assert page.select_one("iframe.sop-frame") is None and page.select_one("#versions") is None
    assert "Click Dispute" not in page.text
    for path in ("/preview", "/download/sop.md", "/download/event-log.csv", "/diff",
                 "/versions/1"):
        response = client.get(f"/workflows/{workflow_id}{path}")
        assert response.status_code == 404, path
        assert "Click Dispute" not in response.text
    listed = one(soup(client.get("/workflows")), "#workflows td[data-label=Version]")
    assert listed.text == "not published"


def test_another_team_gets_404(client: TestClient, flow: dict[str, Any], make_account: Any,
                               connection: Connection) -> None:
    csrf = sign_in(client, make_account("lead", team="Billing"))
    for path in ("/versions/1", "/versions/2", "/diff", "/diff?from=1&to=2"):
        response = client.get(f"/workflows/{flow['id']}{path}")
        assert response.status_code == 404, path
        assert "Refund request" not in response.text
    before = table_counts(connection)
    for path in ("/publish", "/versions/2/discard", "/draft"):
        assert client.post(f"/workflows/{flow['id']}{path}",
                           data={"csrf_token": csrf}).status_code == 404, path
    assert table_counts(connection) == before


def test_the_injection_corpus_stays_text_on_the_version_pages(
    client: TestClient, make_account: Any, make_recording: Any, session: Session
) -> None:
    from tests.injection_corpus import PAYLOADS

    lead = make_account("lead")
    storable = [payload.replace("\x00", "") for payload in PAYLOADS]
    first = make_recording(lead, "Hostile <b>flow</b>", _steps(["Open", "Close"]))
    workflow = session.get_one(Workflow, first.workflow_id)
    versions.create_draft(session, workflow, lead.user)
    versions.publish_version(session, workflow, lead.user, storable[0][:300])
    workflow.step_notes = {"zendesk:ticket:click:open": {"note": storable[1], "warning": ""}}
    session.commit()
    steps = [make_step(i, text, system=text[:200], started_at_ms=T0 + i * 1000)
             for i, text in enumerate(storable)]
    versions.stage_recording(session, make_recording(lead, "Hostile <b>flow</b>", steps))
    session.commit()
    sign_in(client, lead)
    base = f"/workflows/{workflow.id}"
    for path in (base, f"{base}/versions/1", f"{base}/versions/2", f"{base}/diff",
                 f"{base}/diff?from=2&to=1", "/workflows"):
        response = client.get(path)
        assert response.status_code == 200, path
        page = soup(response)
        assert_inert(page)
        assert "Hostile <b>flow</b>" in page.text, path
    shown = one(soup(client.get(f"{base}/versions/2")), "#procedure").text
    script = next(p for p in storable if p.startswith("<script"))
    assert script in shown
    orphans = one(soup(client.get(base)), "#orphaned").text
    assert storable[1].strip()[:40] in orphans
