"""Versions through the API: drafts on finish and on demand, the choice of recordings,
immutability of published versions, review flags."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.models import Workflow
from app.workflows.version_data import versions_overview
from tests.workflows.recorded import FIVE_TICKETS, second_recording, ticket_events
from tests.workflows.test_versions_scenario import record

START_MS = 1_795_158_843_000


def two_recordings(client: TestClient, agent: Any) -> tuple[int, list[int]]:
    ids = []
    for day, (ticket, category, branch, _who) in enumerate(FIVE_TICKETS[:2]):
        opened = client.post("/api/v1/recordings", json={"workflow": "Refund a duplicate charge"},
                             headers=agent.headers).json()
        client.post(f"/api/v1/recordings/{opened['id']}/events", headers=agent.headers,
                    json={"events": ticket_events(ticket, category, branch,
                                                  START_MS + day * 86_400_000)})
        client.post(f"/api/v1/recordings/{opened['id']}/finish", headers=agent.headers)
        ids.append(opened["id"])
    return opened["workflow_id"], ids


class TestDrafts:
    def test_each_finished_recording_joins_the_one_draft(
        self, client: TestClient, make_account: Any
    ) -> None:
        agent, lead = make_account("agent"), make_account("lead")
        wid, ids = two_recordings(client, agent)
        listed = client.get(f"/api/v1/workflows/{wid}/versions", headers=lead.headers).json()
        assert [(v["number"], v["status"], v["recording_ids"]) for v in listed["items"]] == [
            (1, "draft", ids)]
        assert listed["staleness"] == {"stale": False, "reason": "", "flags": []}

    def test_exclude_and_include_rebuild_the_draft(
        self, client: TestClient, make_account: Any
    ) -> None:
        agent, lead = make_account("agent"), make_account("lead")
        wid, ids = two_recordings(client, agent)
        api = f"/api/v1/workflows/{wid}"
        excluded = client.patch(f"{api}/recordings", json={"exclude": [ids[1]]},
                                headers=lead.headers)
        assert excluded.status_code == 200, excluded.text
        rows = {r["id"]: r for r in excluded.json()["items"]}
        assert (rows[ids[1]]["included"], rows[ids[1]]["in_draft"]) == (False, False)
        assert client.get(f"{api}/versions/1", headers=lead.headers).json()[
            "recording_ids"] == [ids[0]]
        included = client.patch(f"{api}/recordings", json={"include": [ids[1]]},
                                headers=lead.headers).json()
        assert all(r["in_draft"] and r["included"] for r in included["items"])
        assert client.patch(f"{api}/recordings", json={"include": [ids[0]], "exclude": [ids[0]]},
                            headers=lead.headers).status_code == 409
        assert client.patch(f"{api}/recordings", json={"include": [999_999]},
                            headers=lead.headers).status_code == 404
        assert client.patch(f"{api}/recordings", json={"include": [ids[0]], "extra": 1},
                            headers=lead.headers).status_code == 422
        assert client.patch(f"{api}/recordings", json={"exclude": [ids[0]]},
                            headers=agent.headers).status_code == 403

    def test_published_version_ignores_later_changes_to_its_recordings(
        self, client: TestClient, make_account: Any
    ) -> None:
        agent, lead = make_account("agent"), make_account("lead")
        wid, ids = two_recordings(client, agent)
        api = f"/api/v1/workflows/{wid}"
        client.post(f"{api}/publish", json={"summary": "Merged two tickets"},
                    headers=lead.headers)
        before = client.get(f"{api}/sop?version=1&format=json", headers=lead.headers).content
        client.patch(f"{api}/recordings", json={"exclude": ids}, headers=lead.headers)
        client.patch(api, json={"details": {"purpose": "Changed after publishing"}},
                     headers=lead.headers)
        after = client.get(f"{api}/sop?version=1&format=json", headers=lead.headers).content
        assert after == before
        versions = client.get(f"{api}/versions", headers=lead.headers).json()
        assert versions["items"][0]["summary"] == "Merged two tickets"

    def test_draft_on_demand_republishes_the_lead_sections(
        self, client: TestClient, make_account: Any
    ) -> None:
        agent, lead = make_account("agent"), make_account("lead")
        wid, ids = two_recordings(client, agent)
        api = f"/api/v1/workflows/{wid}"
        client.post(f"{api}/publish", headers=lead.headers)
        client.patch(api, json={"details": {"purpose": "Refund within a day."}},
                     headers=lead.headers)
        assert "Refund within a day." not in client.get(f"{api}/sop", headers=lead.headers).text
        made = client.post(f"{api}/versions", headers=lead.headers)
        assert made.status_code == 201, made.text
        assert made.json()["recording_ids"] == ids and made.json()["number"] == 2
        assert made.json()["summary"] == "No change to the steps."
        client.post(f"{api}/publish", headers=lead.headers)
        assert "Refund within a day." in client.get(f"{api}/sop", headers=lead.headers).text

    def test_discarded_draft_and_the_next_recording(
        self, client: TestClient, make_account: Any
    ) -> None:
        agent, lead = make_account("agent"), make_account("lead")
        wid, _ids = two_recordings(client, agent)
        api = f"/api/v1/workflows/{wid}"
        client.post(f"{api}/versions/1/discard", headers=lead.headers)
        third = record(client, agent, second_recording())
        listed = client.get(f"{api}/versions", headers=lead.headers).json()
        assert [(v["number"], v["status"]) for v in listed["items"]] == [
            (2, "draft"), (1, "discarded")]
        assert listed["items"][0]["recording_ids"] == [third["id"]]


class TestStaleness:
    def test_a_drifting_recording_flags_the_published_workflow(
        self, client: TestClient, make_account: Any
    ) -> None:
        agent, lead = make_account("agent"), make_account("lead")
        wid, _ids = two_recordings(client, agent)
        api = f"/api/v1/workflows/{wid}"
        client.post(f"{api}/publish", headers=lead.headers)
        record(client, agent, second_recording())
        staleness = client.get(f"{api}/versions", headers=lead.headers).json()["staleness"]
        assert staleness["stale"] is True
        kinds = {flag["kind"] for flag in staleness["flags"]}
        assert {"new_system", "missing_steps"} <= kinds
        assert "uses a system the procedure does not" in staleness["reason"]


def test_the_overview_the_pages_read(
    client: TestClient, make_account: Any, session: Session
) -> None:
    agent, lead = make_account("agent"), make_account("lead")
    wid, _ids = two_recordings(client, agent)
    client.post(f"/api/v1/workflows/{wid}/publish", headers=lead.headers)
    client.put(f"/api/v1/workflows/{wid}/step-notes/zendesk:ticket-view:set:category",
               json={"note": "Pick the closest category"}, headers=lead.headers)
    record(client, agent, second_recording())
    workflow = session.get(Workflow, wid)
    assert workflow is not None
    session.refresh(workflow)
    overview = versions_overview(session, workflow, date(2026, 11, 23))
    assert [v.number for v in overview.versions] == [2, 1]
    assert (overview.current and overview.current.number, overview.draft and
            overview.draft.number) == (1, 2)
    assert overview.draft_diff is not None and overview.draft_diff.removed
    assert [o.activity_key for o in overview.orphaned] == ["zendesk:ticket-view:set:category"]
    assert overview.staleness.stale


def test_reprocessing_a_published_recording_opens_a_draft_with_it(
    client: TestClient, make_account: Any
) -> None:
    agent, lead = make_account("agent"), make_account("lead")
    wid, ids = two_recordings(client, agent)
    api = f"/api/v1/workflows/{wid}"
    assert client.post(f"{api}/publish", headers=lead.headers).status_code == 200
    assert [v["status"] for v in client.get(f"{api}/versions", headers=lead.headers).json()[
        "items"]] == ["published"]
    redone = client.post(f"/api/v1/recordings/{ids[0]}/reprocess", headers=lead.headers)
    assert redone.status_code == 200, redone.text
    listed = client.get(f"{api}/versions", headers=lead.headers).json()["items"]
    assert sorted((v["number"], v["status"]) for v in listed) == [(1, "published"), (2, "draft")]
    draft = next(v for v in listed if v["status"] == "draft")
    assert ids[0] in draft["recording_ids"]
