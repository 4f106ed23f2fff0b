"""Every limit of docs/limits.md: a clear 4xx naming its setting, and nothing written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.settings import Settings
from tests.conftest import SHARED, table_counts
from tests.factories import batch
from tests.ingest.test_access_matrix import _walk
from tests.pages.conftest import sign_in

FIXTURES = SHARED / "fixtures"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, max_body_bytes=4096, max_import_bytes=50_000,
                    max_xes_bytes=20_000, max_recordings_per_team=4,
                    max_events_per_recording=5000, max_page_size=3)


def _open(client: TestClient, account: Any, name: str = "Limits") -> dict[str, Any]:
    response = client.post("/api/v1/recordings", json={"workflow": name}, headers=account.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _chunks(total: int, size: int = 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b" " * size
        sent += size


class TestRequestBodyCap:
    def test_declared_length_over_the_cap_is_413_on_a_json_route(
        self, client: TestClient, make_account: Any, session: Session
    ) -> None:
        lead = make_account("lead")
        before = table_counts(session.connection())
        body = json.dumps({"workflow": "x" * 5000}).encode()
        response = client.post("/api/v1/recordings", content=body, headers={
            **lead.headers, "Content-Type": "application/json"})
        assert response.status_code == 413
        assert "4096-byte limit" in response.json()["detail"]
        assert "SOP_RECORDER_MAX_BODY_BYTES" in response.json()["detail"]
        assert table_counts(session.connection()) == before

    def test_a_chunked_body_is_refused_once_it_passes_the_cap(
        self, client: TestClient, make_account: Any, session: Session
    ) -> None:
        lead = make_account("lead")
        workflow_id = _open(client, lead)["workflow_id"]
        before = table_counts(session.connection())
        response = client.patch(f"/api/v1/workflows/{workflow_id}", content=_chunks(10_000),
                                headers={**lead.headers, "Content-Type": "application/json"})
        assert response.status_code == 413, response.text
        assert "SOP_RECORDER_MAX_BODY_BYTES" in response.json()["detail"]
        assert table_counts(session.connection()) == before

    def test_the_sign_in_form_is_capped_too(self, client: TestClient) -> None:
        response = client.post("/login", content=b"a=" + b"x" * 5000,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert response.status_code == 413

    def test_a_body_under_the_cap_passes(self, client: TestClient, make_account: Any) -> None:
        _open(client, make_account("lead"))

    def test_the_import_route_has_its_own_larger_cap(
        self, client: TestClient, make_account: Any, session: Session
    ) -> None:
        agent = make_account("agent")
        flow = (FIXTURES / "devtools-recorder" / "example-recording.json").read_bytes()
        body = flow + b" " * 3000
        assert 4096 < len(body) < 50_000, "the fixture must be between the two caps"
        imported = client.post("/api/v1/recordings/import", content=body, headers={
            **agent.headers, "Content-Type": "application/json"})
        assert imported.status_code == 201, imported.text
        before = table_counts(session.connection())
        response = client.post("/api/v1/recordings/import", content=b" " * 60_000, headers={
            **agent.headers, "Content-Type": "application/json"})
        assert response.status_code == 413
        assert "SOP_RECORDER_MAX_IMPORT_BYTES" in response.json()["detail"]
        assert table_counts(session.connection()) == before


    def test_the_xes_check_has_its_own_cap(self, client: TestClient, make_account: Any) -> None:
        agent = make_account("agent")
        xes = b'<?xml version="1.0" encoding="UTF-8"?><log xes.version="1.0"></log>'
        headers = {**agent.headers, "Content-Type": "application/xml"}
        under = client.post("/api/v1/event-log/check", content=xes + b" " * 10_000,
                            headers=headers)
        assert under.status_code == 200, under.text
        over = client.post("/api/v1/event-log/check", content=xes + b" " * 30_000,
                           headers=headers)
        assert over.status_code == 413
        assert "SOP_RECORDER_MAX_XES_BYTES" in over.json()["detail"]


class TestRecordingsPerTeam:
    def test_the_fifth_recording_is_409_and_names_the_setting(
        self, client: TestClient, make_account: Any, session: Session
    ) -> None:
        agent = make_account("agent", "Quota")
        for _ in range(3):
            _open(client, agent)
        _open(client, make_account("lead", "Quota"))
        before = table_counts(session.connection())
        response = client.post("/api/v1/recordings", json={"workflow": "New one"},
                               headers=agent.headers)
        assert response.status_code == 409
        assert "SOP_RECORDER_MAX_RECORDINGS_PER_TEAM" in response.json()["detail"]
        assert table_counts(session.connection()) == before

    def test_an_import_counts_too(
        self, client: TestClient, make_account: Any, session: Session
    ) -> None:
        agent = make_account("agent", "Quota")
        for _ in range(4):
            _open(client, agent)
        body = (FIXTURES / "devtools-recorder" / "example-recording.json").read_bytes()
        before = table_counts(session.connection())
        response = client.post("/api/v1/recordings/import", content=body, headers={
            **agent.headers, "Content-Type": "application/json"})
        assert response.status_code == 409
        assert table_counts(session.connection()) == before

    def test_other_teams_are_not_counted(self, client: TestClient, make_account: Any) -> None:
        full = make_account("agent", "Full")
        for _ in range(4):
            _open(client, full)
        _open(client, make_account("agent", "Other"))


class TestEventsPerRecording:
    def test_a_batch_past_the_limit_is_413_and_stores_nothing(
        self, client: TestClient, make_account: Any, session: Session
    ) -> None:
        client.app.state.settings = client.app.state.settings.model_copy(  # type: ignore[attr-defined]
            update={"max_events_per_recording": 6})
        agent = make_account("agent")
        recording_id = _open(client, agent)["id"]
        first = client.post(f"/api/v1/recordings/{recording_id}/events", json=batch(4),
                            headers=agent.headers)
        assert first.status_code == 200, first.text
        before = table_counts(session.connection())
        response = client.post(f"/api/v1/recordings/{recording_id}/events", json=batch(4),
                               headers=agent.headers)
        assert response.status_code == 413
        assert "6 events" in response.json()["detail"]
        assert "SOP_RECORDER_MAX_EVENTS_PER_RECORDING" in response.json()["detail"]
        assert table_counts(session.connection()) == before


class TestPageSizes:
    @pytest.mark.parametrize("path", ["/api/v1/recordings", "/api/v1/workflows"])
    def test_every_list_caps_its_limit_and_says_so(
        self, client: TestClient, make_account: Any, path: str
    ) -> None:
        lead = make_account("lead")
        agent = make_account("agent")
        for name in ("A", "B"):
            _open(client, agent, name)
            _open(client, lead, name + "2")
        page = client.get(f"{path}?limit=1000", headers=lead.headers).json()
        assert page["limit"] == 3
        assert len(page["items"]) == 3 and page["total"] == 4

    def test_every_list_endpoint_is_one_of_those(self, app: Any) -> None:
        """A new list route (one with a ``limit`` parameter) must join the test above."""
        listed = {route.path for route in _walk(app.routes)
                  if "limit" in {param.name for param in route.dependant.query_params}}
        assert listed == {"/api/v1/recordings", "/api/v1/workflows"}


class TestOutputSteps:
    OUTPUTS = ("sop?format=md", "timing-report?format=json", "process-map?format=json",
               "event-log?format=csv")

    def test_an_output_over_the_step_limit_is_413_before_rendering(
        self, client: TestClient, make_account: Any
    ) -> None:
        lead = make_account("lead")
        flow = (FIXTURES / "devtools-recorder" / "example-recording.json").read_bytes()
        imported = client.post("/api/v1/recordings/import?workflow=Big", content=flow, headers={
            **lead.headers, "Content-Type": "application/json"}).json()
        steps = client.get(f"/api/v1/recordings/{imported['id']}/steps",
                           headers=lead.headers).json()["steps"]
        assert len(steps) >= 2
        base = f"/api/v1/workflows/{imported['workflow_id']}"
        state = client.app.state  # type: ignore[attr-defined]
        state.settings = state.settings.model_copy(update={"max_output_steps": len(steps)})
        for output in self.OUTPUTS:
            assert client.get(f"{base}/{output}", headers=lead.headers).status_code == 200
        state.settings = state.settings.model_copy(update={"max_output_steps": len(steps) - 1})
        for output in self.OUTPUTS:
            response = client.get(f"{base}/{output}", headers=lead.headers)
            assert response.status_code == 413, output
            assert "SOP_RECORDER_MAX_OUTPUT_STEPS" in response.json()["detail"]
            assert "exclude recordings" in response.json()["detail"]

    def test_a_page_download_over_the_step_limit_is_413(
        self, client: TestClient, make_account: Any
    ) -> None:
        lead = make_account("lead")
        flow = (FIXTURES / "devtools-recorder" / "example-recording.json").read_bytes()
        imported = client.post("/api/v1/recordings/import?workflow=Big", content=flow, headers={
            **lead.headers, "Content-Type": "application/json"}).json()
        client.post(f"/api/v1/workflows/{imported['workflow_id']}/publish", headers=lead.headers)
        sign_in(client, lead)
        page = f"/workflows/{imported['workflow_id']}/download/sop.md"
        assert client.get(page).status_code == 200
        state = client.app.state  # type: ignore[attr-defined]
        state.settings = state.settings.model_copy(update={"max_output_steps": 1})
        refused = client.get(page)
        assert refused.status_code == 413
        assert "SOP_RECORDER_MAX_OUTPUT_STEPS" in refused.text
