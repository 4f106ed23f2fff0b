"""Revocation takes effect on the very next request: API tokens, and page sessions of users
who were deactivated. (A changed password: tests/pages/test_session.py; revoking through
``accounts.revoke_token``, the CLI's use case: tests/ingest/test_tokens.py.)"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ApiToken, User
from tests.pages.conftest import sign_in


def test_a_token_revoked_on_the_admin_page_is_refused_on_the_next_call(
    client: TestClient, make_account: Any, session: Session
) -> None:
    lead = make_account("lead", "Team A")
    assert client.get("/api/v1/workflows", headers=lead.headers).status_code == 200
    csrf = sign_in(client, make_account("admin", "Ops"))
    token_id = session.scalar(select(ApiToken.id).where(ApiToken.user_id == lead.user.id))
    revoked = client.post(f"/admin/tokens/{token_id}/revoke", data={"csrf_token": csrf},
                          follow_redirects=False)
    assert revoked.status_code == 303
    client.cookies.clear()
    response = client.get("/api/v1/workflows", headers=lead.headers)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_a_token_revoked_by_its_owner_is_refused_on_the_next_call(
    client: TestClient, make_account: Any, session: Session
) -> None:
    agent = make_account("agent")
    opened = client.post("/api/v1/recordings", json={"workflow": "W"}, headers=agent.headers)
    assert opened.status_code == 201
    csrf = sign_in(client, agent)
    token_id = session.scalar(select(ApiToken.id).where(ApiToken.user_id == agent.user.id))
    client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf},
                follow_redirects=False)
    client.cookies.clear()
    again = client.post(f"/api/v1/recordings/{opened.json()['id']}/finish",
                        headers=agent.headers)
    assert again.status_code == 401


def test_a_deactivated_users_page_session_is_refused_on_the_next_page(
    client: TestClient, make_account: Any, session: Session
) -> None:
    lead = make_account("lead")
    sign_in(client, lead)
    assert client.get("/workflows", follow_redirects=False).status_code == 200
    user = session.get(User, lead.user.id)
    assert user is not None
    user.is_active = False
    session.commit()
    response = client.get("/workflows", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert client.get("/account", follow_redirects=False).status_code == 303
