"""The pipeline on finish, the steps endpoint, and re-running a recording."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Recording, RecordingStatus
from app.models import Step as StepRow
from app.steps.model import Step
from tests.factories import event

TICKET = "https://acme.zendesk.com/agent/tickets/4821"


def support_events() -> list[dict[str, Any]]:
    page = {"url": TICKET, "title": "Ticket #4821 - Acme Support"}
    return [
        event("navigation", seq=1, ts=1_763_800_000_000, page=page, transition="typed",
              load_ms=700),
        event("change", seq=2, ts=1_763_800_004_000, page=page, field="Priority",
              control="select", choice="Urgent",
              target={"tag": "select", "name": "Priority", "selectors": ["#priority"],
                      "context": {}}),
        event("click", seq=3, ts=1_763_800_009_000, page=page,
              target={"tag": "button", "role": "button", "name": "Submit as Solved",
                      "selectors": ["[data-test-id=submit]"], "context": {}}),
    ]


def record(client: TestClient, account: Any, events: list[dict[str, Any]]) -> int:
    rid = client.post("/api/v1/recordings", json={"workflow": "Refund"},
                      headers=account.headers).json()["id"]
    sent = client.post(f"/api/v1/recordings/{rid}/events", json={"events": events},
                       headers=account.headers)
    assert sent.status_code == 200, sent.text
    finished = client.post(f"/api/v1/recordings/{rid}/finish", headers=account.headers)
    assert finished.status_code == 200, finished.text
    return int(rid)


class TestFinishDerivesSteps:
    def test_steps_are_stored_and_served(
        self, client: TestClient, make_account: Any, session: Session
    ) -> None:
        agent = make_account("agent")
        rid = record(client, agent, support_events())
        body = client.get(f"/api/v1/recordings/{rid}/steps", headers=agent.headers).json()
        assert [s["title"] for s in body["steps"]] == [
            "Open the Ticket view page in Zendesk",
            "Set Priority to Urgent in Zendesk",
            "Click Submit as Solved in Zendesk",
        ]
        assert [s["phase"] for s in body["steps"]] == ["triage", "triage", "close"]
        assert body["steps"][1]["is_triage"] is True
        assert body["steps"][0]["waiting_ms"] == 700
        assert body["timing"]["total"]["duration_ms"] == 9_000
        assert all(len(s["event_ids"]) == 1 for s in body["steps"])
        rows = session.scalars(select(StepRow).where(StepRow.recording_id == rid)
                               .order_by(StepRow.position)).all()
        assert [r.activity_key for r in rows] == [
            "zendesk:ticket-view:open",
            "zendesk:ticket-view:set:priority",
            "zendesk:ticket-view:click:submit-as-solved",
        ]
        assert Step.from_dict(rows[1].data).choice == "Urgent"

    def test_other_agents_get_404(self, client: TestClient, make_account: Any) -> None:
        rid = record(client, make_account("agent"), support_events())
        other = make_account("agent")
        response = client.get(f"/api/v1/recordings/{rid}/steps", headers=other.headers)
        assert response.status_code == 404

    def test_a_failing_pipeline_marks_the_recording_failed(
        self, client: TestClient, make_account: Any, session: Session, tmp_path: Path
    ) -> None:
        broken = tmp_path / "phases.json"
        broken.write_text('{"rules": [{"name": "bad", "phase": "lunch"}]}')
        app_settings = client.app.state.settings  # type: ignore[attr-defined]
        client.app.state.settings = app_settings.model_copy(  # type: ignore[attr-defined]
            update={"phase_rules_path": broken}
        )
        agent = make_account("agent")
        rid = record(client, agent, support_events())
        recording = session.get(Recording, rid)
        assert recording is not None
        session.refresh(recording)
        assert recording.status == RecordingStatus.failed
        assert "phase must be one of" in recording.manifest["pipeline_error"]
        steps = client.get(f"/api/v1/recordings/{rid}/steps", headers=agent.headers).json()
        assert steps["steps"] == [] and "phase" in steps["pipeline_error"]


class TestReprocess:
    def test_lead_reruns_a_recording(self, client: TestClient, make_account: Any) -> None:
        agent = make_account("agent")
        lead = make_account("lead")
        rid = record(client, agent, support_events())
        response = client.post(f"/api/v1/recordings/{rid}/reprocess", headers=lead.headers)
        assert response.status_code == 200, response.text
        assert len(response.json()["steps"]) == 3

    def test_agents_may_not_rerun(self, client: TestClient, make_account: Any) -> None:
        agent = make_account("agent")
        rid = record(client, agent, support_events())
        response = client.post(f"/api/v1/recordings/{rid}/reprocess", headers=agent.headers)
        assert response.status_code == 403

    def test_open_recording_is_a_conflict(self, client: TestClient, make_account: Any) -> None:
        lead = make_account("lead")
        rid = client.post("/api/v1/recordings", json={"workflow": "W"},
                          headers=lead.headers).json()["id"]
        response = client.post(f"/api/v1/recordings/{rid}/reprocess", headers=lead.headers)
        assert response.status_code == 409


def test_rerun_after_the_team_catalogue_changes(
    client: TestClient, make_account: Any, tmp_path: Path
) -> None:
    agent, lead = make_account("agent"), make_account("lead")
    page = {"url": "https://ops.acme.test/accounts/77", "title": "Account"}
    rid = record(client, agent, [event("navigation", seq=1, page=page, transition="typed")])
    before = client.get(f"/api/v1/recordings/{rid}/steps", headers=agent.headers).json()
    assert before["steps"][0]["system"] == "Acme" and before["steps"][0]["phase"] == "triage"
    team = tmp_path / "catalogue.json"
    team.write_text('{"systems": [{"name": "Acme Billing Admin", "category": "billing", '
                    '"hosts": ["ops.acme.test"], "screens": [{"path": "/accounts/{id}", '
                    '"name": "Account"}]}]}')
    app_settings = client.app.state.settings  # type: ignore[attr-defined]
    client.app.state.settings = app_settings.model_copy(  # type: ignore[attr-defined]
        update={"system_catalogue_path": team})
    after = client.post(f"/api/v1/recordings/{rid}/reprocess", headers=lead.headers).json()
    step = after["steps"][0]
    assert (step["system"], step["system_category"], step["screen"], step["phase"]) == (
        "Acme Billing Admin", "billing", "Account", "diagnose")
    assert step["title"] == "Open the Account page in Acme Billing Admin"


def test_dropped_events_are_listed_with_their_reason(
    client: TestClient, make_account: Any, session: Session
) -> None:
    from app.pipeline import load_recording_steps

    agent = make_account("agent")
    nothing = event("click", seq=4, ts=1_763_800_010_000, page={"url": TICKET, "title": "T"},
                    target={"tag": "body", "selectors": [], "context": {}})
    rid = record(client, agent, [*support_events(), nothing])
    body = client.get(f"/api/v1/recordings/{rid}/steps", headers=agent.headers).json()
    assert body["dropped"] == {"click on nothing": 1}
    recording = session.get(Recording, rid)
    assert recording is not None
    session.refresh(recording)
    assert load_recording_steps(session, recording).dropped == ((nothing["id"],
                                                                 "click on nothing"),)
