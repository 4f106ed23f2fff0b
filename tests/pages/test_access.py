"""Who sees what: agents their own recordings, leads their team, other teams 404, admins admin."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.html import one
from tests.pages.conftest import sign_in, soup

RECORDING_LINKS = "td a[href^='/recordings/']"


@pytest.fixture
def two_teams(make_account: Any, make_recording: Any) -> dict[str, Any]:
    lead, agent, other_agent = make_account("lead"), make_account("agent"), make_account("agent")
    stranger = make_account("lead", team="Billing")
    return {
        "lead": lead, "agent": agent, "stranger": stranger,
        "own": make_recording(agent, "Refund request"),
        "colleague": make_recording(other_agent, "Refund request"),
        "foreign": make_recording(stranger, "Chargeback"),
    }


@pytest.mark.parametrize("path", ["/workflows", "/recordings", "/account", "/admin",
                                  "/recordings/1"])
def test_signed_out_visitors_are_sent_to_login(browser_client: TestClient, path: str) -> None:
    response = browser_client.get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_an_agent_sees_only_their_own_recordings(client: TestClient,
                                                 two_teams: dict[str, Any]) -> None:
    sign_in(client, two_teams["agent"])
    links = {a["href"] for a in soup(client.get("/recordings")).select(RECORDING_LINKS)}
    assert links == {f"/recordings/{two_teams['own'].id}"}
    assert client.get(f"/recordings/{two_teams['own'].id}").status_code == 200
    assert client.get(f"/recordings/{two_teams['colleague'].id}").status_code == 404


def test_a_lead_sees_the_whole_team(client: TestClient, two_teams: dict[str, Any]) -> None:
    sign_in(client, two_teams["lead"])
    links = {a["href"] for a in soup(client.get("/recordings")).select(RECORDING_LINKS)}
    assert links == {f"/recordings/{two_teams[k].id}" for k in ("own", "colleague")}


@pytest.mark.parametrize("role", ["agent", "lead"])
def test_another_teams_recording_answers_404_without_content(
    client: TestClient, two_teams: dict[str, Any], role: str
) -> None:
    sign_in(client, two_teams[role])
    response = client.get(f"/recordings/{two_teams['foreign'].id}")
    assert response.status_code == 404
    assert "Chargeback" not in response.text


def test_another_teams_workflow_is_not_listed(client: TestClient,
                                              two_teams: dict[str, Any]) -> None:
    sign_in(client, two_teams["lead"])
    names = [a.text for a in soup(client.get("/workflows")).select("#workflows tbody a")]
    assert names == ["Refund request"]


@pytest.mark.parametrize("role", ["agent", "lead"])
def test_only_admins_reach_the_admin_page(client: TestClient, make_account: Any,
                                          role: str) -> None:
    sign_in(client, make_account(role))
    assert client.get("/admin").status_code == 403
    nav = [a.text for a in soup(client.get("/account")).select("nav[aria-label=Main] a")]
    assert "Admin" not in nav


def test_an_admin_reaches_the_admin_page(client: TestClient, make_account: Any) -> None:
    sign_in(client, make_account("admin"))
    assert client.get("/admin").status_code == 200


@pytest.mark.parametrize("path", ["/recordings/abc", "/recordings/0", "/recordings/99999999999"])
def test_malformed_ids_are_a_404_page(client: TestClient, make_account: Any, path: str) -> None:
    sign_in(client, make_account("lead"))
    response = client.get(path)
    assert response.status_code == 404
    assert one(soup(response), "h1").text == "Not found"


def test_the_api_keeps_json_errors(client: TestClient) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
