"""API tokens: refused when revoked or expired, last use recorded, stored only as a hash."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.accounts import create_token, revoke_token
from app.auth import hash_token, issue_token
from app.models import ApiToken, utcnow
from tests.factories import batch


def me(client: TestClient, token: str) -> Any:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def _row(session: Session, token: str) -> ApiToken:
    row = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token))
        .execution_options(populate_existing=True)
    ).one()
    return row


class TestRefused:
    def test_revoked_token(self, client: TestClient, quick_account: Any, session: Session) -> None:
        account = quick_account()
        assert me(client, account.token).status_code == 200
        assert revoke_token(session, account.token[:12]) == 1
        response = me(client, account.token)
        assert response.status_code == 401
        assert "revoked" in response.json()["detail"]

    def test_expired_token(self, client: TestClient, quick_account: Any, session: Session) -> None:
        user = quick_account().user
        _, expired = issue_token(session, user, expires_at=utcnow() - timedelta(seconds=1))
        _, live = issue_token(session, user, expires_at=utcnow() + timedelta(hours=1))
        session.commit()
        response = me(client, expired)
        assert response.status_code == 401
        assert "expired" in response.json()["detail"]
        assert me(client, live).status_code == 200

    def test_deactivated_user(
        self, client: TestClient, quick_account: Any, session: Session
    ) -> None:
        account = quick_account()
        account.user.is_active = False
        session.commit()
        assert me(client, account.token).status_code == 401

    def test_revoking_one_token_keeps_the_others(
        self, client: TestClient, quick_account: Any, session: Session
    ) -> None:
        account = quick_account()
        other = create_token(session, account.user.email, "laptop")
        revoke_token(session, account.token[:12])
        assert me(client, account.token).status_code == 401
        assert me(client, other).status_code == 200


class TestLastUsed:
    def test_is_set_on_use(self, client: TestClient, quick_account: Any, session: Session) -> None:
        account = quick_account()
        assert _row(session, account.token).last_used_at is None
        before = utcnow()
        assert me(client, account.token).status_code == 200
        used = _row(session, account.token).last_used_at
        assert used is not None and before - timedelta(seconds=1) <= used <= utcnow()

    def test_is_refreshed_after_a_while(
        self, client: TestClient, quick_account: Any, session: Session
    ) -> None:
        account = quick_account()
        row = _row(session, account.token)
        row.last_used_at = utcnow() - timedelta(hours=2)
        session.commit()
        me(client, account.token)
        used = _row(session, account.token).last_used_at
        assert used is not None and utcnow() - used < timedelta(minutes=1)

    def test_is_set_by_a_batch_of_events(
        self, client: TestClient, quick_account: Any, session: Session
    ) -> None:
        # The events route reads its token with Core, in the batch's own transaction.
        account = quick_account()
        headers = {"Authorization": f"Bearer {account.token}"}
        opened = client.post("/api/v1/recordings", json={"workflow": "Refund"}, headers=headers)
        row = _row(session, account.token)
        row.last_used_at = utcnow() - timedelta(hours=2)
        session.commit()
        sent = client.post(f"/api/v1/recordings/{opened.json()['id']}/events", json=batch(3),
                           headers=headers)
        assert sent.status_code == 200
        used = _row(session, account.token).last_used_at
        assert used is not None and utcnow() - used < timedelta(minutes=1)


def test_tokens_are_stored_only_hashed(
    client: TestClient, quick_account: Any, session: Session, connection: Connection
) -> None:
    account = quick_account()
    second = create_token(session, account.user.email)
    me(client, account.token)
    dump: list[str] = []
    for table in inspect(connection).get_table_names():
        for row in connection.execute(text(f'SELECT * FROM "{table}"')):
            dump.extend(str(value) for value in row)
    everything = "\n".join(dump)
    for secret in (account.token, second):
        assert secret not in everything
        assert secret[10:] not in everything  # not even the part after the shown prefix
        assert hash_token(secret) in everything
