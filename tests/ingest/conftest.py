"""Fixtures of the ingest tests: accounts without a password (no slow hashing per test)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app import accounts
from tests.conftest import Account


@pytest.fixture
def quick_account(session: Session) -> Any:
    """``quick_account(role, team)`` -> an :class:`Account` with an API token, no password."""

    def make(role: str = "agent", team: str = "Support") -> Account:
        email = f"{role}-{uuid.uuid4().hex[:8]}@example.test"
        user, token = accounts.create_user(session, email, role, team)
        return Account(user, token)

    return make
