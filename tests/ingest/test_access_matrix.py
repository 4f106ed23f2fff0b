"""Access-control matrix over every ``/api/v1`` route, found by walking ``app.routes``.

A route added later is covered without editing this file, as long as its object ids are
of a known kind. A path parameter of an unknown kind fails the test loudly: give it a kind
in ``OBJECT_IDS``, or list it in ``NOT_OBJECT_IDS`` with the reason it needs no check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Account
from tests.factories import batch

#: Path parameters that name an object which belongs to a team (and maybe to an agent).
OBJECT_IDS = {"recording_id", "workflow_id"}
#: Path parameters that are not object ids, with why the matrix needs no data for them.
NOT_OBJECT_IDS = {
    "number": "a version number inside {workflow_id}, which is the object checked",
    "activity_key": "a step key inside {workflow_id}, which is the object checked",
}
#: A value for each non-object parameter, to build a URL that reaches the object check.
FILLERS = {"number": "1", "activity_key": "zendesk:ticket:click:submit"}
PARAM = re.compile(r"{(\w+)(?::\w+)?}")
MISSING_ID = "2000000000"


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str

    @property
    def params(self) -> list[str]:
        return PARAM.findall(self.path)

    def url(self, ids: dict[str, Any]) -> str:
        values = {**FILLERS, **{k: str(v) for k, v in ids.items()}}
        return PARAM.sub(lambda m: values[m.group(1)], self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _walk(routes: Iterable[Any]) -> Iterator[Any]:
    """Every endpoint route, also inside included routers (FastAPI nests them)."""
    for route in routes:
        nested = getattr(route, "effective_route_contexts", None)
        if nested is not None:
            yield from _walk(nested())
        elif hasattr(route, "dependant") and hasattr(route, "methods"):
            yield route


def api_endpoints(app: FastAPI) -> list[Endpoint]:
    """Every (method, path) under ``/api/v1`` that has a path parameter."""
    found = {
        Endpoint(method, route.path)
        for route in _walk(app.routes)
        if route.path.startswith("/api/v1/") and PARAM.search(route.path)
        for method in route.methods
        if method != "HEAD"
    }
    return sorted(found, key=str)


@pytest.fixture
def teams(client: TestClient, quick_account: Any) -> dict[str, Any]:
    """Team A (a lead, two agents, recordings, a workflow) and team B's users."""
    agent = quick_account("agent", "Team A")
    data = {
        "lead": quick_account("lead", "Team A"),
        "agent": agent,
        "colleague": quick_account("agent", "Team A"),
        "b_lead": quick_account("lead", "Team B"),
        "b_admin": quick_account("admin", "Team B"),
        "b_agent": quick_account("agent", "Team B"),
    }
    recordings = []
    for finish in (False, True):
        created = client.post("/api/v1/recordings", json={"workflow": "Refund"},
                              headers=agent.headers).json()
        client.post(f"/api/v1/recordings/{created['id']}/events", json=batch(4),
                    headers=agent.headers)
        if finish:
            client.post(f"/api/v1/recordings/{created['id']}/finish", headers=agent.headers)
        recordings.append(created)
    data["ids"] = [
        {"recording_id": r["id"], "workflow_id": r["workflow_id"]} for r in recordings
    ]
    return data


def _call(client: TestClient, endpoint: Endpoint, url: str, account: Account) -> int:
    response = client.request(endpoint.method, url, headers=account.headers, json={})
    status: int = response.status_code
    assert status < 500, f"{endpoint}: {status} {response.text}"
    return status


def test_every_path_parameter_has_a_known_kind(app: FastAPI) -> None:
    endpoints = api_endpoints(app)
    assert any(e.path == "/api/v1/recordings/{recording_id}/events" for e in endpoints)
    unknown = {
        f"{endpoint}: {{{param}}}"
        for endpoint in endpoints
        for param in endpoint.params
        if param not in OBJECT_IDS and param not in NOT_OBJECT_IDS
    }
    assert not unknown, (
        "path parameters the access matrix does not know; add them to OBJECT_IDS (with data "
        f"in the `teams` fixture) or to NOT_OBJECT_IDS with a reason: {sorted(unknown)}"
    )


def test_another_team_gets_404_on_every_object(
    app: FastAPI, client: TestClient, teams: dict[str, Any]
) -> None:
    checked = 0
    for endpoint in api_endpoints(app):
        if not OBJECT_IDS & set(endpoint.params):
            continue
        for ids in teams["ids"]:
            url = endpoint.url(ids)
            for who in ("b_lead", "b_admin"):
                assert _call(client, endpoint, url, teams[who]) == 404, f"{who} on {endpoint}"
                checked += 1
            # An agent of team B may meet a role gate first; it must not tell more than
            # it tells for an id that does not exist.
            status = _call(client, endpoint, url, teams["b_agent"])
            missing = _call(client, endpoint, endpoint.url(dict.fromkeys(ids, MISSING_ID)),
                            teams["b_agent"])
            assert status == 404 or status == missing == 403, f"b_agent on {endpoint}"
    assert checked >= 20


def test_an_agent_gets_404_on_another_agents_recording(
    app: FastAPI, client: TestClient, teams: dict[str, Any]
) -> None:
    checked = 0
    for endpoint in api_endpoints(app):
        if "recording_id" not in endpoint.params:
            continue
        for ids in teams["ids"]:
            status = _call(client, endpoint, endpoint.url(ids), teams["colleague"])
            missing = _call(client, endpoint, endpoint.url({**ids, "recording_id": MISSING_ID}),
                            teams["colleague"])
            assert status == 404 or status == missing == 403, f"colleague on {endpoint}"
            checked += 1
    assert checked >= 10


def test_the_owners_see_their_objects(client: TestClient, teams: dict[str, Any]) -> None:
    """The matrix's ids are real: their owners get them."""
    for ids in teams["ids"]:
        for who in ("agent", "lead"):
            headers = teams[who].headers
            recording = client.get(f"/api/v1/recordings/{ids['recording_id']}", headers=headers)
            assert recording.status_code == 200, who
        workflow = client.get(f"/api/v1/workflows/{ids['workflow_id']}",
                              headers=teams["lead"].headers)
        assert workflow.status_code == 200


def test_lists_are_scoped(client: TestClient, teams: dict[str, Any]) -> None:
    workflow_id = teams["ids"][0]["workflow_id"]
    for who in ("b_lead", "b_admin", "colleague"):
        page = client.get(f"/api/v1/recordings?workflow_id={workflow_id}",
                          headers=teams[who].headers).json()
        assert page["total"] == 0 and page["items"] == [], who
    own = client.get("/api/v1/recordings", headers=teams["agent"].headers).json()
    assert own["total"] == 2
