"""Regressions that the Schemathesis run found, pinned with literal inputs (both databases)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import table_counts


@pytest.mark.parametrize("body", [
    {"workflow": "\x00"},
    {"workflow": "Refund", "ticket_ref": "T-\x001"},
    {"workflow": "Refund", "client": {"browser": "Chrome\x00"}},
])
def test_a_nul_when_opening_a_recording_is_a_422_not_a_server_error(
    client: TestClient, make_account: Any, session: Session, body: dict[str, Any]
) -> None:
    """PostgreSQL text cannot hold NUL; the schema refuses it before any query."""
    agent = make_account("agent")
    before = table_counts(session.connection())
    response = client.post("/api/v1/recordings", json=body, headers=agent.headers)
    assert response.status_code == 422, response.text
    assert table_counts(session.connection()) == before


def test_an_imported_flow_titled_with_a_nul_is_imported_without_it(
    client: TestClient, make_account: Any
) -> None:
    agent = make_account("agent")
    response = client.post("/api/v1/recordings/import", headers={
        **agent.headers, "Content-Type": "application/json"},
        content=b'{"title": "Re\\u0000fund", "steps": [{"type": "navigate", '
                b'"url": "https://example.zendesk.com/agent/tickets/1"}]}')
    assert response.status_code == 201, response.text
    assert response.json()["workflow"] == "Refund"
