"""The user's own page (tokens for the extension) and the admin page (users, teams, tokens)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Connection

from app.models import ApiToken, User
from tests.conftest import table_counts
from tests.html import attr, next_tag, one
from tests.pages.conftest import sign_in, soup


def test_an_issued_token_is_shown_once_and_works(client: TestClient, make_account: Any) -> None:
    agent = make_account("agent")
    csrf = sign_in(client, agent)
    response = client.post("/account/tokens", data={"csrf_token": csrf, "name": "Work laptop"})
    assert response.status_code == 201
    secret = attr(one(soup(response), "#new-token"), "value")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["email"] == agent.user.email
    again = soup(client.get("/account"))
    assert again.select_one("#new-token") is None
    assert secret not in again.text
    assert "Work laptop" in one(again, "table").text


def test_the_account_page_says_how_to_install_the_extension(
    client: TestClient, make_account: Any
) -> None:
    sign_in(client, make_account("agent"))
    install = next_tag(one(soup(client.get("/account")), "h2#install"), "ol").text
    assert "Load unpacked" in install and "http://testserver" in install


def test_an_unnamed_token_gets_a_message_next_to_the_field(
    client: TestClient, make_account: Any, connection: Connection
) -> None:
    csrf = sign_in(client, make_account("agent"))
    before = table_counts(connection)
    response = client.post("/account/tokens", data={"csrf_token": csrf, "name": "  "})
    assert response.status_code == 422
    field = one(soup(response), "#token-name")
    assert attr(field, "aria-invalid") == "true"
    error = one(soup(response), "#token-name-error")
    assert "token-name-error" in attr(field, "aria-describedby") and "name" in error.text
    assert table_counts(connection) == before


def test_revoking_my_token_stops_it(client: TestClient, make_account: Any,
                                    session: Any) -> None:
    agent = make_account("agent")
    csrf = sign_in(client, agent)
    token = session.scalar(select(ApiToken).where(ApiToken.user_id == agent.user.id))
    client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf})
    assert client.get("/api/v1/me", headers=agent.headers).status_code == 401


def test_i_cannot_revoke_someone_elses_token(client: TestClient, make_account: Any,
                                            session: Any) -> None:
    other = make_account("agent")
    csrf = sign_in(client, make_account("agent"))
    token = session.scalar(select(ApiToken).where(ApiToken.user_id == other.user.id))
    response = client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 404
    assert client.get("/api/v1/me", headers=other.headers).status_code == 200


class TestAdmin:
    def test_create_a_user_in_a_new_team(self, client: TestClient, make_account: Any,
                                         session: Any) -> None:
        csrf = sign_in(client, make_account("admin"))
        response = client.post("/admin/users", data={
            "csrf_token": csrf, "email": "New.Agent@Example.test", "role": "agent",
            "team": "Night shift", "password": "a long password"})
        assert response.status_code == 201
        secret = attr(one(soup(response), "#new-token"), "value")
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json()
        assert me == {**me, "email": "new.agent@example.test", "team": "Night shift"}
        heading = one(soup(client.get("/admin")), "h2#teams")
        teams = [li.text for li in next_tag(heading, "ul").find_all("li")]
        assert "Night shift — 1 user" in teams

    @pytest.mark.parametrize(("field", "value"), [
        ("email", "not-an-email"), ("role", "owner"), ("team", ""), ("password", "short")])
    def test_each_invalid_field_gets_its_message(
        self, client: TestClient, make_account: Any, connection: Connection,
        field: str, value: str,
    ) -> None:
        csrf = sign_in(client, make_account("admin"))
        before = table_counts(connection)
        data = {"csrf_token": csrf, "email": "x@example.test", "role": "agent",
                "team": "Support", "password": "a long password", field: value}
        response = client.post("/admin/users", data=data)
        assert response.status_code == 422
        page = soup(response)
        assert attr(one(page, f"#f-{field}"), "aria-invalid") == "true"
        assert one(page, f"#f-{field}-error").text
        assert len(page.select(".field-error")) == 1
        assert table_counts(connection) == before

    def test_a_taken_email_is_reported_on_the_email_field(
        self, client: TestClient, make_account: Any
    ) -> None:
        taken = make_account("agent")
        csrf = sign_in(client, make_account("admin"))
        response = client.post("/admin/users", data={
            "csrf_token": csrf, "email": taken.user.email, "role": "agent", "team": "Support",
            "password": "a long password"})
        assert response.status_code == 422
        assert "already exists" in one(soup(response), "#f-email-error").text

    def test_issue_and_revoke_a_users_token(self, client: TestClient, make_account: Any,
                                            session: Any) -> None:
        agent = make_account("agent")
        csrf = sign_in(client, make_account("admin"))
        response = client.post(f"/admin/users/{agent.user.id}/tokens", data={"csrf_token": csrf})
        secret = attr(one(soup(response), "#new-token"), "value")
        headers = {"Authorization": f"Bearer {secret}"}
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        token = session.scalar(select(ApiToken).where(ApiToken.prefix == secret[:10]))
        client.post(f"/admin/tokens/{token.id}/revoke", data={"csrf_token": csrf})
        assert client.get("/api/v1/me", headers=headers).status_code == 401
        assert session.get(User, agent.user.id) is not None
