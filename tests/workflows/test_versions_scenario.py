"""Scenario: record a ticket, publish, add notes; record it again after the process changed.

Everything goes through the HTTP API with real wire-format events, as the extension sends them.
"""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tests.workflows.recorded import (
    APPLY_MACRO,
    CHANNEL,
    PRIORITY,
    TYPE,
    USE_MACRO,
    first_recording,
    second_recording,
)

WORKFLOW = "Refund a duplicate charge"


def record(client: TestClient, agent: Any, events: list[dict[str, Any]]) -> dict[str, Any]:
    """Open a recording, send its events in two batches, finish it."""
    opened = client.post("/api/v1/recordings", json={"workflow": WORKFLOW},
                         headers=agent.headers)
    assert opened.status_code == 201, opened.text
    rid = opened.json()["id"]
    for batch in (events[:10], events[10:]):
        sent = client.post(f"/api/v1/recordings/{rid}/events", json={"events": batch},
                           headers=agent.headers)
        assert sent.status_code == 200, sent.text
    finished = client.post(f"/api/v1/recordings/{rid}/finish", headers=agent.headers)
    assert finished.status_code == 200, finished.text
    assert finished.json()["status"] == "finished"
    return dict(finished.json())


def note(client: TestClient, lead: Any, workflow_id: int, key: str, text: str) -> None:
    response = client.put(f"/api/v1/workflows/{workflow_id}/step-notes/{key}",
                          json={"note": text}, headers=lead.headers)
    assert response.status_code == 200, response.text


class TestReRecording:
    def test_publish_notes_rerecord_diff_carry_over_and_history(
        self, client: TestClient, make_account: Any
    ) -> None:
        agent, lead = make_account("agent"), make_account("lead")
        first = record(client, agent, first_recording())
        wid = first["workflow_id"]
        api = f"/api/v1/workflows/{wid}"

        listed = client.get(f"{api}/versions", headers=lead.headers).json()
        assert (listed["draft"], listed["current"]) == (1, None)
        published = client.post(f"{api}/publish", headers=lead.headers)
        assert published.status_code == 200, published.text
        assert published.json()["status"] == "published"
        assert published.json()["summary"] == "First version, from 1 recording."
        v1_sop = client.get(f"{api}/sop?version=1&format=md", headers=lead.headers).content

        note(client, lead, wid, PRIORITY, "Urgent only when the customer was charged twice.")
        note(client, lead, wid, TYPE, "Type is Incident for every billing error.")
        note(client, lead, wid, APPLY_MACRO, "Check the refund amount in the macro text.")

        second = record(client, agent, second_recording())
        listed = client.get(f"{api}/versions", headers=lead.headers).json()
        assert (listed["draft"], listed["current"]) == (2, 1)
        draft = client.get(f"{api}/versions/2", headers=lead.headers).json()
        assert draft["recording_ids"] == [second["id"]]
        assert draft["base_number"] == 1

        diff = draft["diff"]
        assert [s["activity_key"] for s in diff["added"]] == [CHANNEL]
        assert [s["activity_key"] for s in diff["removed"]] == [TYPE]
        assert [(m["old"]["activity_key"], m["new"]["activity_key"], m["matched_by"],
                 [c["kind"] for c in m["changes"]]) for m in diff["changed"]] == [
            (APPLY_MACRO, USE_MACRO, "selector", ["renamed"])]
        assert diff["changed"][0]["changes"][0]["before"] == "Apply macro"
        assert diff["changed"][0]["changes"][0]["after"] == "Use macro"
        assert diff["moved"] == []
        notable = [p["phase"] for p in diff["phases"] if p["notable"]]
        assert notable == ["diagnose"]
        diagnose = next(p for p in diff["phases"] if p["phase"] == "diagnose")
        assert diagnose["delta_ms"] == 120_000
        assert draft["summary"] == (
            '1 step added; 1 step removed; 1 step changed: "Click Apply macro in Zendesk" is now '
            '"Click Use macro in Zendesk"; Diagnose 2 min slower.')

        assert draft["step_notes"] == {
            PRIORITY: {"note": "Urgent only when the customer was charged twice.", "warning": ""},
            USE_MACRO: {"note": "Check the refund amount in the macro text.", "warning": ""},
        }
        assert [(o["activity_key"], o["title"], o["note"]) for o in draft["orphaned"]] == [
            (TYPE, "Set Type to Incident in Zendesk", "Type is Incident for every billing error.")]

        changelog = client.get(f"{api}/diff?from=1&to=2&format=md", headers=lead.headers)
        assert changelog.status_code == 200
        text = changelog.text
        assert "## Added\n\n- Step 4: Set Channel to Email in Zendesk" in text
        assert "## Removed\n\n- Was step 3: Set Type to Incident in Zendesk" in text
        assert "- Step 18 (was 18): renamed “Apply macro” → “Use macro”.\n" in text
        assert "| Diagnose | 47 s | 2 min 47 s | \\+2 min (notable) |" in text
        page = BeautifulSoup(client.get(f"{api}/diff?from=1&to=2&format=html",
                                        headers=lead.headers).text, "html.parser")
        assert [li["data-key"] for li in page.select("#added li")] == [CHANNEL]
        assert [tr["data-phase"] for tr in page.select("#phases tr.notable")] == ["diagnose"]

        draft_sop = client.get(f"{api}/sop?version=2&format=md", headers=lead.headers).text
        assert "Click **Use macro** in Zendesk" in draft_sop
        assert "**Note:** Check the refund amount in the macro text." in draft_sop

        published = client.post(f"{api}/publish", json={}, headers=lead.headers)
        assert published.status_code == 200, published.text
        kept = client.get(api, headers=lead.headers).json()["step_notes"]
        assert set(kept) == {PRIORITY, USE_MACRO, TYPE}, "the orphan is kept, not dropped"

        current = client.get(f"{api}/sop?format=md", headers=lead.headers).text
        assert current == client.get(f"{api}/sop?version=2&format=md",
                                     headers=lead.headers).text
        history = current.split("## Revision history", 1)[1].split("##", 1)[0]
        rows = [line for line in history.splitlines() if line.startswith("| ")][1:]
        agent_id = draft["recorded_by"][0]
        assert agent_id.startswith("agent-")
        assert rows[0].startswith("| 1 | 2026-")
        assert f"| {agent_id} | {lead.user.email} |" in rows[0].replace("\\", "")
        assert "First version, from 1 recording." in rows[0]
        assert rows[1].startswith("| 2 |") and "1 step added; 1 step removed" in rows[1]
        assert "Diagnose 2 min slower." in rows[1]
        assert len(rows) == 2

        assert client.get(f"{api}/sop?version=1&format=md", headers=lead.headers).content \
            == v1_sop, "a published version never changes"


class TestAccess:
    def test_changes_are_for_leads_of_the_team(
        self, client: TestClient, make_account: Any
    ) -> None:
        agent = make_account("agent")
        stranger = make_account("lead", team="Other team")
        wid = record(client, agent, first_recording())["workflow_id"]
        api = f"/api/v1/workflows/{wid}"
        assert client.post(f"{api}/publish", headers=agent.headers).status_code == 403
        assert client.post(f"{api}/versions/1/discard", headers=agent.headers).status_code == 403
        for method, path in (("get", "/versions"), ("get", "/versions/1"), ("post", "/publish"),
                             ("get", "/diff?from=1&to=1"), ("get", "/recordings")):
            response = client.request(method.upper(), api + path, headers=stranger.headers)
            assert response.status_code == 404, (path, response.text)
            assert WORKFLOW not in response.text

    def test_agents_read_published_versions_only(
        self, client: TestClient, make_account: Any
    ) -> None:
        agent, lead = make_account("agent"), make_account("lead")
        wid = record(client, agent, first_recording())["workflow_id"]
        api = f"/api/v1/workflows/{wid}"
        drafts_only = ["/versions/1", "/diff?from=1&to=1", "/sop?format=md", "/sop?version=1",
                       "/timing-report?format=json", "/process-map?format=json",
                       "/event-log?format=csv"]
        for path in drafts_only:
            assert client.get(api + path, headers=agent.headers).status_code == 404, path
            assert client.get(api + path, headers=lead.headers).status_code == 200, path
        listed = client.get(f"{api}/versions", headers=agent.headers).json()
        assert (listed["items"], listed["draft"]) == ([], None)
        assert client.get(f"{api}/versions", headers=lead.headers).json()["draft"] == 1

        assert client.post(f"{api}/publish", headers=lead.headers).status_code == 200
        for path in drafts_only:
            assert client.get(api + path, headers=agent.headers).status_code == 200, path
        listed = client.get(f"{api}/versions", headers=agent.headers).json()
        assert [v["number"] for v in listed["items"]] == [1]

    def test_discard_then_publish_is_a_conflict(
        self, client: TestClient, make_account: Any
    ) -> None:
        agent, lead = make_account("agent"), make_account("lead")
        wid = record(client, agent, first_recording())["workflow_id"]
        api = f"/api/v1/workflows/{wid}"
        discarded = client.post(f"{api}/versions/1/discard", headers=lead.headers)
        assert discarded.json()["status"] == "discarded"
        again = client.post(f"{api}/versions/1/discard", headers=lead.headers)
        assert again.status_code == 409
        assert client.post(f"{api}/publish", headers=lead.headers).status_code == 409
        assert client.get(f"{api}/versions/9", headers=lead.headers).status_code == 404
        same = client.get(f"{api}/diff?from=1&to=1", headers=lead.headers)
        assert same.status_code == 200 and same.json()["summary"] == "No change to the steps."
        assert client.get(f"{api}/diff?to=1", headers=lead.headers).status_code == 404
        assert client.get(f"{api}/diff?from=0", headers=lead.headers).status_code == 422
