"""The process-map, event-log and replay endpoints: formats, access, and bad input."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.models import Recording, RecordingStatus, Workflow
from app.models import Step as StepRow
from app.steps.model import RecordingSteps
from tests.conftest import SHARED
from tests.process_map.samples import merged_recordings

MEDIA = {"svg": "image/svg+xml", "bpmn": "application/xml", "mermaid": "text/plain",
         "graphml": "application/xml", "json": "application/json"}


def store_workflow(session: Session, account: Any, recordings: list[RecordingSteps],
                   name: str = "Refund request") -> tuple[Workflow, list[Recording]]:
    """A workflow of the account's team with the given recordings stored as finished."""
    workflow = Workflow(team_id=account.user.team_id, name=name, details={}, step_notes={})
    session.add(workflow)
    session.flush()
    rows = []
    for rec in recordings:
        row = Recording(team_id=account.user.team_id, workflow_id=workflow.id,
                        user_id=account.user.id, status=RecordingStatus.finished, client={},
                        manifest={}, event_count=0)
        session.add(row)
        session.flush()
        for step in rec.steps:
            session.add(StepRow(recording_id=row.id, position=step.position,
                                activity_key=step.activity_key, kind=step.kind,
                                title=step.title, system=step.system, phase=step.phase,
                                started_at_ms=step.started_at_ms, duration_ms=step.duration_ms,
                                data=step.to_dict()))
        rows.append(row)
    session.commit()
    return workflow, rows


@pytest.fixture
def stored(session: Session, make_account: Any) -> tuple[Any, Workflow, list[Recording]]:
    lead = make_account("lead")
    workflow, rows = store_workflow(session, lead, merged_recordings())
    return lead, workflow, rows


@pytest.mark.parametrize("fmt", sorted(MEDIA))
def test_workflow_process_map_in_every_format(client: TestClient, stored: Any, fmt: str) -> None:
    lead, workflow, _ = stored
    response = client.get(f"/api/v1/workflows/{workflow.id}/process-map?format={fmt}",
                          headers=lead.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(MEDIA[fmt])
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    if fmt == "graphml":
        graph = nx.read_graphml(io.BytesIO(response.content))
        assert graph.nodes["__start__"]["count"] == 4  # all four recordings merged
    if fmt == "json":
        assert response.json()["graph"]["recordings"] == 4


def test_recording_process_map_is_one_recording(client: TestClient, stored: Any) -> None:
    lead, _, rows = stored
    response = client.get(f"/api/v1/recordings/{rows[2].id}/process-map?format=json",
                          headers=lead.headers)
    assert response.status_code == 200
    names = {node["name"] for node in response.json()["nodes"]}
    assert "Click Create issue" in names and "Open Invoice" not in names


def test_unknown_format_is_a_422(client: TestClient, stored: Any) -> None:
    lead, workflow, _ = stored
    response = client.get(f"/api/v1/workflows/{workflow.id}/process-map?format=dot",
                          headers=lead.headers)
    assert response.status_code == 422
    assert "format" in response.json()["detail"]


@pytest.mark.parametrize("path", ["workflows/{w}/process-map", "recordings/{r}/process-map",
                                  "workflows/{w}/event-log", "recordings/{r}/event-log",
                                  "recordings/{r}/replay"])
def test_another_team_gets_404(client: TestClient, stored: Any, make_account: Any,
                               path: str) -> None:
    _, workflow, rows = stored
    stranger = make_account("lead", team="Other team")
    url = "/api/v1/" + path.format(w=workflow.id, r=rows[0].id)
    assert client.get(url, headers=stranger.headers).status_code == 404
    assert client.get(url).status_code == 401


def test_workflow_event_log_xes_and_csv(client: TestClient, stored: Any) -> None:
    lead, workflow, _ = stored
    xes = client.get(f"/api/v1/workflows/{workflow.id}/event-log", headers=lead.headers)
    assert xes.status_code == 200
    assert "attachment" in xes.headers["content-disposition"]
    root = ET.fromstring(xes.content)
    assert len(root.findall("{http://www.xes-standard.org/}trace")) == 4
    csv = client.get(f"/api/v1/workflows/{workflow.id}/event-log?format=csv",
                     headers=lead.headers)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("case_id,activity,")


def test_recording_event_log_is_one_trace(client: TestClient, stored: Any) -> None:
    lead, _, rows = stored
    response = client.get(f"/api/v1/recordings/{rows[0].id}/event-log", headers=lead.headers)
    root = ET.fromstring(response.content)
    assert len(root.findall("{http://www.xes-standard.org/}trace")) == 1


def test_replay_is_a_devtools_user_flow(client: TestClient, stored: Any) -> None:
    lead, _, rows = stored
    response = client.get(f"/api/v1/recordings/{rows[0].id}/replay", headers=lead.headers)
    assert response.status_code == 200
    flow = json.loads(response.content)
    assert flow["steps"][0]["type"] == "setViewport"


class TestCheckEventLog:
    URL = "/api/v1/event-log/check"

    def test_our_own_export_is_valid(self, client: TestClient, stored: Any) -> None:
        lead, workflow, _ = stored
        xes = client.get(f"/api/v1/workflows/{workflow.id}/event-log", headers=lead.headers)
        report = client.post(self.URL, content=xes.content, headers={
            **lead.headers, "Content-Type": "application/xml"}).json()
        assert report["valid"] is True and report["traces"] == 4
        assert report["events"] == sum(len(r.steps) for r in merged_recordings())

    @pytest.mark.parametrize("name", ["broken_xml", "date_no_t_z_d", "misplaced_global_trace"])
    def test_non_parsing_is_a_422_with_a_message(self, client: TestClient, make_account: Any,
                                                 name: str) -> None:
        agent = make_account("agent")
        body = (SHARED / "fixtures/xes/promi-conformance/non_parsing" / f"{name}.xes")
        response = client.post(self.URL, content=body.read_bytes(), headers=agent.headers)
        assert response.status_code == 422
        assert response.json()["detail"]

    def test_non_validating_lists_problems(self, client: TestClient, make_account: Any) -> None:
        agent = make_account("agent")
        body = SHARED / "fixtures/xes/promi-conformance/non_validating/event_incorrect_order.xes"
        report = client.post(self.URL, content=body.read_bytes(), headers=agent.headers).json()
        assert report["valid"] is False
        assert any("back in time" in p for p in report["problems"])

    def test_entity_bomb_is_refused(self, client: TestClient, make_account: Any) -> None:
        agent = make_account("agent")
        bomb = (b'<?xml version="1.0"?><!DOCTYPE log [<!ENTITY a "aaaa">'
                b'<!ENTITY b "&a;&a;&a;&a;">]><log xes.version="1849.2016"/>')
        response = client.post(self.URL, content=bomb, headers=agent.headers)
        assert response.status_code == 422 and "unsafe XML" in response.json()["detail"]

    def test_oversized_upload_is_a_413(self, client: TestClient, make_account: Any) -> None:
        agent = make_account("agent")
        response = client.post(self.URL, content=b" " * 20_000_001, headers=agent.headers)
        assert response.status_code == 413


def test_unknown_version_is_a_404(client: TestClient, stored: Any) -> None:
    lead, workflow, _ = stored
    for path in ("process-map", "event-log"):
        response = client.get(f"/api/v1/workflows/{workflow.id}/{path}?version=999",
                              headers=lead.headers)
        assert response.status_code == 404, path
