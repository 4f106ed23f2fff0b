"""The recording API: open, send events (idempotently), finish, read, list."""

from __future__ import annotations

import gzip
import json
import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Event
from tests.factories import batch, event


def open_recording(client: TestClient, account: Any, workflow: str = "Refund request") -> int:
    response = client.post(
        "/api/v1/recordings",
        json={"workflow": workflow, "ticket_ref": "ZD-4821",
              "client": {"extension_version": "0.1.0", "browser": "Chromium 156"}},
        headers=account.headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


class TestCreate:
    def test_opens_recording_in_new_workflow(self, client: TestClient, make_account: Any) -> None:
        agent = make_account("agent")
        response = client.post(
            "/api/v1/recordings", json={"workflow": "Refund request"}, headers=agent.headers
        )
        assert response.status_code == 201
        body = response.json()
        assert body["workflow"] == "Refund request"
        assert body["status"] == "recording"
        assert body["recorded_by"] == agent.user.email

    def test_same_name_reuses_workflow(self, client: TestClient, make_account: Any) -> None:
        agent = make_account("agent")
        first = client.post("/api/v1/recordings", json={"workflow": "A"}, headers=agent.headers)
        second = client.post("/api/v1/recordings", json={"workflow": "A"}, headers=agent.headers)
        assert first.json()["workflow_id"] == second.json()["workflow_id"]

    def test_needs_token(self, client: TestClient) -> None:
        response = client.post("/api/v1/recordings", json={"workflow": "A"})
        assert response.status_code == 401


class TestEvents:
    def test_the_answer_times_each_phase(self, client: TestClient, make_account: Any) -> None:
        agent = make_account("agent")
        rid = open_recording(client, agent)
        started = time.perf_counter()
        response = client.post(f"/api/v1/recordings/{rid}/events", json=batch(20),
                               headers=agent.headers)
        elapsed_ms = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.text
        phases = [part.split(";dur=") for part in response.headers["Server-Timing"].split(", ")]
        assert [name for name, _ in phases] == [
            "admission", "body", "thread", "validate", "prepare", "turn", "store"]
        durations = [float(ms) for _, ms in phases]
        assert all(ms >= 0 for ms in durations)
        assert sum(durations) <= elapsed_ms

    def test_batch_is_stored_and_acknowledged(
        self, client: TestClient, make_account: Any, session: Session
    ) -> None:
        agent = make_account("agent")
        rid = open_recording(client, agent)
        payload = batch(5)
        response = client.post(f"/api/v1/recordings/{rid}/events", json=payload,
                               headers=agent.headers)
        assert response.status_code == 200, response.text
        assert response.json() == {"inserted": 5, "duplicates": 0, "received": 5, "event_count": 5}
        stored = session.scalars(select(Event.client_id).where(Event.recording_id == rid)).all()
        assert sorted(stored) == sorted(e["id"] for e in payload["events"])

    def test_resent_batch_stores_nothing_twice(self, client: TestClient, make_account: Any) -> None:
        agent = make_account("agent")
        rid = open_recording(client, agent)
        payload = batch(3)
        url = f"/api/v1/recordings/{rid}/events"
        client.post(url, json=payload, headers=agent.headers)
        again = client.post(url, json=payload, headers=agent.headers)
        assert again.json()["inserted"] == 0
        assert again.json()["duplicates"] == 3
        assert again.json()["event_count"] == 3

    def test_gzip_body(self, client: TestClient, make_account: Any) -> None:
        agent = make_account("agent")
        rid = open_recording(client, agent)
        body = gzip.compress(json.dumps(batch(2)).encode())
        response = client.post(
            f"/api/v1/recordings/{rid}/events", content=body,
            headers={**agent.headers, "Content-Type": "application/json",
                     "Content-Encoding": "gzip"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["inserted"] == 2

    def test_server_redacts_what_client_left(
        self, client: TestClient, make_account: Any, session: Session
    ) -> None:
        agent = make_account("agent")
        rid = open_recording(client, agent)
        leaky = event("click", page={
            "url": "https://billing.example.com/customers/jane@doe.com/cards?email=jane@doe.com",
            "title": "Jane (jane@doe.com) 4111 1111 1111 1111",
        })
        client.post(f"/api/v1/recordings/{rid}/events", json={"events": [leaky]},
                    headers=agent.headers)
        row = session.scalars(select(Event).where(Event.recording_id == rid)).one()
        assert "jane" not in row.url and "jane" not in row.title
        assert "4111" not in row.title
        assert row.url == "https://billing.example.com/customers/{email}/cards"
        manifest = client.get(f"/api/v1/recordings/{rid}", headers=agent.headers).json()["manifest"]
        assert manifest["redacted"]["emails"] == 1
        assert manifest["redacted"]["cards"] == 1

    def test_partial_resend_counts_only_new_events_in_manifest(
        self, client: TestClient, make_account: Any
    ) -> None:
        agent = make_account("agent")
        rid = open_recording(client, agent)
        url = f"/api/v1/recordings/{rid}/events"

        def leaky(n: int) -> dict[str, Any]:
            return event("click", seq=n, page={"url": "https://x.test/a",
                                               "title": f"Call +1 (555) 010-{n:04d}"})

        first = [leaky(1), leaky(2)]
        client.post(url, json={"events": first}, headers=agent.headers)
        resent = client.post(url, json={"events": [*first, leaky(3)]}, headers=agent.headers)
        assert resent.json() == {"inserted": 1, "duplicates": 2, "received": 3, "event_count": 3}
        manifest = client.get(f"/api/v1/recordings/{rid}", headers=agent.headers).json()["manifest"]
        assert manifest["redacted"] == {"phones": 3}
        assert manifest["event_counts"] == {"click": 3}

    def test_first_occurrence_of_an_id_in_a_batch_wins(
        self, client: TestClient, make_account: Any, session: Session
    ) -> None:
        agent = make_account("agent")
        rid = open_recording(client, agent)
        first = event("click", seq=1, page={"url": "https://x.test/first", "title": "First"})
        second = {**first, "seq": 2, "page": {"url": "https://x.test/second", "title": "Second"}}
        response = client.post(f"/api/v1/recordings/{rid}/events",
                               json={"events": [first, second]}, headers=agent.headers)
        assert response.json() == {"inserted": 1, "duplicates": 1, "received": 2, "event_count": 1}
        row = session.scalars(select(Event).where(Event.recording_id == rid)).one()
        assert (row.seq, row.title) == (1, "First")

    def test_an_id_is_the_same_key_in_every_spelling(
        self, client: TestClient, make_account: Any, session: Session
    ) -> None:
        # Upper case and no hyphens are the same UUID: stored once, under the canonical form.
        agent = make_account("agent")
        rid = open_recording(client, agent)
        url = f"/api/v1/recordings/{rid}/events"
        sent = event("click", seq=1)
        canonical = sent["id"]
        for spelling in (canonical.upper(), canonical.replace("-", ""), canonical):
            client.post(url, json={"events": [{**sent, "id": spelling}]}, headers=agent.headers)
        assert session.scalars(select(Event.client_id).where(Event.recording_id == rid)).all() == [
            canonical]
        braces = client.post(url, json={"events": [{**sent, "id": "{" + canonical + "}"}]},
                             headers=agent.headers)
        assert braces.status_code == 422 and braces.json()["detail"].startswith("events[0].id")

    def test_a_valid_event_over_the_size_limit_is_refused(
        self, client: TestClient, make_account: Any, session: Session
    ) -> None:
        # Every field within its own cap, but control characters serialize to six bytes
        # each: 10 selectors of 1,000 of them make an event of about 60 KB (limit 32 KB).
        agent = make_account("agent")
        rid = open_recording(client, agent)
        heavy = event("click", seq=2)
        heavy["target"]["selectors"] = ["\x01" * 1000] * 10
        response = client.post(f"/api/v1/recordings/{rid}/events",
                               json={"events": [event("click", seq=1), heavy]},
                               headers=agent.headers)
        assert response.status_code == 413
        assert response.json()["errors"][0]["loc"] == "events[1]"
        assert session.scalar(select(func.count()).select_from(Event)
                              .where(Event.recording_id == rid)) == 0

    def test_finished_recording_refuses_events(self, client: TestClient, make_account: Any) -> None:
        agent = make_account("agent")
        rid = open_recording(client, agent)
        finished = client.post(f"/api/v1/recordings/{rid}/finish", headers=agent.headers)
        assert finished.status_code == 200
        response = client.post(f"/api/v1/recordings/{rid}/events", json=batch(1),
                               headers=agent.headers)
        assert response.status_code == 409

    def test_invalid_event_names_index_and_field(
        self, client: TestClient, make_account: Any
    ) -> None:
        agent = make_account("agent")
        rid = open_recording(client, agent)
        payload = batch(3)
        payload["events"][2]["target"]["name"] = "x" * 600
        response = client.post(f"/api/v1/recordings/{rid}/events", json=payload,
                               headers=agent.headers)
        assert response.status_code == 422
        assert response.json()["detail"].startswith("events[2].target.name")


class TestReadAndList:
    def test_list_is_paged_and_scoped(self, client: TestClient, make_account: Any) -> None:
        agent, other = make_account("agent"), make_account("agent")
        for _ in range(3):
            open_recording(client, agent)
        open_recording(client, other)
        page = client.get("/api/v1/recordings?limit=2", headers=agent.headers).json()
        assert page["total"] == 3 and len(page["items"]) == 2
        assert {item["recorded_by"] for item in page["items"]} == {agent.user.email}

    def test_schema_is_published(self, client: TestClient) -> None:
        schema = client.get("/api/v1/schema/events").json()
        assert schema["properties"]["events"]["maxItems"] == 500

    def test_healthz(self, client: TestClient) -> None:
        assert client.get("/healthz").json()["status"] == "ok"


class TestStoredRows:
    def test_every_field_round_trips(
        self, client: TestClient, make_account: Any, session: Session
    ) -> None:
        agent = make_account("agent")
        rid = open_recording(client, agent)
        sent = [event("change", seq=1, checked=True), event("navigation", seq=2)]
        client.post(f"/api/v1/recordings/{rid}/events", json={"events": sent},
                    headers=agent.headers)
        change, navigation = session.scalars(
            select(Event).where(Event.recording_id == rid).order_by(Event.seq)
        ).all()
        assert change.target == {**sent[0]["target"], "input_type": None,
                                 "context": {"heading": "Ticket #4821", "dialog": None,
                                             "form": "Ticket", "landmark": None}}
        assert (change.field, change.control, change.choice, change.checked) == (
            "Priority", "select", "Urgent", True)
        assert (navigation.transition, navigation.load_ms, navigation.target) == ("link", 420, None)
        assert change.received_at.tzinfo is not None
        nulls = session.scalar(
            select(func.count()).select_from(Event)
            .where(Event.recording_id == rid, Event.target.is_(None))
        )
        assert nulls == 1  # SQL NULL, not a JSON null

    def test_nul_characters_are_removed_from_values(
        self, client: TestClient, make_account: Any, session: Session
    ) -> None:
        """PostgreSQL text cannot hold NUL; a schema-valid event with one is stored without it."""
        agent = make_account("agent")
        rid = open_recording(client, agent)
        sent = event("marker", seq=1, label="Escalating\u0000 now",
                     page={"url": "https://a.test/x\u0000y", "title": "T\u0000"})
        response = client.post(f"/api/v1/recordings/{rid}/events", json={"events": [sent]},
                               headers=agent.headers)
        assert response.status_code == 200, response.text
        row = session.scalars(select(Event).where(Event.recording_id == rid)).one()
        assert (row.label, row.url, row.title) == ("Escalating now", "https://a.test/xy", "T")
