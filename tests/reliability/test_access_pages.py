"""The access-control matrix of tests/ingest/test_access_matrix.py over every page and download.

The page routes are found by walking ``app.routes`` (everything outside ``/api``); the data is
the same ``teams`` fixture. Users are signed in through the pages' own session cookie. A path
parameter of an unknown kind fails loudly: give it a kind in ``OBJECT_IDS`` or list it in
``NOT_OBJECT_IDS`` with a reason.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ApiToken
from app.pages.session import COOKIE_NAME, encode_session, load_or_create_secret, new_session
from app.settings import Settings
from tests.conftest import Account
from tests.ingest.conftest import quick_account
from tests.ingest.test_access_matrix import MISSING_ID, PARAM, Endpoint, _walk, teams

__all__ = ["quick_account", "teams"]

#: Path parameters naming an object of a team (or of one user).
OBJECT_IDS = {"recording_id", "workflow_id", "token_id"}
#: Path parameters that are not object ids, with why no data is needed for them.
NOT_OBJECT_IDS = {
    "number": "a version number inside {workflow_id}, which is the object checked",
    "filename": "the name of a download of {workflow_id}, which is the object checked",
    "user_id": "only under /admin, which is checked separately (admins run the installation)",
}
FILLERS = {"number": "1", "filename": "sop.md"}
#: Routes whose ids are not team-scoped, with the reason and the check made instead.
ADMIN_PREFIX = "/admin/"


def page_endpoints(app: FastAPI) -> list[Endpoint]:
    """Every page or download route with a path parameter (everything outside /api)."""
    found = {
        Endpoint(method, route.path)
        for route in _walk(app.routes)
        if not route.path.startswith("/api/") and PARAM.search(route.path)
        for method in route.methods
        if method != "HEAD"
    }
    return sorted(found, key=str)


class PageUser:
    """A browser signed in as one user: its session cookie and CSRF token."""

    def __init__(self, client: TestClient, account: Account, settings: Settings) -> None:
        data = new_session(account.user)
        self.client = client
        self.csrf = data.csrf_token
        self.cookie = encode_session(load_or_create_secret(settings), data)

    def call(self, endpoint: Endpoint, url: str) -> Any:
        self.client.cookies.set(COOKIE_NAME, self.cookie)
        form = {"csrf_token": self.csrf} if endpoint.method == "POST" else None
        response = self.client.request(endpoint.method, url, data=form, follow_redirects=False)
        assert response.status_code < 500, f"{endpoint}: {response.status_code}"
        return response


def _url(endpoint: Endpoint, ids: dict[str, Any]) -> str:
    values = {**FILLERS, **{k: str(v) for k, v in ids.items()}}
    return PARAM.sub(lambda m: values[m.group(1)], endpoint.path)


@pytest.fixture
def ids(teams: dict[str, Any], session: Session) -> list[dict[str, Any]]:
    """Team A's object ids: its recordings, their workflow, the lead's token."""
    token_id = session.scalar(select(ApiToken.id).where(ApiToken.user_id == teams["lead"].user.id))
    return [{**each, "token_id": token_id} for each in teams["ids"]]


def test_every_page_parameter_has_a_known_kind(app: FastAPI) -> None:
    endpoints = page_endpoints(app)
    assert any(e.path == "/workflows/{workflow_id}/download/{filename}" for e in endpoints)
    unknown = {f"{e}: {{{p}}}" for e in endpoints for p in e.params
               if p not in OBJECT_IDS and p not in NOT_OBJECT_IDS}
    assert not unknown, f"add these to OBJECT_IDS or NOT_OBJECT_IDS: {sorted(unknown)}"


def test_another_team_gets_404_on_every_page_of_every_object(
    app: FastAPI, client: TestClient, teams: dict[str, Any], ids: list[dict[str, Any]],
    settings: Settings,
) -> None:
    checked = 0
    lead_b = PageUser(client, teams["b_lead"], settings)
    agent_b = PageUser(client, teams["b_agent"], settings)
    for endpoint in page_endpoints(app):
        if endpoint.path.startswith(ADMIN_PREFIX) or not OBJECT_IDS & set(endpoint.params):
            continue
        for each in ids:
            response = lead_b.call(endpoint, _url(endpoint, each))
            assert response.status_code == 404, f"b_lead on {endpoint}: {response.status_code}"
            assert "Refund" not in response.text, f"b_lead on {endpoint} sees the workflow"
            status = agent_b.call(endpoint, _url(endpoint, each)).status_code
            missing = agent_b.call(endpoint, _url(endpoint, dict.fromkeys(each, MISSING_ID)))
            assert status == 404 or status == missing.status_code == 403, f"b_agent on {endpoint}"
            checked += 1
    assert checked >= 12


def test_an_agent_gets_404_on_another_agents_recording_pages(
    app: FastAPI, client: TestClient, teams: dict[str, Any], ids: list[dict[str, Any]],
    settings: Settings,
) -> None:
    colleague = PageUser(client, teams["colleague"], settings)
    owner = PageUser(client, teams["agent"], settings)
    endpoints = [e for e in page_endpoints(app) if "recording_id" in e.params]
    assert endpoints
    for endpoint in endpoints:
        for each in ids:
            assert owner.call(endpoint, _url(endpoint, each)).status_code == 200
            assert colleague.call(endpoint, _url(endpoint, each)).status_code == 404


def test_the_owners_reach_the_pages(
    app: FastAPI, client: TestClient, teams: dict[str, Any], ids: list[dict[str, Any]],
    settings: Settings,
) -> None:
    """The matrix's ids are real: team A's lead reads every GET page of its workflow."""
    lead = PageUser(client, teams["lead"], settings)
    reached = 0
    for endpoint in page_endpoints(app):
        if endpoint.method != "GET" or endpoint.params != ["workflow_id"]:
            continue
        response = lead.call(endpoint, _url(endpoint, ids[1]))
        assert response.status_code == 200, f"{endpoint}: {response.status_code}"
        reached += 1
    assert reached >= 3


def test_admin_routes_need_an_admin(
    app: FastAPI, client: TestClient, teams: dict[str, Any], ids: list[dict[str, Any]],
    settings: Settings,
) -> None:
    """Admins run the installation (all teams); every other role is refused before any id."""
    lead = PageUser(client, teams["b_lead"], settings)
    admin_routes = [e for e in page_endpoints(app) if e.path.startswith(ADMIN_PREFIX)]
    assert admin_routes
    for endpoint in admin_routes:
        url = _url(endpoint, {"user_id": teams["lead"].user.id, "token_id": ids[0]["token_id"]})
        assert lead.call(endpoint, url).status_code == 403, str(endpoint)
